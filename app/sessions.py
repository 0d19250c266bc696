"""Session rules (OWASP ASVS 3): idle timeout, ending other sessions, and no caching of personal pages.

* A signed-in session ends after ``SESSION_IDLE_MINUTES`` (30) without a request.
* Each user has a ``session_generation``; a session (and a JWT) carries the generation it was
  issued under and stops working once the user's changes. A password change or a deactivation
  bumps it, so the user's other sessions and tokens end; the session that changed its own
  password is moved to the new generation and stays signed in. The check reads the user row that
  every request loads anyway, so it costs no query.
* Every response to a signed-in request (session or bearer token), and the login page, carries
  ``Cache-Control: no-store``.
* The session cookie is sent again only when the session changed: the last-seen time is written
  at most once a minute, and Flask-AppBuilder's back history (``page_history``) only when a
  page adds to it. Flask-AppBuilder wrote the history on every list and record page, so each
  answer re-signed and re-sent the cookie, a page reloaded or polled included.
"""

import time

from flask import Flask, current_app, flash, g, has_request_context, request, session
from flask_appbuilder.baseviews import BaseView
from flask_appbuilder.urltools import Stack
from flask_babel import gettext as _
from flask_login import user_logged_in
from sqlalchemy import event
from sqlalchemy.orm.base import NO_VALUE

GENERATION_KEY = "_session_generation"
SEEN_KEY = "_seen"
#: the last-seen time is written back at most this often (seconds), so not every response sets a cookie
SEEN_RESOLUTION = 60
FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id")
GENERATION_CLAIM = "gen"


# ----- the generation -----------------------------------------------------------------
def bump_generation(user) -> None:
    """End the user's sessions and tokens issued so far."""
    user.session_generation = (user.session_generation or 0) + 1


def _on_password_set(user, value, oldvalue, _initiator):
    if oldvalue is not NO_VALUE and value != oldvalue:
        bump_generation(user)


def _on_active_set(user, value, oldvalue, _initiator):
    if oldvalue is not NO_VALUE and oldvalue and not value:
        bump_generation(user)


def session_is_current(user) -> bool:
    """Whether this request's session was issued under the user's present generation."""
    if not has_request_context():
        return True
    return session.get(GENERATION_KEY, 0) == (user.session_generation or 0)


def token_is_current(user, jwt_data: dict) -> bool:
    """Whether a JWT was issued under the user's present generation."""
    return jwt_data.get(GENERATION_CLAIM, 0) == (user.session_generation or 0)


def keep_own_session(user) -> None:
    """The session that changed the user's password follows them to the new generation."""
    if has_request_context() and session.get("_user_id") == str(user.id):
        session[GENERATION_KEY] = user.session_generation or 0


def end_session() -> None:
    """Sign the requester out without loading their user (the idle timeout, a stale generation)."""
    for key in (*FLASK_LOGIN_KEYS, GENERATION_KEY, SEEN_KEY):
        session.pop(key, None)
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"
    g.pop("_login_user", None)


# ----- request hooks ----------------------------------------------------------------
def _remember_login(_app, user, **_extra) -> None:
    session[GENERATION_KEY] = user.session_generation or 0
    session[SEEN_KEY] = int(time.time())


def enforce_idle_timeout() -> None:
    """before_request: end a signed-in session idle for longer than ``SESSION_IDLE_MINUTES``."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    seen = seen if isinstance(seen, int) else None
    idle = int(current_app.config.get("SESSION_IDLE_MINUTES", 30)) * 60
    if idle > 0 and (seen is None or now - seen > idle):
        end_session()
        if not request.path.startswith("/api/"):
            minutes = idle // 60
            flash(_("You were signed out after %(minutes)d minutes without activity.", minutes=minutes), "info")
    elif seen is None or now - seen >= SEEN_RESOLUTION:
        session[SEEN_KEY] = now


PAGE_HISTORY_KEY = "page_history"


def remember_page(view) -> None:
    """Flask-AppBuilder's ``BaseView.update_redirect`` (the pages "back" and a saved form return
    to), with the history written to the session only when this page changes it."""
    history = list(session.get(PAGE_HISTORY_KEY, []))
    stack = Stack(list(history))
    stack.push(request.url)
    if stack.to_json() != history:
        session[PAGE_HISTORY_KEY] = stack.to_json()


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def forbid_caching(response):
    """after_request: ``Cache-Control: no-store`` on the login page and on signed-in responses."""
    if _is_static():
        return response
    signed_in = "_user_id" in session or request.headers.get("Authorization", "").startswith("Bearer ")
    auth_view = current_app.appbuilder.sm.auth_view
    login_page = auth_view is not None and request.endpoint == f"{auth_view.endpoint}.login"
    if signed_in or login_page:
        cache_control = response.headers.get("Cache-Control", "")
        if "no-store" not in cache_control:
            response.headers["Cache-Control"] = "no-store"
    return response


def _add_generation_claim(identity) -> dict:
    """JWTs carry the user's generation, so a password change or deactivation ends them too."""
    from .extensions import appbuilder

    user = appbuilder.sm.get_user_by_id(int(identity))
    return {GENERATION_CLAIM: (user.session_generation or 0) if user is not None else 0}


def install(app: Flask) -> None:
    """Register the session hooks on the app and the generation bumps on the user model."""
    from models import PlatformUser

    from .extensions import appbuilder

    if not event.contains(PlatformUser.password, "set", _on_password_set):
        event.listen(PlatformUser.password, "set", _on_password_set)
        event.listen(PlatformUser.active, "set", _on_active_set)
    user_logged_in.connect(_remember_login, app)
    BaseView.update_redirect = remember_page
    app.before_request(enforce_idle_timeout)
    app.after_request(forbid_caching)
    appbuilder.sm.jwt_manager.additional_claims_loader(_add_generation_claim)
