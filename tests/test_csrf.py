"""CSRF: every state-changing HTML route refuses a request without the form's token, and GET never
changes state (every GET route of the app is walked as the admin and the database compared)."""

import json
import re

import pytest
from flask_appbuilder.security.sqla.models import Role
from flask_babel import force_locale
from sqlalchemy import func, inspect, select, table, text

from app.errors import CSRF_TEXT
from app.extensions import db
from models import AuditEvent
from tests.conftest import api_token, login

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: a value for each URL argument of the app's routes
SAMPLE_ARGS = {
    "pk": "1",
    "column": "department",
    "fmt": "csv",
    "name": "persons",
    "model_name": "Person",
    "filename": "x.txt",
    "locale": "zh",
    "version": "v1",
}
#: GET routes left out of the GET walk, with the reason
GET_WALK_SKIPPED = {
    "static": "files",
    "appbuilder.static": "files",
}
#: GET routes whose only write is the audit event recording that data left the system
EXPORT_ENDPOINT = re.compile(r"\.export$")


def sample_url(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "1"), rule.rule)


def state() -> dict:
    """Row counts of every table and the sum of every ``version`` column: any write changes one."""
    connection = db.session.connection()
    inspector = inspect(connection)
    result = {}
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        columns = {c["name"] for c in inspector.get_columns(name)}
        query = select(func.count()).select_from(table(name))
        result[name] = db.session.scalar(query)
        if "version" in columns:
            result[name + ".version"] = db.session.scalar(text(f"SELECT COALESCE(SUM(version), 0) FROM {name}"))  # noqa: S608
    return result


def audit_actions_after(event_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > event_id)))


def last_event_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def unsafe_html_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.methods & UNSAFE and not rule.rule.startswith("/api/")),
        key=lambda rule: rule.rule,
    )


@pytest.fixture()
def csrf_on(app, monkeypatch):
    """The production setting for the length of one test (TestConfig turns the check off)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_state_changing_html_route_refuses_a_request_without_token(app, client, session, language, monkeypatch):
    login(client, "admin")
    client.get(f"/lang/{language}")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with force_locale(language):
        expected_text = str(CSRF_TEXT)
    before = state()
    checked = []
    for rule in unsafe_html_rules(app):
        url = sample_url(rule)
        for method in sorted(rule.methods & UNSAFE):
            response = client.open(url, method=method, data={"name": "CSRF probe", "confirm": "1", "rowid": "1"})
            assert response.status_code == 400, (method, url, response.status_code)
            page = response.get_data(as_text=True)
            assert expected_text in page, (method, url)
            assert f'<html lang="{language}">' in page
            assert "Traceback" not in page and "CSRF token" not in page
            checked.append((method, url))
    assert state() == before
    assert len(checked) >= 120, len(checked)


def test_the_walk_covers_login_and_the_security_screens(app):
    urls = {rule.rule for rule in unsafe_html_rules(app)}
    assert {
        "/login/",
        "/users/add",
        "/roles/edit/<pk>",
        "/users/delete/<pk>",
        "/recyclebin/purge/<model_name>/<pk>",
        "/logout/",
    } <= urls


def test_signing_out_is_a_post_with_the_pages_token(app, client, session, csrf_on):
    """GET /logout/ answers 405 and leaves the user signed in; the navbar's form (this session's
    token) signs out and records the event."""
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "staff", "password": "demo-Pass-2026", "csrf_token": token})
    home = client.get("/").get_data(as_text=True)
    assert 'data-submit-form="logout-form"' in home
    form = re.search(
        r'<form id="logout-form" method="post" action="/logout/" hidden>\s*<input[^>]*value="([^"]+)"', home
    )
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 400  # no token
    assert "dashboard-panel" in client.get("/").get_data(as_text=True)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "logout"))
    assert client.post("/logout/", data={"csrf_token": form.group(1)}).status_code == 302
    assert "dashboard-panel" not in client.get("/").get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "logout"))
        == events + 1
    )


def test_a_form_with_its_token_is_accepted(app, client, session, csrf_on):
    """The refusal above is the missing token: the same post with the page's token goes through."""
    # with CSRF on, signing in needs the login form's token too
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login/", data={"username": "admin", "password": "demo-Pass-2026", "csrf_token": token})
    assert response.status_code == 302
    page = client.get("/roles/add").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/roles/add", data={"name": "CsrfProbe"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Role).where(Role.name == "CsrfProbe")) == 0
    response = client.post("/roles/add", data={"name": "CsrfProbe", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Role).where(Role.name == "CsrfProbe")) == 1


