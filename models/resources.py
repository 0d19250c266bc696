"""Resource integration (资源整合): the government service-item catalog (政务服务事项) and the
shared resources integrated into the platform's facilities (共享资源)."""

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, case, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import Choices
from .facilities import Facility
from .mixins import RecordMixin, live_unique, localized
from .org import Department

ITEM_TYPES = Choices(
    ("licensing", _l("Administrative licensing")),
    ("payment", _l("Administrative payment")),
    ("confirmation", _l("Administrative confirmation")),
    ("public_service", _l("Public service")),
    ("other", _l("Other")),
)
SERVICE_OBJECTS = Choices(
    ("natural_person", _l("Natural person")),
    ("legal_person", _l("Legal person")),
    ("both", _l("Natural and legal persons")),
)
LEVELS = {
    "level_district": _l("District level"),
    "level_township": _l("Township level"),
    "level_village": _l("Village level"),
}
RESOURCE_KINDS = Choices(
    ("personnel", _l("Personnel")),
    ("equipment", _l("Facilities and equipment")),
    ("information_system", _l("Information system")),
    ("function", _l("Function")),
    ("fund", _l("Fund")),
)
RESOURCE_STATUSES = Choices(
    ("planned", _l("Planned")),
    ("integrated", _l("Integrated")),
    ("shared", _l("Shared")),
    ("withdrawn", _l("Withdrawn")),
)
SHARING_SCOPES = Choices(
    ("department", _l("Own department")),
    ("township", _l("Township/street")),
    ("district", _l("Whole district")),
    ("city", _l("Whole city")),
)


class ServiceItem(RecordMixin, Model):
    """A government service item: who handles it, for whom, at which levels, in how many working days."""

    __tablename__ = "service_item"
    __table_args__ = (live_unique("uq_service_item_code_live", "item_code"),)
    __scope_attr__ = "responsible_department_id"
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_pinyin: Mapped[str | None] = mapped_column(String(800))
    item_type: Mapped[str] = mapped_column(String(20), nullable=False)
    responsible_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    responsible_department: Mapped[Department] = relationship()
    service_object: Mapped[str] = mapped_column(String(20), nullable=False, default="both")
    level_district: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    level_township: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    level_village: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    legal_limit_days: Mapped[int | None] = mapped_column(Integer)
    promised_limit_days: Mapped[int | None] = mapped_column(Integer)
    centralized: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"))
    window: Mapped[Facility | None] = relationship()
    online: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    fee_charged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    fee_basis: Mapped[str | None] = mapped_column(String(300))
    #: the live materials and steps: a line removed from the item's lists goes to the recycle bin
    materials: Mapped[list["ServiceItemMaterial"]] = relationship(
        back_populates="item",
        primaryjoin="and_(ServiceItemMaterial.item_id == ServiceItem.id, ServiceItemMaterial.deleted_at.is_(None))",
        order_by="ServiceItemMaterial.position, ServiceItemMaterial.id",
        cascade="all",
    )
    steps: Mapped[list["ServiceItemStep"]] = relationship(
        back_populates="item",
        primaryjoin="and_(ServiceItemStep.item_id == ServiceItem.id, ServiceItemStep.deleted_at.is_(None))",
        order_by="ServiceItemStep.position, ServiceItemStep.id",
        cascade="all",
    )

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name", "name_en")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    @classmethod
    def centralized_count(cls):
        """How many of the rows counted are handled in the center (进驻), for the centralization rate."""
        return func.sum(case((cls.centralized.is_(True), 1), else_=0))

    def validate(self, session) -> dict:
        errors = {}
        if self.item_type not in ITEM_TYPES:
            errors["item_type"] = _l("Choose a value from the list.")
        if self.service_object not in SERVICE_OBJECTS:
            errors["service_object"] = _l("Choose a value from the list.")
        for field in ("legal_limit_days", "promised_limit_days"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= 3650:
                errors[field] = _l("A time limit is a number of working days from 0 to 3650.")
        if (
            self.legal_limit_days is not None
            and self.promised_limit_days is not None
            and self.promised_limit_days > self.legal_limit_days
        ):
            errors["promised_limit_days"] = _l("The promised time limit can't be longer than the legal one.")
        if not (self.level_district or self.level_township or self.level_village):
            errors["level_district"] = _l("Choose at least one level where the item is handled.")
        if self.fee_charged and not (self.fee_basis or "").strip():
            errors["fee_basis"] = _l("Give the basis of the fee.")
        if self.item_code:
            self.item_code = self.item_code.strip()
            if self.value_taken(session, "item_code"):
                errors["item_code"] = _l("Another service item already has this item code.")
        return errors


class ServiceItemMaterial(RecordMixin, Model):
    """A document the applicant brings, in order."""

    __tablename__ = "service_item_material"
    __parent_attr__ = "item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), nullable=False, index=True)
    item: Mapped[ServiceItem] = relationship(back_populates="materials")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    name: Mapped[str] = mapped_column(String(300), nullable=False)

    def __str__(self) -> str:
        return self.name or ""


class ServiceItemStep(RecordMixin, Model):
    """One step of the handling process, in order."""

    __tablename__ = "service_item_step"
    __parent_attr__ = "item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id", ondelete="CASCADE"), nullable=False, index=True)
    item: Mapped[ServiceItem] = relationship(back_populates="steps")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    description: Mapped[str] = mapped_column(String(500), nullable=False)

    def __str__(self) -> str:
        return self.description or ""


class Resource(RecordMixin, Model):
    """A personnel, equipment, information-system, function or fund resource integrated into a facility."""

    __tablename__ = "resource"
    __pinyin_columns__ = ("name",)
    __scope_attr__ = "owning_department_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_pinyin: Mapped[str | None] = mapped_column(String(800))
    owning_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    owning_department: Mapped[Department] = relationship()
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)
    facility: Mapped[Facility | None] = relationship()
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    sharing_scope: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return self.name or ""

    @classmethod
    def scope_clause(cls, department_ids):
        """Owned by the user's departments, or shared into a facility they manage."""
        managed = select(Facility.id).where(Facility.managing_department_id.in_(department_ids))
        return or_(cls.owning_department_id.in_(department_ids), cls.facility_id.in_(managed))

    def scope_owner_ids(self) -> list:
        owner = self.owning_department.id if self.owning_department is not None else self.owning_department_id
        return [owner]

    def validate(self, session) -> dict:
        errors = {}
        if self.kind not in RESOURCE_KINDS:
            errors["kind"] = _l("Choose a value from the list.")
        if self.status not in RESOURCE_STATUSES:
            errors["status"] = _l("Choose a value from the list.")
        if self.sharing_scope is not None and self.sharing_scope not in SHARING_SCOPES:
            errors["sharing_scope"] = _l("Choose a value from the list.")
        if self.status in ("integrated", "shared") and self.facility is None and self.facility_id is None:
            errors["facility"] = _l("Choose the facility it is integrated into.")
        return errors
