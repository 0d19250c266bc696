"""Performance of the person register at scale: server time against a floor, SQL statements per
request, the dashboards, the audit cost of a bulk edit, and throughput and memory under gunicorn.

    make bench                                          # 1,000,000 persons on SQLite
    make bench BENCH_ARGS="--rows 200000 --only list,search --requests 20"
    .venv/bin/python bench/perf.py --rows 20000 --requests 20 --load-seconds 5
    .venv/bin/python bench/perf.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/benchdb
    .venv/bin/python bench/perf.py --reuse /tmp/perf-1m.db --skip-gunicorn --json out.json --markdown out.md

Each page is requested in-process through the Flask test client as ``admin`` (logged in through the
login form, CSRF included): 3 warm-up requests, then ``--requests`` timed ones; server time is the
wall time of ``client.get()``. SQL statements are counted per request on the app's engine. The floor
of a page is one Core query for the same rows through a trivial template (``bench/floor.py``), timed
the same way, each of its requests right after one of the page's. Persons are seeded by bulk Core
inserts (``bench/seed.py``), gunicorn is measured by ``bench/serve.py``. Stock Flask-AppBuilder
(``bench/stock_app.py``) is measured on the same database in the same run (``bench/stock.py``): its
list, show, edit and REST pages against the same floors, and its throughput under the same load.
The baseline (``bench/baseline.py``) times a signed-in request that draws nothing, and an empty
page, against the show page's floor: what every page costs before its own work. A page that does
not answer 200, or a search that does not filter, aborts the run.
"""

import argparse
import json
import math
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import baseline, seed, serve, stock  # noqa: E402
from bench.floor import create_floor_app  # noqa: E402

ADMIN = ("admin", "demo-Pass-2026")
WARMUP = 3
PAGE_SIZE = 25
BULK_EDITS = 10_000
BULK_CHUNK = 1_000
LOAD_THREADS = 4
FIGURES = (
    "list",
    "deep_page",
    "sorted",
    "search",
    "show",
    "edit",
    "rest",
    "baseline",
    "coverage",
    "catalog",
    "home",
    "bulk_update",
    "gunicorn",
    "stock",
)
#: targets of the issue
MAX_LIST_SQL = 5
MAX_FLOOR_RATIO = 2.5
MAX_SEARCH_MS = 20
MAX_DASHBOARD_MS = 100
MIN_REQUESTS_PER_S = 249  # 3 × the stock 83 req/s
MIN_STOCK_THROUGHPUT_RATIO = 3  # the same target against stock Flask-AppBuilder measured in the same run
MAX_WORKER_RSS_MB = 120
MAX_AUDIT_RATIO = 1.5
RECORD_COUNT_RE = re.compile(r"(?:记录数目|Record Count)\s*:?\s*</strong>\s*([\d,]+)")
SHOW_LINK_RE = re.compile(r"/personview/show/(\d+)")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


