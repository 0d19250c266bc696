"""Error pages in the user's language (JSON under /api/), never a stack trace or SQL."""

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Check the address or the values you entered.")),
    403: (_l("Access denied"), _l("Your role does not allow this. Ask an administrator if you need it.")),
    404: (_l("Not found"), _l("The page or record does not exist, was deleted, or is outside your data scope.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("The record was changed by someone else. Reload it and try again.")),
    413: (_l("Too large"), _l("The upload is larger than allowed.")),
    429: (_l("Too many requests"), _l("Please wait a moment before trying again.")),
    500: (
        _l("Something went wrong"),
        _l("The error has been logged. Nothing you entered was saved; please try again."),
    ),
}
CSRF_TEXT = _l(
    "The form was not sent from this site, or it has expired. Reload the page and submit it again; nothing was saved."
)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    title, text = (str(part) for part in ERROR_TEXTS.get(code, ERROR_TEXTS[500]))
    if isinstance(error, CSRFError):
        text = str(CSRF_TEXT)
    elif code == 400 and error.description and error.description != type(error).description:
        text = str(error.description)  # our own 400s carry a translated explanation
    # the exception's own headers (Allow on a 405, Retry-After on a 429), not its HTML body's type
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if request.path.startswith("/api/"):
        return jsonify(message=text), code, headers
    from .extensions import appbuilder

    page = render_template(
        "platform/error.html",
        code=code,
        title=title,
        text=text,
        base_template=appbuilder.base_template,
        appbuilder=appbuilder,
    )
    return page, code, headers


def register_error_handlers(app: Flask) -> None:
    for code in ERROR_TEXTS:
        app.register_error_handler(code, handle_http_error)

    @app.errorhandler(InternalServerError)
    def handle_server_error(error):
        app.logger.error("Unhandled error on %s: %r", request.path, getattr(error, "original_exception", error))
        from .extensions import db

        db.session.rollback()  # a failed transaction must not break the error page itself
        return handle_http_error(error)
