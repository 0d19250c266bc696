"""A session's signed CSRF token, signed once a minute per worker instead of on every page.

Flask-WTF signs the session's raw CSRF token, with the time, on every request that draws a form
or the top bar's sign-out form (itsdangerous: a key derived, JSON, base64, HMAC): a thirtieth of
a record page. A signed token is valid for ``WTF_CSRF_TIME_LIMIT`` (an hour) from its signing, so
one signed up to ``KEEP_SECONDS`` earlier serves as well, and expires at most that much sooner
(never more than a sixtieth of the time limit: a shorter limit keeps tokens for less).
A kept token is handed only to the session whose raw token it signs, under the same secret key.
"""

import time

import flask_wtf.csrf
from flask import Flask, current_app, g, session

KEEP_SECONDS = 60
#: sessions kept per worker; a full table starts again
MAX_KEPT = 4096

_sign = flask_wtf.csrf.generate_csrf
_kept: dict = {}


def generate_csrf(secret_key=None, token_key=None):
    """Flask-WTF's ``generate_csrf``, answered from the token this worker last signed for the
    session when that is less than ``KEEP_SECONDS`` old."""
    field_name = token_key or current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field_name in g:
        return g.get(field_name)
    secret = secret_key or current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    now = time.monotonic()
    raw = session.get(field_name)
    if isinstance(raw, str):
        kept = _kept.get((secret, field_name, raw))
        if kept is not None and now - kept[1] < keep_seconds():
            setattr(g, field_name, kept[0])
            return kept[0]
    token = _sign(secret_key, token_key)
    if len(_kept) >= MAX_KEPT:
        _kept.clear()
    _kept[(secret, field_name, session.get(field_name))] = (token, now)
    return token


def keep_seconds() -> float:
    """How long a signed token is kept: ``KEEP_SECONDS``, at most a sixtieth of
    ``WTF_CSRF_TIME_LIMIT`` (Flask-WTF's default: an hour; None: no limit)."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    return KEEP_SECONDS if limit is None else min(KEEP_SECONDS, limit / 60)


def install(app: Flask) -> None:
    """Forms (Flask-WTF looks ``generate_csrf`` up in its module) and templates' ``csrf_token()``."""
    flask_wtf.csrf.generate_csrf = generate_csrf
    app.jinja_env.globals["csrf_token"] = generate_csrf
