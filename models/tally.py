"""Live-row tallies: how many live rows a large register holds per department, kept by the database.

A list page shows how many records it has. Counting them is the dearest part of a large list: at a
million persons, counting even the first 10,001 live rows costs more than reading and drawing the
page (0.4 ms on SQLite, 1.9 ms on PostgreSQL), and beyond that the count could only say "more than
10,000". So for each table in ``TALLIED_TABLES`` the migration ``record tally`` keeps one row per
department in ``record_tally``: the number of its live (not soft-deleted) rows. Triggers keep it
true on every insert, delete, soft delete, restore and change of department, whatever makes the
change: a screen, the API, an import, the CLI or plain SQL. A plain list (no search filter) then
counts exactly by adding up the tallies of the departments in the user's data scope.

The triggers fire only when a row's liveness or department changes, so an ordinary edit costs
nothing more. On PostgreSQL a department's tally row is locked from such a change to the end of
its transaction, as a counter must be: two transactions adding persons to one department take
turns at the commit.

``flask tallies`` compares every tally with a real count and, with ``--rebuild``, sets it right
(after a bulk load that bypassed the triggers, for example).
"""

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, Integer, String, Table, cast, delete, func, select, text

#: table → the column its rows are tallied by (the department that owns them: their data scope)
TALLIED_TABLES = {"person": "department_id"}
#: the condition of a live row (``models.mixins.LIVE``)
LIVE_CONDITION = "deleted_at IS NULL"

record_tally = Table(
    "record_tally",
    Model.metadata,
    Column("table_name", String(64), primary_key=True),
    Column("department_id", Integer, primary_key=True, autoincrement=False),
    Column("live", BigInteger, nullable=False),
)


def tallied_by(table_name: str) -> str | None:
    """The column ``table_name`` is tallied by, or None when it has no tally."""
    return TALLIED_TABLES.get(table_name)


def tally_sum(table_name: str, department_ids=None):
    """SELECT the live rows of ``table_name``: in all departments, or in ``department_ids``."""
    total = cast(func.coalesce(func.sum(record_tally.c.live), 0), BigInteger)  # PostgreSQL sums to numeric
    statement = select(total).where(record_tally.c.table_name == table_name)
    if department_ids is not None:
        statement = statement.where(record_tally.c.department_id.in_(sorted(department_ids)))
    return statement


def actual_counts(table_name: str) -> str:
    """SQL: (department, live rows) of ``table_name`` counted row by row."""
    column = TALLIED_TABLES[table_name]
    return (
        f"SELECT {column}, count(*) FROM {table_name} WHERE {LIVE_CONDITION} AND {column} IS NOT NULL GROUP BY {column}"  # noqa: S608 - fixed names
    )


def fill_statement(table_name: str) -> str:
    """SQL: the tally rows of ``table_name`` counted afresh (after its old rows are deleted)."""
    return (
        f"INSERT INTO record_tally (table_name, department_id, live) "  # noqa: S608 - fixed names
        f"SELECT '{table_name}', counted.* FROM ({actual_counts(table_name)}) AS counted"
    )


def trigger_names(table_name: str) -> tuple:
    return tuple(f"record_tally_{table_name}_{operation}" for operation in ("insert", "delete", "update"))


def pg_function(table_name: str) -> str:
    return f"record_tally_{table_name}"


def _sqlite_add(table_name: str, row: str, step: int) -> str:
    """One statement adding ``step`` to the tally of ``row``'s (NEW or OLD) department, when that
    row is live and has a department."""
    column = TALLIED_TABLES[table_name]
    return (
        f"INSERT INTO record_tally (table_name, department_id, live) "
        f"SELECT '{table_name}', {row}.{column}, {step} WHERE {row}.{LIVE_CONDITION} AND {row}.{column} IS NOT NULL "
        f"ON CONFLICT (table_name, department_id) DO UPDATE SET live = live + ({step});"
    )


def create_triggers_sql(table_name: str, dialect: str) -> list[str]:
    """The statements that create ``table_name``'s tally triggers on ``dialect``."""
    column = TALLIED_TABLES[table_name]
    on_insert, on_delete, on_update = trigger_names(table_name)
    new_live, old_live = f"NEW.{LIVE_CONDITION}", f"OLD.{LIVE_CONDITION}"
    moved = f"(OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.{column} IS DISTINCT FROM NEW.{column}"
    if dialect == "postgresql":
        function = pg_function(table_name)
        body = (
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 - fixed names
            f"IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND OLD.{column} IS NOT NULL THEN "
            f"UPDATE record_tally SET live = live - 1 WHERE table_name = '{table_name}' "
            f"AND department_id = OLD.{column}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted_at IS NULL AND NEW.{column} IS NOT NULL THEN "
            f"INSERT INTO record_tally (table_name, department_id, live) VALUES ('{table_name}', NEW.{column}, 1) "
            "ON CONFLICT (table_name, department_id) DO UPDATE SET live = record_tally.live + 1; END IF; "
            "RETURN NULL; END $$"
        )
        return [
            body,
            f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table_name} FOR EACH ROW "
            f"WHEN ({new_live}) EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {on_delete} AFTER DELETE ON {table_name} FOR EACH ROW "
            f"WHEN ({old_live}) EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {on_update} AFTER UPDATE OF deleted_at, {column} ON {table_name} FOR EACH ROW "
            f"WHEN ({moved}) EXECUTE FUNCTION {function}()",
        ]
    sqlite_moved = moved.replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table_name} WHEN {new_live} BEGIN "
        f"{_sqlite_add(table_name, 'NEW', 1)} END",
        f"CREATE TRIGGER {on_delete} AFTER DELETE ON {table_name} WHEN {old_live} BEGIN "
        f"{_sqlite_add(table_name, 'OLD', -1)} END",
        f"CREATE TRIGGER {on_update} AFTER UPDATE OF deleted_at, {column} ON {table_name} WHEN {sqlite_moved} BEGIN "
        f"{_sqlite_add(table_name, 'OLD', -1)} {_sqlite_add(table_name, 'NEW', 1)} END",
    ]


def drop_triggers_sql(table_name: str, dialect: str) -> list[str]:
    """The statements that drop ``table_name``'s tally triggers on ``dialect``."""
    if dialect == "postgresql":
        drops = [f"DROP TRIGGER IF EXISTS {name} ON {table_name}" for name in trigger_names(table_name)]
        return [*drops, f"DROP FUNCTION IF EXISTS {pg_function(table_name)}()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(table_name)]


def differences(connection) -> dict:
    """(table, department) → (tallied, counted) for every tally that differs from a real count."""
    found = {}
    for table in TALLIED_TABLES:
        counted = dict(connection.execute(text(actual_counts(table))).all())
        tallied = dict(
            connection.execute(
                select(record_tally.c.department_id, record_tally.c.live).where(record_tally.c.table_name == table)
            ).all()
        )
        for department in counted.keys() | tallied.keys():
            pair = (tallied.get(department, 0), counted.get(department, 0))
            if pair[0] != pair[1]:
                found[(table, department)] = pair
    return found


def rebuild(connection) -> None:
    """Count every tally afresh, in the caller's transaction; on PostgreSQL the tallied tables are
    locked against writes meanwhile (SQLite lets one writer in at a time anyway)."""
    for table in TALLIED_TABLES:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
        connection.execute(delete(record_tally).where(record_tally.c.table_name == table))
        connection.execute(text(fill_statement(table)))
