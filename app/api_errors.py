"""The REST APIs' error answers in the user's language, with one key: ``message``.

Flask-AppBuilder answers a bad request with fixed English texts ("Not found", "Not a valid rison
argument", "Invalid order by column: x", werkzeug's "400 Bad Request: …" for a body that is not
JSON), and flask_jwt_extended answers a missing, expired or wrong token with its own English texts
under the key ``msg``. The platform's own answers are already in the user's language.

- ``translate_api_error`` runs after every ``/api/`` answer of status 400 or more and replaces a
  known English text in its ``message`` (a text, a list or a {field: …} mapping, marshmallow's
  field messages included: ``views.api_messages``) by the user's language; a text it does not know
  is left as it is. Where Flask-AppBuilder's text names a detail (the column of a bad sort, the
  rule a ``q`` argument broke) the detail is kept, under ``detail``.
- ``install_token_answers`` gives flask_jwt_extended answers of its own: the same statuses, the
  text in the user's language under ``message``.
"""

import re

from flask import Flask, Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from views.api_messages import translated

from .errors import ERROR_TEXTS

#: Flask-AppBuilder's fixed English answers (``BaseApi.response_4xx``, ``@rison``, ``@safe``)
FAB_TEXTS = {
    "Arguments are not correct": ERROR_TEXTS[400][1],
    "Could not process entity": _l("The record could not be processed. Check the values sent."),
    "Not authorized": _l("Not signed in, or the username or password is wrong."),
    "Forbidden": ERROR_TEXTS[403][1],
    "Not found": ERROR_TEXTS[404][1],
    "Fatal error": ERROR_TEXTS[500][1],
    "Internal error": ERROR_TEXTS[500][1],
    "Not a valid rison argument": _l("The q argument is not valid Rison."),
    "Not a valid rison/json argument": _l("The q argument is not valid Rison or JSON."),
    "Request is not JSON": _l("Send the body as JSON (Content-Type: application/json)."),
    "Request payload is not JSON": _l("Send the body as JSON (Content-Type: application/json)."),
}
#: Flask-AppBuilder's answers that name a detail: their pattern → the text that replaces them, and
#: the detail kept from the pattern's groups (in the q argument's own terms: col, opr), if any
FAB_PATTERNS = (
    (
        re.compile(r"^Not a valid rison schema (.+)$", re.S),
        _l("The q argument does not fit this API (see detail)."),
        "{0}",
    ),
    (
        re.compile(r"^Invalid order by column: (.+)$"),
        _l("The list can't be sorted by this column (see detail)."),
        "order_column={0}",
    ),
    (
        re.compile(r"^Filter column: (.+) not allowed to filter$"),
        _l("The list can't be filtered by this column (see detail)."),
        "col={0}",
    ),
    (
        re.compile(r"^Filter operation: (.+) not allowed on column: (.+)$"),
        _l("This filter does not exist for this column (see detail)."),
        "col={1} opr={0}",
    ),
    # werkzeug's BadRequest as text, e.g. for a body that is not valid JSON
    (re.compile(r"^400 Bad Request: "), _l("The request body could not be read. Send valid JSON."), None),
)
WRONG_TOKEN_TEXTS = {
    "Only refresh tokens are allowed": _l("This address needs the refresh token, not the access token."),
    "Only non-refresh tokens are allowed": _l("This address needs the access token, not the refresh token."),
}


def translated_error(message) -> tuple[object, str | None]:
    """``message`` in the user's language, and the detail it named (or None)."""
    if isinstance(message, str):
        if message in FAB_TEXTS:
            return str(FAB_TEXTS[message]), None
        for pattern, text, detail in FAB_PATTERNS:
            if found := pattern.match(message):
                return str(text), (detail.format(*found.groups()) if detail else None)
    return translated(message), None


def translate_api_error(response: Response) -> Response:
    """After an ``/api/`` error answer: its known English message in the user's language."""
    if response.status_code < 400 or not response.is_json or not request.path.startswith("/api/"):
        return response
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or "message" not in body:
        return response
    message, detail = translated_error(body["message"])
    if message == body["message"] and detail is None:
        return response
    body["message"] = message
    if detail is not None:
        body.setdefault("detail", detail)
    response.set_data(current_app.json.dumps(body))
    return response


def _token_answer(text, status: int = 401):
    return jsonify(message=str(text)), status


def install_token_answers(jwt_manager) -> None:
    """flask_jwt_extended's answers, with their statuses, in the user's language under ``message``."""
    sign_in_again = _l("The access token is not valid. Sign in again.")
    jwt_manager.unauthorized_loader(
        lambda _error: _token_answer(_l("Sign in first: send the token as 'Authorization: Bearer <token>'."))
    )
    jwt_manager.invalid_token_loader(lambda error: _token_answer(WRONG_TOKEN_TEXTS.get(error, sign_in_again), 422))
    jwt_manager.expired_token_loader(
        lambda _header, _data: _token_answer(_l("The token has expired. Sign in again or refresh it."))
    )
    jwt_manager.revoked_token_loader(lambda _header, _data: _token_answer(sign_in_again))
    jwt_manager.needs_fresh_token_loader(lambda _header, _data: _token_answer(sign_in_again))
    jwt_manager.token_verification_failed_loader(lambda _header, _data: _token_answer(sign_in_again, 400))
    jwt_manager.user_lookup_error_loader(
        lambda _header, _data: _token_answer(
            _l("The token is no longer valid: the account was deactivated or its password changed. Sign in again.")
        )
    )


def install(app: Flask) -> None:
    from .extensions import appbuilder

    app.after_request(translate_api_error)
    install_token_answers(appbuilder.sm.jwt_manager)
