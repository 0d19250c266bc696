"""Admin screen for each role's data scope (roles created in the UI get one here)."""

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.role_names import caption_role_options, role_caption
from models import RoleDataScope
from models.choices import DATA_SCOPES

from .fields import ChoiceField


class RoleDataScopeView(ModelView):
    """Which rows the users of a role may reach: all, own department and below, own department, own records."""

    datamodel = SQLAInterface(RoleDataScope)
    class_permission_name = "RoleDataScope"
    list_title = show_title = _l("Role data scopes")
    add_title = _l("Add role data scope")
    edit_title = _l("Edit role data scope")
    list_columns = add_columns = edit_columns = show_columns = ["role", "scope"]
    label_columns = {"role": _l("Role"), "scope": _l("Data scope")}
    formatters_columns = {"scope": DATA_SCOPES.label, "role": role_caption}
    #: the audit log names the scope codes its events record
    choice_columns = {"scope": DATA_SCOPES}
    add_form_extra_fields = edit_form_extra_fields = {
        "scope": ChoiceField(_l("Data scope"), choices_set=DATA_SCOPES),
    }
    validators_columns = {}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        caption_role_options("role", self.add_form, self.edit_form)
