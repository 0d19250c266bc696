"""Backup and restore of the embedded SQLite database, with SQLite's online backup API.

A backup is taken while the platform keeps serving: the backup API copies the database inside one
read transaction, so the copy is a consistent snapshot (in WAL mode writers go on meanwhile). Every
copy is checked before it is trusted: SQLite's integrity check, a migrated schema, and the audit
hash chain. A restore refuses a file that fails those checks and leaves the database as it was.

PostgreSQL, the production database, is backed up with ``pg_dump`` and restored with
``pg_restore`` (README, "Backups").
"""

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

#: tables whose row counts a backup reports
COUNTED_TABLES = ("department", "person", "facility", "social_organization", "service_item", "audit_event")


class BackupRefused(Exception):
    """The backup or restore can't be done; the message says why."""


@dataclass
class BackupReport:
    """What a checked backup file holds."""

    path: str
    revision: str
    audit_events: int
    chain_message: str
    counts: dict = field(default_factory=dict)


def sqlite_file(database_url: str) -> str:
    """The file of an SQLite database URL; anything else is refused with the PostgreSQL advice."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            "This command backs up the embedded SQLite database. For PostgreSQL use pg_dump and pg_restore "
            "(see the README, Backups)."
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("The database is in memory: there is no file to back up.")
    return url.database


def default_target(instance_path: str) -> str:
    folder = os.path.join(instance_path, "backups")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"platform-{datetime.now(UTC):%Y%m%d-%H%M%S}.db")


def _copy(source_path: str, target_path: str, source_uri: bool = False) -> None:
    """Copy a whole SQLite database with the online backup API (one read transaction on the source)."""
    source = sqlite3.connect(source_path, uri=source_uri)
    try:
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def backup(database_url: str, target_path: str) -> BackupReport:
    """Back up the live database to ``target_path`` (a new file) and check the copy."""
    source = sqlite_file(database_url)
    if not os.path.exists(source):
        raise BackupRefused(f"There is no database file at {source}.")
    if os.path.exists(target_path):
        raise BackupRefused(f"{target_path} exists already; choose a new file name.")
    _copy(f"file:{source}?mode=ro", target_path, source_uri=True)
    try:
        return check(target_path)
    except BackupRefused:
        os.remove(target_path)
        raise


def check(path: str) -> BackupReport:
    """Refuse a file that is not a sound, migrated platform database with an intact audit chain."""
    from app.audit import verify_chain

    if not os.path.isfile(path):
        raise BackupRefused(f"There is no backup file at {path}.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} is not an SQLite database: {error}") from error
    if result != "ok":
        raise BackupRefused(f"{path} is damaged: {result}")
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables or "audit_event" not in tables:
                raise BackupRefused(f"{path} is not a database of this platform (no migrated schema).")
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            ok, message, checked = verify_chain(conn)
            if not ok:
                raise BackupRefused(f"The audit chain in {path} is broken: {message}")
            counts = {
                table: conn.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - a fixed list of tables
                for table in COUNTED_TABLES
                if table in tables
            }
    finally:
        engine.dispose()
    return BackupReport(path, revision, checked, message, counts)


def restore(backup_path: str, database_url: str) -> BackupReport:
    """Replace the database with a checked backup (stop the application first)."""
    report = check(backup_path)
    target = sqlite_file(database_url)
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    _copy(f"file:{backup_path}?mode=ro", target, source_uri=True)
    return report
