"""Joint meetings (联席会议): minutes, agenda, resolutions (议定事项) and their follow-up (督办).

Workflow: draft 草稿 → submitted 待审定 → approved 已审定 → published 已印发. A
published meeting is read-only; its resolutions stay trackable: their lead
department records progress and closes them. Overdue is computed from the due
date and today, never stored by hand.
"""

from datetime import date, datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, and_, case, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import Choices
from .facilities import Facility
from .mixins import RecordMixin, changed_fields, committed_value, listing
from .org import Department
from .people import Person
from .validation import refuse

MEETING_STATUSES = Choices(
    ("draft", _l("Draft")),
    ("submitted", _l("Submitted")),
    ("approved", _l("Approved")),
    ("published", _l("Published")),
)
RESOLUTION_STATUSES = Choices(
    ("open", _l("Not started")),
    ("in_progress", _l("In progress")),
    ("done", _l("Done")),
    ("overdue", _l("Overdue")),
)
#: resolution fields the lead department may change, also after publication
PROGRESS_FIELDS = {"status", "completed_on", "updated_at", "updated_by_id", "version"}

meeting_department = Table(
    "meeting_department",
    Model.metadata,
    Column("meeting_id", Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", Integer, ForeignKey("department.id"), primary_key=True, index=True),
)
meeting_attendee = Table(
    "meeting_attendee",
    Model.metadata,
    Column("meeting_id", Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
)
meeting_absentee = Table(
    "meeting_absentee",
    Model.metadata,
    Column("meeting_id", Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
)
meeting_social_organization = Table(
    "meeting_social_organization",
    Model.metadata,
    Column("meeting_id", Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("social_organization_id", Integer, ForeignKey("social_organization.id"), primary_key=True),
)
resolution_cooperator = Table(
    "resolution_cooperator",
    Model.metadata,
    Column("resolution_id", Integer, ForeignKey("resolution.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", Integer, ForeignKey("department.id"), primary_key=True),
)


class PublishedReadOnly(Exception):
    """A published meeting (or its agenda) was about to change."""


class JointMeeting(RecordMixin, Model):
    """A joint meeting: who convened, chaired and attended it, its minutes, and its approval."""

    __tablename__ = "joint_meeting"
    __scope_attr__ = "convening_department_id"
    __pinyin_columns__ = ("title",)
    __workflow__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    title_pinyin: Mapped[str | None] = mapped_column(String(800))
    session_number: Mapped[int | None] = mapped_column(Integer)
    held_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"))
    venue: Mapped[Facility | None] = relationship()
    convening_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    convening_department: Mapped[Department] = relationship(foreign_keys=[convening_department_id])
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    chair: Mapped[Person | None] = relationship(foreign_keys=[chair_id])
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorder: Mapped[Person | None] = relationship(foreign_keys=[recorder_id])
    participating_departments: Mapped[list[Department]] = relationship(secondary=meeting_department)
    participating_organizations = relationship("SocialOrganization", secondary=meeting_social_organization)
    attendees: Mapped[list[Person]] = relationship(secondary=meeting_attendee)
    absentees: Mapped[list[Person]] = relationship(secondary=meeting_absentee)
    minutes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: the live agenda and resolutions: a part removed in the minutes editor goes to the recycle bin
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting",
        primaryjoin="and_(AgendaItem.meeting_id == JointMeeting.id, AgendaItem.deleted_at.is_(None))",
        order_by="AgendaItem.position, AgendaItem.id",
        cascade="all",
    )
    resolutions: Mapped[list["Resolution"]] = relationship(
        back_populates="meeting",
        primaryjoin="and_(Resolution.meeting_id == JointMeeting.id, Resolution.deleted_at.is_(None))",
        order_by="Resolution.id",
        cascade="all",
    )

    def __str__(self) -> str:
        return self.title or ""

    @classmethod
    def scope_clause(cls, department_ids):
        """Visible to the convening department's scope and to every participating department."""
        participating = select(meeting_department.c.meeting_id).where(
            meeting_department.c.department_id.in_(department_ids)
        )
        return or_(cls.convening_department_id.in_(department_ids), cls.id.in_(participating))

    def validate(self, session) -> dict:
        errors = {}
        if self.status not in MEETING_STATUSES:
            errors["status"] = _l("Choose a status from the list.")
        if self.session_number is not None and self.session_number < 1:
            errors["session_number"] = _l("The session number is a positive whole number.")
        attending = {p.id for p in self.attendees}
        both = [p.name for p in self.absentees if p.id in attending]
        if both:
            errors["absentees"] = _l("%(names)s can't be both present and absent.", names=listing(both))
        return errors


class AgendaItem(RecordMixin, Model):
    """One item on a meeting's agenda, in order, with the discussion summary."""

    __tablename__ = "agenda_item"
    __parent_attr__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("joint_meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    meeting: Mapped[JointMeeting] = relationship(back_populates="agenda_items")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    presenting_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    presenting_department: Mapped[Department | None] = relationship()
    summary: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Resolution(RecordMixin, Model):
    """A decision of a meeting (议定事项): who leads it, who helps, by when, and how it is going."""

    __tablename__ = "resolution"
    __parent_attr__ = "meeting"
    __workflow__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("joint_meeting.id", ondelete="CASCADE"), nullable=False, index=True
    )
    meeting: Mapped[JointMeeting] = relationship(back_populates="resolutions")
    content: Mapped[str] = mapped_column(Text, nullable=False)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False, index=True)
    lead_department: Mapped[Department] = relationship()
    cooperating_departments: Mapped[list[Department]] = relationship(secondary=resolution_cooperator)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    completed_on: Mapped[date | None] = mapped_column(Date)
    follow_ups: Mapped[list["ResolutionFollowUp"]] = relationship(
        back_populates="resolution", order_by="ResolutionFollowUp.noted_on.desc()", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        text = self.content or ""
        return text if len(text) <= 60 else text[:59] + "…"

    @classmethod
    def scope_clause(cls, department_ids):
        """Visible to the lead department's scope and to the convening department's scope."""
        convened = select(JointMeeting.id).where(JointMeeting.convening_department_id.in_(department_ids))
        return or_(cls.lead_department_id.in_(department_ids), cls.meeting_id.in_(convened))

    def scope_owner_ids(self) -> list:
        """The lead department and the convening one (read through the relations: new rows have no keys yet)."""
        lead = self.lead_department.id if self.lead_department is not None else self.lead_department_id
        meeting = self.meeting
        convening = None
        if meeting is not None:
            department = meeting.convening_department
            convening = department.id if department is not None else meeting.convening_department_id
        return [lead, convening]

    def is_overdue(self, today: date) -> bool:
        return self.status != "done" and self.due_on is not None and self.due_on < today

    def effective_status(self, today: date) -> str:
        """The status to show: open/in progress turn "overdue" once the due date has passed."""
        return "overdue" if self.is_overdue(today) else self.status

    @classmethod
    def overdue_expression(cls, today: date):
        """1 for overdue rows, 0 otherwise: for ordering and filtering in SQL."""
        return case((and_(cls.status != "done", cls.due_on.isnot(None), cls.due_on < today), 1), else_=0)

    def validate(self, session) -> dict:
        errors = {}
        if self.status not in ("open", "in_progress", "done"):
            errors["status"] = _l("Choose a status from the list.")
        meeting = self.meeting
        if meeting is not None and self.due_on and meeting.held_at and self.due_on < meeting.held_at.date():
            errors["due_on"] = _l("The due date can't be before the meeting.")
        if self.status == "done" and self.completed_on is None:
            self.completed_on = date.today()
        if self.status != "done":
            self.completed_on = None
        return errors


class ResolutionFollowUp(RecordMixin, Model):
    """A dated progress note on a resolution (督办记录)."""

    __tablename__ = "resolution_follow_up"
    __parent_attr__ = "resolution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("resolution.id", ondelete="CASCADE"), nullable=False, index=True
    )
    resolution: Mapped[Resolution] = relationship(back_populates="follow_ups")
    noted_on: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)

    def __str__(self) -> str:
        return f"{self.noted_on}: {self.note[:40]}"


# ----- who may change what ------------------------------------------------------------
PUBLISHED_MESSAGE = _l("The minutes are published and read-only; only the resolutions' progress can still be recorded.")
PROGRESS_ONLY_MESSAGE = _l("As the lead department you can only record this resolution's progress.")
WORKFLOW_MESSAGE = _l("The meeting's status changes only through submit, approve and publish.")


def _changed_fields(obj) -> set:
    """Columns and many-to-many links changed in this flush; child collections (follow-ups,
    agenda items) are not the parent's own fields and are checked on their own rows."""
    return changed_fields(obj, with_links=True)


def _meeting_check(self, scope, session) -> None:
    from sqlalchemy import inspect

    if inspect(self).pending:
        if self.status != "draft":
            refuse(WORKFLOW_MESSAGE)
        return
    if committed_value(self, "status") == "published":
        refuse(PUBLISHED_MESSAGE)
    if "status" in _changed_fields(self) and not getattr(self, "_transition", False):
        refuse(WORKFLOW_MESSAGE)


def _agenda_check(self, scope, session) -> None:
    meeting = self.meeting
    if meeting is not None and committed_value(meeting, "status") == "published":
        refuse(PUBLISHED_MESSAGE)


def _resolution_check(self, scope, session) -> None:
    from sqlalchemy import inspect

    meeting = self.meeting
    published = meeting is not None and committed_value(meeting, "status") == "published"
    convenes = scope.is_unrestricted or (
        meeting is not None and meeting.convening_department_id in scope.department_ids
    )
    if inspect(self).pending:
        if published:
            refuse(PUBLISHED_MESSAGE)
        return
    extra = _changed_fields(self) - PROGRESS_FIELDS
    if extra and published:
        refuse(PUBLISHED_MESSAGE)
    if extra and not convenes:
        refuse(PROGRESS_ONLY_MESSAGE)


JointMeeting.check_change = _meeting_check
AgendaItem.check_change = _agenda_check
Resolution.check_change = _resolution_check
