"""What surrounds every register's list, drawn in Python: the panel with the list's title, the
search accordion, and the export buttons above the list.

Flask-AppBuilder draws it with its list template (``appbuilder/general/model/list.html``): two
macros, a ``{% call %}`` block and the platform's export block (two ``url_for`` and three
translations), a twentieth of a list page. The same HTML is drawn here: the fixed parts once per
view, language and mount point; the title (kept per language, ``escaped_text``), the request's
query string on the export links, the search form and the list are put in on each request.
"""

from flask import Flask, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.translations import locale_name

from .kept_text import escaped_text

#: (view, language, mount point) → the fixed parts (the mount point comes from the request, so
#: the table is bounded, as ``app.page_chrome``'s)
_KEPT: dict = {}
MAX_KEPT = 256


def _fixed_parts(view_name: str) -> tuple:
    """The search accordion's opening and closing, and the export buttons split where the
    request's query string goes: ``lib.accordion_tag`` and ``platform/list.html``'s buttons."""
    search_open = (
        '<div class="panel-group" id="accordion1"><div class="panel panel-default"><div class="panel-heading">'
        '<h4 class="panel-title"><a class="accordion-toggle" data-toggle="collapse" data-parent="#accordion1" '
        f'href="#accordion1_href">{escape(_("Search"))}<span class="caret"></span></a></h4></div>'
        '<div id="accordion1_href" class="panel-collapse collapse"><div class="panel-body">'
    )
    csv_url = escape(url_for(f"{view_name}.export", fmt="csv"))
    xlsx_url = escape(url_for(f"{view_name}.export", fmt="xlsx"))
    export_open = (
        f'</div></div></div></div><div class="list-export btn-group" role="group" aria-label="{escape(_("Export"))}">'
        f'<a class="btn btn-sm btn-default" href="{csv_url}'
    )
    between = (
        f'"><i class="fa fa-download"></i> {escape(_("Export CSV"))}</a>'
        f'<a class="btn btn-sm btn-default" href="{xlsx_url}'
    )
    export_close = f'"><i class="fa fa-file-excel-o"></i> {escape(_("Export XLSX"))}</a></div><div>'
    return search_open, export_open, between, export_close


def draw_list_panel(title, widgets) -> Markup:
    """The content of a register's list page: the panel, the search accordion, the export buttons
    (carrying the request's filters, search and order) and the list."""
    view_name = request.endpoint.split(".")[0]
    key = (view_name, locale_name(), request.script_root)
    parts = _KEPT.get(key)
    if parts is None:
        if len(_KEPT) >= MAX_KEPT:
            _KEPT.clear()
        parts = _KEPT[key] = _fixed_parts(view_name)
    search_open, export_open, between, export_close = parts
    query = request.query_string.decode()
    on_export = escape("?" + query) if query else ""
    html = "".join(
        (
            '<div class="panel panel-primary "><div class="panel-heading"><h4 class="panel-title">',
            escaped_text(title),
            '</h4></div><div class="panel-body">',
            search_open,
            widgets.get("search")(),
            export_open,
            on_export,
            between,
            on_export,
            export_close,
            widgets.get("list")(),
            "</div></div></div>",
        )
    )
    # the widgets' output is HTML they escaped; every other value went through escape()
    return Markup(html)  # noqa: S704


def install(app: Flask) -> None:
    app.jinja_env.globals["list_panel"] = draw_list_panel
