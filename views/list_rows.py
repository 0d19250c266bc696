"""The rows of every list page, drawn in Python in one pass.

Flask-AppBuilder draws a list's rows in Jinja: a macro per row for its buttons, a template block
per cell, an inline script per delete button. At 25 rows that is most of a page's time and 60 KB
of mostly whitespace. This draws the same table rows (the same checkbox, buttons, links, titles
and escaped cells) as one string: the links and titles are worked out once per page, and the
delete buttons carry their URL and question as data attributes, which one listener in
``static/js/platform.js`` hands to Flask-AppBuilder's confirmation dialog.
"""

from flask import current_app, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.translations import locale_name

PK = "__pk__"
#: (view, buttons allowed, related-view filters, language, mount point) → the row buttons' HTML
_KEPT_BUTTONS: dict = {}
MAX_KEPT_BUTTONS = 1024


def _row_link(view_name: str, method: str, filters) -> str | None:
    """The link of ``method`` for any row, with ``__pk__`` in place of the row's key (None when
    the endpoint does not exist), carrying the related-view filters as the stock template does."""
    template_filters = current_app.jinja_env.filters
    url = template_filters["safe_url_for"](f"{view_name}.{method}", pk=PK)
    if url and method != "delete":
        url = template_filters["set_link_filters"](url, filters)
    return str(escape(url)) if url else None


def _kept_buttons(view_name: str, filters, can_show: bool, can_edit: bool, can_delete: bool) -> str:
    """``_buttons``, drawn once per view, permissions, related-view filters (which the links
    carry), language and mount point."""
    related = tuple((flt.column_name, str(value)) for flt, value in filters.get_filters_values() if flt.is_related_view)
    key = (view_name, can_show, can_edit, can_delete, related, locale_name(), request.script_root)
    buttons = _KEPT_BUTTONS.get(key)
    if buttons is None:
        if len(_KEPT_BUTTONS) >= MAX_KEPT_BUTTONS:
            _KEPT_BUTTONS.clear()
        buttons = _KEPT_BUTTONS[key] = _buttons(view_name, filters, can_show, can_edit, can_delete)
    return buttons


def _buttons(view_name: str, filters, can_show: bool, can_edit: bool, can_delete: bool) -> str:
    """The row buttons' HTML, with ``__pk__`` for the row's key."""
    links = {
        "show": can_show and _row_link(view_name, "show", filters),
        "edit": can_edit and _row_link(view_name, "edit", filters),
        "delete": can_delete and _row_link(view_name, "delete", filters),
    }
    show_title, show_label = escape(_("Show record")), escape(_("Show"))
    edit_title, edit_label = escape(_("Edit record")), escape(_("Edit"))
    delete_title, delete_label = escape(_("Delete record")), escape(_("Delete"))
    question = escape(_("Are you sure you want to delete this item?"))
    parts = ['<td><center><div class="btn-group btn-group-xs" style="display: flex;">']
    if links["show"]:
        parts.append(
            f'<a href="{links["show"]}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" '
            f'title="{show_title}"><span class="sr-only">{show_label}</span><i class="fa fa-search"></i></a>'
        )
    if links["edit"]:
        parts.append(
            f'<a href="{links["edit"]}" class="btn btn-sm btn-default" data-toggle="tooltip" rel="tooltip" '
            f'title="{edit_title}"><span class="sr-only">{edit_label}</span><i class="fa fa-edit"></i></a>'
        )
    if links["delete"]:
        parts.append(
            f'<a id="btn-delete-{links["delete"]}" href="#" class="btn btn-sm btn-default confirm" rel="tooltip" '
            f'data-delete-url="{links["delete"]}" data-confirmation="{question}" '
            f'title="{delete_title}"><span class="sr-only">{delete_label}</span><i class="fa fa-trash"></i></a>'
        )
    parts.append("</div></center></td>")
    return "".join(parts)


#: value types whose equal values always print alike (unlike Decimal("1.0") and Decimal("1.00"))
REPEATABLE_TYPES = (str, int, bool, type(None))


def _cell(drawn: dict, column: str, formatter, value) -> str:
    """One escaped ``<td>``. Formatters depend only on the value, so each distinct code or text of
    a column, and each related record (the same object on every row that links to it), is
    formatted (translated, masked, named) once per page. Other values are keyed by the object
    itself, kept alive with its cell so that its ``id`` can't be reused within the page."""
    kind = type(value)
    key = (column, kind, value) if kind in REPEATABLE_TYPES else (column, kind, id(value))
    kept = drawn.get(key)
    if kept is None:
        kept = drawn[key] = (value, f"<td>{escape(formatter(value) if formatter else value)}</td>")
    return kept[1]


def _for_page(formatter):
    """A formatter as it applies to every row of this page: one that depends on the requester
    (a mask) says ``for_page`` and is asked once."""
    for_page = getattr(formatter, "for_page", None)
    return for_page() if for_page is not None else formatter


def draw_rows(
    value_columns,
    pks,
    include_columns,
    formatters_columns,
    modelview_name: str,
    filters,
    can_show: bool,
    can_edit: bool,
    can_delete: bool,
    actions,
) -> Markup:
    """The ``<tr>`` of each listed record: its checkbox (when the list has bulk actions), its
    buttons (those the user may use), then each list column, formatted and escaped."""
    buttons = (
        _kept_buttons(modelview_name, filters, can_show, can_edit, can_delete)
        if (can_show or can_edit or can_delete)
        else ""
    )
    cells = [(column, _for_page(formatters_columns.get(column))) for column in include_columns]
    drawn = {}  # (column, value) → its cell: a page repeats its codes (gender, status) on every row
    parts = []
    for values, pk in zip(value_columns, pks, strict=True):
        key = str(escape(pk))
        parts.append("<tr>")
        if actions:
            parts.append(f'<td><input id="{key}" class="action_check" name="rowid" value="{key}" type="checkbox"></td>')
        if buttons:
            parts.append(buttons.replace(PK, key))
        for column, formatter in cells:
            parts.append(_cell(drawn, column, formatter, values[column]))
        parts.append("</tr>")
    # every value above went through escape(); the rest is this module's own markup
    return Markup("".join(parts))  # noqa: S704
