"""Form fields' HTML attributes, written without markupsafe's string formatter.

WTForms writes the attributes of every field (``name="…" id="…" class="…"``) with
``html_params``, which passes each attribute through ``Markup.format``: Python's
``string.Formatter`` over escaped arguments, about 30 function calls per attribute. The person
edit form has about 60 attributes, and they were a seventh of its request. ``html_params`` here
writes the same text with one ``escape`` per key and value (a lazy string, such as a
placeholder, translated and escaped once per language: ``views.kept_text``); ``install`` puts it
where WTForms' and Flask-AppBuilder's widgets look it up. ``tests/test_page_drawing.py`` compares it with
WTForms' own over keys and values of every kind.
"""

import flask_appbuilder.fieldwidgets
import flask_appbuilder.upload
import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

from .kept_text import escaped_text

#: WTForms' own function, kept for the comparison test
wtforms_html_params = wtforms.widgets.core.html_params


def html_params(**kwargs) -> Markup:
    """``wtforms.widgets.html_params``: the attributes sorted by key, ``True`` as a bare attribute,
    ``False`` left out, every key and value escaped (and a quote in a ``Markup`` value too)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{str(escaped_text(value)).replace(chr(34), "&quot;")}"')
    # every key and value above went through escape()
    return Markup(" ".join(params))  # noqa: S704


def install(writer=html_params, assign=setattr) -> None:
    """Use ``writer`` (this module's ``html_params``) where WTForms' widgets and fields and
    Flask-AppBuilder's widgets look it up; ``assign`` sets each (a test passes its monkeypatch's)."""
    for module in (wtforms.widgets.core, wtforms.widgets, flask_appbuilder.fieldwidgets, flask_appbuilder.upload):
        assign(module, "html_params", writer)
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        assign(widget, "html_params", staticmethod(writer))
