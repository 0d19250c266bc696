"""sign-in lockout and session generation on ab_user

Revision ID: f4cb7d48aa97
Revises: c4d8e2f1a9b3
Create Date: 2026-12-01 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4cb7d48aa97"
down_revision = "c4d8e2f1a9b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recent_failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("failed_logins_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("ab_user", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins_since")
        batch_op.drop_column("recent_failed_logins")
