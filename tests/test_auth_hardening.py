"""Sign-in and session hardening (OWASP ASVS 2 and 3): rate limits on both logins, account lockout,
the password policy in the UI, CLI and API, cookie flags, idle timeout, ending other sessions and
tokens, safe redirects and no-store on personal pages."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from freezegun import freeze_time
from sqlalchemy import select
from werkzeug.security import check_password_hash

from config import BASE_DIR, BaseConfig, ProdConfig
from models import AuditEvent, PlatformUser
from models.mixins import utcnow
from tests.conftest import DEMO_PASSWORD, api_token, login

WRONG = "not-the-right-password"


# ----- helpers ----------------------------------------------------------------------------
def sm():
    from app.extensions import appbuilder

    return appbuilder.sm


def user(session, username: str) -> PlatformUser:
    session.expire_all()
    return session.scalars(select(PlatformUser).filter_by(username=username)).one()


def last_event_id(session) -> int:
    return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def events_after(session, start: int, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.id > start).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


def post_login(client, username: str, password: str, **kwargs):
    return client.post("/login/", data={"username": username, "password": password}, **kwargs)


def api_login(client, username: str, password: str):
    return client.post("/api/v1/security/login", json={"username": username, "password": password, "provider": "db"})


def flashes(client) -> list[str]:
    with client.session_transaction() as state:
        return [message for _category, message in state.pop("_flashes", [])]


def signed_in(client) -> bool:
    response = client.get("/", follow_redirects=False)
    return response.status_code == 200 and b"/logout/" in response.data


def text_in(locale: str, message: str, **values) -> str:
    with force_locale(locale):
        return _(message, **values)


@pytest.fixture()
def rate_limited(app):
    """Login rate limits on (the rest of the suite signs in freely), with fresh counters."""
    limiter = sm().limiter
    limiter.reset()
    app.config["LOGIN_RATE_LIMITED"] = True
    yield limiter
    app.config["LOGIN_RATE_LIMITED"] = False
    limiter.reset()


@pytest.fixture()
def app_config(app):
    """Change configuration values for one test."""
    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield change
    app.config.update(saved)


# ----- rate limits --------------------------------------------------------------------------
def test_the_login_form_is_rate_limited_with_the_error_page(client, session, rate_limited):
    for attempt in range(10):
        assert post_login(client, f"nobody{attempt}", WRONG).status_code == 302
    response = post_login(client, "nobody", WRONG)
    assert response.status_code == 429
    assert text_in("zh", "Please wait a moment before trying again.") in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_the_api_login_is_rate_limited_with_json(client, session, rate_limited):
    for attempt in range(10):
        assert api_login(client, f"nobody{attempt}", WRONG).status_code == 401
    response = api_login(client, "admin", DEMO_PASSWORD)
    assert response.status_code == 429
    assert response.is_json and response.json["message"]


def test_the_limit_is_per_client_address_and_successful_logins_are_free(client, session, rate_limited):
    for _attempt in range(12):
        login(client, "staff")
        client.post("/logout/")
    for attempt in range(10):
        post_login(client, f"nobody{attempt}", WRONG)
    assert post_login(client, "nobody", WRONG).status_code == 429
    other = client.post(
        "/login/", data={"username": "nobody", "password": WRONG}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert other.status_code == 302


def test_token_refreshes_that_work_are_free(client, session, rate_limited):
    response = client.post(
        "/api/v1/security/login",
        json={"username": "staff", "password": DEMO_PASSWORD, "provider": "db", "refresh": True},
    )
    refresh = {"Authorization": f"Bearer {response.json['refresh_token']}"}
    for _attempt in range(12):
        assert client.post("/api/v1/security/refresh", headers=refresh).status_code == 200
    for attempt in range(10):
        assert api_login(client, f"nobody{attempt}", WRONG).status_code == 401
    assert api_login(client, "nobody", WRONG).status_code == 429


def test_only_a_sign_in_post_asks_the_limiter(app, client, session, rate_limited):
    """No other request has a limit, so no other request pays for the limiter's search for one."""
    from flask import request
    from flask.globals import request_ctx

    asked = []

    def note(response):
        context = request_ctx._get_current_object()
        asked.append((request.method, request.path, hasattr(context, "_limiter_request_context")))
        return response

    app.after_request_funcs.setdefault(None, []).append(note)  # (called first: before the limiter's)
    try:
        login(client, "staff")
        client.get("/personview/list/")
        client.post("/personview/add", data={})
        client.get("/login/")
    finally:
        app.after_request_funcs[None].remove(note)
    limited = {(method, path) for method, path, asked_limiter in asked if asked_limiter}
    assert limited == {("POST", "/login/")}
    assert {("GET", "/personview/list/"), ("POST", "/personview/add"), ("GET", "/login/")} <= {
        (method, path) for method, path, _asked in asked
    }