# ----- options ---------------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="generated persons (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--load-seconds", type=float, default=20, help="gunicorn load duration (default 20 s)")
    parser.add_argument("--skip-gunicorn", action="store_true", help="leave out throughput and worker memory")
    parser.add_argument(
        "--reuse",
        nargs="?",
        const="",
        metavar="PATH",
        help="keep the seeded database: the SQLite file PATH (with --database-url, keep that database); "
        "seeding is skipped when it already holds --rows persons",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="a PostgreSQL URL whose database is dropped and re-created (default: env BENCH_DATABASE_URL, "
        "else SQLite); never the 'test' database",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--markdown", metavar="PATH", help="also write the results as Markdown table rows")
    parser.add_argument("--only", metavar="NAMES", help=f"comma list of figures to measure: {', '.join(FIGURES)}")
    parser.add_argument("--search", default=seed.DEFAULT_SEARCH, help="the name-contains search text")
    parser.add_argument("--show-sql", action="store_true", help="print the SQL statements of one request per page")
    args = parser.parse_args(argv)
    args.figures = selected_figures(parser, args)
    if args.reuse == "" and not args.database_url:
        parser.error("--reuse needs a PATH with SQLite")
    return args


def selected_figures(parser, args) -> list[str]:
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else list(FIGURES)
    unknown = sorted(set(names) - set(FIGURES))
    if unknown:
        parser.error(f"--only: unknown figures {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    if args.skip_gunicorn and "gunicorn" in names:
        names.remove("gunicorn")
    return names


def configure_environment(database_url: str) -> None:
    """The production configuration (read by ``config`` at import time), over plain HTTP in-process."""
    os.environ.update(
        APP_ENV="prod",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(48),
        SESSION_COOKIE_SECURE="0",
    )


# ----- measuring -------------------------------------------------------------------------------
class StatementLog:
    """Every SQL statement the app's engine sends, so that a request's statements can be counted."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list[str] = []
        self.seconds = 0.0  # time spent in the database (statement sent → answer back)
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._record)
        event.listen(engine, "after_cursor_execute", self._answered)

    def _record(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        self.statements.append(statement)
        self._started = time.perf_counter()

    def _answered(self, *_args):
        self.seconds += time.perf_counter() - self._started

    def clear(self) -> None:
        self.statements = []
        self.seconds = 0.0


@dataclass
class Timing:
    """Server times of one URL in ms, its SQL statement count per request, the last request's statements."""

    samples_ms: list[float]
    sql_counts: list[int] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def sql(self) -> int | None:
        return max(self.sql_counts) if self.sql_counts else None


def require_ok(response, what: str, url: str) -> None:
    """Abort the run, with the page's text, when a page does not answer 200."""
    if response.status_code != 200:
        text = " ".join(re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", response.get_data(as_text=True),
                               flags=re.S).split())  # fmt: skip
        raise SystemExit(f"ABORT: {what}: GET {url} answered {response.status_code}, expected 200.\n…{text[-160:]}")


def time_get(client, url: str, requests: int, what: str, headers=None, log: StatementLog | None = None,
             floor=None):  # fmt: skip
    """``WARMUP`` untimed then ``requests`` timed GETs; returns the Timing, the floor's Timing (or
    None) and the last response. With ``floor`` (its test client and URL), each timed request of
    the page is followed by one of its floor, so that both are timed in the same state of the
    machine (a shared machine's speed drifts by half within minutes)."""
    for _ in range(WARMUP):
        require_ok(client.get(url, headers=headers), what, url)
        if floor is not None:
            require_ok(floor[0].get(floor[1]), f"floor of {what}", floor[1])
    timing, floor_timing = Timing([]), (Timing([]) if floor is not None else None)
    response = None
    for _ in range(requests):
        if log is not None:
            log.clear()
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        require_ok(response, what, url)
        timing.samples_ms.append(elapsed * 1000)
        if log is not None:
            timing.sql_counts.append(len(log.statements))
            timing.sql_ms.append(log.seconds * 1000)
            timing.statements = list(log.statements)
        if floor is not None:
            started = time.perf_counter()
            floor_response = floor[0].get(floor[1])
            floor_timing.samples_ms.append((time.perf_counter() - started) * 1000)
            require_ok(floor_response, f"floor of {what}", floor[1])
    return timing, floor_timing, response


def login_form(client, username: str, password: str) -> None:
    """Log in through the login form, CSRF token included, as a browser does."""
    page = client.get("/login/")
    match = CSRF_RE.search(page.get_data(as_text=True))
    if page.status_code != 200 or not match:
        raise SystemExit(f"ABORT: GET /login/ answered {page.status_code} without a csrf_token")
    form = {"username": username, "password": password, "csrf_token": match.group(1) or match.group(2)}
    response = client.post("/login/", data=form)
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        raise SystemExit(f"ABORT: login as {username} failed ({response.status_code})")


def api_token(client, username: str, password: str) -> dict:
    body = {"username": username, "password": password, "provider": "db", "refresh": False}
    response = client.post("/api/v1/security/login", json=body)
    if response.status_code != 200:
        raise SystemExit(f"ABORT: POST /api/v1/security/login answered {response.status_code}")
    return {"Authorization": f"Bearer {response.json['access_token']}"}


# ----- the pages -------------------------------------------------------------------------------
@dataclass
class Page:
    """One measured page, its floor, and how to check that it answered the right rows."""

    name: str
    label: str
    url: str
    floor_url: str | None = None
    api: bool = False
    list_page: bool = False
    check: object = None  # callable(response) raising SystemExit when the answer is wrong
    #: the demo user who requests the page
    username: str = "admin"
    #: a reference figure (no target): what every page costs before its own work
    reference: bool = False


@dataclass
class Row:
    """One line of the report."""

    figure: str
    target: str
    measured: str
    met: bool | None = None


class Bench:
    """The in-process measurements against one seeded database."""

    def __init__(self, app, database_url: str, args):
        from app.extensions import db

        self.app = app
        self.args = args
        with app.app_context():
            self.engine = db.engine
        self.log = StatementLog(self.engine)
        baseline.add_baseline_routes(app)
        self.client = app.test_client()
        login_form(self.client, *ADMIN)
        self.clients = {ADMIN[0]: self.client}
        self.floor_app = create_floor_app(database_url)
        self.floor = self.floor_app.test_client()
        self.details: dict[str, dict] = {}
        self.live_persons, self.middle_id = live_and_middle(self.engine)

    def _scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.scalar(text(sql), params)

    # -- page definitions --
    def pages(self) -> list[Page]:
        """The pages selected with --only, in the report's order."""
        deep = (self.live_persons // PAGE_SIZE) // 2  # Flask-AppBuilder pages count from 0
        pk = self.middle_id
        builders = {
            "list": lambda: Page("list", "person list, page 1", "/personview/list/", "/list?order=name",
                                 list_page=True, check=self._counted_full_page),
            "deep_page": lambda: Page("deep_page", f"person list, page {deep + 1:,} (middle)",
                                      f"/personview/list/?page_PersonView={deep}",
                                      f"/list?order=name&offset={deep * PAGE_SIZE}", list_page=True,
                                      check=self._full_page),
            "sorted": lambda: Page("sorted", "person list sorted by department",
                                   "/personview/list/?_oc_PersonView=department&_od_PersonView=asc", list_page=True,
                                   check=self._full_page),
            "search": self._search_page,
            "show": lambda: Page("show", "person show page", f"/personview/show/{pk}", f"/show/{pk}",
                                 check=self._shows_middle_person),
            "edit": lambda: Page("edit", "person edit form", f"/personview/edit/{pk}", f"/edit/{pk}",
                                 check=self._shows_middle_person),
            "rest": lambda: Page("rest", "REST person list", "/api/v1/person/", api=True, check=self._check_rest),
            "baseline": lambda: [
                Page("baseline", "a signed-in request that draws nothing", baseline.REQUEST_URL, f"/show/{pk}",
                     reference=True),
                Page("baseline_page", "a signed-in page with nothing in it", baseline.PAGE_URL, f"/show/{pk}",
                     reference=True),
            ],
            "coverage": lambda: Page("coverage", "party-building coverage dashboard", "/partyoversight/coverage"),
            "catalog": lambda: Page("catalog", "service catalog overview dashboard", "/serviceitemview/overview"),
            "home": lambda: [Page("home", f"home dashboard as {username}", "/", username=username, check=self._dashboard)
                             for username in ("admin", "staff", "supervisor")],
        }  # fmt: skip
        pages = []
        for name, build in builders.items():
            if name in self.args.figures:
                built = build()
                pages.extend(built if isinstance(built, list) else [built])
        return pages

    def client_for(self, username: str):
        """A test client signed in as the demo user ``username`` (one per user)."""
        if username not in self.clients:
            client = self.app.test_client()
            login_form(client, username, ADMIN[1])
            self.clients[username] = client
        return self.clients[username]

    @staticmethod
    def _dashboard(response) -> None:
        if "dashboard-panel" not in response.get_data(as_text=True):
            raise SystemExit("ABORT: the home page shows no dashboard panel")

    def _search_page(self) -> Page:
        term = self.args.search
        expected = self._expected_search(term)
        return Page(
            "search",
            f"name contains {term!r} ({expected:,} persons)",
            self._search_url(term),
            f"/list?order=name&q={quote(term)}",
            list_page=True,
            check=lambda response: self._check_search(response, expected),
        )

    def _search_url(self, term: str) -> str:
        return f"/personview/list/?_flt_{self._contains_filter_index()}_name={quote(term)}"

    def _contains_filter_index(self) -> int:
        """The index of the name column's "contains" filter in the person list's search filters."""
        from app.extensions import appbuilder

        view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
        with self.app.test_request_context():
            filters = view._filters.get_search_filters()["name"]
        for index, flt in enumerate(filters):
            kind = type(flt).__name__.lower()
            if "not" not in kind and any(word in kind for word in ("contain", "pinyin", "search", "trigram", "fts")):
                return index
        raise SystemExit(f"ABORT: no 'contains' filter on person.name among {[type(f).__name__ for f in filters]}")

    def _expected_search(self, term: str) -> int:
        expected = seed.search_match_count(self.engine, term)
        if not 0 < expected < self.live_persons:
            raise SystemExit(f"ABORT: the search text {term!r} matches {expected} of {self.live_persons} persons")
        return expected

    # -- answer checks --
    def _full_page(self, response) -> None:
        shown = set(SHOW_LINK_RE.findall(response.get_data(as_text=True)))
        if len(shown) != min(PAGE_SIZE, self.live_persons):
            raise SystemExit(f"ABORT: {response.request.full_path}: {len(shown)} persons listed, not {PAGE_SIZE}")

    def _counted_full_page(self, response) -> None:
        """A full page, and the exact count of the live persons (from the tallies, ``models.tally``)."""
        self._full_page(response)
        count = RECORD_COUNT_RE.search(response.get_data(as_text=True))
        if not count or int(count.group(1).replace(",", "")) != self.live_persons:
            shown = count.group(1) if count else None
            raise SystemExit(f"ABORT: the person list counts {shown}, not the {self.live_persons:,} live persons")

    def _check_search(self, response, expected: int) -> None:
        page = response.get_data(as_text=True)
        count = RECORD_COUNT_RE.search(page)
        shown = set(SHOW_LINK_RE.findall(page))
        counted = int(count.group(1).replace(",", "")) if count else None
        if counted != expected or len(shown) != min(expected, PAGE_SIZE):
            raise SystemExit(
                f"ABORT: the name search does not filter: the page counts {counted} and lists {len(shown)} "
                f"persons; {expected} have {self.args.search!r} in their name"
            )

    def _shows_middle_person(self, response) -> None:
        number = self._scalar("SELECT id_number FROM person WHERE id = :pk", pk=self.middle_id)
        if number not in response.get_data(as_text=True):
            raise SystemExit(f"ABORT: {response.request.path} does not show person #{self.middle_id} ({number})")

    def _check_rest(self, response) -> None:
        """The plain list's count is exact, from the tallies (``models.tally``)."""
        body = response.json or {}
        if body.get("count") != self.live_persons or not body.get("result"):
            raise SystemExit(f"ABORT: the REST list counts {body.get('count')} of {self.live_persons} persons")

    # -- measuring --
    def measure_page(self, page: Page) -> list[Row]:
        requests = self.args.requests
        headers = api_token(self.client, *ADMIN) if page.api else None
        client = self.client_for(page.username)
        self.log.clear()
        first = client.get(page.url, headers=headers)  # tells the floor's order and size
        require_ok(first, page.label, page.url)
        floor_url = page.floor_url
        if page.name == "sorted":
            floor_url = f"/list?order={department_sort_of(list(self.log.statements))}"
        elif page.name == "rest":
            floor_url = f"/api?order=id&limit={len(first.json['result'])}"
        floor_pair = (self.floor, floor_url) if floor_url else None
        timing, floor, response = time_get(client, page.url, requests, page.label, headers, self.log, floor_pair)
        if page.check:
            page.check(response)
        key = page.name if page.username == ADMIN[0] else f"{page.name}_{page.username}"
        self.details[key] = page_details(page, timing, floor, floor_url)
        if self.args.show_sql:
            print_statements(page, timing)
        return page_rows(page, timing, floor)

    def bulk_update(self) -> list[Row]:
        """BULK_EDITS person edits through the ORM (commits of BULK_CHUNK), with and without the audit hooks.

        The runs go on, off, off, on over the same persons (an ABBA order, so that a drift, such as
        PostgreSQL's dead row versions piling up, weighs on both modes alike); each mode's figure is
        the mean of its two runs."""
        ids = self._bulk_ids()
        edit_persons(self.app, ids[:BULK_CHUNK], f"bench warm-up {datetime.now(UTC):%H:%M:%S.%f}", audit=True)
        runs = {True: [], False: []}
        for audit in (True, False, False, True):
            runs[audit].append(self._bulk_run(ids, audit))
        on, off = (mean_run(runs[mode]) for mode in (True, False))
        ratio = on["seconds"] / off["seconds"]
        self.details["bulk_update"] = {"edits": len(ids), "audit_on": runs[True], "audit_off": runs[False]}
        self.details["bulk_update"]["ratio"] = ratio
        edits = len(ids)
        measured = (
            f"audit on {on['seconds']:.2f} s ({edits / on['seconds']:,.0f} edits/s, {on['sql'] / edits:.1f} SQL/edit), "
            f"off {off['seconds']:.2f} s ({edits / off['seconds']:,.0f} edits/s, {off['sql'] / edits:.1f} SQL/edit) "
            f"→ {ratio:.2f}×"
        )
        label = f"bulk update of {edits:,} persons, audit on / off"
        return [Row(label, f"≤ {MAX_AUDIT_RATIO}×", measured, ratio <= MAX_AUDIT_RATIO)]

    def _bulk_run(self, ids: list[int], audit: bool) -> dict:
        """One timed run; aborts unless it wrote one audit event per edit (audit on) or none (off)."""
        events_before = self._scalar("SELECT count(*) FROM audit_event")
        self.log.clear()
        position = f"bench audit-{'on' if audit else 'off'} {datetime.now(UTC):%H:%M:%S.%f}"
        seconds = edit_persons(self.app, ids, position, audit)
        statements = len(self.log.statements)
        written = self._scalar("SELECT count(*) FROM audit_event") - events_before
        if (written < len(ids)) if audit else written:
            raise SystemExit(f"ABORT: the bulk update with audit {'on' if audit else 'off'} wrote {written} events")
        changed = self._scalar("SELECT count(*) FROM person WHERE position = :p", p=position)
        if changed != len(ids):
            raise SystemExit(f"ABORT: the bulk update changed {changed} persons, not {len(ids)}")
        return {"seconds": seconds, "audit_events": written, "sql": statements}

    def _bulk_ids(self) -> list[int]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            query = text("SELECT id FROM person WHERE deleted_at IS NULL ORDER BY id DESC LIMIT :n")
            return sorted(conn.scalars(query, {"n": BULK_EDITS}))

    def close(self) -> None:
        self.floor_app.extensions["bench_engine"].dispose()


def live_and_middle(engine) -> tuple[int, int | None]:
    """The number of live persons, and the key of the one in the middle (the record pages')."""
    from sqlalchemy import text

    with engine.connect() as conn:
        live = conn.scalar(text("SELECT count(*) FROM person WHERE deleted_at IS NULL"))
        middle = conn.scalar(
            text("SELECT id FROM person WHERE deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET :n"), {"n": live // 2}
        )
    return live, middle


def release_database(app, tempdir: str | None) -> None:
    """Close the app's connections, and remove a temporary SQLite database."""
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()
    if tempdir:
        shutil.rmtree(tempdir, ignore_errors=True)


def mean_run(runs: list[dict]) -> dict:
    return {key: statistics.fmean(run[key] for run in runs) for key in ("seconds", "sql")}


def department_sort_of(statements: list[str]) -> str:
    """The floor's order for "sorted by department": by department name if the app's query orders by it."""
    listing = [s for s in statements if "FROM person" in s and "ORDER BY" in s]
    order_by = listing[-1].split("ORDER BY", 1)[1] if listing else ""
    return "department_name" if re.search(r"department\w*\.name\b", order_by) else "department_id"


def edit_persons(app, ids: list[int], position: str, audit: bool) -> float:
    """Set ``position`` of the persons ``ids`` as admin in a POST request context; returns seconds."""
    from flask import g
    from sqlalchemy import select

    from app.extensions import appbuilder, db
    from models import Person

    with app.test_request_context("/personview/edit/bulk", method="POST"):
        g.user = appbuilder.sm.find_user(username=ADMIN[0])
        with audit_hooks(enabled=audit):
            started = time.perf_counter()
            for start in range(0, len(ids), BULK_CHUNK):
                chunk = ids[start : start + BULK_CHUNK]
                for person in db.session.scalars(select(Person).where(Person.id.in_(chunk))):
                    person.position = position
                db.session.commit()
            seconds = time.perf_counter() - started
        db.session.remove()
    return seconds


@contextmanager
def audit_hooks(enabled: bool):
    """With ``enabled=False``, the audit session hooks are removed for the block, then put back."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app import audit

    hooks = [("before_flush", audit.before_flush), ("after_flush", audit.after_flush)]
    removed = [] if enabled else [(name, fn) for name, fn in hooks if event.contains(Session, name, fn)]
    for name, fn in removed:
        event.remove(Session, name, fn)
    try:
        yield
    finally:
        for name, fn in removed:
            event.listen(Session, name, fn)


# ----- report rows -----------------------------------------------------------------------------
def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def page_rows(page: Page, timing: Timing, floor: Timing | None) -> list[Row]:
    times = f"median {ms(timing.median_ms)}, p95 {ms(timing.p95_ms)}"
    if timing.sql_ms:
        times += f" (of which SQL {ms(statistics.median(timing.sql_ms))})"
    rows = []
    if floor is not None:
        ratio = timing.median_ms / floor.median_ms
        times += f"; floor {ms(floor.median_ms)} → {ratio:.1f}×"
    if page.reference:
        rows.append(Row(f"{page.label}: server time", "reference", times.replace("; floor", "; the show page's floor")))
    elif page.name == "search":
        rows.append(Row(f"{page.label}: server time", f"median ≤ {MAX_SEARCH_MS} ms", times,
                        timing.median_ms <= MAX_SEARCH_MS))  # fmt: skip
    elif floor is not None:
        rows.append(Row(f"{page.label}: server time", f"≤ {MAX_FLOOR_RATIO}× floor", times, ratio <= MAX_FLOOR_RATIO))
    else:
        rows.append(Row(f"{page.label}: server time", f"median ≤ {MAX_DASHBOARD_MS} ms", times,
                        timing.median_ms <= MAX_DASHBOARD_MS))  # fmt: skip
    control = transaction_control(timing.statements)
    sql = f"{timing.sql} (of which {control} BEGIN/COMMIT)" if control else str(timing.sql)
    if page.list_page:
        rows.append(Row(f"{page.label}: SQL statements", f"≤ {MAX_LIST_SQL}", sql, timing.sql <= MAX_LIST_SQL))
    else:
        rows.append(Row(f"{page.label}: SQL statements", "—", sql))
    return rows


def transaction_control(statements: list[str]) -> int:
    """How many of the statements only open or end a transaction (SQLite's explicit BEGIN, for one)."""
    words = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return sum(1 for s in statements if s.lstrip().upper().startswith(words))


def page_details(page: Page, timing: Timing, floor: Timing | None, floor_url: str | None) -> dict:
    details = {
        "url": page.url,
        "requests": len(timing.samples_ms),
        "median_ms": round(timing.median_ms, 2),
        "p95_ms": round(timing.p95_ms, 2),
        "sql_statements": timing.sql,
        "statements": [" ".join(s.split())[:300] for s in timing.statements],
    }
    if floor is not None:
        details.update(
            floor_url=floor_url,
            floor_median_ms=round(floor.median_ms, 2),
            floor_p95_ms=round(floor.p95_ms, 2),
            ratio=round(timing.median_ms / floor.median_ms, 2),
        )
    return details


def print_statements(page: Page, timing: Timing) -> None:
    print(f"-- {page.label}: {len(timing.statements)} statements")
    for statement in timing.statements:
        print("   ", " ".join(statement.split())[:240])


def gunicorn_rows(result: serve.ServeResult) -> list[Row]:
    load = result.throughput
    failed = f", {load.failed} failed {load.failures}" if load.failed else ""
    measured = f"{load.per_second:,.1f} req/s ({load.ok:,} in {load.seconds:.1f} s, {LOAD_THREADS} clients{failed})"
    worst = max(result.worker_rss_mb.values(), default=float("nan"))
    each = ", ".join(f"{mb:.0f}" for mb in result.worker_rss_mb.values())
    return [
        Row("gunicorn, 2 workers: person list page 1", f"≥ {MIN_REQUESTS_PER_S} req/s", measured,
            load.per_second >= MIN_REQUESTS_PER_S and not load.failed),
        Row(f"RSS per worker after {result.total_requests:,} requests", f"≤ {MAX_WORKER_RSS_MB} MB",
            f"{worst:.0f} MB (workers: {each} MB)", worst <= MAX_WORKER_RSS_MB),
    ]  # fmt: skip


STOCK_LABELS = {"list": "person list, page 1", "show": "person show page", "edit": "person edit form",
                "rest": "REST person list"}  # fmt: skip


# ----- machine and output ----------------------------------------------------------------------
def reference_s() -> float:
    """A fixed CPU-bound loop (as in bench/import_bench.py), to compare figures across machines."""
    started = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - started


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_info(engine) -> dict:
    with engine.connect() as conn:
        version = conn.exec_driver_sql(
            "SELECT sqlite_version()" if engine.dialect.name == "sqlite" else "SHOW server_version"
        ).scalar()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "reference_loop_s": round(reference_s(), 3),
        "python": platform.python_version(),
        "database": f"{engine.dialect.name} {version}",
    }


def print_table(rows: list[Row], header: str) -> None:
    widths = [max(len(r.figure) for r in rows), max(len(r.target) for r in rows)]
    print()
    print(header)
    print(f"{'figure'.ljust(widths[0])}  {'target'.ljust(widths[1])}  measured")
    print(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 40}")
    for row in rows:
        print(f"{row.figure.ljust(widths[0])}  {row.target.ljust(widths[1])}  {row.measured}  {mark(row.met)}")


def mark(met: bool | None) -> str:
    return "" if met is None else ("✓" if met else "✗ not met")


def markdown(rows: list[Row], header: str, machine: dict) -> str:
    lines = [
        f"| figure ({header}) | target | measured ({machine['date'][:10]}) |",
        "|---|---|---|",
        *(f"| {r.figure} | {r.target} | {r.measured} {'' if r.met is None else mark(r.met)} |" for r in rows),
    ]
    return "\n".join(lines) + "\n"


def write_outputs(args, rows: list[Row], header: str, machine: dict, seeding: dict, details: dict) -> None:
    if args.json:
        report = {
            "machine": machine,
            "setup": header,
            "seed": seeding,
            "rows": [asdict(r) for r in rows],
            "details": details,
        }
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, ensure_ascii=False, indent=2)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(markdown(rows, header, machine))


# ----- the run -----------------------------------------------------------------------------------
def seed_database(args) -> tuple[object, str, dict, str | None]:
    """Prepare, migrate and seed the database; returns the app, its URL, seeding figures, a temp dir."""
    url, kept = seed.prepare_database(args.database_url, args.reuse)
    tempdir = None if args.reuse is not None or args.database_url else os.path.dirname(url[len("sqlite:///") :])
    configure_environment(url)
    print(f"database: {url}{' (reused)' if kept else ''}")
    from app import create_app

    started = time.perf_counter()
    app = create_app()
    seed.init_schema(app)
    setup_s = time.perf_counter() - started
    print(f"seeding up to {args.rows:,} persons …")
    result = seed.seed_persons(url, args.rows)
    seeding = {**asdict(result), "schema_and_demo_seconds": round(setup_s, 1)}
    if result.inserted:
        rate = result.inserted / result.seconds
        print(f"seeded {result.inserted:,} persons in {result.seconds:.1f} s ({rate:,.0f} rows/s); "
              f"ANALYZE {result.analyze_seconds:.1f} s")  # fmt: skip
    else:
        print(f"seeding skipped: {result.total_persons:,} persons already there")
    return app, url, seeding, tempdir


def seeding_row(seeding: dict) -> Row:
    if not seeding["inserted"]:
        return Row("seeding", "minutes, not hours", f"reused ({seeding['total_persons']:,} persons)")
    seconds = seeding["seconds"] + seeding["analyze_seconds"]
    took = f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
    rate = seeding["inserted"] / seeding["seconds"]
    measured = f"{seeding['inserted']:,} persons in {took} ({rate:,.0f} rows/s; ANALYZE included)"
    return Row("seeding (bulk Core inserts)", "minutes, not hours", measured, seconds < 3600)


def measure_all(bench: Bench, url: str, rows: list[Row]) -> None:
    """Measure the selected figures, appending their report rows to ``rows`` as they come."""
    args = bench.args
    for page in bench.pages():
        print(f"measuring {page.label} …")
        rows += bench.measure_page(page)
    if "bulk_update" in args.figures:
        print(f"measuring the bulk update of {BULK_EDITS:,} persons, audit on and off …")
        rows += bench.bulk_update()
    if "gunicorn" in args.figures:
        print(f"measuring gunicorn for {args.load_seconds:g} s …")
        result = serve.measure_under_gunicorn(
            url, "/personview/list/", "/personview/show/", args.load_seconds, LOAD_THREADS, ADMIN
        )
        bench.details["gunicorn"] = asdict(result)
        rows += gunicorn_rows(result)
    if "stock" in args.figures:
        rows += measure_stock(bench, url)


def measure_stock(bench: Bench, url: str) -> list[Row]:
    """Stock Flask-AppBuilder on the same database (``bench/stock.py``): its pages against their
    floors and, with the gunicorn figure, its throughput against the platform's."""
    args = bench.args
    print("measuring stock Flask-AppBuilder's pages …")
    figures = stock.measure_pages(url, bench.middle_id, args.requests, list(stock.STOCK_PAGES))
    bench.details["stock"] = {"pages": figures}
    rows = []
    for name, figure in figures.items():
        ours = bench.details.get(name, {}).get("ratio")
        platform = f"; the platform {ours:.1f}×" if ours else ""
        measured = (
            f"median {ms(figure['median_ms'])}, {figure['sql_statements']} SQL statements; "
            f"floor {ms(figure['floor_median_ms'])} → {figure['ratio']:.1f}×{platform}"
        )
        rows.append(Row(f"stock Flask-AppBuilder, same database: {STOCK_LABELS[name]}", "reference", measured))
    if "gunicorn" in args.figures:
        print(f"measuring stock Flask-AppBuilder under gunicorn for {args.load_seconds:g} s …")
        result = stock.measure_gunicorn(url, args.load_seconds, LOAD_THREADS, ADMIN)
        bench.details["stock"]["gunicorn"] = asdict(result)
        theirs = result.throughput.per_second
        ours = bench.details["gunicorn"]["throughput"]
        ours_per_second = ours["ok"] / ours["seconds"] if ours["seconds"] else 0.0
        ratio = ours_per_second / theirs if theirs else float("inf")
        measured = f"stock {theirs:,.1f} req/s, the platform {ours_per_second:,.1f} req/s → {ratio:.1f}×"
        rows.append(Row("gunicorn, 2 workers: person list page 1 against stock, same run",
                        f"≥ {MIN_STOCK_THROUGHPUT_RATIO}× stock", measured,
                        ratio >= MIN_STOCK_THROUGHPUT_RATIO and not result.throughput.failed))  # fmt: skip
    return rows


def main(argv=None) -> None:
    args = parse_args(argv)
    app, url, seeding, tempdir = seed_database(args)
    bench = None
    try:
        bench = Bench(app, url, args)
        machine = machine_info(bench.engine)
        header = f"{bench.live_persons:,} persons, {machine['database']}, {args.requests} requests per page"
        rows = [seeding_row(seeding)]
        try:
            measure_all(bench, url, rows)
        except SystemExit:
            print_table(rows, header + " — PARTIAL: the run was aborted")
            raise
        print_table(rows, header)
        print(
            f"machine: {machine['cores']} cores ({machine['cpu']}); reference loop (sum of 30 million integers) "
            f"{machine['reference_loop_s']:.2f} s; Python {machine['python']}; {machine['database']}; {machine['date']}"
        )
        write_outputs(args, rows, header, machine, seeding, bench.details)
    finally:
        if bench is not None:
            bench.close()
        release_database(app, tempdir)


if __name__ == "__main__":
    main()
