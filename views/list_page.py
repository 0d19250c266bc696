"""The list table of every register, with its header bar, drawn in Python in one pass.

Flask-AppBuilder draws the bar above a list (pagination, page size, add, bulk actions, back, record
count) and the table's column headers through a dozen Jinja macros, and builds each of its links
with ``url_for`` over the request's arguments again: about 30 links a page. This draws the same
HTML: the links are the request's path with its arguments, one of them changed, so the path is
worked out once per page. The rows are drawn by ``views.list_rows``.

The permissions are Flask-AppBuilder's template checks (``is_item_visible``,
``get_actions_on_list``), asked of the view itself instead of looking it up by name.
"""

from functools import lru_cache
from math import ceil
from urllib.parse import quote_plus, urlencode

from flask import request, url_for
from flask_appbuilder.const import PERMISSION_PREFIX
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.page_chrome import request_nonce
from app.translations import locale_name

from .kept_text import escaped_labels
from .list_rows import draw_rows

#: ``url_for`` reads these arguments itself instead of putting them in the query string
URL_FOR_KEYWORDS = frozenset({"_anchor", "_method", "_scheme", "_external"})
#: the page sizes offered, as Flask-AppBuilder offers them
PAGE_SIZES = (25, 50, 75, 100)
#: characters werkzeug leaves unquoted in a query string (``werkzeug.urls._urlencode``)
QUERY_SAFE = "!$'()*,/:;?@"


#: (language, mount point) → the back button
_BACK_BUTTONS: dict = {}


def back_button() -> str:
    """``lib.lnk_back``: the button back to the previous page, drawn once per language and
    mount point."""
    key = (locale_name(), request.script_root)
    button = _BACK_BUTTONS.get(key)
    if button is None:
        back = escape(_("Back"))
        button = _BACK_BUTTONS[key] = (
            f'<a href="{escape(url_for("UtilView.back"))}" class="btn btn-sm btn-default" data-toggle="tooltip" '
            f'rel="tooltip" title="{back}"><span class="sr-only">{back}</span><i class="fa fa-arrow-left"></i></a>'
        )
    return button


def may(view, permission: str) -> bool:
    """Flask-AppBuilder's ``is_item_visible`` for ``view``: a ``can_<method>`` or an action name."""
    security = view.appbuilder.sm
    if PERMISSION_PREFIX not in permission and permission in getattr(view, "actions", {}):
        name = view.get_action_permission_name(permission)
        return name in view.base_permissions and security.has_access(name, view.class_permission_name)
    method = permission.split(PERMISSION_PREFIX)[1] if PERMISSION_PREFIX in permission else permission
    name = PERMISSION_PREFIX + view.get_method_permission(method)
    return name in view.base_permissions and security.has_access(name, view.class_permission_name)


class PageLinks:
    """Links to this page with one argument changed, as Flask-AppBuilder's ``link_page``,
    ``link_order`` and ``link_page_size`` filters build them (the first value of each argument)."""

    def __init__(self):
        self.view_args = request.view_args or {}
        self.args = request.args.to_dict()
        plain = not (set(self.args) & (set(self.view_args) | URL_FOR_KEYWORDS))
        self.path = url_for(request.endpoint, **self.view_args) if plain else None
        #: each argument as it appears in a query string, encoded once for the page's 20-odd links
        self.encoded = {key: _query_pair(key, value) for key, value in self.args.items()} if plain else None

    def __call__(self, **changed) -> str:
        """The escaped link with ``changed`` arguments (kept in place, or added at the end)."""
        if self.path is None:
            args = {**self.args, **{key: str(value) for key, value in changed.items()}}
            return str(escape(url_for(request.endpoint, **{**self.view_args, **args})))
        encoded = dict(self.encoded)
        for key, value in changed.items():
            encoded[key] = _query_pair(key, str(value))
        return str(escape(f"{self.path}?{'&'.join(encoded.values())}"))

    def setter(self, key: str):
        """``lambda value: self(**{key: value})`` for the links that differ only in ``key`` (the
        pages, the page sizes): the link around the value is encoded and escaped once."""
        if self.path is None:
            return lambda value: self(**{key: value})
        pairs = list(self.encoded.items())
        at = next((number for number, (name, _pair) in enumerate(pairs) if name == key), len(pairs))
        before = "".join(f"{pair}&" for _name, pair in pairs[:at])
        after = "".join(f"&{pair}" for _name, pair in pairs[at + 1 :])
        head, tail = str(escape(f"{self.path}?{before}{_query_pair(key, '')}")), str(escape(after))
        return lambda value: f"{head}{escape(quote_plus(str(value), safe=QUERY_SAFE))}{tail}"


