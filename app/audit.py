"""Audit capture (session events), the hash chain, and its verification.

Every flush that creates, changes, soft-deletes, restores or purges a domain
record, or changes a user, role, role data scope or group, queues one event
per object in ``before_flush`` (when the old values are still known) and
writes them in ``after_flush`` on the same connection, so the events commit
or roll back with the change. A failing audit write fails the flush.

Appends lock the single ``audit_chain_head`` row first, which serialises
writers on PostgreSQL (row lock) and SQLite (database write lock), so the
chain stays linear under concurrency.
"""

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from flask import g, has_app_context, has_request_context, request
from flask_appbuilder.security.sqla.models import Group, Role, User
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE

from models import AuditChainHead, AuditEvent, RoleDataScope
from models.audit import GENESIS_HASH
from models.mixins import RecordMixin, has_net_changes, utcnow
from models.validation import mask_id_number, mask_mobile

from .row_insert import insert_rows
from .scope import current_user

#: security records audited like domain records
SECURITY_MODELS = (User, Role, RoleDataScope, Group)
#: bookkeeping columns that change on every save or login: not worth an event of their own
IGNORED_COLUMNS = {
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "created_on",
    "changed_on",
    "created_by_fk",
    "changed_by_fk",
    "last_login",
    "login_count",
    "fail_login_count",
    "name_pinyin",
    # sign-in protection state: locks and unlocks get their own events (app.login_guard)
    "recent_failed_logins",
    "failed_logins_since",
    "locked_until",
    "session_generation",
}
MASKS = {"id_number": mask_id_number, "mobile": mask_mobile}
SECRET_COLUMNS = {"password"}
PENDING_KEY = "audit_pending"
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_roles",
    "ip",
    "user_agent",
    "request_id",
    "action",
    "entity_type",
    "entity_id",
    "entity_label",
    "changes",
    "batch_id",
    "prev_hash",
)
#: the encoders of an event's changes and of its hashed content, built once (``json.dumps`` with
#: options builds an encoder per call); their output is that of ``json.dumps`` with the same options
CHANGES_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)
HASH_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AuditWriteRefused(Exception):
    """Something tried to change or delete an audit event."""


# ----- who, from where ---------------------------------------------------------
def request_id() -> str | None:
    if not has_request_context():
        return None
    if not hasattr(g, "request_id"):
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex
    return g.request_id


def actor_context() -> dict:
    """Actor, roles at this moment, client IP, user agent and request id (cached for the request)."""
    if has_request_context() and "audit_context" in g:
        return dict(g.audit_context)
    context = {"actor_id": None, "actor_name": "system", "actor_roles": None, "ip": None, "user_agent": None}
    override = g.get("audit_actor") if has_app_context() else None
    user = current_user()
    if user is not None:
        context.update(
            actor_id=user.id,
            actor_name=user.username,
            actor_roles=",".join(sorted(r.name for r in user.roles)),
        )
    elif override:
        context["actor_name"] = override
    if has_request_context():
        context["ip"] = (request.remote_addr or "")[:64] or None
        context["user_agent"] = (request.user_agent.string or "")[:500] or None
        context["request_id"] = request_id()
        if user is not None:
            g.audit_context = dict(context)
    return context


# ----- values -------------------------------------------------------------------
#: types that JSON renders as they are (checked first: most values are text, numbers or None)
JSON_NATIVE_TYPES = frozenset({str, int, bool, float, type(None)})


def plain(value):
    """A JSON-safe rendering of a column value."""
    if type(value) in JSON_NATIVE_TYPES:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def shown(column: str, value):
    if value is None:
        return None
    mask = MASKS.get(column)
    return mask(str(value)) if mask else plain(value)


def label_of(obj) -> str:
    try:
        return str(obj)[:300]
    except Exception:  # noqa: BLE001 - a label is a courtesy, never a reason to fail the change
        return f"#{getattr(obj, 'id', '?')}"


def entity_type_of(obj) -> str:
    """The record type written to the log: the model name, and "User" for any user model."""
    return entity_type_of_model(type(obj))


def entity_type_of_model(model) -> str:
    return "User" if issubclass(model, User) else model.__name__


def is_audited(obj) -> bool:
    return isinstance(obj, (RecordMixin, *SECURITY_MODELS))


@cache
def recorded_columns(model) -> tuple:
    """The keys of the columns whose values an event records, in the mapper's order."""
    return tuple(
        attr.key for attr in inspect(model).column_attrs if attr.key not in IGNORED_COLUMNS and attr.key != "id"
    )


def _column_changes(obj, state, new: bool) -> dict:
    changes = {}
    if new:  # a new row: its values as set, read straight from its state (imports write many)
        values = state.dict
        for key in recorded_columns(type(obj)):
            value = values.get(key)
            if value is None:
                continue
            changes[key] = {"changed": True} if key in SECRET_COLUMNS else {"old": None, "new": shown(key, value)}
        return changes
    columns = state.mapper.column_attrs
    for key in list(state.committed_state):  # only what this flush touches: bulk edits change one field
        if key not in columns or key in IGNORED_COLUMNS or key == "id":
            continue
        history = state.get_history(key, PASSIVE_NO_INITIALIZE)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        value = history.added[0] if history.added else None
        if old == value:
            continue
        changes[key] = (
            {"changed": True} if key in SECRET_COLUMNS else {"old": shown(key, old), "new": shown(key, value)}
        )
    return changes


