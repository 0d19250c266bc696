"""The top bar (menu, language menu, user menu), rendered once per user, permission set and
language rather than on every page.

Drawing the menu costs about a quarter of a list page: every entry is checked against the user's
permissions and translated. What it shows depends only on who asks (their id, name and permission
set), the language and the application's root path, so the rendered HTML is kept under that key.
A change of role or permission changes the permission set, and so the key.
"""

from collections import OrderedDict
from threading import Lock

from flask import Flask, render_template, request
from flask_login import current_user
from markupsafe import Markup

from .translations import locale_name

#: rendered bars kept (one per user, permission set and language in use)
MAX_KEPT = 1024

_kept: OrderedDict = OrderedDict()
_lock = Lock()


def navbar_key() -> tuple:
    from app.extensions import appbuilder

    permissions = appbuilder.sm.requester_permission_key()
    user = current_user if current_user.is_authenticated else None
    return (
        locale_name(),
        request.script_root,
        getattr(user, "id", None),
        user.get_full_name() if user is not None else None,
        permissions,
    )


def platform_navbar() -> Markup:
    """The top bar's HTML for this request."""
    from app.extensions import appbuilder

    key = navbar_key()
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    # the output of an autoescaping template: already safe HTML
    html = Markup(render_template("platform/navbar_body.html", appbuilder=appbuilder))  # noqa: S704
    with _lock:
        _kept[key] = html
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return html


def init_navbar(app: Flask) -> None:
    app.jinja_env.globals["platform_navbar"] = platform_navbar