def limiter_storage_with(env: dict) -> str:
    """The class of the login limiter's storage in a freshly started app (its own process)."""
    code = (
        "from app import create_app; from app.extensions import appbuilder; create_app(); "
        "print(type(appbuilder.sm.limiter.storage).__name__)"
    )
    env = {**os.environ, "APP_ENV": "dev", "DATABASE_URL": "sqlite://", **env}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_the_counters_go_to_redis_when_redis_url_is_set():
    assert limiter_storage_with({"REDIS_URL": "redis://127.0.0.1:6379/3"}) == "RedisStorage"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("REDIS_URL", raising=False)
        assert limiter_storage_with({}) == "MemoryStorage"


def test_two_processes_share_counters_in_redis():
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    storage = storage_from_string("redis://127.0.0.1:6379/3")
    if not storage.check():
        pytest.skip("no Redis at 127.0.0.1:6379")
    storage.reset()
    first, second = (
        FixedWindowRateLimiter(storage),
        FixedWindowRateLimiter(storage_from_string("redis://127.0.0.1:6379/3")),
    )
    limit = parse("2 per minute")
    assert first.hit(limit, "login", "10.0.0.1") and second.hit(limit, "login", "10.0.0.1")
    assert not first.hit(limit, "login", "10.0.0.1")
    storage.reset()


# ----- lockout -------------------------------------------------------------------------------
def fail_five_times(client, username="staff"):
    for _attempt in range(5):
        post_login(client, username, WRONG)
    flashes(client)


def test_five_failures_lock_the_account_with_the_same_message(client, session):
    start = last_event_id(session)
    post_login(client, "no-such-user", WRONG)
    unknown_message = flashes(client)
    post_login(client, "staff", WRONG)
    wrong_message = flashes(client)
    for _attempt in range(4):
        post_login(client, "staff", WRONG)
    flashes(client)
    assert user(session, "staff").locked_until > utcnow() + timedelta(minutes=14)
    response = post_login(client, "staff", DEMO_PASSWORD)  # the right password, but locked
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    locked_message = flashes(client)
    assert unknown_message == wrong_message == locked_message and len(locked_message) == 1
    assert not signed_in(client)
    failed = events_after(session, start, "login_failed")
    assert [e.actor_name for e in failed] == ["no-such-user"] + ["staff"] * 6
    assert '"locked": true' in failed[-1].changes
    [locked] = events_after(session, start, "account_locked")
    assert locked.entity_id == str(user(session, "staff").id)


def test_a_locked_account_is_refused_by_the_api_like_an_unknown_user(client, session):
    fail_five_times(client)
    locked = api_login(client, "staff", DEMO_PASSWORD)
    unknown = api_login(client, "no-such-user", DEMO_PASSWORD)
    assert locked.status_code == unknown.status_code == 401
    assert locked.json == unknown.json


def test_api_failures_count_towards_the_lock(client, session):
    for _attempt in range(5):
        assert api_login(client, "staff", WRONG).status_code == 401
    assert post_login(client, "staff", DEMO_PASSWORD).headers["Location"].startswith("/login/")
    assert not signed_in(client)


