"""Lazy strings translated and escaped once per language, kept for every page that shows them.

A view's labels, titles, help texts and placeholders are lazy strings, made once with the view.
Translating one costs some 30 calls through flask_babel, and a page shows dozens of them, the
same ones on every request: each is translated and escaped once per language instead.
"""

from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from app.translations import locale_name

#: (a view's label dict, language) → (that dict, its labels translated and escaped)
_KEPT_LABELS: dict = {}


def escaped_labels(labels: dict) -> dict:
    """A view's field labels in the request's language, escaped, worked out once per language:
    each is a lazy string, and translating one costs some 30 calls through flask_babel."""
    key = (id(labels), locale_name())
    kept = _KEPT_LABELS.get(key)
    if kept is None or kept[0] is not labels:
        kept = _KEPT_LABELS[key] = (labels, {name: escape(label) for name, label in labels.items()})
    return kept[1]


#: (a lazy string's id, language) → (that string, its text escaped); emptied when it reaches
#: MAX_KEPT_TEXTS, in case some code makes lazy strings per request
_KEPT_TEXTS: dict = {}
MAX_KEPT_TEXTS = 4096


def escaped_text(text) -> Markup:
    """``escape(text)``; a lazy string (a form field's label or help text, made once with its view)
    is translated and escaped once per language instead of on every page that shows it."""
    if not isinstance(text, LazyString):
        return escape(text)
    key = (id(text), locale_name())
    kept = _KEPT_TEXTS.get(key)
    if kept is None or kept[0] is not text:
        if len(_KEPT_TEXTS) >= MAX_KEPT_TEXTS:
            _KEPT_TEXTS.clear()
        kept = _KEPT_TEXTS[key] = (text, escape(text))
    return kept[1]
