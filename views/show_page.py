"""The fields of every record page, with its action buttons, drawn in Python in one pass.

Flask-AppBuilder draws a record's fields through a template that calls a macro per field, and its
single-record actions through another macro each. This draws the same HTML: a table of labels and
formatted, escaped values (in fieldsets when the view has them, each an accordion panel), then the
actions the user may run and the back button. Its dialogs are the page's own (``page_chrome``):
the stock widget drew a second copy of them inside the record.
"""

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.page_chrome import request_nonce

from .kept_text import escaped_labels
from .list_page import back_button, may

FIELD_LABEL = '<th class="col-lg-2 col-md-2 col-sm-2">'


def _field_rows(fields, labels: dict, shown: dict, formatters: dict) -> str:
    parts = []
    escaped = escaped_labels(labels)
    for name in fields:
        formatter = formatters.get(name)
        value = shown.get(name)
        text = escape(formatter(value) if formatter else value)
        label = escaped[name] if name in escaped else escape(labels.get(name))
        parts.append(f'<tr>{FIELD_LABEL}{label}</th><td><span style="white-space: pre-line">{text}</span></td></tr>')
    return "".join(parts)


def record_table(rows: str) -> str:
    """The bordered table of a record's fields."""
    return f'<div class="table-responsive"><table class="table table-bordered">{rows}</table></div>'


def accordion(number: int, title, body: str, expanded: bool) -> str:
    """``lib.accordion_tag``: one fieldset's panel, open or folded, around ``body``."""
    shown = " in" if expanded else ""
    return (
        f'<div class="panel-group" id="{number}"><div class="panel panel-default"><div class="panel-heading">'
        f'<h4 class="panel-title"><a class="accordion-toggle" data-toggle="collapse" data-parent="#{number}" '
        f'href="#{number}_href">{escape(title)}<span class="caret"></span></a></h4></div>'
        f'<div id="{number}_href" class="panel-collapse collapse{shown}"><div class="panel-body">{body}'
        "</div></div></div></div>"
    )


def _action_links(view, actions: dict, pk, nonce: str) -> str:
    """``lib.render_action_links``: a button and a hidden form per single-record action."""
    from flask import current_app
    from flask_wtf.csrf import generate_csrf

    safe_url_for = current_app.jinja_env.filters["safe_url_for"]
    endpoint = f"{view.__class__.__name__}.action"
    parts = []
    for action in actions.values():
        if not (action.single and may(view, action.name)):
            continue
        path = safe_url_for(endpoint, name=action.name, pk=pk)
        if not path:
            continue
        path, name = escape(path), escape(action.name)
        token = f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}"/>'
        button = f"btn-action-{escape(endpoint)}-{name}"
        confirmation = f"'{escape(action.confirmation)}'" if action.confirmation else "false"
        parts.append(
            f'<form id="action_form" action="{path}" method="POST" style="display: none">{token}'
            '<input type="hidden" id="action" name="action" /></form>'
            f'<a id="{button}" href="#" class="btn btn-sm btn-primary"><i class="fa {escape(action.icon)}"></i> '
            f"{escape(_(str(action.text)))}</a>"
            f'<script nonce="{nonce}">document.getElementById("{button}").addEventListener("click", function () {{ '
            f"const adminAction = new AdminActions(); return adminAction.execute_single('{path}',{confirmation}); }})"
            "</script>"
        )
    return "".join(parts)


def fieldset_panels(fieldsets, draw_fields) -> str:
    """One ``accordion`` per fieldset, open unless it says ``expanded: False``, around
    ``draw_fields(its field names)``."""
    parts = []
    for number, (title, options) in enumerate(fieldsets, start=1):
        expanded = True if options.get("expanded") is None else options.get("expanded")
        parts.append(accordion(number, title, draw_fields(options.get("fields")), expanded))
    return "".join(parts)


def draw_show(view, args: dict) -> Markup:
    """The record's fields and buttons for ``view`` from Flask-AppBuilder's show widget arguments."""
    labels, formatters = args["label_columns"], args["formatters_columns"]
    shown = dict(zip(args["include_columns"], args["value_columns"], strict=True))
    fieldsets = args.get("fieldsets")
    if fieldsets:
        body = fieldset_panels(fieldsets, lambda names: record_table(_field_rows(names, labels, shown, formatters)))
    else:
        body = record_table(_field_rows(args["include_columns"], labels, shown, formatters))
    actions = _action_links(view, args.get("actions") or {}, args["pk"], escape(request_nonce()))
    buttons = f'<div class="well well-sm">{actions}{back_button()}</div>'
    # every value above went through escape(); the rest is this module's own markup
    return Markup(body + buttons)  # noqa: S704
