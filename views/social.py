"""Views of the social-organization register (社会组织)."""

from flask_babel import lazy_gettext as _l

from models import SocialOrganization
from models.social import EVALUATION_GRADES, INCUBATION_STATES, SOCIAL_CATEGORIES, SOCIAL_ROUTES, SOCIAL_STATUSES

from .base import PlatformModelView, PlatformRestApi, scoped

SOCIAL_LABELS = {
    "name": _l("Name"),
    "name_en": _l("English name"),
    "code": _l("Unified social credit code"),
    "category": _l("Category"),
    "route": _l("Registration route"),
    "registered_on": _l("Registered or filed on"),
    "supervising_unit": _l("Supervising unit"),
    "region": _l("Region"),
    "incubation": _l("Incubation"),
    "evaluation_grade": _l("Evaluation grade"),
    "members": _l("Members"),
    "contact": _l("Contact person"),
    "phone": _l("Phone"),
    "status": _l("Status"),
}
SOCIAL_FIELDS = [
    "name",
    "name_en",
    "code",
    "category",
    "route",
    "registered_on",
    "supervising_unit",
    "region",
    "incubation",
    "evaluation_grade",
    "members",
    "contact",
    "phone",
    "status",
]
SOCIAL_CHOICES = {
    "category": SOCIAL_CATEGORIES,
    "route": SOCIAL_ROUTES,
    "incubation": INCUBATION_STATES,
    "evaluation_grade": EVALUATION_GRADES,
    "status": SOCIAL_STATUSES,
}


class SocialOrganizationView(PlatformModelView):
    """Social organizations in five categories, registered or filed, by supervising unit."""

    datamodel = scoped(SocialOrganization)
    class_permission_name = "SocialOrganization"
    list_title = show_title = _l("Social organizations")
    add_title = _l("Add social organization")
    edit_title = _l("Edit social organization")
    list_columns = ["name", "category", "route", "supervising_unit", "incubation", "evaluation_grade", "status"]
    show_columns = [*SOCIAL_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = SOCIAL_FIELDS
    search_columns = [
        "name",
        "code",
        "category",
        "route",
        "incubation",
        "evaluation_grade",
        "status",
        "supervising_unit",
    ]
    order_columns = ["name", "category", "route", "registered_on", "evaluation_grade", "status"]
    base_order = ("name", "asc")
    label_columns = SOCIAL_LABELS
    choice_columns = SOCIAL_CHOICES
    region_columns = ("region",)
    description_columns = {
        "code": _l("18 characters; required for registered organizations, optional for filed ones."),
        "supervising_unit": _l("The street or community unit that manages it day to day."),
    }


class SocialOrganizationApi(PlatformRestApi):
    """REST API for social organizations."""

    resource_name = "social_organization"
    datamodel = scoped(SocialOrganization)
    class_permission_name = "SocialOrganization"
    label_columns = SOCIAL_LABELS
    list_columns = show_columns = [
        "id",
        *[f for f in SOCIAL_FIELDS if f not in ("supervising_unit", "region")],
        "supervising_unit.id",
        "region.id",
        "version",
    ]
    add_columns = edit_columns = SOCIAL_FIELDS
    search_columns = ["name", "code", "category", "route", "status", "supervising_unit"]
    order_columns = ["name", "category", "registered_on"]
