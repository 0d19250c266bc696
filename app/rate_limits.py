"""Rate limits on signing in (OWASP ASVS 2.2.1), on the form (``/login/``) and on the REST login
(``/api/v1/security/login``, which also serves ``/refresh``).

``LOGIN_RATE_LIMIT`` attempts per client IP (``10 per minute;100 per hour``); a successful
sign-in or token refresh is not counted. The counters live in ``RATELIMIT_STORAGE_URI``: Redis when ``REDIS_URL``
is set, so every worker shares them, else this process's memory. Over the limit the answer is
429: the error page in the user's language, or JSON under ``/api/``.
"""

from flask import Flask, current_app, g, request

#: Flask-AppBuilder's token refresh (``SecurityApi.refresh``)
REFRESH_ENDPOINT = "SecurityApi.refresh"


def _exempt() -> bool:
    return not current_app.config.get("LOGIN_RATE_LIMITED", True)


def _counts(response) -> bool:
    """Every attempt counts except one that signed somebody in, or a token refresh that worked
    (it proves a valid refresh token: API clients behind one proxy address refresh often)."""
    if g.get("login_succeeded", False):
        return False
    return not (request.endpoint == REFRESH_ENDPOINT and response.status_code == 200)


def _forget_last_login() -> None:
    g.pop("login_succeeded", None)


def login_blueprints(appbuilder) -> list:
    """The blueprints of the sign-in form and of the security API."""
    from flask_appbuilder.security.api import SecurityApi

    blueprints = [view.blueprint for view in appbuilder.baseviews if isinstance(view, SecurityApi)]
    if appbuilder.sm.auth_view is not None:
        blueprints.append(appbuilder.sm.auth_view.blueprint)
    return blueprints


def init_login_rate_limits(app: Flask) -> None:
    """Apply ``LOGIN_RATE_LIMIT`` to POSTs on every sign-in endpoint."""
    from .extensions import appbuilder

    limiter = appbuilder.sm.limiter
    app.before_request(_forget_last_login)
    for blueprint in login_blueprints(appbuilder):
        limiter.limit(app.config["LOGIN_RATE_LIMIT"], methods=["POST"], exempt_when=_exempt, deduct_when=_counts)(
            blueprint
        )
