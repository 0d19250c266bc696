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

``category_tally`` keeps the same per department and category (``CATEGORY_TALLIED``): the home
dashboard's persons by category in a department's scope add up a few rows instead of counting
hundreds of thousands of index entries (some 70 ms at a million persons). Its triggers fire when a
row's liveness, department or category changes.

``flask tallies`` compares every tally with a real count and, with ``--rebuild``, sets it right
(after a bulk load that bypassed the triggers, for example).
"""

from flask_appbuilder import Model
from sqlalchemy import BigInteger, Column, Integer, String, Table, cast, delete, func, select, text

#: table → the column its rows are tallied by (the department that owns them: their data scope)
TALLIED_TABLES = {"person": "department_id"}
#: table → the column whose values are tallied per department too, in ``category_tally``
CATEGORY_TALLIED = {"person": "category"}
#: the condition of a live row (``models.mixins.LIVE``)
LIVE_CONDITION = "deleted_at IS NULL"
RECORD_TALLY, CATEGORY_TALLY = "record_tally", "category_tally"

record_tally = Table(
    RECORD_TALLY,
    Model.metadata,
    Column("table_name", String(64), primary_key=True),
    Column("department_id", Integer, primary_key=True, autoincrement=False),
    Column("live", BigInteger, nullable=False),
)
category_tally = Table(
    CATEGORY_TALLY,
    Model.metadata,
    Column("table_name", String(64), primary_key=True),
    Column("department_id", Integer, primary_key=True, autoincrement=False),
    Column("category", String(64), primary_key=True),
    Column("live", BigInteger, nullable=False),
)


def tallied_by(table_name: str) -> str | None:
    """The column ``table_name`` is tallied by, or None when it has no tally."""
    return TALLIED_TABLES.get(table_name)


def tallies() -> list[tuple[str, str]]:
    """(tally, table) of every kept tally."""
    return [(RECORD_TALLY, table) for table in TALLIED_TABLES] + [(CATEGORY_TALLY, t) for t in CATEGORY_TALLIED]


def key_columns(table_name: str, tally: str = RECORD_TALLY) -> tuple:
    """The columns of ``table_name`` a row of ``tally`` is kept for: its department (and category)."""
    department = TALLIED_TABLES[table_name]
    return (department,) if tally == RECORD_TALLY else (department, CATEGORY_TALLIED[table_name])


def tally_sum(table_name: str, department_ids=None):
    """SELECT the live rows of ``table_name``: in all departments, or in ``department_ids``."""
    total = cast(func.coalesce(func.sum(record_tally.c.live), 0), BigInteger)  # PostgreSQL sums to numeric
    statement = select(total).where(record_tally.c.table_name == table_name)
    if department_ids is not None:
        statement = statement.where(record_tally.c.department_id.in_(sorted(department_ids)))
    return statement


def category_sums(table_name: str, department_ids=None):
    """SELECT (category, live rows) of ``table_name``: in all departments, or in ``department_ids``."""
    total = cast(func.sum(category_tally.c.live), BigInteger)
    statement = select(category_tally.c.category, total).where(category_tally.c.table_name == table_name)
    if department_ids is not None:
        statement = statement.where(category_tally.c.department_id.in_(sorted(department_ids)))
    return statement.group_by(category_tally.c.category)


def actual_counts(table_name: str, tally: str = RECORD_TALLY) -> str:
    """SQL: (department[, category], live rows) of ``table_name`` counted row by row."""
    columns = key_columns(table_name, tally)
    keys = ", ".join(columns)
    present = " AND ".join(f"{column} IS NOT NULL" for column in columns)
    return f"SELECT {keys}, count(*) FROM {table_name} WHERE {LIVE_CONDITION} AND {present} GROUP BY {keys}"  # noqa: S608 - fixed names


def fill_statement(table_name: str, tally: str = RECORD_TALLY) -> str:
    """SQL: the tally rows of ``table_name`` counted afresh (after its old rows are deleted)."""
    keys = ", ".join(key_columns(table_name, tally))
    return (
        f"INSERT INTO {tally} (table_name, {keys}, live) "  # noqa: S608 - fixed names
        f"SELECT '{table_name}', counted.* FROM ({actual_counts(table_name, tally)}) AS counted"
    )


def trigger_names(table_name: str, tally: str = RECORD_TALLY) -> tuple:
    return tuple(f"{tally}_{table_name}_{operation}" for operation in ("insert", "delete", "update"))


def pg_function(table_name: str, tally: str = RECORD_TALLY) -> str:
    return f"{tally}_{table_name}"


def _sqlite_add(table_name: str, row: str, step: int, tally: str) -> str:
    """One statement adding ``step`` to the tally of ``row``'s (NEW or OLD) department (and
    category), when that row is live and has them."""
    columns = key_columns(table_name, tally)
    keys = ", ".join(columns)
    values = ", ".join(f"{row}.{column}" for column in columns)
    present = " AND ".join(f"{row}.{column} IS NOT NULL" for column in columns)
    return (
        f"INSERT INTO {tally} (table_name, {keys}, live) "
        f"SELECT '{table_name}', {values}, {step} WHERE {row}.{LIVE_CONDITION} AND {present} "
        f"ON CONFLICT (table_name, {keys}) DO UPDATE SET live = live + ({step});"
    )


def create_triggers_sql(table_name: str, dialect: str, tally: str = RECORD_TALLY) -> list[str]:
    """The statements that create ``table_name``'s triggers of ``tally`` on ``dialect``."""
    columns = key_columns(table_name, tally)
    keys = ", ".join(columns)
    on_insert, on_delete, on_update = trigger_names(table_name, tally)
    new_live, old_live = f"NEW.{LIVE_CONDITION}", f"OLD.{LIVE_CONDITION}"
    moved = " OR ".join(
        ["(OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"]
        + [f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns]
    )
    if dialect == "postgresql":
        function = pg_function(table_name, tally)
        old_present = " AND ".join(f"OLD.{column} IS NOT NULL" for column in columns)
        new_present = " AND ".join(f"NEW.{column} IS NOT NULL" for column in columns)
        old_row = " AND ".join(f"{column} = OLD.{column}" for column in columns)
        new_values = ", ".join(f"NEW.{column}" for column in columns)
        body = (
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 - fixed names
            f"IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL AND {old_present} THEN "
            f"UPDATE {tally} SET live = live - 1 WHERE table_name = '{table_name}' AND {old_row}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted_at IS NULL AND {new_present} THEN "
            f"INSERT INTO {tally} (table_name, {keys}, live) VALUES ('{table_name}', {new_values}, 1) "
            f"ON CONFLICT (table_name, {keys}) DO UPDATE SET live = {tally}.live + 1; END IF; "
            "RETURN NULL; END $$"
        )
        return [
            body,
            f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table_name} FOR EACH ROW "
            f"WHEN ({new_live}) EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {on_delete} AFTER DELETE ON {table_name} FOR EACH ROW "
            f"WHEN ({old_live}) EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {on_update} AFTER UPDATE OF deleted_at, {keys} ON {table_name} FOR EACH ROW "
            f"WHEN ({moved}) EXECUTE FUNCTION {function}()",
        ]
    sqlite_moved = moved.replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table_name} WHEN {new_live} BEGIN "
        f"{_sqlite_add(table_name, 'NEW', 1, tally)} END",
        f"CREATE TRIGGER {on_delete} AFTER DELETE ON {table_name} WHEN {old_live} BEGIN "
        f"{_sqlite_add(table_name, 'OLD', -1, tally)} END",
        f"CREATE TRIGGER {on_update} AFTER UPDATE OF deleted_at, {keys} ON {table_name} WHEN {sqlite_moved} BEGIN "
        f"{_sqlite_add(table_name, 'OLD', -1, tally)} {_sqlite_add(table_name, 'NEW', 1, tally)} END",
    ]


