"""Inserting many plain rows at once, for the paths that write thousands of rows per statement
(the bulk import and the audit chain)."""

from sqlalchemy import insert


def insert_rows(connection, table, rows: list[dict]) -> None:
    """One ``executemany`` of ``rows`` (dicts with the same keys) into ``table``.

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
    if compiled.positional:
        order = compiled.positiontup
        parameters = [tuple(row[key] for key in order) for row in rows]
    else:
        parameters = rows
    connection.exec_driver_sql(compiled.string, parameters)
