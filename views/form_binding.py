"""Form fields bound once per form field and language, copied for each request's form.

Every request that shows or takes a form (an edit form, an add form, a login) binds each of the
form's fields anew: WTForms runs the field class's whole constructor (its label, flags,
validators, widget, options) for values that never change between requests. An edit form binds
sixteen fields, a tenth of its request. ``KeptFieldsMeta.bind_field``, WTForms' own hook for how
fields are bound, binds a field once per language and gives each form a copy: the same attributes,
with the form's own ``meta``, ``_form`` and flags. The form then fills in its data as usual
(``process``), on its copies only.

A field class that holds other fields or forms (a ``FormField``, a ``FieldList``), or state of
its form (the CSRF token), is bound as before.
"""

from flask_appbuilder.forms import DynamicForm
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import Flags
from wtforms.meta import DefaultMeta

from app.translations import locale_name

#: bound every time: they hold fields, forms or their form's state
BOUND_EACH_TIME = (CSRFTokenField, FieldList, FormField)
#: (unbound field, its name, prefix, language) → the field bound once; emptied at MAX_KEPT_FIELDS
_KEPT_FIELDS: dict = {}
MAX_KEPT_FIELDS = 4096


def copied_field(kept, form):
    """A copy of the bound field ``kept`` for ``form``: its own flags, and ``form``'s meta."""
    field = object.__new__(type(kept))  # (``Field.__new__`` would make an unbound field)
    field.__dict__.update(kept.__dict__)
    flags = Flags()
    flags.__dict__.update(kept.flags.__dict__)
    field.flags = flags
    field.meta = form.meta
    field._form = form
    return field


class KeptFieldsMeta(DefaultMeta):
    """WTForms' form options, whose fields are bound once per language and copied per form."""

    def bind_field(self, form, unbound_field, options):
        if issubclass(unbound_field.field_class, BOUND_EACH_TIME):
            return super().bind_field(form, unbound_field, options)
        key = (unbound_field, options.get("name"), options.get("prefix", ""), locale_name())
        kept = _KEPT_FIELDS.get(key)
        if kept is None:
            if len(_KEPT_FIELDS) >= MAX_KEPT_FIELDS:
                _KEPT_FIELDS.clear()
            kept = _KEPT_FIELDS[key] = super().bind_field(form, unbound_field, options)
        return copied_field(kept, form)


def install() -> None:
    """Bind the fields of Flask-AppBuilder's forms (every form of the platform) this way."""
    DynamicForm.Meta = KeptFieldsMeta