def drop_triggers_sql(table_name: str, dialect: str, tally: str = RECORD_TALLY) -> list[str]:
    """The statements that drop ``table_name``'s triggers of ``tally`` on ``dialect``."""
    if dialect == "postgresql":
        drops = [f"DROP TRIGGER IF EXISTS {name} ON {table_name}" for name in trigger_names(table_name, tally)]
        return [*drops, f"DROP FUNCTION IF EXISTS {pg_function(table_name, tally)}()"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(table_name, tally)]


def differences(connection) -> dict:
    """(table, department[, category]) → (tallied, counted) for every tally that differs from a
    real count."""
    found = {}
    for tally, table in tallies():
        kept = record_tally if tally == RECORD_TALLY else category_tally
        counted = {tuple(row[:-1]): row[-1] for row in connection.execute(text(actual_counts(table, tally)))}
        keys = [kept.c[column] for column in key_columns(table, tally)]
        tallied = {
            tuple(row[:-1]): row[-1]
            for row in connection.execute(select(*keys, kept.c.live).where(kept.c.table_name == table))
        }
        for key in counted.keys() | tallied.keys():
            pair = (tallied.get(key, 0), counted.get(key, 0))
            if pair[0] != pair[1]:
                found[(table, *key)] = pair
    return found


def rebuild(connection) -> None:
    """Count every tally afresh, in the caller's transaction; on PostgreSQL the tallied tables are
    locked against writes meanwhile (SQLite lets one writer in at a time anyway)."""
    for table in TALLIED_TABLES:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
    for tally, table in tallies():
        kept = record_tally if tally == RECORD_TALLY else category_tally
        connection.execute(delete(kept).where(kept.c.table_name == table))
        connection.execute(text(fill_statement(table, tally)))
