"""category tally: live rows per department and category of the large registers, kept by triggers

The home dashboard's persons by category in a department's scope add up these tallies
(``models.tally``), instead of counting every live person of the scope on every visit. Triggers
keep each tally true on every insert, delete, soft delete, restore and change of department or
category, whatever makes the change.

Revision ID: f2a7c4e9b1d3
Revises: e8b2d4f6a1c3
Create Date: 2026-12-08 01:00:00

"""

import sqlalchemy as sa
from alembic import op

from models.tally import CATEGORY_TALLIED, CATEGORY_TALLY, create_triggers_sql, drop_triggers_sql, fill_statement

# revision identifiers, used by Alembic.
revision = "f2a7c4e9b1d3"
down_revision = "e8b2d4f6a1c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        CATEGORY_TALLY,
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("department_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("category", sa.String(64), primary_key=True),
        sa.Column("live", sa.BigInteger(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for table in CATEGORY_TALLIED:
        op.execute(fill_statement(table, CATEGORY_TALLY))
        for statement in create_triggers_sql(table, dialect, CATEGORY_TALLY):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in CATEGORY_TALLIED:
        for statement in drop_triggers_sql(table, dialect, CATEGORY_TALLY):
            op.execute(statement)
    op.drop_table(CATEGORY_TALLY)