def _relation_changes(state, new: bool = False) -> dict:
    changes = {}
    # a new record's links are the ones it was given; a changed one's, those this flush touches
    touched = state.dict if new else state.committed_state
    for rel in state.mapper.relationships:
        if rel.key not in touched:
            continue
        history = state.get_history(rel.key, PASSIVE_NO_INITIALIZE)
        if not history.has_changes():
            continue
        if rel.secondary is not None or rel.uselist:
            if rel.secondary is None:
                continue  # one-to-many collections are recorded on the child side
            added = sorted(label_of(o) for o in history.added)
            removed = sorted(label_of(o) for o in history.deleted)
            if added or removed:
                changes[rel.key] = {"added": added, "removed": removed}
        else:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old is not new:
                changes[rel.key] = {
                    "old": label_of(old) if old is not None else None,
                    "new": label_of(new) if new is not None else None,
                }
                local = list(rel.local_columns)
                if len(local) == 1 and local[0].key not in IGNORED_COLUMNS:
                    # the key column is only synced at flush: record it from the related rows
                    changes[local[0].key] = {"old": getattr(old, "id", None), "new": getattr(new, "id", None)}
    return changes


def _action_for(obj, changes: dict, new: bool) -> str:
    if new:
        return "create"
    deleted = changes.get("deleted_at")
    if deleted is not None:
        if deleted["old"] is None and deleted["new"] is not None:
            return "delete"
        if deleted["old"] is not None and deleted["new"] is None:
            return "restore"
    if getattr(obj, "__workflow__", False) and "status" in changes:
        return "transition"
    if getattr(obj, "__workflow_field__", None) in changes:
        return "transition"
    if isinstance(obj, Role) and "permissions" in changes:
        return "permission_change"
    if isinstance(obj, User) and "roles" in changes:
        return "permission_change"
    return "update"


# ----- capture ------------------------------------------------------------------
def before_flush(session: Session, flush_context, instances) -> None:
    """Queue one event per audited object with its old → new values."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent | AuditChainHead) and (obj in session.deleted or has_net_changes(obj)):
            raise AuditWriteRefused("audit events are append-only")
    pending = session.info.setdefault(PENDING_KEY, [])
    for obj in session.new:
        if is_audited(obj):
            pending.append({"obj": obj, "new": True, "changes": None, "action": "create"})
    for obj in session.dirty:
        if not is_audited(obj):
            continue
        state = inspect(obj)
        # only the attributes this flush touches, and only net changes: nothing to record is no event
        changes = {**_column_changes(obj, state, new=False), **_relation_changes(state)}
        if not changes:
            continue
        if isinstance(obj, RecordMixin) and obj.version is not None:
            # the optimistic-lock counter is bumped inside the flush: record the step it will take
            changes["version"] = {"old": obj.version, "new": obj.version + 1}
        pending.append({"obj": obj, "new": False, "changes": changes, "action": _action_for(obj, changes, False)})
    for obj in session.deleted:
        if not is_audited(obj):
            continue
        state = inspect(obj)
        snapshot = {
            attr.key: {"old": shown(attr.key, getattr(obj, attr.key)), "new": None}
            for attr in state.mapper.column_attrs
            if attr.key not in IGNORED_COLUMNS and attr.key not in SECRET_COLUMNS
        }
        # a record (or a part of one, such as an agenda item) is only ever removed for good by a purge:
        # deleting it is soft, an update of ``deleted_at``
        action = "purge" if isinstance(obj, RecordMixin) else "delete"
        pending.append({"obj": obj, "new": False, "changes": snapshot, "action": action, "id": obj.id})


def after_flush(session: Session, flush_context) -> None:
    """Write the queued events on the flush's own connection, chained by hash."""
    pending = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    context = actor_context()
    batch = current_batch()
    rows = []
    for entry in pending:
        obj = entry["obj"]
        changes = creation_changes(obj) if entry["new"] else entry["changes"]
        rows.append(event_row(obj, entry["action"], changes, context, batch, entry.get("id")))
    append_events(session.connection(), rows)


def current_batch() -> str | None:
    """The batch id the events of this change belong to (one import is one batch), if any."""
    return g.get("audit_batch") if has_app_context() else None


def creation_changes(obj) -> dict:
    """The values a new record is created with, as an event's changes."""
    state = inspect(obj)
    return {**_column_changes(obj, state, new=True), **_relation_changes(state, new=True)}


