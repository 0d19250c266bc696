"""Party-building oversight (党建监督): party organizations, inspections, and rectifications followed
until a supervisor verifies them.

Rights beyond data scope, enforced at every flush (``check_change``):
- only a Supervisor (or an Admin) records inspections and verifies rectifications;
- the responsible side (staff of the social organization's supervising unit) records a
  rectification's progress and evidence, and nothing else.
"""

from datetime import date, datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, and_, case, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import Choices
from .mixins import RecordMixin, changed_fields, committed_value, localized
from .org import Department
from .people import Person
from .social import SocialOrganization
from .validation import refuse

PARTY_ORG_TYPES = Choices(
    ("committee", _l("Party committee")),
    ("general_branch", _l("General party branch")),
    ("branch", _l("Party branch")),
    ("joint_branch", _l("Joint party branch")),
)
FORMATION_MODES = Choices(
    ("standalone", _l("Formed standalone")),
    ("joint", _l("Formed jointly")),
    ("not_formed", _l("Not formed")),
)
FORMED_MODES = ("standalone", "joint")
INSPECTION_KINDS = Choices(
    ("routine", _l("Routine guidance")),
    ("special", _l("Special inspection")),
    ("annual", _l("Annual review")),
)
CHECK_RESULTS = Choices(
    ("done", _l("Done as required")),
    ("partly", _l("Partly done")),
    ("not_done", _l("Not done")),
    ("na", _l("Not applicable")),
)
#: the checklist: one column per item checked
CHECK_ITEMS = {
    "check_three_meetings": _l("Three meetings and one lesson (三会一课)"),
    "check_life_meeting": _l("Organizational life meeting"),
    "check_dues": _l("Party dues collected"),
    "check_education": _l("Member education"),
}
RATINGS = Choices(
    ("good", _l("Good")),
    ("fairly_good", _l("Fairly good")),
    ("fair", _l("Fair")),
    ("poor", _l("Poor")),
)
RECTIFICATION_STATUSES = Choices(
    ("pending", _l("Pending")),
    ("in_progress", _l("Rectifying")),
    ("rectified", _l("Rectified")),
    ("verified", _l("Verified")),
    ("overdue", _l("Overdue")),
)
#: what the responsible side may change on a rectification
PROGRESS_FIELDS = {"status", "evidence", "progress_note", "updated_at", "updated_by_id", "version"}
VERIFY_FIELDS = {"status", "verified_by_id", "verified_at", "updated_at", "updated_by_id", "version"}
SUPERVISING_ROLES = {"Supervisor", "Admin"}

