"""Social organizations (社会组织): the five categories, registered or filed, incubated, evaluated."""

from datetime import date
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import Choices
from .mixins import RecordMixin, live_unique, localized
from .org import Department, Region
from .validation import check_credit_code, check_mobile, check_phone

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
    __table_args__ = (live_unique("uq_social_organization_code_live", "code", optional=True),)
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
        message = check_phone(self.phone) or (
            check_mobile(self.phone) if self.phone and self.phone.startswith("1") else None
        )
        if message:
            errors["phone"] = message
        return errors


FUNDING_TYPES = Choices(
    ("startup", _l("One-off start-up support")),
    ("reward", _l("Reward in lieu of subsidy")),
    ("special", _l("Special support")),
)
PURCHASE_STAGES = Choices(
    ("demand", _l("Demand published")),
    ("consultation", _l("Resident consultation")),
    ("decision", _l("Decision")),
    ("in_progress", _l("In progress")),
    ("evaluation", _l("Evaluation")),
    ("closed", _l("Closed")),
)
MAX_AMOUNT = Decimal("10000000000")


class Funding(RecordMixin, Model):
    """Support funds granted to a social organization (扶持资金), in CNY."""

    __tablename__ = "funding"
    __scope_attr__ = "approving_department_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    social_organization_id: Mapped[int] = mapped_column(
        ForeignKey("social_organization.id"), nullable=False, index=True
    )
    social_organization: Mapped[SocialOrganization] = relationship()
    funding_type: Mapped[str] = mapped_column(String(20), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    granted_on: Mapped[date] = mapped_column(Date, nullable=False)
    approving_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    approving_department: Mapped[Department] = relationship()

    #: relations that ``__str__`` reads: loaded together with this record where it is listed
    __str_relations__ = ("social_organization",)

    def __str__(self) -> str:
        return f"{self.social_organization} {self.amount}"

    def validate(self, session) -> dict:
        errors = {}
        if self.funding_type not in FUNDING_TYPES:
            errors["funding_type"] = _l("Choose a value from the list.")
        if self.amount is None or not Decimal("0") < Decimal(self.amount) < MAX_AMOUNT:
            errors["amount"] = _l("An amount is more than 0 and less than 10 billion yuan.")
        elif Decimal(self.amount).as_tuple().exponent < -2:
            errors["amount"] = _l("An amount has at most two decimal places (fen).")
        return errors


class PurchasedService(RecordMixin, Model):
    """A public service the government buys from a social organization (政府购买服务项目), from published
    demand through resident consultation and decision to delivery, evaluation and closing."""

    __tablename__ = "purchased_service"
    __scope_attr__ = "purchasing_department_id"
    __pinyin_columns__ = ("title",)
    __workflow_field__ = "stage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalog_entry: Mapped[str] = mapped_column(String(200), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    title_pinyin: Mapped[str | None] = mapped_column(String(800))
    purchasing_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    purchasing_department: Mapped[Department] = relationship()
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("social_organization.id"), index=True)
    contractor: Mapped[SocialOrganization | None] = relationship()
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="demand")
    performance_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    resident_satisfaction: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))

    def __str__(self) -> str:
        return self.title or ""

    def validate(self, session) -> dict:
        from sqlalchemy import inspect

        errors = {}
        if self.stage not in PURCHASE_STAGES:
            errors["stage"] = _l("Choose a value from the list.")
        if self.budget is None or not Decimal("0") < Decimal(self.budget) < MAX_AMOUNT:
            errors["budget"] = _l("An amount is more than 0 and less than 10 billion yuan.")
        for field in ("performance_score", "resident_satisfaction"):
            value = getattr(self, field)
            if value is not None and not Decimal("0") <= Decimal(value) <= Decimal("100"):
                errors[field] = _l("A score lies between 0 and 100.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _l("The period can't end before it starts.")
        codes = PURCHASE_STAGES.codes
        history = inspect(self).attrs.stage.history
        before = history.deleted[0] if history.deleted else (None if inspect(self).pending else self.stage)
        if before is not None and self.stage in codes and before in codes:
            if codes.index(self.stage) - codes.index(before) > 1:
                errors["stage"] = _l("A project moves one stage at a time.")
        if self.stage in ("in_progress", "evaluation", "closed") and self.contractor is None and not self.contractor_id:
            errors["contractor"] = _l("Choose the contractor before the project starts.")
        if self.stage == "closed" and (self.performance_score is None or self.resident_satisfaction is None):
            errors["stage"] = _l("A project can't close before its performance evaluation (score and satisfaction).")
        return errors
