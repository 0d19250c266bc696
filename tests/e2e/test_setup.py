"""When the browser tests run: once (the SQLite pass), and never silently skipped in CI."""

import pytest

from tests.e2e import conftest


@pytest.fixture()
def clean_env(monkeypatch):
    for name in ("TEST_DATABASE_URL", "CI"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.without_browser
def test_a_missing_chromium_fails_in_ci_and_is_skipped_elsewhere(clean_env):
    clean_env.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    action, reason = conftest._reason_to_leave_out()
    assert action == "skip" and reason.startswith("the browser tests need /nonexistent/chromium")
    clean_env.setenv("CI", "true")
    action, reason = conftest._reason_to_leave_out()
    assert action == "fail" and reason.startswith("the browser tests need /nonexistent/chromium")


@pytest.mark.without_browser
def test_the_postgresql_pass_skips_them_with_the_reason(clean_env):
    clean_env.setenv("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    clean_env.setenv("CI", "true")
    assert conftest._reason_to_leave_out() == (
        "skip",
        "the browser tests run once, in the SQLite pass (their server builds its own SQLite database)",
    )


@pytest.mark.without_browser
def test_with_chromium_they_run(clean_env):
    clean_env.setattr(conftest, "CHROMIUM", "/bin/sh")  # any file that exists
    clean_env.setenv("CI", "true")
    assert conftest._reason_to_leave_out() is None


def test_browser_errors_are_caught(open_session):
    """The watcher that fails every browser test sees console errors, page errors and 4xx/5xx answers."""
    page = open_session()
    page.goto("/login/")
    page.evaluate("console.error('broken widget')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught in a handler'); })")
    page.evaluate("fetch('/static/js/no-such-file.js')")
    page.wait_for_timeout(300)
    problems = list(page.errors.problems)
    page.errors.problems.clear()  # seen: they are what this test provoked
    assert any("console error: broken widget" in p for p in problems)
    assert any("page error: uncaught in a handler" in p for p in problems)
    assert any(p.startswith("HTTP 404: GET") and "no-such-file.js" in p for p in problems)
