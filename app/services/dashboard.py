"""The home dashboard's figures (工作台), by role: SQL aggregates within the user's data scope.

Every figure is counted by the database, through the same scoped data layer as the lists, and
carries the address of the filtered list behind it, so a click shows exactly the rows counted.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import func

from app.datamodel import ScopedSQLAInterface
from app.extensions import appbuilder, db
from app.scope import NOT_BY_DEPARTMENT, current_scope
from app.services import party
from models import (
    AuditEvent,
    Booking,
    Department,
    Facility,
    PartyOrganization,
    Person,
    PlatformUser,
    Rectification,
    Resolution,
    ServiceItem,
    SocialOrganization,
)
from models.choices import PERSON_CATEGORIES
from models.mixins import utcnow
from models.tally import category_sums

#: rows shown in each of the dashboard's short lists
LIST_LIMIT = 8


@dataclass
class Figure:
    """One headline figure and the list behind it."""

    key: str
    label: str
    value: object
    url: str | None = None
    #: an extra line under the figure (e.g. the week's dates)
    note: str = ""
    #: for a rate: the part and the whole it is worked out from
    part: int = 0
    whole: int = 0
    #: for open work: how much of it is overdue, and the first rows (overdue first)
    overdue: int = 0
    items: list = field(default_factory=list)


def may_read(view_name: str) -> bool:
    return appbuilder.sm.has_access("can_read", view_name)


def scoped_query(model, *columns):
    """A query of ``columns`` (or of the model) over the live rows of ``model`` in the user's scope.

    Counts are ``count(*)``: PostgreSQL can then answer them from an index alone (``count(id)``
    names a column that the dashboard's indexes don't hold)."""
    return ScopedSQLAInterface(model).restrict(db.session.query(*(columns or (model,))).select_from(model))


def filtered_list_url(view_name: str, *filters: tuple[str, str, object]) -> str:
    """The list of ``view_name`` with Flask-AppBuilder filters applied: each filter is
    (column, filter class name, value); the filter's position in the column's filter list is looked
    up from the view itself, so the address keeps working if the filters change."""
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == view_name)
    search_filters = view._filters._search_filters
    arguments = {}
    for column, filter_name, value in filters:
        index = next(i for i, f in enumerate(search_filters[column]) if type(f).__name__ == filter_name)
        arguments[f"_flt_{index}_{column}"] = value
    return url_for(f"{view_name}.list", **arguments)


# ----- for every role: the registers ------------------------------------------------------------
REGISTERS = (
    ("Department", Department, "DepartmentView", "fa-sitemap"),
    ("Person", Person, "PersonView", "fa-users"),
    ("Facility", Facility, "FacilityView", "fa-building"),
    ("SocialOrganization", SocialOrganization, "SocialOrganizationView", "fa-handshake-o"),
    ("ServiceItem", ServiceItem, "ServiceItemView", "fa-list-alt"),
)


def register_counts(labels: dict) -> list[Figure]:
    """The number of live records of each register the user may read, in their scope."""
    figures = []
    for permission_view, model, view_name, icon in REGISTERS:
        if may_read(permission_view):
            count = scoped_query(model, func.count()).scalar() or 0
            figures.append(Figure(icon, str(labels[permission_view]), int(count), url_for(f"{view_name}.list")))
    return figures


def centralization() -> Figure | None:
    """The centralization rate (进驻率): the share of service items handled in the center."""
    if not may_read("ServiceItem"):
        return None
    total, centralized = scoped_query(ServiceItem, func.count(), ServiceItem.centralized_count()).one()
    total, centralized = int(total or 0), int(centralized or 0)
    rate = round(100.0 * centralized / total, 1) if total else 0.0
    return Figure("centralization", "", rate, url_for("ServiceItemView.overview"), part=centralized, whole=total)


# ----- administrators ------------------------------------------------------------------------------
def recent_audit_events(limit: int = LIST_LIMIT) -> list[AuditEvent]:
    if not may_read("AuditEvent"):
        return []
    return db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).all()


def locked_accounts(now: datetime | None = None) -> list[PlatformUser]:
    """Accounts locked after repeated failed sign-ins, until their lock ends or an Admin unlocks them."""
    now = now or utcnow()
    query = db.session.query(PlatformUser).filter(PlatformUser.locked_until > now)
    return query.order_by(PlatformUser.locked_until.desc()).all()


# ----- department staff ------------------------------------------------------------------------------
def persons_by_category() -> list[Figure]:
    """Live persons in scope by category, each linked to the person list filtered by that category."""
    if not may_read("Person"):
        return []
    departments = current_scope().department_limit(Person, "department_id")
    if departments is not NOT_BY_DEPARTMENT:
        # the tallies of the departments in scope (``models.tally``): a few rows, not every person
        counts = dict(db.session.execute(category_sums("person", departments)).all())
    else:
        counts = {}
        # grouped by department too, so that the database reads one index in its order, without sorting
        grouped = scoped_query(Person, Person.department_id, Person.category, func.count())
        for _department, category, count in grouped.group_by(Person.department_id, Person.category):
            counts[category] = counts.get(category, 0) + count
    return [
        Figure(
            code,
            str(label),
            int(counts.get(code, 0)),
            filtered_list_url("PersonView", ("category", "FilterEqual", code)),
        )
        for code, label in PERSON_CATEGORIES
    ]


def week_of(day: date) -> tuple[date, date]:
    """Monday of ``day``'s week, and the Monday after."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def bookings_this_week(today: date) -> Figure | None:
    if not may_read("Booking"):
        return None
    monday, next_monday = week_of(today)
    start, end = datetime.combine(monday, datetime.min.time()), datetime.combine(next_monday, datetime.min.time())
    count = scoped_query(Booking, func.count()).filter(Booking.starts_at >= start, Booking.starts_at < end).scalar()
    url = filtered_list_url(
        "BookingView",
        ("starts_at", "FilterGreater", (start - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")),
        ("starts_at", "FilterSmaller", end.strftime("%Y-%m-%d %H:%M:%S")),
    )
    return Figure(
        "bookings", "", int(count or 0), url, note=f"{monday:%m-%d} – {next_monday - timedelta(days=1):%m-%d}"
    )


def open_resolutions(today: date, limit: int = LIST_LIMIT) -> Figure | None:
    """The user's open resolutions (not done), overdue first, then by due date."""
    if not may_read("Resolution"):
        return None
    overdue = Resolution.overdue_expression(today)
    open_rows = scoped_query(Resolution).filter(Resolution.status != "done")
    total, overdue_count = (
        scoped_query(Resolution, func.count(), func.coalesce(func.sum(overdue), 0))
        .filter(Resolution.status != "done")
        .one()
    )
    rows = (
        open_rows.order_by(overdue.desc(), Resolution.due_on.is_(None), Resolution.due_on, Resolution.id)
        .limit(limit)
        .all()
    )
    return Figure(
        "resolutions",
        "",
        int(total or 0),
        url_for("ResolutionBoardView.board"),
        overdue=int(overdue_count or 0),
        items=rows,
    )


def open_rectifications(today: date, limit: int = LIST_LIMIT) -> Figure | None:
    """Rectifications still to be done (pending or in progress), overdue first, then by deadline."""
    if not may_read("Rectification"):
        return None
    overdue = Rectification.overdue_expression(today)
    still_open = Rectification.status.in_(("pending", "in_progress"))
    total, overdue_count = (
        scoped_query(Rectification, func.count(), func.coalesce(func.sum(overdue), 0)).filter(still_open).one()
    )
    rows = (
        scoped_query(Rectification)
        .filter(still_open)
        .order_by(overdue.desc(), Rectification.deadline, Rectification.id)
        .limit(limit)
        .all()
    )
    return Figure(
        "rectifications",
        "",
        int(total or 0),
        url_for("PartyOversightView.overdue") if overdue_count else url_for("RectificationView.list"),
        overdue=int(overdue_count or 0),
        items=rows,
    )


#: registers whose latest changes the department dashboard lists: permission view, model, show endpoint
CHANGE_SOURCES = (
    ("Person", Person, "PersonView.show"),
    ("Facility", Facility, "FacilityView.show"),
    ("Booking", Booking, "BookingView.show"),
    ("Department", Department, "DepartmentView.show"),
    ("SocialOrganization", SocialOrganization, "SocialOrganizationView.show"),
    ("ServiceItem", ServiceItem, "ServiceItemView.show"),
)


@dataclass
class Change:
    """A record changed lately, in the user's scope."""

    register: str
    label: str
    changed_at: datetime
    url: str


def recent_changes(labels: dict, limit: int = LIST_LIMIT) -> list[Change]:
    """The records changed most recently across the registers the user may read, in their scope
    (each register gives its latest ``limit`` by an index on the change time; the newest win)."""
    changes = []
    for permission_view, model, endpoint in CHANGE_SOURCES:
        if not may_read(permission_view):
            continue
        for item in ScopedSQLAInterface(model).newest(model.updated_at, limit):
            changes.append(
                Change(str(labels[permission_view]), str(item), item.updated_at, url_for(endpoint, pk=item.id))
            )
    changes.sort(key=lambda change: change.changed_at or datetime.min, reverse=True)
    return changes[:limit]


# ----- supervisors -----------------------------------------------------------------------------------
def overdue_resolutions(today: date) -> Figure | None:
    """Resolutions past their due date and not done, in the user's scope (all departments for supervisors)."""
    if not may_read("Resolution"):
        return None
    count = scoped_query(Resolution, func.count()).filter(Resolution.overdue_expression(today) == 1)
    return Figure(
        "overdue_resolutions", "", int(count.scalar() or 0), url_for("ResolutionBoardView.board", status="overdue")
    )


def overdue_rectifications(today: date) -> Figure | None:
    if not may_read("Rectification"):
        return None
    return Figure(
        "overdue_rectifications", "", party.overdue_rectification_count(today), url_for("PartyOversightView.overdue")
    )


def party_coverage() -> tuple[Figure | None, list[Figure]]:
    """Party-organization coverage of social organizations (the share with a formed party
    organization), overall and by category."""
    if not may_read("OversightRecord") or not may_read("SocialOrganization"):
        return None, []
    overall = party.coverage_overall()
    url = url_for("PartyOversightView.coverage")
    by_category = [Figure(row.key, row.label, row.share, url) for row in party.coverage_by_category()]
    return Figure("coverage", "", overall.share, url, part=overall.covered, whole=overall.total), by_category


def expired_terms(today: date) -> Figure | None:
    """Party organizations whose term (换届) has ended, linked to the list filtered to them."""
    if not may_read("PartyOrganization"):
        return None
    count = scoped_query(PartyOrganization, func.count()).filter(PartyOrganization.term_ends_on < today)
    url = filtered_list_url("PartyOrganizationView", ("term_ends_on", "FilterSmaller", today.isoformat()))
    return Figure("expired_terms", "", int(count.scalar() or 0), url)
