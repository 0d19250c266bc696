"""Translations looked up once per request, not once per string.

A page translates a few hundred strings (menu entries, labels, buttons). flask_babel finds the
catalog for each of them again: the request's context, its locale, the locale's name, a cache
lookup. ``RequestDomain`` remembers the catalog found first on flask_babel's own per-request
namespace, together with the locale it is for, so ``force_locale`` (which swaps the locale for a
block) and ``refresh`` (which drops it) are still obeyed. Lazy strings, ``gettext`` and the
templates' ``_()`` all ask the domain, so all of them use it.
"""

from flask import Flask, g, has_app_context
from flask_babel import Domain


class RequestDomain(Domain):
    """flask_babel's message domain, with the catalog remembered for the request."""

    def get_translations(self):
        space = g.get("_flask_babel") if has_app_context() else None  # flask_babel's per-request namespace
        if space is not None:
            remembered = getattr(space, "platform_translations", None)
            locale = getattr(space, "babel_locale", None)
            if remembered is not None and locale is not None and remembered[0] is locale:
                return remembered[1]
        translations = super().get_translations()
        space = g.get("_flask_babel") if has_app_context() else None
        if space is not None:
            space.platform_translations = (getattr(space, "babel_locale", None), translations)
        return translations


def init_translations(app: Flask) -> None:
    configuration = app.extensions["babel"]
    configuration.instance.domain_instance = RequestDomain(domain=configuration.default_domain)
