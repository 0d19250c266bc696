"""dashboard indexes: live persons by department and category, and by department and the time of their last change

Revision ID: d7e2a9c41b05
Revises: f4cb7d48aa97
Create Date: 2026-12-01 19:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7e2a9c41b05"
down_revision = "f4cb7d48aa97"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_live_department_category",
            ["department_id", "category"],
            unique=False,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )
        batch_op.create_index(
            "ix_person_live_department_changed",
            ["department_id", "updated_at"],
            unique=False,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        )


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_live_department_changed", sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.drop_index("ix_person_live_department_category", sqlite_where=LIVE, postgresql_where=LIVE)
