"""bookings by social organizations, and overlapping bookings refused by the database

A booking is made by a department or by a social organization (exactly one: a CHECK
constraint). The application refuses a slot that overlaps a live booking of the same facility;
two requests that check at the same moment could both find the slot free, so the database
refuses the second write too: an exclusion constraint on PostgreSQL (btree_gist), triggers on
SQLite (whose writes are serialized, so the trigger sees every committed booking).

Revision ID: b5c1e7d9a3f4
Revises: a8f3d6c2b194
Create Date: 2026-12-03 13:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5c1e7d9a3f4"
down_revision = "a8f3d6c2b194"
branch_labels = None
depends_on = None

OVERLAP = "booking_no_overlap"
#: a live booking of the same facility whose slot meets NEW's (half-open: one may end when the next starts)
SQLITE_CONFLICT = (
    "SELECT RAISE(ABORT, '{name}') WHERE NEW.deleted_at IS NULL AND EXISTS ("
    "SELECT 1 FROM booking AS other WHERE other.facility_id = NEW.facility_id AND other.deleted_at IS NULL "
    "AND other.starts_at < NEW.ends_at AND other.ends_at > NEW.starts_at AND other.id IS NOT NEW.id)"
).format(name=OVERLAP)


def upgrade():
    _refuse_existing_overlaps()
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("social_organization_id", sa.Integer(), nullable=True))
        batch_op.alter_column("department_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_booking_social_organization_id"), ["social_organization_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_booking_social_organization_id", "social_organization", ["social_organization_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "ck_booking_one_booker", "(department_id IS NULL) <> (social_organization_id IS NULL)"
        )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE booking ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist "
            "(facility_id WITH =, tsrange(starts_at, ends_at) WITH &&) WHERE (deleted_at IS NULL)"
        )
    elif dialect == "sqlite":
        op.execute(f"CREATE TRIGGER {OVERLAP}_insert BEFORE INSERT ON booking BEGIN {SQLITE_CONFLICT}; END")
        op.execute(
            f"CREATE TRIGGER {OVERLAP}_update BEFORE UPDATE OF facility_id, starts_at, ends_at, deleted_at "
            f"ON booking BEGIN {SQLITE_CONFLICT}; END"
        )


def _refuse_existing_overlaps() -> None:
    """Stop with the bookings to fix when live bookings already overlap (the constraint can't hold)."""
    pairs = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT a.id, b.id FROM booking AS a JOIN booking AS b ON a.facility_id = b.facility_id "
                "AND a.id < b.id AND a.starts_at < b.ends_at AND a.ends_at > b.starts_at "
                "WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY a.id, b.id"
            )
        )
        .all()
    )
    if pairs:
        listed = ", ".join(f"#{a} and #{b}" for a, b in pairs[:20])
        raise RuntimeError(
            f"Live bookings overlap: {listed}. Move or delete one of each pair, then run the upgrade again."
        )


def downgrade():
    """Refused while bookings by social organizations exist: nothing is dropped silently."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE booking DROP CONSTRAINT IF EXISTS {OVERLAP}")
    elif dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_insert")
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_update")
    by_organizations = op.get_bind().execute(sa.text("SELECT count(*) FROM booking WHERE department_id IS NULL"))
    if by_organizations.scalar():
        raise RuntimeError(
            "Some bookings were made by social organizations, which the older schema can't hold. "
            "Delete and purge them (or give them a department) before downgrading."
        )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint("ck_booking_one_booker", type_="check")
        batch_op.drop_constraint("fk_booking_social_organization_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_booking_social_organization_id"))
        batch_op.alter_column("department_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("social_organization_id")
