"""Stock Flask-AppBuilder measured in the same run as the platform (``bench/stock_app.py``).

The issue's stock figures were measured on another day's machine. This measures stock
Flask-AppBuilder again, on the same database and machine as the platform, so that the platform's
figures can be set against stock ones taken in the same state:

- ``measure_pages``: the person list, show page, edit form and REST list, through the test client
  as ``admin``, each timed request followed by one of its floor (``bench/floor.py``), like the
  platform's pages; with the SQL statements per request;
- ``measure_gunicorn``: the person list under gunicorn with 2 workers, the same load loop.

The pages are measured in a child process (``python bench/stock.py``, printing JSON), because the
stock app's models and Flask-AppBuilder's security models cannot share a process with the
platform's.
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import serve  # noqa: E402
from bench.floor import create_floor_app  # noqa: E402

#: the stock pages, with the platform's page of the same name in bench/perf.py
STOCK_PAGES = ("list", "show", "edit", "rest")
GUNICORN_APP = "bench.stock_app:create_app()"


def stock_urls(pk: int) -> dict[str, tuple[str, str | None]]:
    """Each stock page's URL and its floor's URL (the REST floor is sized by the first answer)."""
    return {
        "list": ("/personview/list/", "/list?order=name"),
        "show": (f"/personview/show/{pk}", f"/show/{pk}"),
        "edit": (f"/personview/edit/{pk}", f"/edit/{pk}"),
        "rest": ("/api/v1/person/", None),
    }


def measure_pages(database_url: str, pk: int, requests: int, names: list[str]) -> dict:
    """Time the stock pages ``names`` in a child process; its figures per page name."""
    command = [sys.executable, os.path.abspath(__file__), "--database-url", database_url, "--pk", str(pk),
               "--requests", str(requests), "--only", ",".join(names)]  # fmt: skip
    environment = {**os.environ, "STOCK_DATABASE_URL": database_url}
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"ABORT: the stock Flask-AppBuilder pages failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_gunicorn(database_url: str, seconds: float, threads: int, login: tuple[str, str]) -> serve.ServeResult:
    """The stock person list under gunicorn with the platform's worker count and load loop."""
    return serve.measure_under_gunicorn(
        database_url, "/personview/list/", "/personview/show/", seconds, threads, login, app=GUNICORN_APP
    )


def _time_in_process(database_url: str, pk: int, requests: int, names: list[str]) -> dict:
    from bench.perf import ADMIN, StatementLog, api_token, login_form, time_get
    from bench.stock_app import create_app

    app = create_app()
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    log = StatementLog(engine)
    client = app.test_client()
    login_form(client, *ADMIN)
    floor_app = create_floor_app(database_url)
    floor = floor_app.test_client()
    figures = {}
    try:
        for name in names:
            url, floor_url = stock_urls(pk)[name]
            headers = api_token(client, *ADMIN) if name == "rest" else None
            first = client.get(url, headers=headers)
            if name == "rest":
                floor_url = f"/api?order=id&limit={len(first.json['result'])}"
            timing, floor_timing, _response = time_get(
                client, url, requests, f"stock {name}", headers, log, (floor, floor_url)
            )
            figures[name] = {
                "median_ms": timing.median_ms,
                "p95_ms": timing.p95_ms,
                "floor_median_ms": floor_timing.median_ms,
                "ratio": timing.median_ms / floor_timing.median_ms,
                "sql_statements": timing.sql,
            }
    finally:
        floor_app.extensions["bench_engine"].dispose()
        engine.dispose()
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pk", type=int, required=True, help="the person of the show and edit pages")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--only", default=",".join(STOCK_PAGES))
    args = parser.parse_args(argv)
    names = [name for name in args.only.split(",") if name in STOCK_PAGES]
    os.environ["STOCK_DATABASE_URL"] = args.database_url
    figures = _time_in_process(args.database_url, args.pk, args.requests, names)
    print(json.dumps({name: dict(figure) for name, figure in figures.items()}))


if __name__ == "__main__":
    main()
