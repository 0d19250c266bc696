"""Views of service facilities and their bookings."""

from flask_babel import lazy_gettext as _l

from models import Booking, Facility
from models.choices import FACILITY_KINDS, FACILITY_STATUSES

from .base import PlatformModelView, PlatformRestApi, scoped

FACILITY_LABELS = {
    "name": _l("Name"),
    "name_en": _l("English name"),
    "kind": _l("Kind"),
    "region": _l("Region"),
    "managing_department": _l("Managing department"),
    "address": _l("Address"),
    "floor_area": _l("Floor area (m²)"),
    "service_windows": _l("Service windows"),
    "capacity": _l("Capacity"),
    "opening_hours": _l("Opening hours"),
    "status": _l("Status"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
}
FACILITY_FIELDS = [
    "name",
    "name_en",
    "kind",
    "region",
    "managing_department",
    "address",
    "floor_area",
    "service_windows",
    "capacity",
    "opening_hours",
    "status",
    "latitude",
    "longitude",
]
BOOKING_LABELS = {
    "facility": _l("Facility"),
    "department": _l("Booking department"),
    "social_organization": _l("Booking social organization"),
    "starts_at": _l("Starts at"),
    "ends_at": _l("Ends at"),
    "purpose": _l("Purpose"),
}
BOOKING_DESCRIPTIONS = {
    "department": _l("Fill in one of the two: the department that books, or the social organization."),
    "social_organization": _l("Fill in one of the two: the department that books, or the social organization."),
}
BOOKING_FIELDS = ["facility", "department", "social_organization", "starts_at", "ends_at", "purpose"]


class FacilityView(PlatformModelView):
    """Service centers, stations, incubator bases and other facilities, by managing department."""

    datamodel = scoped(Facility)
    class_permission_name = "Facility"
    list_title = show_title = _l("Facilities")
    add_title = _l("Add facility")
    edit_title = _l("Edit facility")
    list_columns = ["name", "kind", "region", "managing_department", "service_windows", "status"]
    show_columns = [*FACILITY_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = FACILITY_FIELDS
    search_columns = ["name", "kind", "status", "address"]
    order_columns = ["name", "kind", "status", "service_windows", "capacity"]
    base_order = ("name", "asc")
    label_columns = FACILITY_LABELS
    choice_columns = {"kind": FACILITY_KINDS, "status": FACILITY_STATUSES}
    region_columns = ("region",)


class BookingView(PlatformModelView):
    """Bookings of facilities by departments and social organizations; overlapping slots of one
    facility are refused."""

    datamodel = scoped(Booking)
    class_permission_name = "Booking"
    list_title = show_title = _l("Bookings")
    add_title = _l("Add booking")
    edit_title = _l("Edit booking")
    list_columns = BOOKING_FIELDS
    show_columns = [*BOOKING_FIELDS, "created_at", "version"]
    add_columns = edit_columns = BOOKING_FIELDS
    search_columns = ["facility", "department", "social_organization", "purpose", "starts_at", "ends_at"]
    order_columns = ["starts_at", "ends_at"]
    base_order = ("starts_at", "desc")
    label_columns = BOOKING_LABELS
    description_columns = BOOKING_DESCRIPTIONS


class FacilityApi(PlatformRestApi):
    """REST API for facilities."""

    resource_name = "facility"
    datamodel = scoped(Facility)
    class_permission_name = "Facility"
    label_columns = FACILITY_LABELS
    list_columns = show_columns = [
        "id",
        *[f for f in FACILITY_FIELDS if f not in ("region", "managing_department")],
        "region.id",
        "managing_department.id",
        "version",
    ]
    add_columns = edit_columns = FACILITY_FIELDS
    search_columns = ["name", "kind", "status"]
    order_columns = ["name", "kind", "status"]


class BookingApi(PlatformRestApi):
    """REST API for bookings; overlaps are refused with the conflicting booking named."""

    resource_name = "booking"
    datamodel = scoped(Booking)
    class_permission_name = "Booking"
    label_columns = BOOKING_LABELS
    list_columns = show_columns = [
        "id",
        "facility.id",
        "department.id",
        "social_organization.id",
        "starts_at",
        "ends_at",
        "purpose",
        "version",
    ]
    add_columns = edit_columns = BOOKING_FIELDS
    search_columns = ["facility", "department", "social_organization", "starts_at", "ends_at"]
    order_columns = ["starts_at", "ends_at"]
