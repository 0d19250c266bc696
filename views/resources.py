"""Resource integration views: the service-item catalog with its overview, shared resources with the
integration view per facility, support funds and purchased services, and their REST APIs."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func
from sqlalchemy.orm.exc import StaleDataError

from app.datamodel import ScopedSQLAInterface
from app.extensions import db
from app.scope import ScopeViolation
from app.services import dashboard
from models import (
    Department,
    Facility,
    Funding,
    PurchasedService,
    Resource,
    ServiceItem,
    ServiceItemMaterial,
    ServiceItemStep,
)
from models.mixins import localized, replace_parts
from models.resources import ITEM_TYPES, LEVELS, RESOURCE_KINDS, RESOURCE_STATUSES, SERVICE_OBJECTS, SHARING_SCOPES
from models.social import FUNDING_TYPES, PURCHASE_STAGES
from models.validation import RecordInvalid

from .base import (
    STALE_MESSAGE,
    VIEW_PERMISSIONS,
    PlatformModelView,
    PlatformRestApi,
    parse_version,
    refusal_text,
    scoped,
)

ITEM_LABELS = {
    "item_code": _l("Item code"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "item_type": _l("Item type"),
    "responsible_department": _l("Responsible department"),
    "service_object": _l("Service object"),
    **LEVELS,
    "legal_limit_days": _l("Legal time limit (working days)"),
    "promised_limit_days": _l("Promised time limit (working days)"),
    "centralized": _l("Centralized in the center"),
    "window": _l("Window"),
    "online": _l("Online handling"),
    "fee_charged": _l("Fee charged"),
    "fee_basis": _l("Fee basis"),
}
ITEM_FIELDS = [
    "item_code",
    "name",
    "name_en",
    "item_type",
    "responsible_department",
    "service_object",
    *LEVELS,
    "legal_limit_days",
    "promised_limit_days",
    "centralized",
    "window",
    "online",
    "fee_charged",
    "fee_basis",
]
RESOURCE_LABELS = {
    "kind": _l("Kind"),
    "name": _l("Name"),
    "owning_department": _l("Owning department"),
    "facility": _l("Integrated into"),
    "status": _l("Status"),
    "sharing_scope": _l("Sharing scope"),
    "notes": _l("Notes"),
}
RESOURCE_FIELDS = ["kind", "name", "owning_department", "facility", "status", "sharing_scope", "notes"]
FUNDING_LABELS = {
    "social_organization": _l("Social organization"),
    "funding_type": _l("Funding type"),
    "amount": _l("Amount (CNY)"),
    "granted_on": _l("Granted on"),
    "approving_department": _l("Approving department"),
}
FUNDING_FIELDS = ["social_organization", "funding_type", "amount", "granted_on", "approving_department"]
PURCHASE_LABELS = {
    "catalog_entry": _l("Catalog entry"),
    "title": _l("Project"),
    "purchasing_department": _l("Purchasing department"),
    "contractor": _l("Contractor"),
    "budget": _l("Budget (CNY)"),
    "period_start": _l("Period from"),
    "period_end": _l("Period to"),
    "stage": _l("Stage"),
    "performance_score": _l("Performance score"),
    "resident_satisfaction": _l("Resident satisfaction (%)"),
}
PURCHASE_FIELDS = [
    "catalog_entry",
    "title",
    "purchasing_department",
    "contractor",
    "budget",
    "period_start",
    "period_end",
    "stage",
    "performance_score",
    "resident_satisfaction",
]
SHORTENED_LIMIT = 10


class ServiceItemView(PlatformModelView):
    """The government service-item catalog; materials and process steps are ordered lists on the item's page."""

    datamodel = scoped(ServiceItem)
    class_permission_name = "ServiceItem"
    list_title = show_title = _l("Service items")
    add_title = _l("Add service item")
    edit_title = _l("Edit service item")
    list_columns = ["item_code", "name", "item_type", "responsible_department", "promised_limit_days", "centralized"]
    show_columns = [*ITEM_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = ITEM_FIELDS
    search_columns = [
        "item_code",
        "name",
        "item_type",
        "service_object",
        "centralized",
        "online",
        "responsible_department",
    ]
    order_columns = ["item_code", "name", "item_type", "promised_limit_days", "centralized"]
    base_order = ("item_code", "asc")
    label_columns = ITEM_LABELS
    choice_columns = {"item_type": ITEM_TYPES, "service_object": SERVICE_OBJECTS}
    show_extra_template = "platform/service_item_lists.html"
    method_permission_name = {**VIEW_PERMISSIONS, "lists": "write", "overview": "read"}

    def show_extra_context(self, item) -> dict:
        from app.extensions import appbuilder

        return {
            "materials": item.materials,
            "steps": item.steps,
            "typed": g.get("typed_lists"),
            "may_edit_lists": appbuilder.sm.has_access("can_write", "ServiceItem"),
        }

    @expose("/lists/<pk>", methods=["POST"])
    @has_access
    def lists(self, pk):
        """Save the item's required materials and process steps, in the order given. A refused save
        keeps what the user typed in the form; a stale one (someone saved the item meanwhile) is
        refused with the newer lists shown, and saving again deliberately applies the typed ones."""
        item = self.datamodel.get(pk)
        if item is None:
            abort(404)
        typed = {"materials": request.form.get("materials") or "", "steps": request.form.get("steps") or ""}
        if parse_version(request.form.get("edit_version")) != item.version:
            return self._lists_refused(pk, typed, str(STALE_MESSAGE))
        materials = [line.strip() for line in typed["materials"].splitlines() if line.strip()]
        steps = [line.strip() for line in typed["steps"].splitlines() if line.strip()]
        if any(len(v) > 300 for v in materials) or any(len(v) > 500 for v in steps):
            return self._lists_refused(pk, typed, _("A material has at most 300 characters, a step at most 500."))
        replace_parts(item, "materials", _ordered(item.materials, materials, ServiceItemMaterial, "name"))
        replace_parts(item, "steps", _ordered(item.steps, steps, ServiceItemStep, "description"))
        try:
            db.session.commit()
        except (RecordInvalid, ScopeViolation, StaleDataError) as error:
            db.session.rollback()
            return self._lists_refused(pk, typed, refusal_text(error))
        flash(_("The materials and steps were saved."), "success")
        return redirect(url_for("ServiceItemView.show", pk=item.id))

    def _lists_refused(self, pk, typed: dict, message: str):
        flash(message, "danger")
        g.typed_lists = typed
        return self.show(pk)

    @expose("/overview")
    @has_access
    def overview(self):
        """The centralization rate (进驻率) overall and per department, items per level, and the items whose
        promised limit shortens the legal one the most: all from SQL aggregates within scope."""
        interface = ScopedSQLAInterface(ServiceItem)
        centralized = ServiceItem.centralized_count()
        overall = dashboard.centralization()
        per_department = (
            interface.restrict(
                db.session.query(Department.name, Department.name_en, func.count(ServiceItem.id), centralized)
            )
            .join(Department, Department.id == ServiceItem.responsible_department_id)
            .group_by(Department.id, Department.name, Department.name_en)
            .order_by(Department.name)
            .all()
        )
        per_level = interface.restrict(
            db.session.query(*[func.sum(case((getattr(ServiceItem, level).is_(True), 1), else_=0)) for level in LEVELS])
        ).one()
        saving = ServiceItem.legal_limit_days - ServiceItem.promised_limit_days
        shortened = (
            interface.restrict(db.session.query(ServiceItem))
            .filter(ServiceItem.legal_limit_days.isnot(None), ServiceItem.promised_limit_days.isnot(None))
            .order_by(saving.desc(), ServiceItem.item_code)
            .limit(SHORTENED_LIMIT)
            .all()
        )
        return self.render_template(
            "platform/catalog_overview.html",
            title=_l("Service catalog overview"),
            total=overall.whole,
            inside=overall.part,
            rate=overall.value,
            per_department=[
                {
                    "name": localized(name, name_en),
                    "total": n,
                    "inside": int(c or 0),
                    "rate": round(100.0 * int(c or 0) / n, 1) if n else 0.0,
                }
                for name, name_en, n, c in per_department
            ],
            per_level=[(label, int(count or 0)) for label, count in zip(LEVELS.values(), per_level, strict=True)],
            shortened=shortened,
        )


def _ordered(existing, values, model, field):
    """Rows for ``values`` in order: a line whose text is already a row keeps that row (renumbered),
    a new line is a new row. The rows whose text is gone are left out, for ``replace_parts``."""
    unused = {}
    for row in existing:
        unused.setdefault(getattr(row, field), []).append(row)
    kept = []
    for position, value in enumerate(values, start=1):
        same = unused.get(value)
        row = same.pop(0) if same else model()
        row.position = position
        setattr(row, field, value)
        kept.append(row)
    return kept


class ResourceView(PlatformModelView):
    """Shared resources: what each department brought into which platform facility."""

    datamodel = scoped(Resource)
    class_permission_name = "Resource"
    list_title = show_title = _l("Shared resources")
    add_title = _l("Add resource")
    edit_title = _l("Edit resource")
    list_columns = ["name", "kind", "owning_department", "facility", "status", "sharing_scope"]
    show_columns = [*RESOURCE_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = RESOURCE_FIELDS
    search_columns = ["name", "kind", "status", "sharing_scope", "owning_department", "facility"]
    order_columns = ["name", "kind", "status"]
    base_order = ("name", "asc")
    label_columns = RESOURCE_LABELS
    choice_columns = {"kind": RESOURCE_KINDS, "status": RESOURCE_STATUSES, "sharing_scope": SHARING_SCOPES}


class IntegrationView(BaseView):
    """Per platform facility: the resources integrated into it, by kind and by department."""

    route_base = "/integration"
    class_permission_name = "Resource"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"facilities": "read", "facility": "read"}
    default_view = "facilities"

    @expose("/")
    @has_access
    def facilities(self):
        """The facilities with integrated resources, and how many of each kind."""
        interface = ScopedSQLAInterface(Resource)
        rows = (
            interface.restrict(
                db.session.query(Facility.id, Facility.name, Facility.name_en, Resource.kind, func.count(Resource.id))
            )
            .join(Facility, Facility.id == Resource.facility_id)
            .filter(Resource.status.in_(("integrated", "shared")), Facility.deleted_at.is_(None))
            .group_by(Facility.id, Facility.name, Facility.name_en, Resource.kind)
            .order_by(Facility.name)
            .all()
        )
        table = {}
        for facility_id, name, name_en, kind, count in rows:
            entry = table.setdefault(facility_id, {"id": facility_id, "name": localized(name, name_en), "kinds": {}})
            entry["kinds"][kind] = count
        return self.render_template(
            "platform/integration.html",
            title=_l("Resource integration"),
            facilities=list(table.values()),
            kinds=RESOURCE_KINDS,
        )

    @expose("/<int:pk>")
    @has_access
    def facility(self, pk):
        """One facility: what was integrated from which departments, by kind."""
        facility = ScopedSQLAInterface(Facility, apply_scope=False).get(pk)
        if facility is None:
            abort(404)
        resources = (
            ScopedSQLAInterface(Resource)
            .restrict(db.session.query(Resource))
            .filter(Resource.facility_id == facility.id, Resource.status.in_(("integrated", "shared")))
            .order_by(Resource.kind, Resource.name)
            .all()
        )
        return self.render_template(
            "platform/integration_facility.html",
            title=_l("Resource integration"),
            facility=facility,
            resources=resources,
            kind=RESOURCE_KINDS.label,
            status=RESOURCE_STATUSES.label,
            sharing=SHARING_SCOPES.label,
        )


class FundingView(PlatformModelView):
    """Support funds for social organizations: start-up, reward in lieu of subsidy, special."""

    datamodel = scoped(Funding)
    class_permission_name = "Funding"
    list_title = show_title = _l("Support funds")
    add_title = _l("Add support fund")
    edit_title = _l("Edit support fund")
    list_columns = FUNDING_FIELDS
    show_columns = [*FUNDING_FIELDS, "created_at", "version"]
    add_columns = edit_columns = FUNDING_FIELDS
    search_columns = ["social_organization", "funding_type", "granted_on", "approving_department"]
    order_columns = ["funding_type", "amount", "granted_on"]
    base_order = ("granted_on", "desc")
    label_columns = FUNDING_LABELS
    choice_columns = {"funding_type": FUNDING_TYPES}


class PurchasedServiceView(PlatformModelView):
    """Government purchase of services: one stage at a time, and no closing before the evaluation."""

    datamodel = scoped(PurchasedService)
    class_permission_name = "PurchasedService"
    list_title = show_title = _l("Purchased services")
    add_title = _l("Add purchased service")
    edit_title = _l("Edit purchased service")
    list_columns = ["title", "catalog_entry", "purchasing_department", "contractor", "budget", "stage"]
    show_columns = [*PURCHASE_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = PURCHASE_FIELDS
    search_columns = ["title", "catalog_entry", "stage", "purchasing_department", "contractor"]
    order_columns = ["title", "budget", "stage", "period_start"]
    base_order = ("title", "asc")
    label_columns = PURCHASE_LABELS
    choice_columns = {"stage": PURCHASE_STAGES}


class ServiceItemApi(PlatformRestApi):
    """REST API for the service-item catalog."""

    resource_name = "service_item"
    datamodel = scoped(ServiceItem)
    class_permission_name = "ServiceItem"
    label_columns = ITEM_LABELS
    list_columns = show_columns = [
        "id",
        *[f for f in ITEM_FIELDS if f not in ("responsible_department", "window")],
        "responsible_department.id",
        "window.id",
        "version",
    ]
    add_columns = edit_columns = ITEM_FIELDS
    search_columns = ["item_code", "name", "item_type", "centralized", "responsible_department"]
    order_columns = ["item_code", "name"]


class ResourceApi(PlatformRestApi):
    """REST API for shared resources."""

    resource_name = "resource"
    datamodel = scoped(Resource)
    class_permission_name = "Resource"
    label_columns = RESOURCE_LABELS
    list_columns = show_columns = [
        "id",
        "kind",
        "name",
        "owning_department.id",
        "facility.id",
        "status",
        "sharing_scope",
        "notes",
        "version",
    ]
    add_columns = edit_columns = RESOURCE_FIELDS
    search_columns = ["name", "kind", "status", "facility", "owning_department"]
    order_columns = ["name", "kind", "status"]


class FundingApi(PlatformRestApi):
    """REST API for support funds (amounts are decimal strings or numbers, in CNY)."""

    resource_name = "funding"
    datamodel = scoped(Funding)
    class_permission_name = "Funding"
    label_columns = FUNDING_LABELS
    list_columns = show_columns = [
        "id",
        "social_organization.id",
        "funding_type",
        "amount",
        "granted_on",
        "approving_department.id",
        "version",
    ]
    add_columns = edit_columns = FUNDING_FIELDS
    search_columns = ["funding_type", "granted_on", "social_organization"]
    order_columns = ["granted_on", "amount"]


class PurchasedServiceApi(PlatformRestApi):
    """REST API for purchased services, with the same stage rules."""

    resource_name = "purchased_service"
    datamodel = scoped(PurchasedService)
    class_permission_name = "PurchasedService"
    label_columns = PURCHASE_LABELS
    list_columns = show_columns = [
        "id",
        "catalog_entry",
        "title",
        "purchasing_department.id",
        "contractor.id",
        "budget",
        "period_start",
        "period_end",
        "stage",
        "performance_score",
        "resident_satisfaction",
        "version",
    ]
    add_columns = edit_columns = PURCHASE_FIELDS
    search_columns = ["title", "stage", "purchasing_department", "contractor"]
    order_columns = ["title", "budget", "stage"]
