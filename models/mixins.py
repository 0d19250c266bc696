"""Columns every domain record carries: who and when, a version, soft deletion.

``RecordMixin`` gives:
- ``created_at/by`` and ``updated_at/by`` in UTC, filled by the session hooks
  in ``app.scope`` from the current user;
- ``version``, SQLAlchemy's optimistic-lock counter (a concurrent UPDATE that
  lost the race raises ``StaleDataError``);
- ``deleted_at``: deletion is soft, and the data layer hides deleted rows.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, inspect, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RecordMixin:
    """Audit columns, optimistic version and soft delete for a domain table."""

    #: the attribute that holds the owning department for data scope, or None
    __scope_attr__ = None
    #: columns whose text is also searchable by pinyin (full and initials)
    __pinyin_columns__ = ()

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}

    def validate(self, session) -> dict:
        """Business rules beyond column types; returns {field: message}."""
        return {}

    def value_taken(self, session, column: str) -> bool:
        """Whether another live (not deleted) row already holds this row's value of ``column``.

        A bulk import checks its natural keys for the whole file at once (and the partial unique
        index still guards the table), so it sets ``session.info["unique_checked"]`` to skip this."""
        if column in session.info.get("unique_checked", ()):
            return False
        if self.id and not _changes(self, column) and not _changes(self, "deleted_at"):
            return False  # a live row that keeps its value can't start a clash
        model = type(self)
        query = select(model.id).where(getattr(model, column) == getattr(self, column), model.deleted_at.is_(None))
        if self.id:
            query = query.where(model.id != self.id)
        with session.no_autoflush:
            return session.execute(query.limit(1)).first() is not None

    def delete_blockers(self, session) -> list:
        """Reasons this record can't be deleted now (e.g. it still has children)."""
        return []


def has_net_changes(obj) -> bool:
    """``Session.is_modified(obj)``, looking only at the attributes that were set since the last
    flush (a bulk edit sets one field of thousands of records; is_modified reads all of them)."""
    state = inspect(obj)
    return any(state.attrs[key].history.has_changes() for key in list(state.committed_state))


def _changes(obj, attr: str) -> bool:
    return inspect(obj).attrs[attr].history.has_changes()


RECORD_LABELS = {
    "created_at": _l("Created at"),
    "updated_at": _l("Updated at"),
    "created_by_id": _l("Created by"),
    "updated_by_id": _l("Updated by"),
    "version": _l("Version"),
    "deleted_at": _l("Deleted at"),
}


def committed_value(obj, attr: str):
    """The value of ``attr`` as stored in the database, before this flush's changes."""
    history = inspect(obj).attrs[attr].history
    return history.deleted[0] if history.deleted else getattr(obj, attr)


#: the condition of a live (not soft-deleted) row, for partial indexes
LIVE = "deleted_at IS NULL"


def live_unique(name: str, column: str, optional: bool = False):
    """A unique index over live rows only (soft-deleted rows keep their values), on SQLite and PostgreSQL."""
    from sqlalchemy import Index, text

    where = f"{LIVE} AND {column} IS NOT NULL" if optional else LIVE
    return Index(name, column, unique=True, sqlite_where=text(where), postgresql_where=text(where))


def changed_fields(obj, with_links: bool = False) -> set:
    """Columns (and, with ``with_links``, many-to-one and many-to-many links) whose value this flush
    really changes: a form that re-submits an unchanged value changes nothing."""
    state = inspect(obj)
    keys = [attr.key for attr in state.mapper.column_attrs]
    if with_links:
        keys += [rel.key for rel in state.mapper.relationships if rel.secondary is not None or not rel.uselist]
    changed = set()
    for key in keys:
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        if history.added and history.deleted and list(history.added) == list(history.deleted):
            continue
        changed.add(key)
    return changed


def localized(name: str | None, name_en: str | None) -> str:
    """A record's name in the current language: name_en in English when present."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None and locale.language == "en" and name_en:
        return name_en
    return name or ""


def fk_value(item, fk_attr: str):
    """The value of a foreign key, read through its relationship when that was set instead."""
    mapper = inspect(type(item))
    for rel in mapper.relationships:
        if rel.direction.name == "MANYTOONE" and [c.key for c in rel.local_columns] == [fk_attr]:
            state = inspect(item)
            if rel.key in state.dict:
                related = state.dict[rel.key]
                if related is not None:
                    return related.id
                return None
    return getattr(item, fk_attr)


def is_linked(item, relation: str) -> bool:
    """Whether a many-to-one relation points at a record, as the change sets it: through the
    relation when it was set or loaded (also to a record not yet flushed), else through its key."""
    state = inspect(item)
    if relation in state.dict:
        return state.dict[relation] is not None
    key = list(inspect(type(item)).relationships[relation].local_columns)[0].key
    return getattr(item, key) is not None


def listing(values) -> str:
    """Names run together as each language writes a list: "甲、乙" in Chinese, "A, B" in English."""
    from flask_babel import get_locale

    locale = get_locale()
    separator = ", " if locale is not None and locale.language == "en" else "、"
    return separator.join(str(value) for value in values or ())


def replace_parts(parent, key: str, kept: list) -> None:
    """Make ``kept`` the live rows of ``parent``'s part collection ``key`` (an agenda, a list of
    materials): rows left out are soft-deleted, so they wait in the recycle bin, and new rows are
    added. Any change to the parts is an update of ``parent`` (its version moves). The collection
    holds live rows only, and reloads them in order after the commit."""
    collection = getattr(parent, key)
    keeping = {id(part) for part in kept}
    now = utcnow()
    changed = False
    for part in collection:
        if id(part) not in keeping:
            part.deleted_at = now
            changed = True
    present = {id(part) for part in collection}
    for part in kept:
        if id(part) not in present:
            collection.append(part)
            changed = True
        elif has_net_changes(part):
            changed = True
    if changed:
        parent.updated_at = now  # the record's version moves with its parts: a stale form is refused
