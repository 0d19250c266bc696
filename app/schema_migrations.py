"""Schema migrations (Alembic, through Flask-Migrate), loaded where they are used.

Importing Flask-Migrate imports Alembic, Mako and Pygments: 11 MB in every web worker, which
never migrates. So the app registers a light ``flask db`` command group that loads Flask-Migrate
when an operator runs one of its commands, and the code that migrates in-process (the tests, the
benchmarks) calls ``upgrade()`` from here.
"""

import os

import click
from flask import Flask, current_app, g
from flask.cli import ScriptInfo, with_appcontext

from config import BASE_DIR

DIRECTORY = os.path.join(BASE_DIR, "migrations")


def enable(app: Flask) -> None:
    """Bind Flask-Migrate to ``app`` (once); it also puts its own ``db`` group on ``app.cli``."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from .extensions import db

        Migrate(app, db, directory=DIRECTORY)


def upgrade(revision: str = "head") -> None:
    """Migrate the current app's database to ``revision``, as ``flask db upgrade`` does."""
    import flask_migrate

    enable(current_app._get_current_object())
    flask_migrate.upgrade(revision=revision)


@with_appcontext
def _remember_options(directory, x_arg) -> None:
    """What Flask-Migrate's own ``db`` group does with its options (read by its commands)."""
    g.directory = directory
    g.x_arg = x_arg


class MigrationCommands(click.Group):
    """``flask db …``: Flask-Migrate's commands (and its group's options), loaded when one is
    asked for."""

    def __init__(self):
        super().__init__(
            "db",
            help="Perform database migrations (Flask-Migrate).",
            callback=_remember_options,
            params=[
                click.Option(
                    ["-d", "--directory"], default=None, help='Migration script directory (default is "migrations")'
                ),
                click.Option(
                    ["-x", "--x-arg"], multiple=True, help="Additional arguments consumed by custom env.py scripts"
                ),
            ],
        )

    def _commands(self, ctx: click.Context) -> click.Group:
        enable(ctx.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db

        return db

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str):
        return self._commands(ctx).get_command(ctx, cmd_name)