def event_row(obj, action: str, changes: dict, context: dict, batch: str | None, entity_id=None) -> dict:
    """One event about ``obj``, ready for ``append_events``."""
    entity_id = entity_id if entity_id is not None else getattr(obj, "id", None)
    return _row(context, action, entity_type_of(obj), str(entity_id), label_of(obj), changes, batch)


def _row(context: dict, action: str, entity_type, entity_id, label, changes: dict, batch: str | None) -> dict:
    return {
        **context,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "entity_label": label,
        "changes": CHANGES_ENCODER.encode(changes),
        "batch_id": batch,
    }


def lock_chain(connection) -> None:
    """Lock the chain's head row (and, on SQLite, the database for writing) until the transaction ends."""
    head = AuditChainHead.__table__
    connection.execute(update(head).where(head.c.id == 1).values(last_id=head.c.last_id))


def append_events(connection, rows: list[dict]) -> list[dict]:
    """Append events to the chain; the head row lock serialises concurrent writers."""
    head = AuditChainHead.__table__
    events = AuditEvent.__table__
    lock_chain(connection)
    last_id, last_hash = connection.execute(select(head.c.last_id, head.c.last_hash).where(head.c.id == 1)).one()
    stored_last = connection.execute(select(events.c.id).order_by(events.c.id.desc()).limit(1)).scalar()
    next_id = max(last_id, stored_last or 0) + 1
    written = []
    now = utcnow()
    for row in rows:
        record = {field: row.get(field) for field in HASHED_FIELDS if field not in ("id", "prev_hash", "occurred_at")}
        record.update(id=next_id, occurred_at=now, prev_hash=last_hash, request_id=row.get("request_id"))
        record["hash"] = event_hash(record)
        written.append(record)
        last_hash, last_id = record["hash"], next_id
        next_id += 1
    insert_rows(connection, events, written)  # one round trip for the whole flush
    connection.execute(update(head).where(head.c.id == 1).values(last_id=last_id, last_hash=last_hash))
    return written


def event_hash(record: dict) -> str:
    """SHA-256 of the event's canonical content, which includes the previous event's hash."""
    canonical = {field: plain(record.get(field)) for field in HASHED_FIELDS}
    return hashlib.sha256(HASH_ENCODER.encode(canonical).encode("utf-8")).hexdigest()


def record_event(
    session: Session,
    action: str,
    *,
    entity=None,
    entity_type=None,
    entity_id=None,
    changes=None,
    label=None,
    batch_id=None,
    actor=None,
    actor_name=None,
) -> None:
    """Write one event that no ORM change carries (login, logout, export, a summary) and commit it."""
    context = actor_context()
    if actor is not None:
        context.update(
            actor_id=actor.id, actor_name=actor.username, actor_roles=",".join(sorted(r.name for r in actor.roles))
        )
    elif actor_name:
        context["actor_name"] = actor_name
    row = _row(
        context,
        action,
        entity_type or (entity_type_of(entity) if entity is not None else None),
        str(entity_id if entity_id is not None else getattr(entity, "id", "")) or None,
        label or (label_of(entity) if entity is not None else None),
        changes or {},
        batch_id,
    )
    append_events(session.connection(), [row])
    session.commit()


# ----- ORM guard against bulk changes of the log -----------------------------------
def refuse_bulk_changes(execute_state) -> None:
    if not (execute_state.is_update or execute_state.is_delete):
        return
    for mapper in execute_state.all_mappers:
        if mapper.class_ is AuditEvent:
            raise AuditWriteRefused("audit events are append-only")


# ----- verification -----------------------------------------------------------------
def verify_chain(connection, expect_head: str | None = None) -> tuple[bool, str, int]:
    """Walk the chain in id order. Returns (ok, message, events checked)."""
    events = AuditEvent.__table__
    previous = GENESIS_HASH
    previous_id = 0
    checked = 0
    for row in connection.execute(select(events).order_by(events.c.id)).mappings():
        checked += 1
        if row["prev_hash"] != previous:
            return (
                False,
                f"event #{row['id']}: its link to the previous event is broken (after #{previous_id})",
                checked,
            )
        if event_hash(dict(row)) != row["hash"]:
            return False, f"event #{row['id']}: its content does not match its hash", checked
        previous, previous_id = row["hash"], row["id"]
    if expect_head and previous != expect_head:
        return (
            False,
            f"the chain ends at #{previous_id} ({previous[:12]}…), not at the expected head {expect_head[:12]}…",
            checked,
        )
    head = connection.execute(select(AuditChainHead.__table__.c.last_hash)).scalar()
    if head is not None and head != previous:
        return False, f"the recorded head does not match the last event #{previous_id}: events were removed", checked
    return True, f"{checked} events, chain intact, head {previous}", checked


def install() -> None:
    """Register the session hooks (after the business rules, so only valid changes are audited)."""
    if not event.contains(Session, "before_flush", before_flush):
        event.listen(Session, "before_flush", before_flush)
        event.listen(Session, "after_flush", after_flush)
        event.listen(Session, "after_rollback", _forget_pending)
        event.listen(Session, "do_orm_execute", refuse_bulk_changes)


def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
