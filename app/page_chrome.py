"""The fixed parts of every page (the head's links and scripts, the dialogs, the footer, the
scripts at the end), drawn once per language and mount point instead of on every request.

They hold about twenty links to static files, a dozen translated texts and, on every script, the
request's Content-Security-Policy nonce. Everything but the nonce depends only on the language and
the application's root path, so each part is rendered once with a mark in place of the nonce, and
each request puts its own nonce in place of the mark. Templates keep their blocks: a page that
overrides one still can, and ``super()`` gives it the kept part.
"""

from threading import Lock

from flask import Flask, current_app, render_template, request
from markupsafe import Markup

from .translations import locale_name

#: stands for the nonce while a part is rendered; a nonce is letters and digits only
NONCE_MARK = "__platform_csp_nonce__"

#: parts kept (a handful per language; the mount point comes from the request, so it is bounded)
MAX_KEPT = 256

_kept: dict = {}
_lock = Lock()


def request_nonce() -> str:
    """This request's CSP nonce (flask-talisman's), or "" when there is none."""
    make_nonce = current_app.jinja_env.globals.get("csp_nonce")
    return make_nonce() if make_nonce is not None else ""


def _render(name: str) -> str:
    from app.extensions import appbuilder

    return render_template(f"platform/chrome/{name}.html", appbuilder=appbuilder, csp_nonce=lambda: NONCE_MARK)


def kept_fragment(name: str) -> Markup:
    """The part ``name`` (``templates/platform/chrome/<name>.html``) with this request's nonce."""
    key = (name, locale_name(), request.script_root)
    html = _kept.get(key)
    if html is None:
        html = _render(name)
        with _lock:
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = html
    # the output of an autoescaping template, with a nonce of letters and digits put in
    return Markup(html.replace(NONCE_MARK, request_nonce()) if NONCE_MARK in html else html)  # noqa: S704


def init_page_chrome(app: Flask) -> None:
    app.jinja_env.globals["kept_fragment"] = kept_fragment
