"""Registers every view and API with its (translated) menu entry."""

from flask_babel import lazy_gettext as _l

from app.extensions import appbuilder
from views.audit import AuditEventView
from views.facilities import BookingApi, BookingView, FacilityApi, FacilityView
from views.meetings import MeetingApi, MeetingView, MinutesEditorView, ResolutionApi, ResolutionBoardView
from views.org import DepartmentApi, DepartmentView, RegionApi, RegionView
from views.people import PersonApi, PersonView, TransferView
from views.recycle import RecycleBinView
from views.security import RoleDataScopeView


def register_views() -> None:
    org, people, places = _l("Organization"), _l("Personnel"), _l("Facilities")
    appbuilder.add_view(
        RegionView,
        "Regions",
        label=_l("Regions"),
        icon="fa-map",
        category="Organization",
        category_label=org,
        category_icon="fa-sitemap",
    )
    appbuilder.add_view(
        DepartmentView, "Departments", label=_l("Departments"), icon="fa-sitemap", category="Organization"
    )
    appbuilder.add_view(
        PersonView,
        "Persons",
        label=_l("Persons"),
        icon="fa-users",
        category="Personnel",
        category_label=people,
        category_icon="fa-users",
    )
    appbuilder.add_view(TransferView, "Transfers", label=_l("Transfers"), icon="fa-exchange", category="Personnel")
    appbuilder.add_view(
        FacilityView,
        "Facilities",
        label=_l("Facilities"),
        icon="fa-building",
        category="Facilities",
        category_label=places,
        category_icon="fa-building",
    )
    appbuilder.add_view(BookingView, "Bookings", label=_l("Bookings"), icon="fa-calendar", category="Facilities")
    appbuilder.add_view(
        RoleDataScopeView, "Role data scopes", label=_l("Role data scopes"), icon="fa-filter", category="Security"
    )
    meetings = _l("Joint meetings")
    appbuilder.add_view(
        MeetingView,
        "Meetings",
        label=_l("Meeting minutes"),
        icon="fa-users",
        category="Joint meetings",
        category_label=meetings,
        category_icon="fa-handshake-o",
    )
    appbuilder.add_view(
        ResolutionBoardView,
        "Resolution board",
        label=_l("Resolution tracking"),
        icon="fa-tasks",
        category="Joint meetings",
    )
    appbuilder.add_view_no_menu(MinutesEditorView)
    appbuilder.add_view(
        AuditEventView,
        "Audit log",
        label=_l("Audit log"),
        icon="fa-history",
        category="Supervision",
        category_label=_l("Supervision"),
        category_icon="fa-eye",
    )
    appbuilder.add_view(RecycleBinView, "Recycle bin", label=_l("Recycle bin"), icon="fa-trash", category="Supervision")
    for api in (RegionApi, DepartmentApi, PersonApi, FacilityApi, BookingApi, MeetingApi, ResolutionApi):
        appbuilder.add_api(api)
