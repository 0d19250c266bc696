"""The recycle bin (回收站): soft-deleted records, restored or (by an Admin) purged.

Used by the recycle-bin screen and the ``flask recycle-bin`` commands, so that
both paths apply the same rules:
- only records within the user's data scope are listed, restored or purged;
- a restore is refused while a record it refers to is itself deleted, or when
  a unique value (ID number, code) has since been taken by a live record;
- a purge is refused while other records still refer to the row.
Restores and purges go through the session, so they are audited like every change.
"""

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit import entity_type_of_model
from app.datamodel import ScopedSQLAInterface
from app.extensions import db
from app.services import attachments
from models import (
    AgendaItem,
    Booking,
    Department,
    Facility,
    Funding,
    JointMeeting,
    OversightAttachment,
    OversightRecord,
    PartyOrganization,
    Person,
    PurchasedService,
    Rectification,
    Region,
    Resolution,
    Resource,
    ServiceItem,
    ServiceItemMaterial,
    ServiceItemStep,
    SocialOrganization,
)
from models.choices import ENTITY_TYPES
from models.mixins import RecordMixin, listing, utcnow
from models.validation import RecordInvalid, constraint_refusal

#: every register whose records a screen or the API deletes, and that can therefore be restored, by
#: the name used in URLs, in the menu's order; with them the parts that a record's own form removes
#: (an item's materials and steps, a meeting's agenda items) and an inspection's removed attachments
BIN_MODELS = {
    model.__name__: model
    for model in (
        Region,
        Department,
        SocialOrganization,
        Person,
        Facility,
        Booking,
        ServiceItem,
        ServiceItemMaterial,
        ServiceItemStep,
        Resource,
        Funding,
        PurchasedService,
        PartyOrganization,
        OversightRecord,
        OversightAttachment,
        Rectification,
        JointMeeting,
        AgendaItem,
        Resolution,
    )
}
#: the parts have no permissions of their own: they are read and restored with their record's
PART_PERMISSIONS = {
    "ServiceItemMaterial": "ServiceItem",
    "ServiceItemStep": "ServiceItem",
    "AgendaItem": "JointMeeting",
    "OversightAttachment": "OversightRecord",
}


#: the parts a record's own form edits (``models.mixins.replace_parts``): restoring one changes the record
FORM_PARTS = (AgendaItem, Resolution, ServiceItemMaterial, ServiceItemStep)


def permission_name(model_name: str) -> str:
    """The permission view that guards the deleted rows of ``model_name`` in the bin."""
    return PART_PERMISSIONS.get(model_name, model_name)


def bin_label(item) -> str:
    """How a deleted row is named in the bin: a part of a record (an agenda item, a resolution)
    also names the record it belongs to."""
    parent_attr = getattr(type(item), "__parent_attr__", None)
    parent = getattr(item, parent_attr) if parent_attr else None
    return f"{item} — {parent}" if parent is not None else str(item)


class RestoreRefused(Exception):
    """The record can't come back yet; the message says why, in the user's language."""


class PurgeRefused(Exception):
    """The record can't be removed for good; the message says why."""


def deleted_interface(model) -> ScopedSQLAInterface:
    return ScopedSQLAInterface(model, deleted_only=True)


def deleted_records(model, limit: int | None = None, offset: int = 0) -> list:
    """Deleted rows of ``model`` within the current scope, most recently deleted first (all of
    them, or ``limit`` from ``offset``)."""
    interface = deleted_interface(model)
    query = interface.restrict(db.session.query(model)).order_by(model.deleted_at.desc(), model.id.desc())
    parent_attr = getattr(model, "__parent_attr__", None)
    if parent_attr:
        query = query.options(selectinload(getattr(model, parent_attr)))
    return query.offset(offset).limit(limit).all()


def deleted_count(model) -> int:
    """How many deleted rows of ``model`` lie within the current scope."""
    query = deleted_interface(model).restrict(db.session.query(func.count(model.id)))
    return query.scalar() or 0


def find_deleted(model_name: str, pk):
    model = BIN_MODELS.get(model_name)
    if model is None:
        return None
    return deleted_interface(model).get(pk)


