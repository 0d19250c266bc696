"""Personnel (工作人员) and their transfers between departments (人员调动)."""

from datetime import date

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import (
    EDUCATION_LEVELS,
    GENDERS,
    PERSON_CATEGORIES,
    PERSON_STATUSES,
    POLITICAL_STATUSES,
    SOCIAL_WORK_QUALIFICATIONS,
)
from .mixins import LIVE, RecordMixin, live_unique
from .org import Department
from .validation import check_id_number, check_mobile, normalize_id_number

CHOICE_FIELDS = {
    "gender": GENDERS,
    "category": PERSON_CATEGORIES,
    "political_status": POLITICAL_STATUSES,
    "education": EDUCATION_LEVELS,
    "status": PERSON_STATUSES,
    "social_work_qualification": SOCIAL_WORK_QUALIFICATIONS,
}


class Person(RecordMixin, Model):
    """A member of staff, community worker, social worker or volunteer of a department."""

    __tablename__ = "person"
    __table_args__ = (
        live_unique("uq_person_id_number_live", "id_number"),
        # the list's default order: a page of live persons by name reads the index, not the table
        Index("ix_person_live_name", "name", "id", sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        # the home dashboard: persons by category in a department's scope, and the latest changes
        Index(
            "ix_person_live_department_category",
            "department_id",
            "category",
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
        Index(
            "ix_person_live_department_changed",
            "department_id",
            "updated_at",
            "id",
            sqlite_where=text(LIVE),
            postgresql_where=text(LIVE),
        ),
    )
    __scope_attr__ = "department_id"
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    name_pinyin: Mapped[str | None] = mapped_column(String(300))
    gender: Mapped[str | None] = mapped_column(String(10))
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    mobile: Mapped[str | None] = mapped_column(String(11))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    department: Mapped[Department] = relationship()
    position: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    political_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(20))
    hired_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="on_duty")
    social_work_qualification: Mapped[str | None] = mapped_column(String(20))

    #: the reason given for a change of department; written to the Transfer row
    transfer_reason = None

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name",)

    def __str__(self) -> str:
        return self.name or ""

    def validate(self, session) -> dict:
        errors = {}
        for field, choices in CHOICE_FIELDS.items():
            value = getattr(self, field)
            if value and value not in choices:
                errors[field] = _l("Choose a value from the list.")
        if not self.category:
            errors["category"] = _l("This field is required.")
        message = check_id_number(self.id_number)
        if not self.id_number:
            errors["id_number"] = _l("This field is required.")
        elif message:
            errors["id_number"] = message
        else:
            self.id_number = normalize_id_number(self.id_number)
            if self.value_taken(session, "id_number"):
                errors["id_number"] = _l("Another active person already has this ID number.")
            elif self.gender and self.gender != self.gender_from_id():
                errors["gender"] = _l("The gender does not match the ID number.")
        message = check_mobile(self.mobile)
        if message:
            errors["mobile"] = message
        if self.hired_on and self.left_on and self.left_on < self.hired_on:
            errors["left_on"] = _l("The leaving date can't be before the hiring date.")
        return errors

    def gender_from_id(self) -> str | None:
        if not self.id_number or len(self.id_number) != 18:
            return None
        return "male" if int(self.id_number[16]) % 2 else "female"


class Transfer(RecordMixin, Model):
    """A change of a person's department, written automatically when it happens."""

    __tablename__ = "transfer"
    __scope_attr__ = ("from_department_id", "to_department_id")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), nullable=False, index=True)
    person: Mapped[Person] = relationship()
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    from_department: Mapped[Department | None] = relationship(foreign_keys=[from_department_id])
    to_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    to_department: Mapped[Department] = relationship(foreign_keys=[to_department_id])
    transferred_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)

    #: relations that ``__str__`` reads: loaded together with this record where it is listed
    __str_relations__ = ("person", "from_department", "to_department")

    def __str__(self) -> str:
        return f"{self.person} {self.from_department or ''} → {self.to_department}"
