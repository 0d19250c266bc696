"""Translations looked up once per request, not once per string.

A page translates a few hundred strings (menu entries, labels, buttons). flask_babel finds the
catalog for each of them again: the request's context, its locale, the locale's name, a cache
lookup. ``RequestDomain`` remembers the catalog found first on flask_babel's own per-request
namespace, together with the locale it is for, so ``force_locale`` (which swaps the locale for a
block) and ``refresh`` (which drops it) are still obeyed. Lazy strings, ``gettext`` and the
templates' ``_()`` all ask the domain, so all of them use it.

flask_babel finds that namespace (``_get_current_context``) through three lookups of the ``g``
proxy, for every string and every ``get_locale()``: some 75 times a list page.
``babel_namespace`` reads it from the application context directly, and stands in for it.

WTForms' own messages ("This field is required." and the like) come from its catalog, which
Flask-WTF reads from disk and parses again for every request that builds a form (an edit form,
a search form). ``PlatformRequest`` hands Flask-WTF the catalog of the request's locale read
once per worker, through the request attribute Flask-WTF looks for first.
"""

from functools import cache, cached_property
from types import SimpleNamespace

import flask_babel
from babel import support
from flask import Flask, Request
from flask.globals import _cv_app
from flask_babel import Domain, get_locale
from wtforms.i18n import messages_path

#: flask_babel's own lookup, which ``babel_namespace`` replaces (kept for the tests' comparison)
FLASK_BABEL_CONTEXT = flask_babel._get_current_context


def babel_namespace() -> SimpleNamespace | None:
    """flask_babel's per-request namespace (``g._flask_babel``, made on first use), or None
    outside an application context: what ``flask_babel._get_current_context`` answers."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    space = app_context.g.__dict__.get("_flask_babel")
    if space is None:
        space = app_context.g._flask_babel = SimpleNamespace()
    return space


def locale_name() -> str:
    """``str(get_locale())``, worked out once per request and locale: the language part of the
    keys under which translated parts are kept, asked dozens of times a page (Babel builds the
    name anew each time). ``force_locale`` swaps the locale object, so it is obeyed."""
    locale = get_locale()
    space = babel_namespace()
    if space is None or locale is None:
        return str(locale)
    named = getattr(space, "platform_locale_name", None)
    if named is None or named[0] is not locale:
        named = space.platform_locale_name = (locale, str(locale))
    return named[1]


class RequestDomain(Domain):
    """flask_babel's message domain, with the catalog remembered for the request."""

    def get_translations(self):
        space = babel_namespace()
        if space is not None:
            remembered = getattr(space, "platform_translations", None)
            locale = getattr(space, "babel_locale", None)
            if remembered is not None and locale is not None and remembered[0] is locale:
                return remembered[1]
        translations = super().get_translations()
        space = babel_namespace()
        if space is not None:
            space.platform_translations = (getattr(space, "babel_locale", None), translations)
        return translations


@cache
def wtforms_catalog(locale: str) -> support.Translations:
    """WTForms' catalog for ``locale``, as Flask-WTF loads it (``flask_wtf.i18n``), once per worker."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class PlatformRequest(Request):
    """Flask's request, whose ``wtforms_translations`` (read by Flask-WTF) is the kept catalog."""

    @cached_property
    def wtforms_translations(self) -> support.Translations:
        return wtforms_catalog(locale_name())


def init_translations(app: Flask) -> None:
    flask_babel._get_current_context = babel_namespace
    configuration = app.extensions["babel"]
    configuration.instance.domain_instance = RequestDomain(domain=configuration.default_domain)
    app.request_class = PlatformRequest
