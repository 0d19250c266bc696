"""``flask`` commands: sync roles from code, audit chain, recycle bin, list tallies, backup and restore, demo
data."""

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    from flask_appbuilder.cli import fab

    from .passwords import policy_checked_group

    # Flask-AppBuilder's own commands (create-admin, reset-password, …), passwords checked by the policy
    app.cli.add_command(policy_checked_group(fab))

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

    @app.cli.group("recycle-bin")
    def recycle_bin_group():
        """Deleted records: list, restore, purge (audited as the system actor)."""

    @recycle_bin_group.command("list")
    def recycle_bin_list():
        """List deleted records of every register."""
        from .services.recycle_bin import BIN_MODELS, bin_label, deleted_records

        for name, model in BIN_MODELS.items():
            for row in deleted_records(model):
                click.echo(f"{name}\t{row.id}\t{row.deleted_at:%Y-%m-%d %H:%M}\t{bin_label(row)}")

    @recycle_bin_group.command("restore")
    @click.argument("model_name")
    @click.argument("pk", type=int)
    def recycle_bin_restore(model_name, pk):
        """Restore one deleted record, e.g. `flask recycle-bin restore Person 12`."""
        from .services.recycle_bin import RestoreRefused, find_deleted, restore

        item = find_deleted(model_name, pk)
        if item is None:
            raise click.ClickException(f"No deleted {model_name} #{pk}.")
        try:
            restore(item)
        except RestoreRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Restored {model_name} #{pk}: {item}")

    @recycle_bin_group.command("purge")
    @click.argument("model_name")
    @click.argument("pk", type=int)
    @click.option("--yes", is_flag=True, help="Confirm that the record is to be removed for good.")
    def recycle_bin_purge(model_name, pk, yes):
        """Remove one deleted record for good (needs --yes)."""
        from .services.recycle_bin import PurgeRefused, find_deleted, purge

        item = find_deleted(model_name, pk)
        if item is None:
            raise click.ClickException(f"No deleted {model_name} #{pk}.")
        if not yes:
            raise click.ClickException("Add --yes to confirm the purge.")
        label = str(item)
        try:
            purge(item)
        except PurgeRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Purged {model_name} #{pk}: {label}")

    @app.cli.command("tallies")
    @click.option("--rebuild", is_flag=True, help="Count every tally afresh when one differs from a real count.")
    def tallies_command(rebuild):
        """Compare the live-row tallies of the large registers with real counts (exit 1 when one
        differs); with --rebuild, set them right."""
        from models import tally

        from .extensions import db

        connection = db.session.connection()
        found = tally.differences(connection)
        for (table, department, *category), (tallied, counted) in sorted(found.items()):
            by = "".join(f"\tcategory {value}" for value in category)
            click.echo(f"{table}\tdepartment {department}{by}\ttallied {tallied}\tcounted {counted}")
        if not found:
            click.echo(f"OK: the tallies of {', '.join(tally.TALLIED_TABLES)} agree with real counts.")
            return
        if not rebuild:
            click.echo(f"{len(found)} tallies differ; run `flask tallies --rebuild` to count them afresh.")
            raise SystemExit(1)
        tally.rebuild(connection)
        db.session.commit()
        click.echo(f"Rebuilt: {len(found)} tallies differed.")

    @app.cli.command("backup")
    @click.argument("target", required=False)
    def backup_command(target):
        """Back up the SQLite database while the platform runs (online backup API), then check the copy."""
        from flask import current_app

        from .services.backup import BackupRefused, backup, default_target

        target = target or default_target(current_app.instance_path)
        try:
            report = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
        except BackupRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Backed up to {report.path} (schema {report.revision}; audit chain: {report.chain_message}).")
        click.echo(", ".join(f"{table} {n}" for table, n in report.counts.items()))

    @app.cli.command("restore")
    @click.argument("backup_file")
    @click.option("--yes", is_flag=True, help="Confirm that the database is to be replaced by the backup.")
    def restore_command(backup_file, yes):
        """Replace the SQLite database by a checked backup (stop the platform first; needs --yes)."""
        from flask import current_app

        from .services.backup import BackupRefused, check, restore

        try:
            report = check(backup_file)
            if not yes:
                raise click.ClickException(
                    f"{backup_file} is sound ({report.audit_events} audit events). Stop the platform, then add --yes "
                    "to replace the database with it."
                )
            restore(backup_file, current_app.config["SQLALCHEMY_DATABASE_URI"])
        except BackupRefused as refused:
            raise click.ClickException(str(refused)) from refused
        click.echo(f"Restored {backup_file} (schema {report.revision}; audit chain: {report.chain_message}).")
        click.echo("Run `flask db upgrade` if the backup is older than this release.")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the bilingual demo data and demo users (idempotent)."""
        from .extensions import appbuilder
        from .services.demo_data import load_demo_data

        appbuilder.sm.sync_roles()
        summary = load_demo_data()
        for line in summary:
            click.echo(line)
