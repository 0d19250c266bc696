"""Joint meetings: the list, the meeting page with its workflow, the minutes editor, the printable
minutes, the resolution-tracking board (议定事项督办) and the REST APIs."""

from datetime import timedelta

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.datamodel import ScopedSQLAInterface
from app.extensions import appbuilder, db
from app.scope import ScopeViolation, current_scope
from app.services import meetings as workflow
from models import AgendaItem, JointMeeting, Resolution
from models.meetings import MEETING_STATUSES, RESOLUTION_STATUSES
from models.mixins import replace_parts
from models.validation import RecordInvalid

from .audit import AUDIT_ACTION_LABELS, history_for
from .base import (
    STALE_MESSAGE,
    VIEW_PERMISSIONS,
    PlatformModelView,
    PlatformRestApi,
    mark_fields,
    parse_version,
    refusal_text,
    scoped,
    today,
)
from .lookup import RelationLookupMixin
from .meeting_forms import LOOKUPS, MinutesForm, load_department

MEETING_LABELS = {
    "title": _l("Title"),
    "session_number": _l("Session number"),
    "held_at": _l("Date and time"),
    "venue": _l("Venue"),
    "convening_department": _l("Convening department"),
    "chair": _l("Chair"),
    "recorder": _l("Recorder"),
    "participating_departments": _l("Participating departments"),
    "participating_organizations": _l("Participating social organizations"),
    "attendees": _l("Attendees"),
    "absentees": _l("Absentees"),
    "minutes": _l("Minutes"),
    "status": _l("Status"),
    "approved_at": _l("Approved at"),
    "approved_by_id": _l("Approved by"),
}
RESOLUTION_LABELS = {
    "content": _l("Resolution"),
    "meeting": _l("Meeting"),
    "lead_department": _l("Lead department"),
    "cooperating_departments": _l("Cooperating departments"),
    "due_on": _l("Due date"),
    "status": _l("Status"),
    "completed_on": _l("Completed on"),
}
MEETING_PERMISSIONS = ["can_read", "can_write"]
DUE_WINDOWS = {"7": 7, "30": 30}


def can_write(view_name: str) -> bool:
    return appbuilder.sm.has_access("can_write", view_name)


#: the minutes editor's titles, for a new meeting and for an existing one
NEW_MINUTES = _l("New meeting minutes")
EDIT_MINUTES = _l("Edit meeting minutes")


# ----- the meeting list and page --------------------------------------------------------
class MeetingView(PlatformModelView):
    """Joint meetings in the user's scope; each opens a page with its minutes and workflow."""

    datamodel = scoped(JointMeeting)
    class_permission_name = "JointMeeting"
    list_title = show_title = _l("Joint meetings")
    add_title = NEW_MINUTES
    edit_title = EDIT_MINUTES
    list_columns = ["title", "session_number", "held_at", "convening_department", "status"]
    show_columns = ["title"]
    add_columns = edit_columns = []
    search_columns = ["title", "status", "convening_department", "held_at"]
    order_columns = ["title", "session_number", "held_at", "status"]
    base_order = ("held_at", "desc")
    label_columns = MEETING_LABELS
    choice_columns = {"status": MEETING_STATUSES}
    #: moving a meeting along is decided by the workflow rules; printing needs only read access
    method_permission_name = {**VIEW_PERMISSIONS, "transition": "read", "print_minutes": "read"}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """New meetings are written in the minutes editor."""
        return redirect(url_for("MinutesEditorView.new"))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return redirect(url_for("MinutesEditorView.edit", pk=pk))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The meeting page: details, attendance, agenda, resolutions, workflow steps and their history."""
        meeting = self.datamodel.get(pk)
        if meeting is None:
            abort(404)
        writable = can_write("JointMeeting")
        steps = workflow.available(meeting, g.user, current_scope(), writable)
        transitions = [
            h for h in history_for("JointMeeting", meeting.id) if h["event"].action in ("create", "transition")
        ]
        return self.render_template(
            "platform/meeting.html",
            meeting=meeting,
            title=meeting.title,
            steps=[(name, workflow.TRANSITION_LABELS[name]) for name in steps],
            editable=writable and meeting.status != "published" and workflow.convenes(meeting, current_scope()),
            transitions=transitions,
            status_label=MEETING_STATUSES.label,
            resolution_status=lambda r: RESOLUTION_STATUSES.label(r.effective_status(today())),
            action_label=AUDIT_ACTION_LABELS.label,
            today=today(),
        )

    @expose("/transition/<pk>/<name>", methods=["POST"])
    @has_access
    def transition(self, pk, name):
        """Submit, approve, publish or return the minutes."""
        meeting = self.datamodel.get(pk)
        if meeting is None or name not in workflow.TRANSITIONS:
            abort(404)
        try:
            workflow.transition(meeting, name, g.user, current_scope(), can_write("JointMeeting"))
        except workflow.TransitionRefused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
        except (RecordInvalid, ScopeViolation, StaleDataError) as error:
            db.session.rollback()
            flash(refusal_text(error), "danger")
        else:
            flash(_("The meeting is now: %(status)s", status=MEETING_STATUSES.label(meeting.status)), "success")
        return redirect(url_for("MeetingView.show", pk=pk))

    @expose("/print/<pk>")
    @has_access
    def print_minutes(self, pk):
        """A clean page for the browser's print → PDF, in the language asked for (?lang=zh or en)."""
        meeting = self.datamodel.get(pk)
        if meeting is None:
            abort(404)
        language = request.args.get("lang") or str(get_locale() or "zh")
        if language not in ("zh", "en"):
            language = "zh"  # the minutes' own language
        with force_locale(language):
            return self.render_template(
                "platform/minutes_print.html",
                meeting=meeting,
                language=language,
                status_label=MEETING_STATUSES.label,
                approver=_approver_name(meeting),
            )


