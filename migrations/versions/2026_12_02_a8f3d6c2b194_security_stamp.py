"""security stamp: a token that every change to users, roles, groups, permissions, data scopes or departments renews

The app keeps signed-in users, their roles' permissions and the department tree under their own
department between requests, and reads this one token per request to know whether they still hold. Triggers renew it on every write to the
security tables, whatever makes the write: a screen, the API, the CLI or plain SQL. The token is
random, so a rolled-back change never brings back a token that an earlier state had.

On PostgreSQL the triggers are deferred to the commit: the stamp row is locked for a moment at
the end of the transaction, after its other locks, and the new token becomes visible together
with the change.

Revision ID: a8f3d6c2b194
Revises: e3b9c5d7f1a2
Create Date: 2026-12-02 06:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8f3d6c2b194"
down_revision = "e3b9c5d7f1a2"
branch_labels = None
depends_on = None

#: every table that decides who a user is and what they may do (the department tree bounds data scopes)
TABLES = (
    "ab_user",
    "ab_role",
    "ab_user_role",
    "ab_group",
    "ab_user_group",
    "ab_group_role",
    "ab_permission",
    "ab_view_menu",
    "ab_permission_view",
    "ab_permission_view_role",
    "role_data_scope",
    "department",
)
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
PG_FUNCTION = "security_stamp_renew"


def trigger_name(table: str, operation: str | None = None) -> str:
    return f"security_stamp_{table}" + (f"_{operation.lower()}" if operation else "")


def upgrade():
    op.create_table(
        "security_stamp",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("INSERT INTO security_stamp (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))")
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE security_stamp SET token = md5(random()::text || clock_timestamp()::text) WHERE id = 1; "
            "RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {trigger_name(table)} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
    else:
        op.execute("INSERT INTO security_stamp (id, token) VALUES (1, lower(hex(randomblob(16))))")
        for table in TABLES:
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER {trigger_name(table, operation)} AFTER {operation} ON {table} BEGIN "
                    "UPDATE security_stamp SET token = lower(hex(randomblob(16))) WHERE id = 1; END"
                )


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER {trigger_name(table)} ON {table}")
        else:
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER {trigger_name(table, operation)}")
    if dialect == "postgresql":
        op.execute(f"DROP FUNCTION {PG_FUNCTION}()")
    op.drop_table("security_stamp")
