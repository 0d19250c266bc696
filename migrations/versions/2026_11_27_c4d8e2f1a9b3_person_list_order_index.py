"""person list order index: live persons by name (the list's default order)

Revision ID: c4d8e2f1a9b3
Revises: b7e3c1d2a4f5
Create Date: 2026-11-27 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4d8e2f1a9b3"
down_revision = "b7e3c1d2a4f5"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_live_name", ["name", "id"], unique=False, sqlite_where=LIVE, postgresql_where=LIVE
        )


def downgrade():
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_live_name", sqlite_where=LIVE, postgresql_where=LIVE)