def _approver_name(meeting: JointMeeting) -> str:
    if not meeting.approved_by_id:
        return ""
    user = appbuilder.sm.get_user_by_id(meeting.approved_by_id)
    return user.get_full_name() if user else ""


# ----- the minutes editor ------------------------------------------------------------------------
class MinutesEditorView(RelationLookupMixin, BaseView):
    """One page to write a meeting's minutes: details, attendance, agenda items and resolutions."""

    route_base = "/minutes"
    class_permission_name = "JointMeeting"
    base_permissions = MEETING_PERMISSIONS
    method_permission_name = {"new": "write", "edit": "write", "lookup": "write"}
    default_view = "new"

    def lookup_interface(self, column):
        factory = LOOKUPS.get(column)
        return factory() if factory else None

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        """Write the minutes of a new meeting (a draft)."""
        meeting = JointMeeting(status="draft")
        form = MinutesForm()
        if request.method == "GET":
            own = getattr(g.user, "department", None)
            if own is not None:
                form.convening_department.data = own
        return self._handle(meeting, form, is_new=True)

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """Edit the minutes; published minutes are read-only."""
        meeting = ScopedSQLAInterface(JointMeeting).get(pk)
        if meeting is None:
            abort(404)
        if meeting.status == "published":
            flash(_("The minutes are published and read-only."), "warning")
            return redirect(url_for("MeetingView.show", pk=pk))
        if request.method == "GET":
            form = MinutesForm(obj=meeting)
            form.edit_version.data = meeting.version
            _fill_children(form, meeting)
        else:
            form = MinutesForm()
            for field in (form.convening_department, form.chair, form.recorder):
                field.keep_current(getattr(meeting, field.name))
        return self._handle(meeting, form, is_new=False)

    def _handle(self, meeting, form, is_new: bool):
        if request.method == "POST":
            moved = not is_new and _parts_moved(form, meeting)
            if not is_new and (parse_version(form.edit_version.data) != meeting.version or moved):
                flash(str(STALE_MESSAGE), "danger")
                form.edit_version.data = meeting.version
            elif form.validate():
                try:
                    _apply(form, meeting)
                    if is_new:
                        db.session.add(meeting)
                    db.session.commit()
                except (RecordInvalid, ScopeViolation, StaleDataError) as error:
                    db.session.rollback()
                    if isinstance(error, RecordInvalid):
                        mark_fields(form, error)
                    else:
                        flash(refusal_text(error), "danger")
                else:
                    flash(_("The minutes were saved."), "success")
                    return redirect(url_for("MeetingView.show", pk=meeting.id))
            flash(_("The minutes were not saved. Correct the marked fields."), "danger")
        return self.render_template(
            "platform/minutes_editor.html",
            form=form,
            meeting=meeting,
            is_new=is_new,
            title=NEW_MINUTES if is_new else EDIT_MINUTES,
            blank_agenda=MinutesForm(formdata=None).agenda.append_entry(),
            blank_resolution=MinutesForm(formdata=None).resolutions.append_entry(),
        )