def test_the_lock_expires_after_15_minutes(client, session):
    with freeze_time(utcnow()) as clock:
        fail_five_times(client)
        clock.tick(timedelta(minutes=14))
        post_login(client, "staff", DEMO_PASSWORD)
        assert not signed_in(client)
        clock.tick(timedelta(minutes=2))
        login(client, "staff")
        assert signed_in(client)
        assert user(session, "staff").locked_until is None


def test_failures_outside_the_15_minute_window_do_not_add_up(client, session):
    with freeze_time(utcnow()) as clock:
        for _attempt in range(4):
            post_login(client, "staff", WRONG)
        clock.tick(timedelta(minutes=16))
        post_login(client, "staff", WRONG)
        assert user(session, "staff").locked_until is None
        login(client, "staff")


def test_a_success_resets_the_failure_count(client, session):
    for _attempt in range(4):
        post_login(client, "staff", WRONG)
    login(client, "staff")
    client.post("/logout/")
    post_login(client, "staff", WRONG)
    assert user(session, "staff").locked_until is None
    login(client, "staff")


def test_an_admin_unlocks_with_a_post_and_it_is_audited(app, client, session):
    fail_five_times(client)
    staff = user(session, "staff")
    login(client, "admin")
    page = client.get(f"/users/show/{staff.id}")
    assert text_in("zh", "Unlock account") in page.get_data(as_text=True)
    assert client.get(f"/users/unlock/{staff.id}").status_code == 405  # GET never changes state
    assert user(session, "staff").locked_until is not None
    start = last_event_id(session)
    response = client.post(f"/users/unlock/{staff.id}")
    assert response.status_code == 302
    assert user(session, "staff").locked_until is None
    [event] = events_after(session, start, "account_unlocked")
    assert event.actor_name == "admin" and event.entity_id == str(staff.id)
    assert text_in("zh", "Unlock account") not in client.get(f"/users/show/{staff.id}").get_data(as_text=True)
    client.post("/logout/")
    login(client, "staff")


def test_only_admins_may_unlock(client, session):
    fail_five_times(client)
    staff = user(session, "staff")
    login(client, "supervisor")
    client.post(f"/users/unlock/{staff.id}")
    assert user(session, "staff").locked_until is not None


def test_the_lock_actions_have_labels_in_both_languages(app):
    from views.audit import AUDIT_ACTION_LABELS

    with app.test_request_context():
        for action, english in (("account_locked", "Account locked"), ("account_unlocked", "Account unlocked")):
            with force_locale("en"):
                assert str(AUDIT_ACTION_LABELS.label(action)) == english
            with force_locale("zh"):
                assert str(AUDIT_ACTION_LABELS.label(action)) not in ("", english, action)


def test_unknown_users_cost_the_same_password_hash_work(app, client, session, monkeypatch):
    import flask_appbuilder.security.manager as fab_manager

    import app.security as platform_security

    calls = []

    def counting(hashed, password):
        calls.append(hashed.split("$")[0])
        return check_password_hash(hashed, password)

    monkeypatch.setattr(fab_manager, "check_password_hash", counting)
    monkeypatch.setattr(platform_security, "check_password_hash", counting)
    costs = {}
    for name in ("no-such-user", "staff"):
        calls.clear()
        post_login(client, name, WRONG)
        costs[name] = list(calls)
    for _attempt in range(4):
        post_login(client, "staff", WRONG)
    calls.clear()
    post_login(client, "staff", DEMO_PASSWORD)
    costs["locked"] = list(calls)
    real_method = user(session, "staff").password.split("$")[0]
    assert costs == {"no-such-user": [real_method], "staff": [real_method], "locked": [real_method]}


# ----- password policy -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "password",
    [
        "short-pass1",
        "a" + " " * 12 + "b",
        "password1234",
        "Password1234!",
        "qwertyuiop123",
        "123456789012",
        "abcdefghijklmn",
        "zzzzzzzzzzzzzz",
        "ababababababab",
        "lantern-" * 16 + "x",
    ],
)
def test_the_policy_refuses(app, password):
    from app.passwords import password_problem

    with app.app_context():
        assert password_problem(password)


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        "lantern river kite",
        "correcthorsebatterystaple",
        "全都是小写字母也可以的密码句子",
        "lantern-" * 16,
    ],
)
def test_the_policy_accepts_long_uncommon_passwords_without_composition_rules(app, password):
    from app.passwords import password_problem

    with app.app_context():
        assert password_problem(password) is None


