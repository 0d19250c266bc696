"""The benchmark (``make bench``) still runs: a small run of every in-process figure, on the
suite's kind of database. Its timings are not asserted (they are measured, not tested); what is
asserted is that every page answered the right rows (``bench/perf.py`` aborts otherwise), that
every figure was reported, and the statement counts, which are deterministic."""

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import BASE_DIR

#: everything but the name search (a few hundred persons hold no three-character name twice) and
#: gunicorn (a load of seconds): both are measured by ``make bench`` itself
FIGURES = "list,deep_page,sorted,show,edit,rest,baseline,coverage,catalog,home,bulk_update,stock"
SCRATCH_DATABASE = "platform_bench_test"


@pytest.fixture()
def bench_database_args():
    """``--database-url`` of a scratch PostgreSQL database when the suite runs on PostgreSQL
    (the benchmark drops and creates it), else nothing: a temporary SQLite file."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield []
        return
    url = make_url(base).set(database=SCRATCH_DATABASE)
    yield ["--database-url", url.render_as_string(hide_password=False)]
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"))
    admin.dispose()


def test_the_benchmark_runs_and_reports_every_figure(bench_database_args, tmp_path):
    report = tmp_path / "bench.json"
    command = [sys.executable, "bench/perf.py", "--rows", "300", "--requests", "3", "--skip-gunicorn"]
    command += ["--only", FIGURES, "--json", str(report), *bench_database_args]
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "BENCH_DATABASE_URL")}
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "ABORT" not in result.stdout

    rows = {row["figure"]: row for row in json.loads(report.read_text(encoding="utf-8"))["rows"]}
    for label in (
        "person list, page 1",
        "person list sorted by department",
        "person show page",
        "person edit form",
        "REST person list",
        "a signed-in request that draws nothing",
        "a signed-in page with nothing in it",
        "party-building coverage dashboard",
        "service catalog overview dashboard",
        "home dashboard as staff",
    ):
        assert f"{label}: server time" in rows and f"{label}: SQL statements" in rows, label
    assert rows["person list, page 1: SQL statements"]["met"] is True  # ≤ 5, whatever the page size
    assert rows["a signed-in request that draws nothing: server time"]["target"] == "reference"
    assert rows["a signed-in request that draws nothing: SQL statements"]["measured"].startswith(("1", "2"))
    assert any(label.startswith("bulk update of ") for label in rows)
    assert any(label.startswith("stock Flask-AppBuilder, same database: person list") for label in rows)


@pytest.mark.parametrize("page", ["list", "edit"])
def test_each_technique_can_be_switched_off_and_timed(bench_database_args, page):
    """``bench/ab.py`` times a page with and without each technique it names (the README's figures
    of what each saves); here every switch runs and puts the technique back."""
    from bench.ab import SWITCHES

    command = [sys.executable, "bench/ab.py", "--rows", "300", "--requests", "2", "--page", page, "--switch"]
    command += [*SWITCHES, *bench_database_args]
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "BENCH_DATABASE_URL")}
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    for name in SWITCHES:
        assert f"\n{name}: with the technique median " in result.stdout, name