def _fill_children(form: MinutesForm, meeting: JointMeeting) -> None:
    form.agenda.entries = []
    form.agenda.last_index = -1
    for item in meeting.agenda_items:
        entry = form.agenda.append_entry()
        entry.form.item_id.data = item.id
        entry.form.item_version.data = item.version
        entry.form.position.data = item.position
        entry.form.title.data = item.title
        entry.form.presenting_department.data = item.presenting_department
        entry.form.summary.data = item.summary
    form.resolutions.entries = []
    form.resolutions.last_index = -1
    for resolution in meeting.resolutions:
        entry = form.resolutions.append_entry()
        entry.form.item_id.data = resolution.id
        entry.form.item_version.data = resolution.version
        entry.form.content.data = resolution.content
        entry.form.lead_department.data = resolution.lead_department
        entry.form.cooperating_departments.data = list(resolution.cooperating_departments)
        entry.form.due_on.data = resolution.due_on


def _apply(form: MinutesForm, meeting: JointMeeting) -> None:
    """Copy the form onto the meeting; agenda items and resolutions are matched by id, new ones added,
    missing ones removed to the recycle bin, and the agenda renumbered in the order chosen."""
    for name in ("title", "session_number", "held_at", "venue", "convening_department", "chair", "recorder", "minutes"):
        setattr(meeting, name, form[name].data)
    meeting.participating_departments = list(form.participating_departments.data or [])
    meeting.participating_organizations = list(form.participating_organizations.data or [])
    meeting.attendees = list(form.attendees.data or [])
    meeting.absentees = list(form.absentees.data or [])

    existing = {item.id: item for item in meeting.agenda_items}
    rows = sorted(enumerate(form.agenda.entries), key=lambda pair: (pair[1].form.position.data or 10_000, pair[0]))
    kept = []
    for position, (_index, entry) in enumerate(rows, start=1):
        item = existing.get(_int(entry.form.item_id.data)) or AgendaItem()
        item.position = position
        item.title = entry.form.title.data
        item.presenting_department = entry.form.presenting_department.data
        item.summary = entry.form.summary.data
        kept.append(item)
    replace_parts(meeting, "agenda_items", kept)

    existing = {item.id: item for item in meeting.resolutions}
    kept = []
    for entry in form.resolutions.entries:
        resolution = existing.get(_int(entry.form.item_id.data)) or Resolution(status="open")
        resolution.content = entry.form.content.data
        resolution.lead_department = entry.form.lead_department.data
        resolution.cooperating_departments = list(entry.form.cooperating_departments.data or [])
        resolution.due_on = entry.form.due_on.data
        kept.append(resolution)
    replace_parts(meeting, "resolutions", kept)


def _parts_moved(form: MinutesForm, meeting: JointMeeting) -> bool:
    """Whether an agenda item or resolution of the form was changed or removed elsewhere (the API,
    the resolutions board, the recycle bin) since the editor was opened. The form then takes the
    parts' current versions, and a part removed meanwhile becomes a new row, so that saving the
    refused form again applies what was typed deliberately."""
    moved = False
    for entries, parts in (
        (form.agenda.entries, meeting.agenda_items),
        (form.resolutions.entries, meeting.resolutions),
    ):
        live = {part.id: part for part in parts}
        for entry in entries:
            pk = _int(entry.form.item_id.data)
            if pk is None:
                continue
            part = live.get(pk)
            if part is None:
                entry.form.item_id.data = ""
                entry.form.item_version.data = ""
                moved = True
            elif parse_version(entry.form.item_version.data) != part.version:
                entry.form.item_version.data = part.version
                moved = True
    return moved


