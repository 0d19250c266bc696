"""``flask`` commands: sync roles from code, load the demo data."""

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    @app.cli.command("sync-roles")
    def sync_roles_command():
        """Create missing permissions and rebuild the built-in roles from code."""
        from .extensions import appbuilder

        appbuilder.sm.sync_roles()
        click.echo("Roles synced: Admin, DeptStaff, Supervisor.")

    @app.cli.group("audit")
    def audit_group():
        """The audit log."""

    @audit_group.command("verify")
    @click.option("--expect-head", default=None, help="A previously recorded head hash; a shorter chain is refused.")
    def audit_verify_command(expect_head):
        """Walk the hash chain; exit 1 naming the first bad event."""
        from .audit import verify_chain
        from .extensions import db

        ok, message, _checked = verify_chain(db.session.connection(), expect_head)
        click.echo(("OK: " if ok else "TAMPERED: ") + message)
        if not ok:
            raise SystemExit(1)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the bilingual demo data and demo users (idempotent)."""
        from .extensions import appbuilder
        from .services.demo_data import load_demo_data

        appbuilder.sm.sync_roles()
        summary = load_demo_data()
        for line in summary:
            click.echo(line)
