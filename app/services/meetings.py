"""The joint-meeting workflow and resolution follow-up (督办), shared by the screens and the API.

- submit: draft → submitted, by staff of the convening department (or an Admin);
- approve: submitted → approved, by an Admin or the meeting's chair (the user linked to that person);
- publish: approved → published, by staff of the convening department (or an Admin);
- return: submitted → draft, by whoever may approve, to send the minutes back for changes.
Each transition is a status change that the audit log records as a "transition".
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.scope import DataScope
from models import JointMeeting, Resolution, ResolutionFollowUp
from models.mixins import utcnow

TRANSITIONS = {
    "submit": ("draft", "submitted"),
    "approve": ("submitted", "approved"),
    "publish": ("approved", "published"),
    "return": ("submitted", "draft"),
}
TRANSITION_LABELS = {
    "submit": _l("Submit for approval"),
    "approve": _l("Approve"),
    "publish": _l("Publish"),
    "return": _l("Return for changes"),
}


class TransitionRefused(Exception):
    """The user may not move the meeting this way now; the message says why."""


def is_admin(user) -> bool:
    return any(role.name == "Admin" for role in user.roles)


def convenes(meeting: JointMeeting, scope: DataScope) -> bool:
    return scope.is_unrestricted or meeting.convening_department_id in scope.department_ids


def is_chair(meeting: JointMeeting, user) -> bool:
    return meeting.chair_id is not None and getattr(user, "person_id", None) == meeting.chair_id


def may(meeting: JointMeeting, name: str, user, scope: DataScope, can_write: bool) -> bool:
    """Whether ``user`` may apply transition ``name`` to ``meeting`` now."""
    source, _target = TRANSITIONS[name]
    if meeting.status != source:
        return False
    if name in ("approve", "return"):
        return is_admin(user) or is_chair(meeting, user)
    return can_write and (is_admin(user) or convenes(meeting, scope))


def available(meeting: JointMeeting, user, scope: DataScope, can_write: bool) -> list[str]:
    return [name for name in TRANSITIONS if may(meeting, name, user, scope, can_write)]


def transition(meeting: JointMeeting, name: str, user, scope: DataScope, can_write: bool) -> None:
    """Apply a transition or raise TransitionRefused; commits (and so is audited)."""
    if name not in TRANSITIONS:
        raise TransitionRefused(str(_l("Unknown step.")))
    if not may(meeting, name, user, scope, can_write):
        raise TransitionRefused(str(_l("This step is not open to you now: %(step)s.", step=TRANSITION_LABELS[name])))
    meeting._transition = True
    meeting.status = TRANSITIONS[name][1]
    if name == "approve":
        meeting.approved_by_id = user.id
        meeting.approved_at = utcnow()
    if name == "return":
        meeting.approved_by_id = None
        meeting.approved_at = None
    db.session.commit()


def add_follow_up(resolution: Resolution, note: str, noted_on: date | None = None) -> ResolutionFollowUp:
    """A dated progress note; a resolution not yet started moves to "in progress"."""
    entry = ResolutionFollowUp(resolution=resolution, note=note.strip(), noted_on=noted_on or date.today())
    db.session.add(entry)
    if resolution.status == "open":
        resolution.status = "in_progress"
    db.session.commit()
    return entry


def close(resolution: Resolution, completed_on: date | None = None) -> None:
    resolution.status = "done"
    resolution.completed_on = completed_on or date.today()
    db.session.commit()
