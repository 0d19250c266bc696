"""record tally: live rows per department of the large registers, kept by triggers

A plain list counts its records exactly by adding up these tallies (``models.tally``), instead of
counting up to 10,001 live rows on every page. Triggers keep each tally true on every insert,
delete, soft delete, restore and change of department, whatever makes the change.

Revision ID: e8b2d4f6a1c3
Revises: c9a4e6f2b8d1
Create Date: 2026-12-07 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from models.tally import TALLIED_TABLES, create_triggers_sql, drop_triggers_sql, fill_statement

# revision identifiers, used by Alembic.
revision = "e8b2d4f6a1c3"
down_revision = "c9a4e6f2b8d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "record_tally",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("department_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("live", sa.BigInteger(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for table in TALLIED_TABLES:
        op.execute(fill_statement(table))
        for statement in create_triggers_sql(table, dialect):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TALLIED_TABLES:
        for statement in drop_triggers_sql(table, dialect):
            op.execute(statement)
    op.drop_table("record_tally")
