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

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the bilingual demo data and demo users (idempotent)."""
        from .extensions import appbuilder
        from .services.demo_data import load_demo_data

        appbuilder.sm.sync_roles()
        summary = load_demo_data()
        for line in summary:
            click.echo(line)