def test_the_common_password_list_is_bundled():
    from app.passwords import common_passwords

    assert len(common_passwords()) > 10_000
    assert {"password", "123456", "qwertyuiop123"} <= common_passwords()


def test_the_user_form_refuses_a_weak_password_in_the_users_language(as_admin, session):
    as_admin.get("/lang/en")
    data = {
        "first_name": "Test",
        "last_name": "User",
        "username": "weakling",
        "email": "weak@example.gov.cn",
        "active": "y",
        "roles": [str(sm().find_role("DeptStaff").id)],
        "password": "short-pass",
        "conf_password": "short-pass",
    }
    response = as_admin.post("/users/add", data=data)
    assert response.status_code == 200
    assert "The password must have at least 12 characters." in response.get_data(as_text=True)
    assert sm().find_user(username="weakling") is None
    as_admin.get("/lang/zh")
    data.update(password="password1234", conf_password="password1234")
    response = as_admin.post("/users/add", data=data)
    assert text_in("zh", "This password is too common and easy to guess. Choose a longer, less common one.") in (
        response.get_data(as_text=True)
    )
    assert sm().find_user(username="weakling") is None
    data.update(password="lantern river kite", conf_password="lantern river kite")
    assert as_admin.post("/users/add", data=data).status_code == 302
    assert sm().find_user(username="weakling") is not None


def test_reset_my_password_follows_the_policy(as_staff, session):
    before = user(session, "staff").password
    response = as_staff.post("/resetmypassword/form", data={"password": "too-short", "conf_password": "too-short"})
    assert text_in("zh", "The password must have at least %(min)d characters.", min=12) in response.get_data(
        as_text=True
    )
    assert user(session, "staff").password == before
    response = as_staff.post(
        "/resetmypassword/form", data={"password": "lantern river kite", "conf_password": "lantern river kite"}
    )
    assert response.status_code == 302
    assert check_password_hash(user(session, "staff").password, "lantern river kite")


def test_an_admins_password_reset_follows_the_policy(as_admin, session):
    staff = user(session, "staff")
    before = staff.password
    response = as_admin.post(
        f"/resetpassword/form?pk={staff.id}", data={"password": "123456789012", "conf_password": "123456789012"}
    )
    assert response.status_code == 200
    assert user(session, "staff").password == before


def test_the_cli_follows_the_policy(app, session):
    runner = app.test_cli_runner()
    before = user(session, "staff").password
    result = runner.invoke(args=["fab", "reset-password", "--username", "staff", "--password", "short"])
    assert result.exit_code == 2
    assert text_in("zh", "The password must have at least %(min)d characters.", min=12) in result.output
    assert user(session, "staff").password == before
    result = runner.invoke(
        args=[
            *("fab", "create-user", "--role", "DeptStaff", "--username", "cli_user", "--firstname", "C"),
            *("--lastname", "L", "--email", "cli@example.gov.cn", "--password", "password1234"),
        ]
    )
    assert result.exit_code != 0
    assert sm().find_user(username="cli_user") is None
    result = runner.invoke(args=["fab", "reset-password", "--username", "staff", "--password", "lantern river kite"])
    assert result.exit_code == 0, result.output
    assert check_password_hash(user(session, "staff").password, "lantern river kite")


def test_no_api_sets_passwords_and_the_security_manager_refuses_weak_ones(client, session):
    from app.passwords import PasswordPolicyError

    headers = api_token(client, "admin")
    body = {"username": "api_user", "first_name": "A", "last_name": "U", "email": "a@example.gov.cn"}
    response = client.post("/api/v1/security/users/", json={**body, "password": "short"}, headers=headers)
    assert response.status_code in (404, 405)
    with pytest.raises(PasswordPolicyError):
        sm().add_user("api_user", "A", "U", "a@example.gov.cn", sm().find_role("DeptStaff"), password="short")
    with pytest.raises(PasswordPolicyError):
        sm().reset_password(user(session, "staff").id, "password1234")


