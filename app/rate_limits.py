"""Rate limits on signing in (OWASP ASVS 2.2.1), on the form (``/login/``) and on the REST login
(``/api/v1/security/login``, which also serves ``/refresh``).

``LOGIN_RATE_LIMIT`` attempts per client IP (``10 per minute;100 per hour``); a successful
sign-in or token refresh is not counted. The counters live in ``RATELIMIT_STORAGE_URI``: Redis when ``REDIS_URL``
is set, so every worker shares them, else this process's memory. Over the limit the answer is
429: the error page in the user's language, or JSON under ``/api/``. No other request has a limit,
and no other request asks the limiter.
"""

from functools import partial

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
    blueprints = login_blueprints(appbuilder)
    for blueprint in blueprints:
        limiter.limit(app.config["LOGIN_RATE_LIMIT"], methods=["POST"], exempt_when=_exempt, deduct_when=_counts)(
            blueprint
        )
    signing_in = frozenset(blueprint.name for blueprint in blueprints)
    _ask_limiter_only_when_signing_in(app, limiter, signing_in)


def _ask_limiter_only_when_signing_in(app: Flask, limiter, signing_in: frozenset) -> None:
    """The limiter's three hooks (its check before a request, its headers and deductions after it,
    its clean-up), called for a POST to a sign-in blueprint only: no other request has a limit,
    and the limiter's search for the limits that apply was a twentieth of a signed-in request."""
    check = limiter._check_request_limit
    release = limiter._Limiter__release_context
    finish = next(
        hook
        for hook in app.after_request_funcs.get(None, ())
        if isinstance(hook, partial) and hook.args == (limiter,) and hook.func.__name__.endswith("inject_headers")
    )

    def signing_in_now() -> bool:
        return request.method == "POST" and request.blueprint in signing_in

    def check_sign_in_limits():
        return check() if signing_in_now() else None

    def finish_sign_in(response):
        return finish(response) if signing_in_now() else response

    def release_sign_in(error=None):
        if signing_in_now():
            release(error)

    for hooks, hook, gated in (
        (app.before_request_funcs, check, check_sign_in_limits),
        (app.after_request_funcs, finish, finish_sign_in),
        (app.teardown_request_funcs, release, release_sign_in),
    ):
        registered = hooks[None]
        registered[registered.index(hook)] = gated