@lru_cache(maxsize=4096)
def _query_pair(key: str, value: str) -> str:
    """``key=value`` as ``urlencode`` writes it in a query string (the same few pairs come back on
    every list page: kept)."""
    return urlencode(((key, value),), safe=QUERY_SAFE)


def _pagination(links: PageLinks, key: str, page: int, pages: int) -> str:
    """``lib.render_pagination``: first, previous, up to seven pages around this one, next, last."""
    low, high = page - 3, page + 4
    if low < 0:
        high -= low
    if high >= pages:
        low = low - high + pages
    low, high = max(low, 0), min(high, pages)

    link = links.setter(key)

    def item(label: str, target: int | None, active: bool = False) -> str:
        if target is None:
            return f'<li class="{"active" if active else "disabled"}"><a href="#">{label}</a></li>'
        return f'<li><a href="{link(target)}">{label}</a></li>'

    parts = ['<ul class="pagination pagination-sm" style="display:inherit;">']
    parts.append(item("&laquo;", 0 if low > 0 else None))
    parts.append(item("&lt;", page - 1 if page > 0 else None))
    parts.extend(item(str(p + 1), None if p == page else p, active=p == page) for p in range(low, high))
    parts.append(item("&gt;", page + 1 if page + 1 < pages else None))
    parts.append(item("&raquo;", pages - 1 if high < pages else None))
    parts.append("</ul>")
    return "".join(parts)


def _page_sizes(links: PageLinks, key: str, page: int, page_size: int, count: int) -> str:
    """``lib.render_set_page_size``: the page sizes that still reach this page."""
    parts = [
        '<div class="btn-group"><button type="button" class="btn btn-default btn-sm dropdown-toggle" '
        f'data-toggle="dropdown">{escape(_("Page size"))}<span class="caret"></span></button>'
        '<ul class="dropdown-menu" role="menu">'
    ]
    link = links.setter(key)
    for size in PAGE_SIZES:
        if page * size <= count:
            active = ' class="active"' if size == page_size else ""
            parts.append(f'<li{active}><a href="{link(size)}">{size}</a></li>')
    parts.append("</ul></div>")
    return "".join(parts)


def _add_link(view, filters) -> str:
    from flask import current_app

    path = current_app.jinja_env.filters["safe_url_for"](f"{view.__class__.__name__}.add")
    if not path:
        return ""
    path = current_app.jinja_env.filters["set_link_filters"](path, filters)
    return (
        f'<a href="{escape(path)}" class="btn btn-sm btn-primary" data-toggle="tooltip" rel="tooltip" '
        f'title="{escape(_("Add a new record"))}"><span class="sr-only">{escape(_("Add"))}</span>'
        '<i class="fa fa-plus"></i></a>'
    )


def _actions_menu(actions: dict, nonce: str) -> str:
    """``lib.render_actions``: the bulk actions' menu and the script that runs them."""
    if not actions:
        return ""
    entries, handlers = [], []
    for action in actions.values():
        name = escape(action.name)
        entries.append(
            f'<li><a href="#" class="{name}_menu_item"><i class="fa {escape(action.icon)}"></i> '
            f"{escape(_(str(action.text)))}</a></li>"
        )
        arguments = f"'{name}','{escape(action.confirmation)}'" if action.confirmation else f"'{name}', false"
        handlers.append(
            f"$('.{name}_menu_item').on('click', function(){{ return modelActions.execute_multiple({arguments}); }})"
        )
    return (
        '<div class="btn-group"><button type="button" class="btn btn-default btn-sm dropdown-toggle" '
        f'data-toggle="dropdown">{escape(_("Actions"))}<span class="caret"></span></button>'
        f'<ul class="dropdown-menu" role="menu">{"".join(entries)}</ul>'
        f'<script nonce="{nonce}">$(document).ready(function() {{ {" ".join(handlers)} }});</script></div>'
    )