party_organization_coverage = Table(
    "party_organization_coverage",
    Model.metadata,
    Column("party_organization_id", Integer, ForeignKey("party_organization.id", ondelete="CASCADE"), primary_key=True),
    Column("social_organization_id", Integer, ForeignKey("social_organization.id"), primary_key=True, index=True),
)
oversight_inspector = Table(
    "oversight_inspector",
    Model.metadata,
    Column("oversight_record_id", Integer, ForeignKey("oversight_record.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
)


def supervising_units_of(social_organization_ids):
    """SELECT the supervising units of some social organizations (for scope clauses)."""
    return select(SocialOrganization.supervising_unit_id).where(SocialOrganization.id.in_(social_organization_ids))


class PartyOrganization(RecordMixin, Model):
    """A party organization: what it covers (social organizations or a department), its secretary and term."""

    __tablename__ = "party_organization"
    __pinyin_columns__ = ("name",)
    __scope_attr__ = "department_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_pinyin: Mapped[str | None] = mapped_column(String(800))
    org_type: Mapped[str] = mapped_column(String(20), nullable=False)
    formation_mode: Mapped[str] = mapped_column(String(20), nullable=False)
    social_organizations: Mapped[list[SocialOrganization]] = relationship(secondary=party_organization_coverage)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    department: Mapped[Department | None] = relationship()
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("party_organization.id"))
    parent: Mapped["PartyOrganization | None"] = relationship(remote_side=[id])
    secretary: Mapped[str | None] = mapped_column(String(50))
    member_count: Mapped[int | None] = mapped_column(Integer)
    established_on: Mapped[date | None] = mapped_column(Date)
    term_ends_on: Mapped[date | None] = mapped_column(Date, index=True)

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name", "name_en")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    @classmethod
    def scope_clause(cls, department_ids):
        """Visible where the covered department, or a covered organization's supervising unit, is in scope."""
        covered = (
            select(party_organization_coverage.c.party_organization_id)
            .join(SocialOrganization, SocialOrganization.id == party_organization_coverage.c.social_organization_id)
            .where(SocialOrganization.supervising_unit_id.in_(department_ids))
        )
        return or_(cls.department_id.in_(department_ids), cls.id.in_(covered))

    def scope_owner_ids(self) -> list:
        department = self.department.id if self.department is not None else self.department_id
        return [department, *[o.supervising_unit_id for o in self.social_organizations]]

    def term_expired(self, today: date) -> bool:
        return self.term_ends_on is not None and self.term_ends_on < today

    def validate(self, session) -> dict:
        errors = {}
        if self.org_type not in PARTY_ORG_TYPES:
            errors["org_type"] = _l("Choose a value from the list.")
        if self.formation_mode not in FORMATION_MODES:
            errors["formation_mode"] = _l("Choose a value from the list.")
        if not self.social_organizations and self.department is None and self.department_id is None:
            errors["social_organizations"] = _l("Choose what it covers: social organizations or a department.")
        if self.formation_mode == "standalone" and len(self.social_organizations) > 1:
            errors["formation_mode"] = _l("A party organization formed standalone covers one social organization.")
        if self.member_count is not None and self.member_count < 0:
            errors["member_count"] = _l("This number can't be negative.")
        if self.established_on and self.term_ends_on and self.term_ends_on < self.established_on:
            errors["term_ends_on"] = _l("The term can't end before the organization was established.")
        return errors


class OversightRecord(RecordMixin, Model):
    """An inspection of a social organization's party building: the checklist, findings and rating."""

    __tablename__ = "oversight_record"
    __scope_attr__ = "social_organization_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    social_organization_id: Mapped[int] = mapped_column(
        ForeignKey("social_organization.id"), nullable=False, index=True
    )
    social_organization: Mapped[SocialOrganization] = relationship()
    party_organization_id: Mapped[int | None] = mapped_column(ForeignKey("party_organization.id"))
    party_organization: Mapped[PartyOrganization | None] = relationship()
    inspected_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    inspectors: Mapped[list[Person]] = relationship(secondary=oversight_inspector)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    check_three_meetings: Mapped[str | None] = mapped_column(String(10))
    check_life_meeting: Mapped[str | None] = mapped_column(String(10))
    check_dues: Mapped[str | None] = mapped_column(String(10))
    check_education: Mapped[str | None] = mapped_column(String(10))
    other_items: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(20), nullable=False)
    rectifications: Mapped[list["Rectification"]] = relationship(back_populates="record", order_by="Rectification.id")
    attachments: Mapped[list["OversightAttachment"]] = relationship(
        back_populates="record", order_by="OversightAttachment.id"
    )

    #: relations that ``__str__`` reads: loaded together with this record where it is listed
    __str_relations__ = ("social_organization",)

    def __str__(self) -> str:
        return f"{self.social_organization} {self.inspected_on}" if self.inspected_on else str(self.social_organization)

    @classmethod
    def scope_clause(cls, department_ids):
        """Visible to the scope of the inspected organization's supervising unit."""
        supervised = select(SocialOrganization.id).where(SocialOrganization.supervising_unit_id.in_(department_ids))
        return cls.social_organization_id.in_(supervised)

    def scope_owner_ids(self) -> list:
        organization = self.social_organization
        return [organization.supervising_unit_id if organization is not None else None]

    def validate(self, session) -> dict:
        errors = {}
        if self.kind not in INSPECTION_KINDS:
            errors["kind"] = _l("Choose a value from the list.")
        if self.rating not in RATINGS:
            errors["rating"] = _l("Choose a value from the list.")
        for field in CHECK_ITEMS:
            value = getattr(self, field)
            if value is not None and value not in CHECK_RESULTS:
                errors[field] = _l("Choose a value from the list.")
        return errors

    def check_change(self, scope, session) -> None:
        if not scope.role_names & SUPERVISING_ROLES and not scope.is_system:
            refuse(_l("Only a supervisor records party-building inspections."))