def _int(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


# ----- the resolution-tracking board --------------------------------------------------------------
class ResolutionBoardView(BaseView):
    """All resolutions the user can see, overdue first: filter, add follow-up notes, close them."""

    route_base = "/resolutions"
    class_permission_name = "Resolution"
    base_permissions = MEETING_PERMISSIONS
    method_permission_name = {"board": "read", "follow_up": "write", "close": "write"}
    default_view = "board"

    @expose("/")
    @has_access
    def board(self):
        """The board, filtered by lead department, status and due window."""
        on = today()
        query = ScopedSQLAInterface(Resolution).restrict(db.session.query(Resolution))
        query = query.join(JointMeeting, Resolution.meeting_id == JointMeeting.id).filter(
            JointMeeting.deleted_at.is_(None)
        )
        department = (
            load_department(request.args.get("lead_department", ""))
            if request.args.get("lead_department", "").isdigit()
            else None
        )
        if department is not None:
            query = query.filter(Resolution.lead_department_id == department.id)
        status = request.args.get("status", "")
        overdue = Resolution.overdue_expression(on)
        if status == "overdue":
            query = query.filter(overdue == 1)
        elif status in ("open", "in_progress", "done"):
            query = query.filter(Resolution.status == status)
            if status != "done":
                query = query.filter(overdue == 0)
        window = DUE_WINDOWS.get(request.args.get("due_within", ""))
        if window:
            query = query.filter(Resolution.status != "done", Resolution.due_on <= on + timedelta(days=window))
        rows = query.order_by(overdue.desc(), Resolution.due_on.is_(None), Resolution.due_on, Resolution.id).all()
        scope = current_scope()
        writable = can_write("Resolution")
        return self.render_template(
            "platform/resolution_board.html",
            title=_l("Resolution tracking"),
            rows=rows,
            today=on,
            department=department,
            status=status,
            due_within=request.args.get("due_within", ""),
            statuses=RESOLUTION_STATUSES,
            may_act=lambda r: writable and scope.allows(r),
            status_label=lambda r: RESOLUTION_STATUSES.label(r.effective_status(on)),
        )

    def _resolution(self, pk):
        resolution = ScopedSQLAInterface(Resolution).get(pk)
        if resolution is None:
            abort(404)
        return resolution

    @expose("/<int:pk>/follow-up", methods=["POST"])
    @has_access
    def follow_up(self, pk):
        """Add a dated progress note (督办记录)."""
        resolution = self._resolution(pk)
        note = (request.form.get("note") or "").strip()
        if not note:
            flash(_("Write the progress note first."), "danger")
        elif len(note) > 5000:
            flash(_("A progress note has at most 5000 characters."), "danger")
        else:
            try:
                workflow.add_follow_up(resolution, note)
            except (RecordInvalid, ScopeViolation) as error:
                db.session.rollback()
                flash(refusal_text(error), "danger")
            else:
                flash(_("The progress note was added."), "success")
        return redirect(request.form.get("next") or url_for("ResolutionBoardView.board"))

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close(self, pk):
        """Mark a resolution done (已办结)."""
        resolution = self._resolution(pk)
        try:
            workflow.close(resolution)
        except (RecordInvalid, ScopeViolation) as error:
            db.session.rollback()
            flash(refusal_text(error), "danger")
        else:
            flash(_("The resolution is done."), "success")
        return redirect(request.form.get("next") or url_for("ResolutionBoardView.board"))


# ----- REST APIs -------------------------------------------------------------------------------
class MeetingApi(PlatformRestApi):
    """REST API for joint meetings; status changes only through the workflow, published ones are read-only."""

    resource_name = "meeting"
    datamodel = scoped(JointMeeting)
    class_permission_name = "JointMeeting"
    label_columns = MEETING_LABELS
    list_columns = show_columns = [
        "id",
        "title",
        "session_number",
        "held_at",
        "venue.id",
        "convening_department.id",
        "chair.id",
        "recorder.id",
        "minutes",
        "status",
        "approved_at",
        "version",
    ]
    add_columns = edit_columns = [
        "title",
        "session_number",
        "held_at",
        "venue",
        "convening_department",
        "chair",
        "recorder",
        "minutes",
        "participating_departments",
        "participating_organizations",
        "attendees",
        "absentees",
    ]
    search_columns = ["title", "status", "convening_department", "held_at"]
    order_columns = ["title", "held_at", "status"]


class ResolutionApi(PlatformRestApi):
    """REST API for resolutions; lead departments may change the progress fields only."""

    resource_name = "resolution"
    datamodel = scoped(Resolution)
    class_permission_name = "Resolution"
    label_columns = RESOLUTION_LABELS
    #: the audit log names a resolution's status through these (resolutions have no register screen)
    choice_columns = {"status": RESOLUTION_STATUSES}
    #: resolutions have no screen of their own (they are kept in the minutes editor)
    add_title = _l("Add resolution")
    edit_title = _l("Edit resolution")
    list_columns = show_columns = [
        "id",
        "meeting.id",
        "content",
        "lead_department.id",
        "due_on",
        "status",
        "completed_on",
        "version",
    ]
    add_columns = ["meeting", "content", "lead_department", "cooperating_departments", "due_on"]
    edit_columns = ["content", "lead_department", "cooperating_departments", "due_on", "status", "completed_on"]
    search_columns = ["status", "lead_department", "due_on", "meeting"]
    order_columns = ["due_on", "status"]