def _deleted_references(item) -> list[str]:
    """Labels of the records ``item`` refers to that are themselves deleted."""
    missing = []
    for rel in inspect(type(item)).relationships:
        if rel.direction.name != "MANYTOONE":
            continue
        related = getattr(item, rel.key)
        if isinstance(related, RecordMixin) and related.deleted_at is not None:
            missing.append(str(related))
    return missing


def restore(item) -> None:
    """Bring a deleted record back; raise RestoreRefused with a clear reason."""
    missing = _deleted_references(item)
    if missing:
        raise RestoreRefused(str(_l("Restore %(records)s first: this record refers to it.", records=listing(missing))))
    if isinstance(item, FORM_PARTS):
        _back_into_its_record(item)
    item.deleted_at = None
    try:
        db.session.commit()
    except RecordInvalid as invalid:
        db.session.rollback()
        raise _refused_by(invalid) from invalid
    except IntegrityError as error:
        db.session.rollback()
        declared = constraint_refusal(error)
        if declared is not None:
            raise _refused_by(declared) from error
        raise RestoreRefused(
            str(_l("It can't be restored: a live record now holds one of its unique values."))
        ) from error


def _back_into_its_record(part) -> None:
    """A restored part is a change to its record, as in the record's own form: the record's version
    moves (an editor opened before refuses its older form instead of removing the part again), and
    a numbered part (an agenda item, a material, a step) comes back at the end of its list."""
    parent_attr = type(part).__parent_attr__
    parent = getattr(part, parent_attr)
    if hasattr(part, "position"):  # read before anything changes: the read may flush the session
        siblings = getattr(parent, inspect(type(part)).relationships[parent_attr].back_populates)
        part.position = max((sibling.position or 0 for sibling in siblings), default=0) + 1
    parent.updated_at = utcnow()


def _refused_by(invalid: RecordInvalid) -> RestoreRefused:
    reasons = " ".join(message for messages in invalid.errors.values() for message in messages)
    return RestoreRefused(str(_l("It can't be restored: %(reasons)s", reasons=reasons)))


def purge(item) -> None:
    """Remove a deleted record for good (audited); refused while other records refer to it."""
    if item.deleted_at is None:
        raise PurgeRefused(str(_l("Only a deleted record can be purged.")))
    model, pk = type(item), item.id
    parts = _deleted_parts(item)
    for part in parts:
        db.session.delete(part)  # its removed parts go with it (the live ones by the relation's cascade)
    db.session.delete(item)
    files = [row.stored_name for row in [item, *parts] if isinstance(row, OversightAttachment)]
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        referring = listing(ENTITY_TYPES.label(name) for name in referring_types(model, pk))
        if referring:
            message = _l("It can't be purged: records still refer to it (%(records)s).", records=referring)
        else:
            message = _l("It can't be purged: other records still refer to it.")
        raise PurgeRefused(str(message)) from error
    for stored_name in files:
        attachments.discard(stored_name)  # a purged attachment's file goes too, once the row is gone


def _deleted_parts(item) -> list:
    """The soft-deleted parts of ``item`` (removed agenda items, materials): its part collections
    hold live rows only."""
    parts = []
    for relation in inspect(type(item)).relationships:
        part_model = relation.mapper.class_
        if (
            relation.direction.name != "ONETOMANY"
            or getattr(part_model, "__parent_attr__", None) != relation.back_populates
        ):
            continue
        parent_key = next(iter(relation.local_remote_pairs))[1]
        parts += db.session.scalars(
            select(part_model).where(parent_key == item.id, part_model.deleted_at.isnot(None))
        ).all()
    return parts


def referring_types(model, pk) -> list[str]:
    """The record types (model names) with rows, live or deleted, that refer to one row of
    ``model``; a link table counts as the model whose relation it holds."""
    target = model.__table__
    owners = {}
    for mapper in Model.registry.mappers:
        owners.setdefault(mapper.local_table, mapper.class_)
        for relation in mapper.relationships:
            if relation.secondary is not None:
                owners.setdefault(relation.secondary, mapper.class_)
    found = []
    for table in Model.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table is not target or table not in owners:
                continue
            if owners[table] is model and table is not target:
                continue  # the row's own links (its many-to-many rows) go with it
            if db.session.scalar(select(func.count()).select_from(table).where(key.parent == pk)):
                name = entity_type_of_model(owners[table])
                if name not in found:
                    found.append(name)
    return found
