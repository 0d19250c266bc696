"""The add and edit forms of every register, drawn in Python in one pass.

Flask-AppBuilder draws a form through a template that calls a macro per field (label, required
mark, the field, its help text and its errors) and another for the buttons: a sixth of an edit
form's time. This draws the same HTML: the hidden fields, a table of labelled fields (in fieldsets
when the view has them, each an accordion panel), then the Save and Back buttons. The fields draw
themselves, as WTForms draws them.

One difference: the stock macro put a field's error messages in the page unescaped (Jinja's
``_()`` marks its answer safe); here they are escaped, as every other text of the page is.
"""

from flask_babel import gettext as _
from jinja2 import Undefined
from markupsafe import Markup, escape

from .kept_text import escaped_text
from .list_page import back_button
from .show_page import fieldset_panels, record_table

REQUIRED_MARK = '<strong style="color: red">&#42;</strong>'


def _field(field) -> str:
    """``lib.render_field`` with the form widget's label and field cells."""
    if field.id == "csrf_token" or field.type == "HiddenField":
        return ""
    required = REQUIRED_MARK if field.flags.required else ""
    errors = ""
    if field.errors:
        errors = '<div class="alert alert-danger">{}</div>'.format(
            " ".join(str(escape(_(str(error)))) for error in field.errors)
        )
    return (
        f'<td class="col-lg-2"><label for="{escape(field.id)}" control-label>{escaped_text(field.label.text)}'
        f'{required}</label></td><td>{field()}<span class="help-block">{escaped_text(field.description)}</span>'
        f"{errors}</td>"
    )


def _rows(form, names, exclude: set) -> str:
    return "".join(f"<tr>{_field(form[name])}</tr>" for name in names if name not in exclude)


def _fieldset_table(rows: str) -> str:
    return f'<div class="table-responsive"><table class="table table-responsive table-bordered">{rows}</table></div>'


def draw_form(args: dict) -> Markup:
    """The form from Flask-AppBuilder's form widget arguments (``form``, ``include_cols``,
    ``exclude_cols``, ``fieldsets``, and ``form_action`` when the page gives one)."""
    form = args["form"]
    exclude = set(args.get("exclude_cols") or ())
    action = args.get("form_action")
    if action is None or isinstance(action, Undefined):
        opening = '<form id="model_form" action="" method="post" enctype="multipart/form-data">'
    else:
        opening = f'<form action="{escape(action)}" method="post" enctype="multipart/form-data">'
    fieldsets = args.get("fieldsets")
    if fieldsets:
        body = fieldset_panels(fieldsets, lambda names: _fieldset_table(_rows(form, names, exclude)))
    else:
        names = [name for name in args.get("include_cols") or () if form[name].name not in exclude]
        body = record_table(_rows(form, names, set()))
    save = escape(_("Save"))
    buttons = (
        f'<div class="well well-sm"><button type="submit" class="btn  btn-sm btn-primary">{save} '
        f'<i class="fa fa-save"></i></button>{back_button()}</div>'
    )
    # labels, descriptions, errors and titles went through escape(); the fields drew themselves
    return Markup(f"{opening}{form.hidden_tag()}{body}{buttons}</form>")  # noqa: S704
