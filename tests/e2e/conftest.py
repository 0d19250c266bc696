"""Fixtures of the real-browser tests: the app served in its own process, headless Chromium driven
by Playwright, and browser sessions whose errors fail the test.

The tests run once, in the SQLite pass of ``make test``: the server builds its own SQLite database
whatever the suite's database is, so the PostgreSQL pass skips them. Without /usr/bin/chromium they
fail in CI (``CI=true``) and are skipped elsewhere, with the reason.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.browser import login, switch_language

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
ROOT = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 90


def _reason_to_leave_out() -> tuple[str, str] | None:
    """Why the browser tests can't run here, as ("skip" or "fail", reason), or None when they can;
    in CI a missing browser is a failure, not a skip."""
    if os.environ.get("TEST_DATABASE_URL"):
        return "skip", "the browser tests run once, in the SQLite pass (their server builds its own SQLite database)"
    missing = []
    if not os.path.exists(CHROMIUM):
        missing.append(f"{CHROMIUM} (apt-get install -y chromium chromium-driver)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -c constraints.txt -r requirements-dev.txt)")
    if not missing:
        return None
    return ("fail" if os.environ.get("CI") == "true" else "skip"), "the browser tests need " + " and ".join(missing)


def pytest_configure(config):
    config.addinivalue_line("markers", "without_browser: a test of the e2e set-up itself, run everywhere")


def _leave_out_unless_browser_available() -> None:
    verdict = _reason_to_leave_out()
    if verdict and verdict[0] == "fail":
        pytest.fail(verdict[1], pytrace=False)
    if verdict:
        pytest.skip(verdict[1])


@pytest.fixture(autouse=True)
def _browser_available(request):
    if request.node.get_closest_marker("without_browser"):
        return
    _leave_out_unless_browser_available()


class LiveServer:
    """The app in a child process (``tests/e2e/server.py``), its address and its database file."""

    def __init__(self, workdir: str):
        self.database = os.path.join(workdir, "e2e.db")
        self.log_path = os.path.join(workdir, "server.log")
        env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "DATABASE_URL", "APP_ENV")}
        self._log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-m", "tests.e2e.server", self.database],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.url = self._wait_until_ready()
        self.engine = create_engine(f"sqlite:///{self.database}")

    def _wait_until_ready(self) -> str:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            found = re.search(r"^READY (\d+)$", Path(self.log_path).read_text(), re.MULTILINE)
            if found:
                return f"http://127.0.0.1:{found.group(1)}"
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        pytest.fail("the e2e server did not start:\n" + Path(self.log_path).read_text()[-3000:], pytrace=False)

    def rows(self, sql: str, **params) -> list:
        """Rows of a query on the server's database (what the browser's actions wrote)."""
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def value(self, sql: str, **params):
        rows = self.rows(sql, **params)
        return rows[0][0] if rows else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        if hasattr(self, "engine"):
            self.engine.dispose()


@pytest.fixture(scope="session")
def live_server():
    # session fixtures are set up before the autouse check above: ask here too
    _leave_out_unless_browser_available()
    workdir = tempfile.mkdtemp(prefix="platform-e2e-")
    server = LiveServer(workdir)
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    _leave_out_unless_browser_available()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class BrowserErrors:
    """Everything that went wrong in the browser: console errors, uncaught page errors, local requests
    that failed or answered 4xx/5xx. A test names the answers it expects (``expect(404, "/show/")``)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.problems: list[str] = []
        self.expected: list[tuple[int, str]] = []

    def expect(self, status: int, url_part: str) -> None:
        self.expected.append((status, url_part))

    def _is_expected(self, status: int, url: str) -> bool:
        return any(status == s and part in url for s, part in self.expected)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx/5xx answer as a console error: those are judged in _on_response.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        self.problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def _on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # A navigation cancels the requests of the page it leaves: that is not an error of the app.
        if request.url.startswith(self.base_url) and "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed: {request.method} {request.url} {failure}")

    def _on_response(self, response) -> None:
        if not response.url.startswith(self.base_url) or response.status < 400:
            return
        if not self._is_expected(response.status, response.url):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture()
def open_session(browser, live_server):
    """``open_session(user=None, lang="zh")``: a fresh browser context (its own cookies), signed in
    as ``user`` when given; the test fails if any of its pages had a browser error."""
    contexts, errors = [], BrowserErrors(live_server.url)

    def open_one(user: str | None = None, lang: str = "zh"):
        context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        context.on("page", errors.watch)
        contexts.append(context)
        page = context.new_page()
        if user:
            login(page, user)
        if lang != "zh":
            switch_language(page, lang)
        page.errors = errors
        return page

    open_one.errors = errors
    yield open_one
    for context in contexts:
        context.close()
    server_log = ""
    if any(re.match(r"HTTP 5\d\d", problem) for problem in errors.problems):
        server_log = "\nthe end of the server's log:\n" + Path(live_server.log_path).read_text()[-3000:]
    assert not errors.problems, "browser errors:\n" + "\n".join(errors.problems) + server_log