def test_the_user_api_schema_would_apply_the_policy_too(app, session):
    """FAB_ADD_SECURITY_API is off; if it is ever turned on, its user schema checks the same policy."""
    from flask_appbuilder.security.sqla.apis.user.schema import UserPostSchema
    from marshmallow import ValidationError

    body = {"username": "api_user", "first_name": "A", "last_name": "U", "email": "a@example.gov.cn", "roles": [1]}
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            UserPostSchema().load({**body, "password": "password1234"})
        assert "password" in refused.value.messages
        assert UserPostSchema().load({**body, "password": "lantern river kite"})["password"]


# ----- cookies ------------------------------------------------------------------------------
def session_cookie(response) -> str:
    return next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(client, session):
    cookie = session_cookie(post_login(client, "staff", DEMO_PASSWORD))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_is_secure_when_configured_for_https(client, session, app_config):
    app_config(SESSION_COOKIE_SECURE=True)
    assert "Secure" in session_cookie(post_login(client, "staff", DEMO_PASSWORD))


def test_production_cookies_are_secure_by_default():
    assert ProdConfig.SESSION_COOKIE_SECURE is True and ProdConfig.REMEMBER_COOKIE_SECURE is True
    assert BaseConfig.REMEMBER_COOKIE_HTTPONLY is True and BaseConfig.REMEMBER_COOKIE_SAMESITE == "Lax"


def sent_session_cookies(response) -> list:
    return [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]


def test_the_session_cookie_is_sent_again_only_when_the_session_changes(client, session):
    login(client, "staff")
    assert sent_session_cookies(client.get("/personview/list/"))  # the list joins the back history
    reloaded = client.get("/personview/list/")
    assert reloaded.status_code == 200 and sent_session_cookies(reloaded) == []
    assert sent_session_cookies(client.get("/departmentview/list/"))
    with client.session_transaction() as state:
        assert [url.removeprefix("http://localhost") for url in state["page_history"][-2:]] == [
            "/personview/list/",
            "/departmentview/list/",
        ]
    back = client.get("/back")  # Flask-AppBuilder's "back" still reads the history
    assert back.status_code == 302 and back.headers["Location"].endswith("/personview/list/")


# ----- idle timeout ---------------------------------------------------------------------------
def test_a_session_ends_after_30_idle_minutes(client, session, app_config):
    assert BaseConfig.SESSION_IDLE_MINUTES == 30
    app_config(SESSION_IDLE_MINUTES=BaseConfig.SESSION_IDLE_MINUTES)
    with freeze_time(utcnow()) as clock:
        login(client, "staff")
        clock.tick(timedelta(minutes=29))
        assert signed_in(client)
        clock.tick(timedelta(minutes=29))
        assert signed_in(client)  # activity keeps it alive
        clock.tick(timedelta(minutes=31))
        response = client.get("/personview/list/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login/")
        message = "You were signed out after %(minutes)d minutes without activity."
        assert text_in("zh", message, minutes=30) in flashes(client)
        assert not signed_in(client)


def test_the_idle_timeout_is_configurable(client, session, app_config):
    app_config(SESSION_IDLE_MINUTES=5)
    with freeze_time(utcnow()) as clock:
        login(client, "staff")
        clock.tick(timedelta(minutes=6))
        assert not signed_in(client)


def test_a_session_without_a_last_seen_time_is_ended_when_the_timeout_is_on(client, session, app_config):
    login(client, "staff")
    with client.session_transaction() as state:
        state.pop("_seen")
    app_config(SESSION_IDLE_MINUTES=0)
    assert signed_in(client)  # timeout off: nothing to compare, no error
    with client.session_transaction() as state:
        state.pop("_seen")
    app_config(SESSION_IDLE_MINUTES=30)
    assert not signed_in(client)


