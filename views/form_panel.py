"""What surrounds every add and edit form, drawn in Python: the panel with the form's title and,
on an edit page, the (hidden) tab list of its related views.

Flask-AppBuilder draws it with its add and edit templates (``appbuilder/general/model/edit.html``):
two macros and a tab list. The same HTML is drawn here, with the title (kept per language,
``escaped_text``) and the form put in on each request; an edit page with related views is left to
the stock template. ``tests/test_form_panel.py`` compares every add and edit page with the stock
templates'.
"""

from flask import Flask
from flask_babel import gettext as _
from jinja2 import Undefined
from markupsafe import Markup, escape

from .kept_text import escaped_text


def _panel(title, extra_class: str, body: str) -> Markup:
    """``lib.panel_begin(title, extra_class)`` … ``lib.panel_end()``."""
    # the body is HTML the widgets escaped; the title went through escape()
    return Markup(  # noqa: S704
        f'<div class="panel panel-primary {extra_class}"><div class="panel-heading"><h4 class="panel-title">'
        f'{escaped_text(title)}</h4></div><div class="panel-body">{body}</div></div>'
    )


def _form(widgets, name: str, form_action) -> str:
    """The form widget, given the page's ``form_action`` only when the page has one (a widget's
    template tells an undefined action from any value)."""
    widget = widgets.get(name)
    return str(
        widget() if form_action is None or isinstance(form_action, Undefined) else widget(form_action=form_action)
    )


def draw_edit_panel(title, widgets, form_action) -> Markup:
    """The content of an edit page of a view without related views: the panel, the tab list the
    stock template hides when there are no related views, and the form."""
    return _panel(
        title,
        "edit",
        f'<ul class="nav nav-tabs" style="display: none;"><li class="active"><a href="#Home" data-toggle="tab">'
        f'{escape(_("Detail"))}</a></li></ul><div class="tab-content"><div id="Home" class="tab-pane active">'
        f"{_form(widgets, 'edit', form_action)}</div></div>",
    )


def draw_add_panel(title, widgets, form_action) -> Markup:
    """The content of an add page: the panel and the form."""
    return _panel(title, "", _form(widgets, "add", form_action))


def install(app: Flask) -> None:
    app.jinja_env.globals["edit_panel"] = draw_edit_panel
    app.jinja_env.globals["add_panel"] = draw_add_panel
