"""The home dashboard (工作台): each signed-in user sees the panels of their roles, in their scope."""

from flask import g
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l

from app.services import dashboard
from models.meetings import RESOLUTION_STATUSES
from models.party import RECTIFICATION_STATUSES
from views.audit import AUDIT_ACTION_LABELS
from views.base import today

#: register names as the dashboard shows them
REGISTER_LABELS = {
    "Department": _l("Departments"),
    "Person": _l("Persons"),
    "Facility": _l("Facilities"),
    "Booking": _l("Bookings"),
    "SocialOrganization": _l("Social organizations"),
    "ServiceItem": _l("Service items"),
}
#: the roles whose panels are their own; every other role gets the department panels
ADMIN_ROLE, SUPERVISOR_ROLE = "Admin", "Supervisor"


def admin_panels() -> dict:
    """Platform-wide counts, the centralization rate, the latest audit events and locked accounts."""
    return {
        "counts": dashboard.register_counts(REGISTER_LABELS),
        "centralization": dashboard.centralization(),
        "audit_events": dashboard.recent_audit_events(),
        "locked": dashboard.locked_accounts(),
    }


def supervisor_panels(on) -> dict:
    """Party-organization coverage, and what is overdue or expired across all departments."""
    overall, by_category = dashboard.party_coverage()
    return {
        "coverage": overall,
        "coverage_by_category": by_category,
        "overdue_rectifications": dashboard.overdue_rectifications(on),
        "overdue_resolutions": dashboard.overdue_resolutions(on),
        "expired_terms": dashboard.expired_terms(on),
    }


def department_panels(on) -> dict:
    """The department's persons by category, this week's bookings, open work (overdue first) and
    the latest changes in the user's scope."""
    return {
        "persons_by_category": dashboard.persons_by_category(),
        "bookings": dashboard.bookings_this_week(on),
        "resolutions": dashboard.open_resolutions(on),
        "rectifications": dashboard.open_rectifications(on),
        "changes": dashboard.recent_changes(REGISTER_LABELS),
    }


class HomeView(IndexView):
    """The dashboard for signed-in users (the sign-in invitation for anonymous visitors)."""

    index_template = "platform/home.html"

    @expose("/")
    def index(self):
        panels = {}
        user = getattr(g, "user", None)
        if user is not None and user.is_authenticated:
            on = today()
            roles = {role.name for role in user.roles}
            if ADMIN_ROLE in roles:
                panels["admin"] = admin_panels()
            if SUPERVISOR_ROLE in roles:
                panels["supervisor"] = supervisor_panels(on)
            if not roles & {ADMIN_ROLE, SUPERVISOR_ROLE}:
                panels["department"] = department_panels(on)
        on = today()
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            panels=panels,
            today=on,
            action_label=AUDIT_ACTION_LABELS.label,
            resolution_status=lambda item: RESOLUTION_STATUSES.label(item.effective_status(on)),
            rectification_status=lambda item: RECTIFICATION_STATUSES.label(item.effective_status(on)),
        )
