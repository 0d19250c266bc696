"""Form fields' HTML attributes, written without markupsafe's string formatter.

WTForms writes the attributes of every field (``name="…" id="…" class="…"``) with
``html_params``, which passes each attribute through ``Markup.format``: Python's
``string.Formatter`` over escaped arguments, about 30 function calls per attribute. The person
edit form has about 60 attributes, and they were a seventh of its request. ``html_params`` here
writes the same text with one ``escape`` per key and value (a lazy string, such as a
placeholder, translated and escaped once per language: ``views.kept_text``); ``install`` puts it
where WTForms' and Flask-AppBuilder's widgets look it up, and makes ``dir()`` of a field's flags
list just its flags (``_set_flags``). ``tests/test_page_drawing.py`` compares both with WTForms'
own over keys and values of every kind and over every form.
"""

import flask_appbuilder.fieldwidgets
import flask_appbuilder.upload
import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.fields.core import Flags
from wtforms.widgets.core import clean_key

from .kept_text import escaped_text

#: WTForms' own function, kept for the comparison test
wtforms_html_params = wtforms.widgets.core.html_params


#: an attribute's name (``class_``, ``data_toggle``) → as written (``class``, ``data-toggle``), escaped
_KEY_TEXTS: dict = {}
MAX_KEY_TEXTS = 1024


def _key_text(key: str) -> str:
    text = _KEY_TEXTS.get(key)
    if text is None:
        if len(_KEY_TEXTS) >= MAX_KEY_TEXTS:
            _KEY_TEXTS.clear()
        text = _KEY_TEXTS[key] = str(escape(clean_key(key)))
    return text


def html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params``: the attributes sorted by key, ``True`` as a bare attribute,
    ``False`` left out, every key and value escaped (and a quote in a ``Markup`` value too). The
    few attribute names are written once; a plain text value is escaped, quotes included, with
    nothing more to do."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_key_text(key))
        elif value is not False:
            text = escape(value) if type(value) is str else str(escaped_text(value)).replace('"', "&quot;")
            params.append(f'{_key_text(key)}="{text}"')
    # every key and value above went through escape()
    return Markup(" ".join(params))  # noqa: S704


def _set_flags(flags) -> list:
    """``dir()`` of a field's ``Flags``: the flags set on it. WTForms' widgets look for their
    validation attributes (``required``, ``maxlength``) in ``dir(field.flags)``, and listing the
    thirty names every object has took a third of drawing a text field."""
    return list(vars(flags))


def install(writer=html_params, assign=setattr) -> None:
    """Use ``writer`` (this module's ``html_params``) where WTForms' widgets and fields and
    Flask-AppBuilder's widgets look it up; ``assign`` sets each (a test passes its monkeypatch's)."""
    for module in (wtforms.widgets.core, wtforms.widgets, flask_appbuilder.fieldwidgets, flask_appbuilder.upload):
        assign(module, "html_params", writer)
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        assign(widget, "html_params", staticmethod(writer))
    assign(Flags, "__dir__", _set_flags)
