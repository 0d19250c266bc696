"""Role names as people read them: the built-in roles' codes stay (they are what permissions and
``flask sync-roles`` use), and each is shown with its name in the reader's language.

DESIGN names them 系统管理员 (Admin), 部门工作人员 (DeptStaff) and 监督员 (Supervisor); a role
made on the role screen is shown by the name it was given.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from models.mixins import listing

ROLE_LABELS = {
    "Admin": _l("System administrator"),
    "DeptStaff": _l("Department staff"),
    "Supervisor": _l("Supervisor"),
    "Public": _l("Anonymous"),
}


def role_caption(role) -> str:
    """``系统管理员（Admin）`` / ``System administrator (Admin)``; another role by its own name."""
    code = str(getattr(role, "name", role) or "")
    label = ROLE_LABELS.get(code)
    return gettext("%(label)s (%(code)s)", label=label, code=code) if label is not None else code


def role_captions(roles) -> str:
    """Roles, as a list of role objects or as the comma-separated codes the audit log records."""
    if roles is None:
        return ""
    if isinstance(roles, str):
        roles = [code for code in roles.split(",") if code]
    return listing(role_caption(role) for role in roles)


def caption_role_options(field_name: str, *forms) -> None:
    """Name the role choices of generated forms (before they are first built) like the rest of the
    screens: 系统管理员（Admin）."""
    for form in forms:
        getattr(form, field_name).kwargs["get_label"] = role_caption
