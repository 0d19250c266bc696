"""Social organizations (社会组织): the five categories, registered or filed, incubated, evaluated."""

from datetime import date

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import Choices
from .mixins import RecordMixin, localized
from .org import Department, Region
from .validation import check_credit_code, check_mobile

SOCIAL_CATEGORIES = Choices(
    ("public_welfare", _l("Public-welfare service")),
    ("social_affairs", _l("Social affairs")),
    ("culture_sports", _l("Culture and sports")),
    ("charity_relief", _l("Charity and relief")),
    ("rights_protection", _l("Community rights protection")),
)
SOCIAL_ROUTES = Choices(("registered", _l("Registered")), ("filed", _l("Filed")))
INCUBATION_STATES = Choices(
    ("never", _l("Not incubated")),
    ("incubating", _l("Incubating")),
    ("graduated", _l("Graduated")),
)
EVALUATION_GRADES = Choices(
    ("none", _l("Not evaluated")),
    ("1A", "1A"),
    ("2A", "2A"),
    ("3A", "3A"),
    ("4A", "4A"),
    ("5A", "5A"),
)
SOCIAL_STATUSES = Choices(
    ("active", _l("Active")),
    ("suspended", _l("Suspended")),
    ("deregistered", _l("Deregistered")),
)


class SocialOrganization(RecordMixin, Model):
    """A social organization, supervised day to day by a street or community unit (its supervising unit)."""

    __tablename__ = "social_organization"
    __table_args__ = (
        Index(
            "uq_social_organization_code_live",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL AND code IS NOT NULL"),
            postgresql_where=text("deleted_at IS NULL AND code IS NOT NULL"),
        ),
    )
    __scope_attr__ = "supervising_unit_id"
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_pinyin: Mapped[str | None] = mapped_column(String(800))
    code: Mapped[str | None] = mapped_column(String(18))
    category: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    route: Mapped[str] = mapped_column(String(20), nullable=False, default="registered")
    registered_on: Mapped[date | None] = mapped_column(Date)
    supervising_unit_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    supervising_unit: Mapped[Department] = relationship()
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Region | None] = relationship()
    incubation: Mapped[str] = mapped_column(String(20), nullable=False, default="never")
    evaluation_grade: Mapped[str] = mapped_column(String(10), nullable=False, default="none")
    members: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def validate(self, session) -> dict:
        errors = {}
        for field, choices in (
            ("category", SOCIAL_CATEGORIES),
            ("route", SOCIAL_ROUTES),
            ("incubation", INCUBATION_STATES),
            ("evaluation_grade", EVALUATION_GRADES),
            ("status", SOCIAL_STATUSES),
        ):
            if getattr(self, field) not in choices:
                errors[field] = _l("Choose a value from the list.")
        if self.code:
            self.code = self.code.strip().upper()
            message = check_credit_code(self.code)
            if message:
                errors["code"] = message
            elif self.value_taken(session, "code"):
                errors["code"] = _l("Another social organization already has this unified social credit code.")
        if self.route == "registered" and not self.code:
            errors["code"] = _l("A registered social organization has a unified social credit code.")
        if self.members is not None and self.members < 0:
            errors["members"] = _l("This number can't be negative.")
        message = check_mobile(self.phone) if self.phone and self.phone.startswith("1") else None
        if message:
            errors["phone"] = message
        return errors
