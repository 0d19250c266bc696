"""Views of personnel: persons and their transfers."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from models import Person, Transfer
from models.choices import (
    EDUCATION_LEVELS,
    GENDERS,
    PERSON_CATEGORIES,
    PERSON_STATUSES,
    POLITICAL_STATUSES,
    SOCIAL_WORK_QUALIFICATIONS,
)

from .base import PlatformModelView, PlatformRestApi, scoped

PERSON_LABELS = {
    "name": _l("Full name"),
    "gender": _l("Gender"),
    "id_number": _l("ID number"),
    "mobile": _l("Mobile"),
    "department": _l("Department"),
    "position": _l("Position"),
    "category": _l("Category"),
    "political_status": _l("Political status"),
    "education": _l("Education"),
    "hired_on": _l("Hired on"),
    "left_on": _l("Left on"),
    "status": _l("Status"),
    "social_work_qualification": _l("Social-worker qualification"),
    "transfer_reason": _l("Reason for a change of department"),
}
PERSON_FIELDS = [
    "name",
    "gender",
    "id_number",
    "mobile",
    "department",
    "position",
    "category",
    "political_status",
    "education",
    "hired_on",
    "left_on",
    "status",
    "social_work_qualification",
]
PERSON_CHOICES = {
    "gender": GENDERS,
    "category": PERSON_CATEGORIES,
    "political_status": POLITICAL_STATUSES,
    "education": EDUCATION_LEVELS,
    "status": PERSON_STATUSES,
    "social_work_qualification": SOCIAL_WORK_QUALIFICATIONS,
}


class PersonView(PlatformModelView):
    """Staff records; ID numbers are validated (GB 11643) and masked for roles that may not see them."""

    datamodel = scoped(Person)
    class_permission_name = "Person"
    list_title = show_title = _l("Persons")
    add_title = _l("Add person")
    edit_title = _l("Edit person")
    list_columns = ["name", "gender", "id_number", "department", "position", "category", "status"]
    show_columns = [*PERSON_FIELDS, "created_at", "updated_at", "version"]
    add_columns = PERSON_FIELDS
    edit_columns = [*PERSON_FIELDS, "transfer_reason"]
    edit_form_extra_fields = {
        "transfer_reason": TextAreaField(
            _l("Reason for a change of department"),
            description=_l("Recorded in the transfer log when the department changes."),
        )
    }
    search_columns = ["name", "id_number", "mobile", "department", "category", "political_status", "status"]
    order_columns = ["name", "department", "category", "status", "hired_on"]
    base_order = ("name", "asc")
    label_columns = PERSON_LABELS
    choice_columns = PERSON_CHOICES
    masked_columns = ("id_number",)
    description_columns = {
        "id_number": _l("18-character resident identity number."),
        "mobile": _l("11 digits."),
    }


class TransferView(PlatformModelView):
    """The transfer log, written automatically whenever a person changes department."""

    datamodel = scoped(Transfer)
    class_permission_name = "Transfer"
    base_permissions = ["can_read"]
    list_title = show_title = _l("Transfers")
    list_columns = ["person", "from_department", "to_department", "transferred_on", "reason"]
    show_columns = ["person", "from_department", "to_department", "transferred_on", "reason", "created_at"]
    search_columns = ["transferred_on"]
    order_columns = ["transferred_on"]
    base_order = ("transferred_on", "desc")
    #: the log is the platform's own record of a change of department: nobody adds, edits or deletes
    #: an entry (the stock routes would offer every column, the row's version and times included)
    exclude_route_methods = {"add", "edit", "delete", "action", "action_post"}
    label_columns = {
        "person": _l("Person"),
        "from_department": _l("From department"),
        "to_department": _l("To department"),
        "transferred_on": _l("Transferred on"),
        "reason": _l("Reason"),
    }


class PersonApi(PlatformRestApi):
    """REST API for persons: same validation and scope as the screens."""

    resource_name = "person"
    datamodel = scoped(Person)
    class_permission_name = "Person"
    label_columns = PERSON_LABELS
    list_columns = show_columns = [
        "id",
        *[f for f in PERSON_FIELDS if f != "department"],
        "department.id",
        "department.name",
        "version",
    ]
    add_columns = edit_columns = PERSON_FIELDS
    search_columns = ["name", "id_number", "department", "category", "status"]
    order_columns = ["name", "category", "status", "hired_on"]
    masked_columns = ("id_number",)
