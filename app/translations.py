"""Translations looked up once per request, not once per string.

A page translates a few hundred strings (menu entries, labels, buttons). flask_babel finds the
catalog for each of them again: the request's context, its locale, the locale's name, a cache
lookup. Here the catalog found first is remembered on flask_babel's own per-request namespace,
together with the locale it is for, so ``force_locale`` (which swaps the locale for a block) and
``refresh`` (which drops it) are still obeyed.
"""

from flask import Flask, g, has_app_context
from flask_babel import Domain, get_translations


def request_translations():
    """The catalog for the current locale, remembered for the request."""
    space = g.get("_flask_babel") if has_app_context() else None  # flask_babel's per-request namespace
    if space is not None:
        remembered = getattr(space, "platform_translations", None)
        locale = getattr(space, "babel_locale", None)
        if remembered is not None and locale is not None and remembered[0] is locale:
            return remembered[1]
    translations = get_translations()
    space = g.get("_flask_babel") if has_app_context() else None
    if space is not None:
        space.platform_translations = (getattr(space, "babel_locale", None), translations)
    return translations


class RequestDomain(Domain):
    """flask_babel's message domain, with the catalog remembered for the request."""

    def get_translations(self):
        if not has_app_context():
            return super().get_translations()
        space = g.get("_flask_babel")
        remembered = getattr(space, "platform_domain_translations", None) if space is not None else None
        locale = getattr(space, "babel_locale", None) if space is not None else None
        if remembered is not None and locale is not None and remembered[0] is locale:
            return remembered[1]
        translations = super().get_translations()
        space = g.get("_flask_babel")
        if space is not None:
            space.platform_domain_translations = (getattr(space, "babel_locale", None), translations)
        return translations


def init_translations(app: Flask) -> None:
    """Use the remembering domain for lazy strings and gettext, and in the templates."""
    configuration = app.extensions["babel"]
    configuration.instance.domain_instance = RequestDomain(domain=configuration.default_domain)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
