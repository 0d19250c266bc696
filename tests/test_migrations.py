"""The schema comes only from the Alembic migrations: one head, a clean round trip, no drift from the models."""

import os
import subprocess
import sys
import tempfile

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import models
from config import BASE_DIR
from models.search import include_object

MIGRATIONS = os.path.join(BASE_DIR, "migrations")


def test_single_head():
    from alembic.config import Config

    config = Config(os.path.join(MIGRATIONS, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture()
def scratch_database_url():
    """A throwaway database of the same kind as the suite's."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        handle, path = tempfile.mkstemp(suffix=".db")
        os.close(handle)
        yield f"sqlite:///{path}"
        os.unlink(path)
        return
    url = make_url(base)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS platform_migration_test"))
        conn.execute(text("CREATE DATABASE platform_migration_test"))
    yield url.set(database="platform_migration_test").render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS platform_migration_test WITH (FORCE)"))
    admin.dispose()


def _flask_db(url: str, *args: str) -> str:
    """Run `flask db ...` in its own process, as an operator would (the app singletons stay untouched);
    returns what it printed."""
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "dev", "FLASK_APP": "run.py"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "flask", "db", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_upgrade_downgrade_upgrade_round_trip(scratch_database_url):
    engine = create_engine(scratch_database_url)
    _flask_db(scratch_database_url, "upgrade")
    tables = set(inspect(engine).get_table_names())
    assert {"ab_user", "region", "department", "person", "transfer", "facility", "booking"} <= tables
    _flask_db(scratch_database_url, "downgrade", "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    _flask_db(scratch_database_url, "upgrade")
    assert set(inspect(engine).get_table_names()) == tables
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, models.Model.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    engine.dispose()


def test_a_web_worker_loads_neither_the_migration_tools_nor_the_spreadsheet_libraries(scratch_database_url):
    """A worker that serves pages never migrates or reads a workbook: Flask-Migrate (with Alembic,
    Mako, Pygments) and openpyxl load when first used, not with the app."""
    _flask_db(scratch_database_url, "upgrade")
    script = (
        "import sys; from app import create_app; app = create_app(); client = app.test_client(); "
        "assert client.get('/login/').status_code == 200; "
        "print(' '.join(m for m in ('flask_migrate', 'alembic', 'mako', 'pygments', 'openpyxl') "
        "if m in sys.modules))"
    )
    env = {**os.environ, "DATABASE_URL": scratch_database_url, "APP_ENV": "dev"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == ""


def test_flask_db_keeps_flask_migrates_options(scratch_database_url):
    _flask_db(scratch_database_url, "-d", MIGRATIONS, "upgrade")
    assert "(head)" in _flask_db(scratch_database_url, "current")


def _insert_row(conn, table: str, **values) -> None:
    """A row with ``values`` and a placeholder in every other required column."""
    placeholders = {
        "INTEGER": 1,
        "BOOLEAN": True,
        "DATETIME": "2026-01-05 09:00:00",
        "TIMESTAMP": "2026-01-05 09:00:00",
    }
    for column in inspect(conn).get_columns(table):
        if column["name"] in values or column["nullable"] or column.get("default") is not None:
            continue
        kind = str(column["type"]).split("(")[0].split(" ")[0].upper()
        values[column["name"]] = placeholders.get(kind, "x")
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)  # noqa: S608


def test_the_booking_migration_names_overlapping_bookings_instead_of_failing_obscurely(scratch_database_url):
    _flask_db(scratch_database_url, "upgrade", "a8f3d6c2b194")
    engine = create_engine(scratch_database_url)
    with engine.begin() as conn:
        _insert_row(conn, "department", id=1, name="测试局")
        _insert_row(conn, "facility", id=1, name="活动室", managing_department_id=1)
        for pk, start, end in ((1, "09:00", "11:00"), (2, "10:00", "12:00"), (3, "12:00", "13:00")):
            _insert_row(
                conn,
                "booking",
                id=pk,
                facility_id=1,
                department_id=1,
                starts_at=f"2026-01-05 {start}:00",
                ends_at=f"2026-01-05 {end}:00",
                purpose="培训",
            )
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": scratch_database_url, "APP_ENV": "dev", "FLASK_APP": "run.py"}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Live bookings overlap: #1 and #2." in result.stderr  # back to back (#2, #3) is no overlap
