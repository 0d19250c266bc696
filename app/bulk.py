"""Bulk insert: many new records with the same rules and audit as a flush, without the unit of work.

An import writes tens of thousands of rows, and the ORM's unit of work costs about a quarter of a
millisecond per row. Here:

- ``prepare`` runs the flush rules on one new record: column defaults, then
  ``app.session_rules.apply_rules`` (stamps, pinyin keys, the model's ``validate()``, data scope,
  change rules), exactly as a flush would;
- ``insert_prepared`` writes a list of prepared records with one multi-row INSERT, and their
  "create" events with one append to the audit chain, on the session's connection, so they commit or roll
  back with the rest of the transaction.

A record that did not pass ``prepare`` is refused by ``insert_prepared``: nothing reaches the table unchecked.
"""

from functools import cache

from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from app.audit import actor_context, append_events, creation_changes, current_batch, event_row, lock_chain
from app.row_insert import insert_rows
from app.scope import current_scope, current_user_id
from app.session_rules import apply_rules, python_defaults

#: set on a record that passed ``prepare``
PREPARED = "_bulk_prepared"


class NotPrepared(Exception):
    """``insert_prepared`` was given a record that did not pass ``prepare``."""


@cache
def column_keys(model) -> tuple:
    """The keys of ``model``'s column attributes."""
    return tuple(attr.key for attr in inspect(model).column_attrs)


def new_record(model, values: dict):
    """A new record holding ``values``, for ``prepare`` and ``insert_prepared``.

    It is built without the constructor's attribute events: no session ever tracks it (the bulk
    insert writes its values), and at a few dozen attributes a row those events cost more than
    its validation. Its columns that ``values`` leaves out hold None, as they would read on any
    transient record, so that reading them doesn't go through the attribute's loaders."""
    item = model.__mapper__.class_manager.new_instance()
    item.__dict__.update(dict.fromkeys(column_keys(model)), **values)
    return item


def fill_defaults(item) -> None:
    """The Python-side column defaults, callable ones included, as the INSERT of a flush would apply them."""
    values = item.__dict__
    for key, default in python_defaults(type(item)):
        if values.get(key) is None:
            values[key] = default.arg if default.is_scalar else default.arg(None)


def prepare(session: Session, item, scope=None) -> dict:
    """Apply the flush rules to a new record; returns its problems ({field: message}), empty when
    it may be inserted. Raises ``ScopeViolation`` when it lies outside the user's data scope."""
    fill_defaults(item)
    with session.no_autoflush:
        problems = apply_rules(session, item, True, current_user_id(), scope or current_scope())
    setattr(item, PREPARED, not problems)
    return problems


def insert_prepared(session: Session, items: list) -> None:
    """Insert prepared records of one model (ids are set on them) and audit each as created."""
    if not items:
        return
    model = type(items[0])
    table = model.__table__
    columns = [(attr.key, attr.columns[0].key) for attr in inspect(model).column_attrs if attr.key != "id"]
    rows = []
    for item in items:
        if type(item) is not model or not getattr(item, PREPARED, False):
            raise NotPrepared(type(item).__name__)
        values = item.__dict__  # untracked records: their values are set directly
        values["version"] = 1  # what the optimistic-lock counter starts at on an ORM insert
        rows.append({column: values.get(key) for key, column in columns})
    connection = session.connection()
    lock_chain(connection)  # the write lock first: on SQLite, no other writer can take ids until commit
    for row, pk in zip(rows, _new_ids(connection, table, len(rows)), strict=True):
        row["id"] = pk
    insert_rows(connection, table, rows)
    context = actor_context()
    batch = current_batch()
    events = []
    for item, row in zip(items, rows, strict=True):
        item.__dict__["id"] = row["id"]
        events.append(event_row(item, "create", creation_changes(item), context, batch))
    append_events(connection, events)


def _new_ids(connection, table, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken as the database would take them: from the
    column's sequence on PostgreSQL; after the largest rowid on SQLite, under the write lock.

    (An INSERT … RETURNING would give them too, but to keep the rows' order SQLAlchemy then
    inserts one row per statement on SQLite.)"""
    if connection.dialect.name == "postgresql":
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        query = text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)")
        return list(connection.execute(query, {"sequence": sequence, "count": count}).scalars())
    start = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + 1
    return list(range(start, start + count))
