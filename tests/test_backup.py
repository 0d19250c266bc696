"""`flask backup` / `flask restore` for the embedded SQLite database, run as separate processes as an
operator would: a backup taken while another process writes restores to a consistent database (row
counts agree with the audit log, the chain intact), and unsound files are refused without touching
the database."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from app.audit import verify_chain

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") == "postgresql", reason="SQLite's backup commands: tested in the SQLite pass"
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_WRITES = 90
#: a second process adding persons one commit at a time (each with its audit event), as users would,
#: until it reads a line on its standard input
WRITER = f"""
import os, select, sys, time
from app import create_app
from app.extensions import db
from app.services.demo_data import make_id_number
from models import Department, Person
app = create_app()
with app.app_context():
    department = db.session.query(Department).filter_by(name="龙泉驿区政务服务中心").one()
    for index in range({MAX_WRITES}):
        number = make_id_number("510112", "19850101", f"{{index:02d}}", "female")
        db.session.add(Person(name=f"备份{{index}}", id_number=number, department_id=department.id, category="volunteer"))
        db.session.commit()
        print(index, flush=True)
        if select.select([sys.stdin], [], [], 0.05)[0]:
            break
"""


def flask(database: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database, "APP_ENV": "dev", "FLASK_APP": "run.py"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - this interpreter running the project's own commands
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def figures(path) -> dict:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        result = {
            "persons": conn.scalar(text("SELECT count(*) FROM person")),
            "person_creates": conn.scalar(
                text("SELECT count(*) FROM audit_event WHERE entity_type = 'Person' AND action = 'create'")
            ),
            "chain": verify_chain(conn)[:2],
            "integrity": conn.scalar(text("PRAGMA integrity_check")),
        }
    engine.dispose()
    return result


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    """A migrated platform database with the demo data, in its own file."""
    folder = tmp_path_factory.mktemp("backup")
    url = f"sqlite:///{folder / 'live.db'}"
    flask(url, "db", "upgrade")
    flask(url, "seed-demo")
    return folder, url


def test_a_backup_taken_during_writes_restores_to_a_consistent_database(live_database):
    folder, url = live_database
    before = figures(folder / "live.db")["persons"]
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "dev"}
    writer = subprocess.Popen(  # noqa: S603 - this interpreter running the project's own code
        [sys.executable, "-c", WRITER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(5):  # the writer is under way
            assert writer.stdout.readline(), writer.stderr.read()
        backup = flask(url, "backup", str(folder / "during-writes.db"))
        for _ in range(3):  # and still writing after the backup
            assert writer.stdout.readline(), "the writer stopped before the backup ended"
        writer.stdin.write("stop\n")
        writer.stdin.flush()
        assert writer.wait(120) == 0, writer.stderr.read()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert "Backed up to" in backup.stdout and "chain intact" in backup.stdout

    restored = folder / "restored.db"
    flask(f"sqlite:///{restored}", "restore", str(folder / "during-writes.db"), "--yes")
    copy, live = figures(restored), figures(folder / "live.db")
    assert copy["integrity"] == "ok"
    assert copy["chain"][0], copy["chain"][1]
    # each person and its create event were committed together: the snapshot holds both or neither
    assert copy["persons"] == copy["person_creates"]
    assert live["persons"] == live["person_creates"]
    assert before + 5 <= copy["persons"] <= live["persons"] - 3  # taken while the writes went on


def test_restore_without_yes_changes_nothing(live_database, tmp_path):
    folder, url = live_database
    flask(url, "backup", str(tmp_path / "copy.db"))
    before = os.path.getmtime(folder / "live.db"), figures(folder / "live.db")
    result = flask(url, "restore", str(tmp_path / "copy.db"), check=False)
    assert result.returncode != 0 and "--yes" in result.stderr
    assert (os.path.getmtime(folder / "live.db"), figures(folder / "live.db")) == before


def test_an_unsound_backup_is_refused_and_the_database_kept(live_database, tmp_path):
    folder, url = live_database
    before = figures(folder / "live.db")

    not_a_database = tmp_path / "notes.db"
    not_a_database.write_bytes(b"this is not a database" * 100)
    result = flask(url, "restore", str(not_a_database), "--yes", check=False)
    assert result.returncode != 0 and "not an SQLite database" in result.stderr

    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    result = flask(url, "restore", str(foreign), "--yes", check=False)
    assert result.returncode != 0 and "not a database of this platform" in result.stderr

    tampered = tmp_path / "tampered.db"
    flask(url, "backup", str(tampered))
    connection = sqlite3.connect(tampered)
    triggers = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")
    for (name,) in triggers.fetchall():
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("UPDATE audit_event SET entity_label = 'changed' WHERE id = 3")
    connection.commit()
    connection.close()
    result = flask(url, "restore", str(tampered), "--yes", check=False)
    assert result.returncode != 0 and "audit chain" in result.stderr

    result = flask(url, "backup", str(tampered), check=False)
    assert result.returncode != 0 and "exists already" in result.stderr
    time.sleep(0.01)
    assert figures(folder / "live.db") == before


def test_postgresql_is_pointed_to_pg_dump(tmp_path):
    result = flask("postgresql+psycopg://postgres@127.0.0.1:5432/test", "backup", str(tmp_path / "x.db"), check=False)
    assert result.returncode != 0 and "pg_dump" in result.stderr
    assert not (tmp_path / "x.db").exists()