def _header_bar(view, args: dict, links: PageLinks, actions: dict, nonce: str) -> str:
    """``lib.render_list_header``."""
    name = args["modelview_name"]
    page, page_size, count = args["page"] or 0, args["page_size"], args["count"]
    pages = ceil(count / page_size) if page_size else 0
    parts = ['<div class="well well-sm">']
    if pages > 1:
        parts.append(_pagination(links, f"page_{name}", page, pages))
        parts.append(_page_sizes(links, f"psize_{name}", page, page_size, count))
    if may(view, "can_add"):
        parts.append(_add_link(view, args["filters"]))
    parts.append(_actions_menu(actions, nonce))
    parts.append(back_button())
    parts.append(f'<div class="pull-right"><strong>{escape(_("Record Count"))}:</strong> {escape(count)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _column_headers(args: dict, links: PageLinks, actions: dict, buttons: bool) -> str:
    """The ``<thead>``: the select-all box, the buttons' column, then each column, sortable ones
    as links that sort by it (ascending first, then the other way)."""
    name = args["modelview_name"]
    order_key, direction_key = f"_oc_{name}", f"_od_{name}"
    ordered_by, direction = request.args.get(order_key), request.args.get(direction_key)
    parts = ["<thead><tr>"]
    if actions:
        parts.append(
            '<th class="action_checkboxes">'
            '<input id="check_all" class="action_check_all" name="check_all" type="checkbox"></th>'
        )
    if buttons:
        parts.append('<th class="col-md-1 col-lg-1 col-sm-1" ></th>')
    labels, sortable = args["label_columns"], args["order_columns"]
    escaped = escaped_labels(labels)
    for column in args["include_columns"]:
        label = escaped[column] if column in escaped else escape(labels.get(column))
        if column not in sortable:
            parts.append(f"<th>{label}</th>")
            continue
        icon = "fa-arrows-v"
        if ordered_by == column:
            icon = "fa-chevron-up" if direction == "asc" else "fa-chevron-down"
        flipped = "desc" if order_key in links.args and direction == "asc" else "asc"
        href = links(**{order_key: column, direction_key: flipped})
        parts.append(f'<th><a href="{href}">{label} <i class="fa {icon} pull-right"></i></a></th>')
    parts.append("</tr></thead>")
    return "".join(parts)


def _action_form(view, actions: dict) -> str:
    """``lib.action_form``: the hidden form the bulk actions (or the delete buttons) post."""
    from flask_wtf.csrf import generate_csrf

    token = f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}"/>'
    if not actions:
        return f'<form id="delete_form" action="" method="POST" style="display: none">{token}' \
            '<input type="hidden" id="delete" name="delete" /></form>'  # fmt: skip
    from flask import current_app

    path = current_app.jinja_env.filters["safe_url_for"](f"{view.__class__.__name__}.action_post")
    if not path:
        return ""
    return (
        f'<form id="action_form" action="{escape(path)}" method="POST" style="display: none">{token}'
        '<input type="hidden" id="action" name="action" /></form>'
    )


def draw_list(view, args: dict) -> Markup:
    """The whole list widget for ``view`` from Flask-AppBuilder's list widget arguments."""
    name = args["modelview_name"]
    actions = {
        key: action for key, action in (args["actions"] or {}).items() if action.multiple and may(view, action.name)
    }
    can_show, can_edit, can_delete = (may(view, permission) for permission in ("can_show", "can_edit", "can_delete"))
    links = PageLinks()
    nonce = escape(request_nonce())
    parts = [_header_bar(view, args, links, actions, nonce)]
    if args["count"] > 0:
        parts.append('<div class="table-responsive"><table class="table table-bordered table-hover">')
        parts.append(_column_headers(args, links, actions, can_show or can_edit or can_delete))
        parts.append(
            draw_rows(
                args["value_columns"],
                args["pks"],
                args["include_columns"],
                args["formatters_columns"],
                name,
                args["filters"],
                can_show,
                can_edit,
                can_delete,
                actions,
            )
        )
        parts.append("</table></div>")
        parts.append(_action_form(view, actions))
        parts.append(
            f'<script nonce="{nonce}">$(document).ready(function() {{ window.modelActions = new AdminActions(); }});'
            "</script>"
        )
    else:
        parts.append(f"<b>{escape(_('No records found'))}</b>")
    # every value above went through escape(); the rest is this module's own markup
    return Markup("".join(parts))  # noqa: S704
