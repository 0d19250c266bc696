"""Views of the organization registers: regions and departments."""

from flask import abort, jsonify, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from models import Department, Region
from models.choices import DEPARTMENT_KINDS, REFORM_STATUSES, REGION_LEVELS

from .base import PlatformModelView, PlatformRestApi, scoped

REGION_LABELS = {
    "code": _l("Region code"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "level": _l("Level"),
    "parent": _l("Parent region"),
}

DEPARTMENT_LABELS = {
    "name": _l("Name"),
    "name_en": _l("English name"),
    "code": _l("Unified social credit code"),
    "kind": _l("Kind"),
    "region": _l("Region"),
    "parent": _l("Parent department"),
    "reform_status": _l("Reform status"),
    "head": _l("Head"),
    "phone": _l("Phone"),
    "active": _l("Active"),
}


DEPARTMENT_FIELDS = [
    "name",
    "name_en",
    "code",
    "kind",
    "reform_status",
    "region",
    "parent",
    "head",
    "phone",
    "active",
]


class RegionView(PlatformModelView):
    """Administrative divisions: district/county → township/street → village/community."""

    datamodel = scoped(Region)
    class_permission_name = "Region"
    list_title = show_title = _l("Regions")
    add_title = _l("Add region")
    edit_title = _l("Edit region")
    list_columns = ["code", "name", "name_en", "level", "parent"]
    show_columns = ["code", "name", "name_en", "level", "parent", "created_at", "updated_at", "version"]
    add_columns = edit_columns = ["level", "parent", "code", "name", "name_en"]
    search_columns = ["name", "code", "level"]
    order_columns = ["code", "name", "level"]
    base_order = ("code", "asc")
    label_columns = REGION_LABELS
    choice_columns = {"level": REGION_LEVELS}
    region_columns = ("parent",)
    description_columns = {
        "code": _l("6 digits for a district, 9 for a township/street, 12 for a village/community."),
    }

    @expose("/children/")
    @has_access
    def children(self):
        """The live sub-regions of ``parent`` (JSON), for the cascading region selects."""
        parent = request.args.get("parent", "")
        if not parent.isdigit():
            abort(400)
        rows = db.session.scalars(
            select(Region).where(Region.parent_id == int(parent), Region.deleted_at.is_(None)).order_by(Region.code)
        )
        return jsonify(results=[{"id": r.id, "text": str(r), "level": r.level} for r in rows])


class DepartmentView(PlatformModelView):
    """The tree of departments and units; reform status applies to public institutions only."""

    datamodel = scoped(Department)
    class_permission_name = "Department"
    list_title = show_title = _l("Departments")
    add_title = _l("Add department")
    edit_title = _l("Edit department")
    list_columns = ["name", "kind", "region", "parent", "reform_status", "head", "active"]
    show_columns = [*DEPARTMENT_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = DEPARTMENT_FIELDS
    search_columns = ["name", "code", "kind", "reform_status", "active"]
    order_columns = ["name", "kind", "reform_status", "active"]
    base_order = ("name", "asc")
    label_columns = DEPARTMENT_LABELS
    choice_columns = {"kind": DEPARTMENT_KINDS, "reform_status": REFORM_STATUSES}
    region_columns = ("region",)
    description_columns = {
        "code": _l("18 characters, optional; checked against the GB 32100 check character."),
        "reform_status": _l("Only for public institutions."),
    }


class RegionApi(PlatformRestApi):
    """REST API for regions (read by everyone signed in, written by admins)."""

    resource_name = "region"
    datamodel = scoped(Region)
    class_permission_name = "Region"
    label_columns = REGION_LABELS
    list_columns = show_columns = ["id", "code", "name", "name_en", "level", "parent.id", "version"]
    add_columns = edit_columns = ["code", "name", "name_en", "level", "parent"]
    search_columns = ["name", "code", "level", "parent"]
    order_columns = ["code", "name", "level"]


class DepartmentApi(PlatformRestApi):
    """REST API for departments, limited to the caller's scope."""

    resource_name = "department"
    datamodel = scoped(Department)
    class_permission_name = "Department"
    label_columns = DEPARTMENT_LABELS
    list_columns = show_columns = [
        "id",
        "name",
        "name_en",
        "code",
        "kind",
        "reform_status",
        "region.id",
        "parent.id",
        "head",
        "phone",
        "active",
        "version",
    ]
    add_columns = edit_columns = DEPARTMENT_FIELDS
    search_columns = ["name", "code", "kind", "reform_status", "active", "parent"]
    order_columns = ["name", "kind", "code"]