def test_a_token_from_another_session_is_refused(app, client, session, csrf_on):
    page = app.test_client().get("/login/").get_data(as_text=True)
    foreign = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.get("/login/")
    response = client.post("/login/", data={"username": "admin", "password": "demo-Pass-2026", "csrf_token": foreign})
    assert response.status_code == 400


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_sessions_signed_token_is_kept_for_a_minute(app, client, session, csrf_on, monkeypatch):
    """app.csrf_tokens: pages of one session within KEEP_SECONDS carry the same signed token, which
    is accepted; another session never gets it; past KEEP_SECONDS the token is signed afresh."""
    from app import csrf_tokens

    clock = [1000.0]
    monkeypatch.setattr(csrf_tokens.time, "monotonic", lambda: clock[0])
    signed_at = [1_800_000_000]  # itsdangerous stamps whole seconds: each page is signed in a later one
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: signed_at[0])

    def token_of(browser) -> str:
        signed_at[0] += 1
        return form_token(browser.get("/login/").get_data(as_text=True))

    first = token_of(client)
    clock[0] += csrf_tokens.KEEP_SECONDS - 1
    assert token_of(client) == first
    assert token_of(app.test_client()) != first
    clock[0] += 2
    assert token_of(client) != first
    signed_at[0] += 1
    response = client.post("/login/", data={"username": "admin", "password": "demo-Pass-2026", "csrf_token": first})
    assert response.status_code == 302  # a kept token is a valid one


def test_a_short_time_limit_keeps_tokens_for_less(app, client, session, csrf_on, monkeypatch):
    from app import csrf_tokens

    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 120)
    with app.test_request_context():
        assert csrf_tokens.keep_seconds() == 2
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", None)
    with app.test_request_context():
        assert csrf_tokens.keep_seconds() == csrf_tokens.KEEP_SECONDS


def get_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" in rule.methods and rule.endpoint not in GET_WALK_SKIPPED:
            yield rule


def test_no_get_route_changes_state(app, client, session):
    """Every GET route (HTML and API, with sample ids) as the admin: no row added, removed or changed,
    and no audit event, except the export event of an export."""
    login(client, "admin")
    headers = api_token(client, "admin")
    walked = 0
    for rule in get_rules(app):
        url = sample_url(rule)
        before, last = state(), last_event_id()
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert response.status_code < 500, (url, response.status_code)
        after = state()
        actions = audit_actions_after(last)
        if EXPORT_ENDPOINT.search(rule.endpoint) and response.status_code == 200:
            assert actions == ["export"], url
            after = {**after, "audit_event": before["audit_event"]}
        else:
            assert actions == [], (url, actions)
        assert after == before, (url, {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v})
        walked += 1
    assert walked >= 150, walked


SECURITY_DELETES = ["/users/delete/{}", "/roles/delete/{}", "/groups/delete/{}", "/permissions/delete/{}"]
SECURITY_DELETES += ["/viewmenus/delete/{}", "/permissionviews/delete/{}", "/roledatascopeview/delete/{}"]


@pytest.mark.parametrize("path", SECURITY_DELETES)
def test_security_screens_delete_only_on_post(app, client, session, path):
    """Flask-AppBuilder's own screens still route GET to delete: it answers 405 and deletes nothing."""
    login(client, "admin")
    before = state()
    for pk in (1, 2, 3):
        response = client.get(path.format(pk))
        assert response.status_code == 405, (path, response.status_code)
        assert response.headers["Allow"] == "POST"
    assert client.get("/users/action/muldelete/2").status_code == 405
    assert state() == before


def test_a_role_is_still_deleted_by_post(client, session):
    login(client, "admin")
    client.post("/roles/add", data={"name": "Doomed"})
    role = db.session.scalars(select(Role).where(Role.name == "Doomed")).one()
    assert client.get(f"/roles/delete/{role.id}").status_code == 405
    assert client.post(f"/roles/delete/{role.id}").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Role).where(Role.name == "Doomed")).first() is None


def test_the_get_walk_reaches_every_register(app):
    endpoints = {rule.endpoint for rule in get_rules(app)}
    assert {"PersonView.list", "PlatformUserView.list", "AuditEventView.export", "RecycleBinView.list"} <= endpoints
    assert json.dumps(GET_WALK_SKIPPED)  # the reasons stay readable in the README
