"""Inserting many plain rows at once, for the paths that write thousands of rows per statement
(the bulk import and the audit chain)."""

import sqlite3
from itertools import chain
from operator import itemgetter

from sqlalchemy import insert

#: rows per statement on SQLite: each statement is one savepoint, and at each savepoint an FTS5
#: index (the name search) writes its pending terms out as a new segment; a multi-row INSERT
#: lets the search index take a few hundred rows per segment instead of one
SQLITE_ROWS_PER_STATEMENT = 500


def insert_rows(connection, table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``: one ``executemany``, or on SQLite
    a few multi-row INSERT statements.

    The values pass through each column type's own bind processing, as with
    ``connection.execute(insert(table), rows)``, but without compiling parameters row by row,
    which costs SQLAlchemy more than the INSERT costs the database."""
    if not rows:
        return
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors = {key: table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys}
    processing = [(key, processor) for key, processor in processors.items() if processor is not None]
    if processing:
        rows = [dict(row) for row in rows]
        for row in rows:
            for key, processor in processing:
                row[key] = processor(row[key])
    if not compiled.positional:
        connection.exec_driver_sql(compiled.string, rows)
        return
    values_of = itemgetter(*compiled.positiontup)  # a row's values in the statement's order
    parameters = (
        [values_of(row) for row in rows] if len(compiled.positiontup) > 1 else [(values_of(row),) for row in rows]
    )
    if dialect.name != "sqlite":
        connection.exec_driver_sql(compiled.string, parameters)
        return
    _insert_multirow(connection, compiled.string, parameters)


def _insert_multirow(connection, statement: str, parameters: list[tuple]) -> None:
    """``statement`` (one row's ``INSERT … VALUES (?, …)``) for many rows, as INSERTs of many
    VALUES groups each, within SQLite's limit on the number of parameters."""
    head, _, group = statement.rpartition(" VALUES ")
    width = len(parameters[0])
    limit = connection.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // max(width, 1)))
    for start in range(0, len(parameters), per_statement):
        batch = parameters[start : start + per_statement]
        sql = f"{head} VALUES {', '.join([group] * len(batch))}"
        connection.exec_driver_sql(sql, tuple(chain.from_iterable(batch)))