class Rectification(RecordMixin, Model):
    """A problem found by an inspection, followed until a supervisor verifies that it was rectified."""

    __tablename__ = "rectification"
    __parent_attr__ = "record"
    __workflow__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("oversight_record.id"), nullable=False, index=True)
    record: Mapped[OversightRecord] = relationship(back_populates="rectifications")
    problem: Mapped[str] = mapped_column(Text, nullable=False)
    measures: Mapped[str | None] = mapped_column(Text)
    responsible_organization: Mapped[str | None] = mapped_column(String(200))
    responsible_person: Mapped[str | None] = mapped_column(String(50))
    deadline: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    progress_note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    def __str__(self) -> str:
        text = self.problem or ""
        return text if len(text) <= 60 else text[:59] + "…"

    def is_overdue(self, today: date) -> bool:
        return self.status in ("pending", "in_progress") and self.deadline is not None and self.deadline < today

    def effective_status(self, today: date) -> str:
        return "overdue" if self.is_overdue(today) else self.status

    @classmethod
    def overdue_expression(cls, today: date):
        return case((and_(cls.status.in_(("pending", "in_progress")), cls.deadline < today), 1), else_=0)

    def validate(self, session) -> dict:
        errors = {}
        if self.status not in ("pending", "in_progress", "rectified", "verified"):
            errors["status"] = _l("Choose a value from the list.")
        record = self.record
        if record is not None and self.deadline and record.inspected_on and self.deadline < record.inspected_on:
            errors["deadline"] = _l("The deadline can't be before the inspection.")
        return errors

    def check_change(self, scope, session) -> None:
        """Supervisors create and verify; the responsible side records progress and evidence."""
        from sqlalchemy import inspect

        supervising = scope.is_system or bool(scope.role_names & SUPERVISING_ROLES)
        state = inspect(self)
        if state.pending:
            if not supervising:
                refuse(_l("Only a supervisor records rectifications, with the inspection."))
            return
        changed = changed_fields(self)
        becomes_verified = "status" in changed and self.status == "verified"
        if becomes_verified and not supervising:
            refuse(_l("Only a supervisor can mark a rectification verified."))
        if becomes_verified and committed_value(self, "status") != "rectified":
            refuse(_l("Only a rectified problem can be verified."))
        if becomes_verified:
            from .mixins import utcnow

            self.verified_at = self.verified_at or utcnow()
            self.verified_by_id = self.verified_by_id or scope.user_id
            changed |= {"verified_at", "verified_by_id"}
        if "Admin" in scope.role_names or scope.is_system:
            return
        allowed = VERIFY_FIELDS if supervising else PROGRESS_FIELDS
        if changed - allowed:
            refuse(
                _l("A supervisor only verifies rectifications.")
                if supervising
                else _l("The responsible side records progress and evidence only.")
            )
        if not supervising and self.status not in ("pending", "in_progress", "rectified"):
            refuse(_l("Only a supervisor can mark a rectification verified."))


class OversightAttachment(RecordMixin, Model):
    """A file (PDF or image) kept with an inspection, stored outside the web root."""

    __tablename__ = "oversight_attachment"
    __parent_attr__ = "record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("oversight_record.id"), nullable=False, index=True)
    record: Mapped[OversightRecord] = relationship(back_populates="attachments")
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(50), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)

    def __str__(self) -> str:
        return self.original_name or ""
