"""Service facilities (服务设施) and their bookings (场地预约)."""

from datetime import datetime
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, or_, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from .choices import FACILITY_KINDS, FACILITY_STATUSES
from .mixins import RecordMixin, fk_value, is_linked, localized
from .org import Department, Region
from .social import SocialOrganization

#: the database's own guard against overlapping live bookings of one facility (a trigger on
#: SQLite, an exclusion constraint on PostgreSQL; both made by the migration): it holds when two
#: requests book the same slot at the same moment, after each checked and found it free
BOOKING_OVERLAP_CONSTRAINT = "booking_no_overlap"


class Facility(RecordMixin, Model):
    """A service center, station, incubator base, activity room or other public facility."""

    __tablename__ = "facility"
    __scope_attr__ = "managing_department_id"
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_pinyin: Mapped[str | None] = mapped_column(String(600))
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Region | None] = relationship()
    managing_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    managing_department: Mapped[Department] = relationship()
    address: Mapped[str | None] = mapped_column(String(300))
    floor_area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    service_windows: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    opening_hours: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="running")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name", "name_en")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def validate(self, session) -> dict:
        errors = {}
        if self.kind not in FACILITY_KINDS:
            errors["kind"] = _l("Choose a kind from the list.")
        if self.status not in FACILITY_STATUSES:
            errors["status"] = _l("Choose a status from the list.")
        for field in ("floor_area", "service_windows", "capacity"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _l("This number can't be negative.")
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _l("A latitude lies between -90 and 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _l("A longitude lies between -180 and 180.")
        return errors


class Booking(RecordMixin, Model):
    """A booking of a facility for a time slot, by a department or by a social organization;
    slots of one facility never overlap."""

    __tablename__ = "booking"
    __table_args__ = (
        Index("ix_booking_facility_time", "facility_id", "starts_at", "ends_at"),
        CheckConstraint("(department_id IS NULL) <> (social_organization_id IS NULL)", name="ck_booking_one_booker"),
    )
    __scope_attr__ = "department_id"
    #: any department may book any facility: the facility select is not limited by scope
    __public_relations__ = ("facility",)
    #: what the user is told when the database refuses a write by one of these constraints
    __constraint_messages__ = {
        BOOKING_OVERLAP_CONSTRAINT: (
            "starts_at",
            _l("This time overlaps another booking of this facility, saved a moment ago. Choose another time."),
        ),
        "ck_booking_one_booker": (
            "department",
            _l("Choose who books: a department or a social organization, not both."),
        ),
    }

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), nullable=False)
    facility: Mapped[Facility] = relationship()
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    department: Mapped[Department | None] = relationship()
    social_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_organization.id", name="fk_booking_social_organization_id"), index=True
    )
    social_organization: Mapped[SocialOrganization | None] = relationship()
    starts_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)

    #: relations that ``__str__`` reads: loaded together with this record where it is listed
    __str_relations__ = ("facility",)

    def __str__(self) -> str:
        return f"#{self.id} {self.facility} {self.starts_at:%Y-%m-%d %H:%M}" if self.starts_at else f"#{self.id}"

    @property
    def booker(self) -> Department | SocialOrganization | None:
        """Who booked: the department or the social organization."""
        return self.department if self.department is not None else self.social_organization

    @classmethod
    def scope_clause(cls, department_ids):
        """Visible to the booking department's scope, or to the booking organization's supervising unit's."""
        supervised = select(SocialOrganization.id).where(SocialOrganization.supervising_unit_id.in_(department_ids))
        return or_(cls.department_id.in_(department_ids), cls.social_organization_id.in_(supervised))

    def scope_owner_ids(self) -> list:
        department = fk_value(self, "department_id")
        if department is not None:
            return [department]
        organization_id = fk_value(self, "social_organization_id")
        organization = self.social_organization
        if organization is None and organization_id is not None:
            session = object_session(self)
            organization = session.get(SocialOrganization, organization_id) if session else None
        return [organization.supervising_unit_id if organization is not None else None]

    def validate(self, session) -> dict:
        errors = {}
        # the links as set by this change (a relation set to None hides the key it will clear at flush)
        has_department = is_linked(self, "department")
        has_organization = is_linked(self, "social_organization")
        if has_department == has_organization:
            field = "social_organization" if has_department else "department"
            errors[field] = _l("Choose who books: a department or a social organization, not both.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _l("The end must be after the start.")
            return errors
        facility_id = fk_value(self, "facility_id")
        if not facility_id or not self.starts_at or not self.ends_at:
            return errors
        facility = self.facility or session.get(Facility, facility_id)
        if facility is not None and facility.status != "running":
            errors["facility"] = _l("Only a running facility can be booked.")
        conflict = self.first_conflict(session, facility_id)
        if conflict is not None:
            errors["starts_at"] = _l(
                "This time overlaps booking #%(id)s of %(booker)s, %(start)s to %(end)s.",
                id=conflict.id,
                booker=str(conflict.booker),
                start=conflict.starts_at.strftime("%Y-%m-%d %H:%M"),
                end=conflict.ends_at.strftime("%Y-%m-%d %H:%M"),
            )
        return errors

    def first_conflict(self, session, facility_id: int) -> "Booking | None":
        query = select(Booking).where(
            Booking.facility_id == facility_id,
            Booking.deleted_at.is_(None),
            Booking.starts_at < self.ends_at,
            Booking.ends_at > self.starts_at,
        )
        if self.id:
            query = query.where(Booking.id != self.id)
        with session.no_autoflush:
            return session.scalars(query.order_by(Booking.starts_at).limit(1)).first()
