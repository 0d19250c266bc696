"""Name search backed by a trigram index: SQLite FTS5 (trigram tokenizer) or PostgreSQL pg_trgm.

A "contains" search on a name scans the whole table with LIKE; at a million persons that is far
too slow. The migration ``name search index`` builds, for each table in ``TRIGRAM_TABLES``:

- on SQLite, an FTS5 table ``<table>_search`` over the name and its pinyin key, with the
  trigram tokenizer, kept in sync with the table by triggers;
- on PostgreSQL, GIN ``gin_trgm_ops`` indexes on the same columns (extension pg_trgm), which
  serve ILIKE directly.

Trigrams need three characters: a shorter search still works, by scanning.
"""

from sqlalchemy import column, literal_column, or_, select, table

#: table → the text columns searched together (the name and its pinyin key)
TRIGRAM_TABLES = {"person": ("name", "name_pinyin")}
#: the fewest characters a trigram index can serve
TRIGRAM_MIN_CHARS = 3


def fts_table(name: str) -> str:
    return f"{name}_search"


def trgm_index(name: str, text_column: str) -> str:
    return f"ix_{name}_{text_column}_trgm"


def sqlite_ids_matching(table_name: str, value: str):
    """SELECT rowid FROM <table>_search WHERE it contains ``value`` (as a literal phrase)."""
    search = table(fts_table(table_name), column("rowid"))
    phrase = '"' + value.replace('"', '""') + '"'
    return select(search.c.rowid).where(literal_column(fts_table(table_name)).op("MATCH")(phrase))


def is_search_object(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to the search index (made by hand in the migration, so
    the models don't declare it)."""
    if not name:
        return False
    if type_ == "table":
        return any(name == fts_table(t) or name.startswith(fts_table(t) + "_") for t in TRIGRAM_TABLES)
    if type_ == "index":
        return any(name == trgm_index(t, c) for t, columns in TRIGRAM_TABLES.items() for c in columns)
    return False


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: leave the search index out of model/migration comparisons."""
    return not (reflected and compare_to is None and is_search_object(name, type_))


def like_pattern(value: str) -> str:
    """``%value%`` with LIKE's wildcards in ``value`` taken literally (escape character ``\\``)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_contains(model, column_name: str, value: str, dialect: str):
    """A WHERE clause: the name (or its pinyin key) contains ``value``, served by the trigram index
    where there is one and the value is long enough."""
    name = getattr(model, column_name)
    pinyin = getattr(model, f"{column_name}_pinyin")
    indexed = TRIGRAM_TABLES.get(model.__tablename__, ())[:1] == (column_name,)
    if indexed and len(value) >= TRIGRAM_MIN_CHARS and dialect == "sqlite":
        return model.id.in_(sqlite_ids_matching(model.__tablename__, value))
    pattern = like_pattern(value)
    return or_(name.ilike(pattern, escape="\\"), pinyin.ilike(pattern.lower(), escape="\\"))
