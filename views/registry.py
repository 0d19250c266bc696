"""Registers every view and API with its (translated) menu entry."""

from flask_babel import lazy_gettext as _l

from app.extensions import appbuilder
from views.audit import AuditEventView
from views.facilities import BookingApi, BookingView, FacilityApi, FacilityView
from views.importing import ImportView
from views.meetings import MeetingApi, MeetingView, MinutesEditorView, ResolutionApi, ResolutionBoardView
from views.openapi import OpenApi
from views.org import DepartmentApi, DepartmentView, RegionApi, RegionView
from views.party import (
    OversightRecordApi,
    OversightRecordView,
    PartyOrganizationApi,
    PartyOrganizationView,
    PartyOversightView,
    RectificationApi,
    RectificationView,
)
from views.people import PersonApi, PersonView, TransferView
from views.recycle import RecycleBinView
from views.resources import (
    FundingApi,
    FundingView,
    IntegrationView,
    PurchasedServiceApi,
    PurchasedServiceView,
    ResourceApi,
    ResourceView,
    ServiceItemApi,
    ServiceItemView,
)
from views.security import RoleDataScopeView
from views.social import SocialOrganizationApi, SocialOrganizationView


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
    appbuilder.add_view(
        SocialOrganizationView,
        "Social organizations",
        label=_l("Social organizations"),
        icon="fa-users",
        category="Organization",
    )
    resources = _l("Resource integration")
    appbuilder.add_view(
        ServiceItemView,
        "Service items",
        label=_l("Service items"),
        icon="fa-list",
        category="Resources",
        category_label=resources,
        category_icon="fa-cubes",
    )
    appbuilder.add_link(
        "Service catalog overview",
        href="/serviceitemview/overview",
        label=_l("Service catalog overview"),
        icon="fa-bar-chart",
        category="Resources",
    )
    appbuilder.add_view(
        ResourceView, "Shared resources", label=_l("Shared resources"), icon="fa-cube", category="Resources"
    )
    appbuilder.add_view(
        IntegrationView,
        "Resource integration",
        label=_l("Resource integration"),
        icon="fa-sitemap",
        category="Resources",
    )
    appbuilder.add_view(FundingView, "Support funds", label=_l("Support funds"), icon="fa-money", category="Resources")
    appbuilder.add_view(
        PurchasedServiceView,
        "Purchased services",
        label=_l("Purchased services"),
        icon="fa-shopping-cart",
        category="Resources",
    )
    appbuilder.add_view(ImportView, "Import", label=_l("Import"), icon="fa-upload", category="Resources")
    party = _l("Party building")
    appbuilder.add_view(
        PartyOversightView,
        "Party-building coverage",
        label=_l("Party-building coverage"),
        icon="fa-pie-chart",
        category="Party building",
        category_label=party,
        category_icon="fa-flag",
    )
    appbuilder.add_view(
        PartyOrganizationView,
        "Party organizations",
        label=_l("Party organizations"),
        icon="fa-flag",
        category="Party building",
    )
    appbuilder.add_view(
        OversightRecordView,
        "Oversight inspections",
        label=_l("Oversight inspections"),
        icon="fa-search",
        category="Party building",
    )
    appbuilder.add_view(
        RectificationView, "Rectifications", label=_l("Rectifications"), icon="fa-wrench", category="Party building"
    )
    appbuilder.add_link(
        "Overdue rectifications",
        href="/partyoversight/overdue",
        label=_l("Overdue rectifications"),
        icon="fa-exclamation-triangle",
        category="Party building",
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
    for api in (
        RegionApi,
        DepartmentApi,
        PersonApi,
        FacilityApi,
        BookingApi,
        MeetingApi,
        ResolutionApi,
        SocialOrganizationApi,
        PartyOrganizationApi,
        OversightRecordApi,
        RectificationApi,
        ServiceItemApi,
        ResourceApi,
        FundingApi,
        PurchasedServiceApi,
    ):
        appbuilder.add_api(api)
    # the OpenAPI spec of these APIs at /api/v1/_openapi, for signed-in holders of can_get on OpenApi
    # (administrators); no Swagger UI, which would load its scripts from the internet
    appbuilder.add_api(OpenApi)