# ----- ending other sessions and tokens ------------------------------------------------------------
def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(app, session):
    this, other = app.test_client(), app.test_client()
    login(this, "staff")
    login(other, "staff")
    token = api_token(app.test_client(), "staff")
    tokens = app.test_client().post(
        "/api/v1/security/login",
        json={"username": "staff", "password": DEMO_PASSWORD, "provider": "db", "refresh": True},
    )
    refresh = {"Authorization": f"Bearer {tokens.json['refresh_token']}"}
    assert app.test_client().post("/api/v1/security/refresh", headers=refresh).status_code == 200
    response = this.post(
        "/resetmypassword/form", data={"password": "lantern river kite", "conf_password": "lantern river kite"}
    )
    assert response.status_code == 302
    assert signed_in(this)
    assert not signed_in(other)
    assert app.test_client().get("/api/v1/person/", headers=token).status_code == 401
    assert app.test_client().post("/api/v1/security/refresh", headers=refresh).status_code == 401
    login(other, "staff", "lantern river kite")
    assert signed_in(other)


def test_an_admins_password_reset_ends_the_users_sessions(app, session):
    admin, staff = app.test_client(), app.test_client()
    login(admin, "admin")
    login(staff, "staff")
    staff_id = user(session, "staff").id
    data = {"password": "lantern river kite", "conf_password": "lantern river kite"}
    assert admin.post(f"/resetpassword/form?pk={staff_id}", data=data).status_code == 302
    assert signed_in(admin)
    assert not signed_in(staff)


def test_deactivation_ends_sessions_and_tokens(app, session):
    staff = app.test_client()
    login(staff, "staff")
    token = api_token(app.test_client(), "staff")
    assert app.test_client().get("/api/v1/person/", headers=token).status_code == 200
    account = user(session, "staff")
    account.active = False
    session.commit()
    assert not signed_in(staff)
    assert app.test_client().get("/api/v1/person/", headers=token).status_code == 401


def test_reactivation_does_not_bring_old_sessions_or_tokens_back(as_admin, app, session):
    staff = app.test_client()
    login(staff, "staff")
    token = api_token(app.test_client(), "staff")
    account = user(session, "staff")
    form = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "username": account.username,
        "email": account.email,
        "roles": [str(role.id) for role in account.roles],
    }
    assert as_admin.post(f"/users/edit/{account.id}", data=form).status_code == 302  # "active" unticked
    assert user(session, "staff").active is False
    assert as_admin.post(f"/users/edit/{account.id}", data={**form, "active": "y"}).status_code == 302
    assert user(session, "staff").active is True
    assert not signed_in(staff)
    assert app.test_client().get("/api/v1/person/", headers=token).status_code == 401
    login(staff, "staff")


