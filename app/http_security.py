"""HTTP hardening of every request and response.

* Security headers (flask-talisman): a nonce-based Content-Security-Policy, ``nosniff``,
  ``X-Frame-Options: DENY``, a Referrer-Policy, a Permissions-Policy; HTTPS is forced only
  when ``FORCE_HTTPS`` is set (the reverse proxy normally does it).
* State-changing API calls need a bearer token: the API is exempt from the forms' CSRF
  check, so a browser's session cookie must never be enough to change data through it.
* GET never changes state: Flask-AppBuilder's delete and action routes answer GET with 405
  (its unused file-column download route answers 404).
* List parameters are checked before Flask-AppBuilder reads them (``views.list_args``).
"""

from flask import Flask, abort, jsonify, request
from flask_babel import gettext as _
from flask_talisman import Talisman
from flask_talisman.talisman import NONCE_LENGTH, get_random_string

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
#: API endpoints that are reached without an access token (they hand one out)
TOKENLESS_API_ENDPOINTS = {"SecurityApi.login"}
#: methods of Flask-AppBuilder's views that change data and also listen to GET
MUTATING_METHODS = ("delete", "action")
#: Flask-AppBuilder's file-column download on every model view: no model has a file column
UNUSED_METHODS = ("download",)

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",  # + the request's nonce
    "style-src": "'self'",
    # Flask-AppBuilder's templates and select2/ECharts' generated markup carry style="" attributes;
    # attributes can't load scripts or read the page, <style> elements stay refused
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "browsing-topics": "()",
}
REFERRER_POLICY = "same-origin"
EXTRA_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


#: stands for the request's nonce in a policy's text worked out once
NONCE_MARK = "\0nonce\0"


class PlatformTalisman(Talisman):
    """flask-talisman whose nonce is also made on demand: a page rendered after an earlier
    before_request refused the request (a CSRF error page) still gets working scripts.

    It writes the same headers with less work per request: the view's options are worked out
    once per request (flask-talisman did it four times), and a policy's text once per policy,
    with only the nonce put in per request (flask-talisman joined every directive anew, asking
    the request for its nonce at each). A policy is read when first used: give a view another
    policy object rather than change one in place."""

    def __init__(self, *args, **kwargs):
        #: (policy, nonce directives) → the policy's text with NONCE_MARK for the nonce
        self._policy_texts = {}
        super().__init__(*args, **kwargs)

    def _get_nonce(self):
        if not getattr(request, "csp_nonce", None):
            request.csp_nonce = get_random_string(NONCE_LENGTH)
        return request.csp_nonce

    def _get_local_options(self):
        options = getattr(request, "talisman_options", None)
        if options is None:
            options = request.talisman_options = super()._get_local_options()
        return options

    def _force_https(self):
        if not (self._get_local_options()["force_https"] or self.session_cookie_secure):
            return None  # flask-talisman would look at the request's scheme first, for nothing
        return super()._force_https()

    def _parse_policy(self, policy):
        nonce_in = self._get_local_options()["content_security_policy_nonce_in"] or ()
        key = (id(policy), tuple(nonce_in))
        kept = self._policy_texts.get(key)
        if kept is None or kept[0] is not policy:
            with_mark = _policy_with_mark(self, policy)
            kept = self._policy_texts[key] = (policy, with_mark)
        if hasattr(request, "csp_nonce"):
            return kept[1].replace(NONCE_MARK, request.csp_nonce)
        return kept[1].replace(" 'nonce-" + NONCE_MARK + "'", "")

    def _parse_structured_header_policy(self, policy):
        if isinstance(policy, str):
            return policy
        key = (id(policy), "structured")
        kept = self._policy_texts.get(key)
        if kept is None or kept[0] is not policy:
            kept = self._policy_texts[key] = (policy, super()._parse_structured_header_policy(policy))
        return kept[1]


def _policy_with_mark(talisman: Talisman, policy) -> str:
    """flask-talisman's text of ``policy``, as it writes it for a request whose nonce is NONCE_MARK."""
    current = request._get_current_object()
    missing = object()
    saved = vars(current).get("csp_nonce", missing)
    current.csp_nonce = NONCE_MARK
    try:
        return Talisman._parse_policy(talisman, policy)
    finally:
        if saved is missing:
            del current.csp_nonce
        else:
            current.csp_nonce = saved


def bearer_required_message() -> str:
    return _(
        "Changing data through the API needs an access token: send it as "
        '"Authorization: Bearer <token>" (from /api/v1/security/login). A browser session is not accepted.'
    )


def refuse_cookie_api_writes():
    """before_request: a state-changing API call without a bearer token is refused (401)."""
    if request.method in SAFE_METHODS or not request.path.startswith("/api/"):
        return None
    if request.endpoint in TOKENLESS_API_ENDPOINTS:
        return None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return None
    response = jsonify(message=bearer_required_message())
    response.status_code = 401
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def refuse_mutating_get():
    """before_request: Flask-AppBuilder's delete and action routes accept POST only; its unused
    file download answers 404."""
    _view, _sep, method = (request.endpoint or "").partition(".")
    if method in UNUSED_METHODS:
        abort(404)
    if request.method in ("GET", "HEAD") and method in MUTATING_METHODS:
        abort(405, valid_methods=["POST"])
    return None


def add_extra_headers(response):
    for name, value in EXTRA_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask) -> None:
    """Headers on every response, and the request checks, before any view runs."""
    from views.list_args import refuse_bad_list_args

    app.extensions["talisman"] = PlatformTalisman(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS")),
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        permissions_policy=PERMISSIONS_POLICY,
        referrer_policy=REFERRER_POLICY,
        # the session cookie's flags are the configuration's (SESSION_COOKIE_*), not talisman's
        session_cookie_secure=False,
        session_cookie_http_only=bool(app.config.get("SESSION_COOKIE_HTTPONLY", True)),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE"),
    )
    app.before_request(refuse_cookie_api_writes)
    app.before_request(refuse_mutating_get)
    app.before_request(refuse_bad_list_args)
    app.after_request(add_extra_headers)
