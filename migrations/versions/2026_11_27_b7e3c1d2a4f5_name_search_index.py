"""name search index: FTS5 trigram table on SQLite, pg_trgm GIN indexes on PostgreSQL

Revision ID: b7e3c1d2a4f5
Revises: 9d7abc42fbe1
Create Date: 2026-11-27 06:00:00

"""

from alembic import op

from models.search import TRIGRAM_TABLES, fts_table, trgm_index

# revision identifiers, used by Alembic.
revision = "b7e3c1d2a4f5"
down_revision = "9d7abc42fbe1"
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    for table, columns in TRIGRAM_TABLES.items():
        if dialect == "postgresql":
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column in columns:
                op.execute(f"CREATE INDEX {trgm_index(table, column)} ON {table} USING gin ({column} gin_trgm_ops)")
        elif dialect == "sqlite":
            _create_fts(table, columns)


def _create_fts(table: str, columns: tuple) -> None:
    search = fts_table(table)
    listed = ", ".join(columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    old_values = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {search} USING fts5({listed}, content='{table}', content_rowid='id', "
        "tokenize='trigram')"
    )
    op.execute(
        f"CREATE TRIGGER {search}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {search}(rowid, {listed}) VALUES (new.id, {new_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER {search}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {search}({search}, rowid, {listed}) VALUES ('delete', old.id, {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER {search}_au AFTER UPDATE OF {listed} ON {table} BEGIN "
        f"INSERT INTO {search}({search}, rowid, {listed}) VALUES ('delete', old.id, {old_values}); "
        f"INSERT INTO {search}(rowid, {listed}) VALUES (new.id, {new_values}); END"
    )
    op.execute(f"INSERT INTO {search}({search}) VALUES ('rebuild')")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, columns in TRIGRAM_TABLES.items():
        if dialect == "postgresql":
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS {trgm_index(table, column)}")
        elif dialect == "sqlite":
            search = fts_table(table)
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {search}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {search}")