# ----- redirects ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "https://evil.example/personview/list/",
        "/\\evil.example",
        "\\\\evil.example",
        "///evil.example",
        "javascript:alert(1)",
        "http:evil.example",
        "/%0a/evil.example".replace("%0a", "\n"),
        "https://localhost.evil.example/",
        "https://evil.example@localhost.evil.example/",
        "  //evil.example",
    ],
)
def test_next_never_leaves_the_site(client, session, target):
    response = client.post(
        "/login/", query_string={"next": target}, data={"username": "staff", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]
    response = client.get("/login/", query_string={"next": target})  # already signed in
    assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize(
    "target", ["/personview/list/", "/personview/list/?page=2", "http://localhost/personview/list/"]
)
def test_next_within_the_site_is_followed(client, session, target):
    response = client.post(
        "/login/", query_string={"next": target}, data={"username": "staff", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == target


def test_a_spoofed_host_header_does_not_steer_redirects(client, session):
    response = client.post(
        "/login/?next=/personview/list/",
        data={"username": "staff", "password": DEMO_PASSWORD},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    response = client.get("/personview/list/", headers={"Host": "evil.example"})
    assert "evil" not in response.headers.get("Location", "")
    response = client.post("/logout/", headers={"Host": "evil.example"})
    assert "evil" not in response.headers.get("Location", "")


def test_app_hosts_refuse_other_host_headers(client, session, app_config):
    app_config(APP_HOSTS=["admin.example.gov.cn"], FAB_SAFE_REDIRECT_HOSTS=["localhost", "admin.example.gov.cn"])
    refused = client.get("/login/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert text_in("zh", "Bad request") in refused.get_data(as_text=True)
    assert client.get("/login/", headers={"Host": "admin.example.gov.cn"}).status_code == 200
    assert client.get("/login/", headers={"Host": "admin.example.gov.cn:8443"}).status_code == 200
    assert client.get("/login/").status_code == 200


# ----- caching ------------------------------------------------------------------------------------
def test_the_login_page_is_not_stored(client, session):
    assert "no-store" in client.get("/login/").headers["Cache-Control"]


def test_signed_in_pages_and_api_answers_are_not_stored(app, client, session):
    login(client, "staff")
    for path in ("/", "/personview/list/", "/users/userinfo/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    headers = api_token(app.test_client(), "staff")
    response = app.test_client().get("/api/v1/person/", headers=headers)
    assert response.status_code == 200 and "no-store" in response.headers.get("Cache-Control", "")
    with app.test_request_context():
        static = url_for("static", filename="css/platform.css")
    assert "no-store" not in client.get(static).headers.get("Cache-Control", "")


@pytest.mark.parametrize("minimum", [12, 16])
def test_the_policy_hint_states_the_configured_minimum(app, as_staff, session, monkeypatch, minimum):
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", minimum)
    hint = "At least %(count)d characters. Common passwords are refused. A long phrase is easy to remember."
    page = as_staff.get("/resetmypassword/form").get_data(as_text=True)
    assert text_in("zh", hint, count=minimum) in page
    assert f"至少 {minimum} 个字符" in page
    short = "lantern river kites"[: minimum - 1]  # one character short
    response = as_staff.post("/resetmypassword/form", data={"password": short, "conf_password": short})
    assert text_in("zh", "The password must have at least %(min)d characters.", min=minimum) in response.get_data(
        as_text=True
    )


def signed_in_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_kept_session_cookie_gives_each_request_its_own_session_as_flask_reads_it(app, client, session):
    """The signature of a cookie value is checked once; every request still gets a fresh session
    with the cookie's content, as Flask's own interface reads it."""
    from flask.sessions import SecureCookieSessionInterface

    from app.session_cookie import KeptCookieSessionInterface

    interface = app.session_interface
    assert isinstance(interface, KeptCookieSessionInterface)
    login(client, "staff")
    value = signed_in_cookie(client)
    stock = SecureCookieSessionInterface()
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}):
        from flask import request

        first, second = interface.open_session(app, request), interface.open_session(app, request)
        assert value in interface._checked
        assert dict(first) == dict(second) == dict(stock.open_session(app, request))
        assert first["_user_id"] and first is not second
        first["_user_id"] = "999"  # a change to one request's session stays in that request
        assert interface.open_session(app, request)["_user_id"] == second["_user_id"] != "999"
    assert client.get("/personview/list/").status_code == 200
    assert client.get("/personview/list/").status_code == 200  # served from the kept value


def test_a_kept_cookie_is_refused_once_too_old_or_signed_with_another_key(app, client, session, monkeypatch):
    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200  # joins the back history: a new value
    assert client.get("/personview/list/").status_code == 200  # that value, checked and kept
    value = signed_in_cookie(client)
    assert value in app.session_interface._checked
    lifetime = app.permanent_session_lifetime.total_seconds()
    with freeze_time(utcnow() + timedelta(seconds=lifetime + 5)):
        with app.test_request_context("/", headers={"Cookie": f"session={value}"}):
            from flask import request

            assert dict(app.session_interface.open_session(app, request)) == {}
    monkeypatch.setattr(app, "secret_key", "another key, the old one no longer trusted")
    response = client.get("/personview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_changed_cookie_is_checked_and_refused(app, client, session):
    login(client, "staff")
    value = signed_in_cookie(client)
    assert client.get("/personview/list/").status_code == 200
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    client.set_cookie("session", forged)
    response = client.get("/personview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert forged not in app.session_interface._checked
