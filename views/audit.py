"""The audit log screens for supervisors and admins: list, filters, readable diff, export."""

import json

from flask import abort, request
from flask_appbuilder import ModelView, expose, has_access
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import bindparam, select

from app.audit import HASHED_FIELDS, entity_type_of_model, record_event
from app.extensions import appbuilder, db
from app.role_names import role_caption, role_captions
from app.services.export import FORMATS, download
from models import AuditEvent
from models.choices import ENTITY_TYPES, Choices
from models.mixins import listing

from .fields import ChoiceField

AUDIT_ACTION_LABELS = Choices(
    ("create", _l("Create")),
    ("update", _l("Update")),
    ("delete", _l("Delete")),
    ("restore", _l("Restore")),
    ("purge", _l("Purge")),
    ("login", _l("Login")),
    ("login_failed", _l("Login failed")),
    ("account_locked", _l("Account locked")),
    ("account_unlocked", _l("Account unlocked")),
    ("logout", _l("Logout")),
    ("export", _l("Export")),
    ("import", _l("Import")),
    ("permission_change", _l("Permission change")),
    ("transition", _l("Status transition")),
)
AUDIT_LABELS = {
    "id": _l("Event"),
    "occurred_at": _l("Time (UTC)"),
    "actor_name": _l("Actor"),
    "actor_roles": _l("Roles at the time"),
    "ip": _l("IP address"),
    "user_agent": _l("User agent"),
    "request_id": _l("Request id"),
    "action": _l("Action"),
    "entity_type": _l("Record type"),
    "entity_id": _l("Record id"),
    "entity_label": _l("Record"),
    "changes": _l("Changes"),
    "batch_id": _l("Batch"),
    "hash": _l("Hash"),
    "prev_hash": _l("Previous hash"),
}
#: every stored field but the chain link, in the log's own order
EXPORT_COLUMNS = [field for field in HASHED_FIELDS if field not in ("prev_hash", "actor_id")] + ["hash"]
EXPORT_LIMIT = 100_000


COMMON_FIELD_LABELS = {
    "deleted_at": _l("Deleted at"),
    "version": _l("Version"),
    "password": _l("Password"),
    "roles": _l("Role"),
    "permissions": _l("Permissions"),
    "department": _l("Department"),
    "active": _l("Active"),
}


#: the fields of the rows kept inside another record's form (they have no screen of their own)
FORM_ROW_LABELS = {
    "AgendaItem": {
        "meeting": _l("Meeting"),
        "position": _l("Order"),
        "title": _l("Agenda item"),
        "presenting_department": _l("Presenting department"),
        "summary": _l("Discussion summary"),
    },
    "ServiceItemMaterial": {"item": _l("Service item"), "position": _l("Order"), "name": _l("Application material")},
    "ServiceItemStep": {"item": _l("Service item"), "position": _l("Order"), "description": _l("Process step")},
    "ResolutionFollowUp": {"resolution": _l("Resolution"), "noted_on": _l("Date"), "note": _l("Progress note")},
    "OversightAttachment": {
        "record": _l("Oversight inspection"),
        "original_name": _l("File name"),
        "stored_name": _l("Stored as"),
        "content_type": _l("File type"),
        "size": _l("Size (bytes)"),
    },
}
#: the pinyin search columns kept beside names and titles (screens never show them, so Flask-AppBuilder
#: would label them "Title Pinyin")
SEARCH_COLUMN_LABELS = {"name_pinyin": _l("Name (pinyin)"), "title_pinyin": _l("Title (pinyin)")}


def _register_view(entity_type: str):
    """The view of a record type whose labels and choices the diff reuses: its register screen, else
    any screen or API of the model (users, roles, groups and data scopes have Flask-AppBuilder's)."""
    from .base import screen_of

    view = screen_of(entity_type)
    if view is not None:
        return view
    others = [v for v in appbuilder.baseviews if getattr(v, "datamodel", None) is not None]
    others.sort(key=lambda v: isinstance(v, ModelRestApi))  # a screen's labels before an API's
    return next((v for v in others if entity_type_of_model(v.datamodel.obj) == entity_type), None)


def field_labels(entity_type: str) -> tuple[dict, dict]:
    """The labels and the choice sets of a record type's fields, as its events name them."""
    view = _register_view(entity_type)
    labels = {
        **COMMON_FIELD_LABELS,
        **(view.label_columns if view else {}),
        **FORM_ROW_LABELS.get(entity_type, {}),
        **SEARCH_COLUMN_LABELS,
    }
    return labels, (getattr(view, "choice_columns", None) or {})


def field_label(labels: dict, field: str) -> str:
    """A field's label; a key column ("department_id") takes its relation's label (Flask-AppBuilder
    labels key columns "Department Id")."""
    relation = field[: -len("_id")] if field.endswith("_id") else None
    label = labels.get(relation) if relation in labels else labels.get(field)
    return str(label) if label is not None else field


def _shown_value(value, choices):
    if value is None:
        return None
    if choices is not None and isinstance(value, str):
        return choices.label(value)
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    return value


def _shown_names(names, shown) -> str | None:
    """Linked records added or removed, run together as the reader's language writes lists."""
    return None if names is None else listing(shown(name) for name in names)


def readable_diff(event: AuditEvent) -> list[dict]:
    """Rows of (field, old, new) or (field, added, removed), labelled and valued in the user's language."""
    try:
        changes = json.loads(event.changes or "{}")
    except ValueError:
        return []
    labels, choice_columns = field_labels(event.entity_type or "")
    rows = []
    for field, change in sorted(changes.items()):
        if field.endswith("_id") and field[: -len("_id")] in changes:
            continue  # the relation's own entry shows the record's name
        if not isinstance(change, dict):
            change = {"new": change}
        choices = choice_columns.get(field)
        names = role_caption if field == "roles" else str  # a user's or group's roles: 监督员（Supervisor）
        rows.append(
            {
                "field": field_label(labels, field),
                "old": _shown_value(change.get("old"), choices),
                "new": _shown_value(change.get("new"), choices),
                "added": _shown_names(change.get("added"), names),
                "removed": _shown_names(change.get("removed"), names),
                "secret": bool(change.get("changed")),
            }
        )
    return rows


#: the newest events of one record, as rows (read-only: no ORM objects to build): built once,
#: every record page reads it
_EVENTS = AuditEvent.__table__.c
RECORD_HISTORY = (
    select(*_EVENTS)
    .where(_EVENTS.entity_type == bindparam("entity_type"), _EVENTS.entity_id == bindparam("entity_id"))
    .order_by(_EVENTS.id.desc())
    .limit(200)
)


def history_for(entity_type: str, entity_id) -> list[dict]:
    """The events of one record, newest first, with their readable diffs; each event is a row
    whose values read as the ``AuditEvent``'s attributes do."""
    parameters = {"entity_type": entity_type, "entity_id": str(entity_id)}
    events = db.session.connection().execute(RECORD_HISTORY, parameters).all()
    return [
        {
            "event": e,
            "action": AUDIT_ACTION_LABELS.label(e.action),
            "roles": role_captions(e.actor_roles),
            "diff": readable_diff(e),
        }
        for e in events
    ]


def changes_since(entity_type: str, entity_id, version: int) -> list[dict]:
    """What others changed on a record after ``version``: one row per field, oldest change first."""
    events = (
        db.session.query(AuditEvent)
        .filter(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .filter(AuditEvent.action.in_(("update", "restore", "delete")))
        .order_by(AuditEvent.id)
        .all()
    )
    rows = []
    for event in events:
        try:
            new_version = (json.loads(event.changes or "{}").get("version") or {}).get("new")
        except ValueError:
            continue
        if not isinstance(new_version, int) or new_version <= version:
            continue
        version_label = str(_l("Version"))
        for row in readable_diff(event):
            if row["field"] == version_label or row["secret"] or row["added"] is not None:
                continue
            rows.append(
                {
                    "field": row["field"],
                    "old": "" if row["old"] is None else row["old"],
                    "new": "" if row["new"] is None else row["new"],
                    "actor": event.actor_name,
                }
            )
    return rows


def stored_changes(value) -> Markup:
    """The changes exactly as stored and hashed (field keys and codes), folded away: the readable
    table under the event is what people read, this is what the hash chain verifies."""
    return Markup('<details class="stored-changes"><summary>{}</summary><pre>{}</pre></details>').format(
        _("As stored and hashed"), value or ""
    )


class AuditEventView(ModelView):
    """The audit log: read-only, filterable, with per-event diffs and CSV/XLSX export."""

    datamodel = SQLAInterface(AuditEvent)
    class_permission_name = "AuditEvent"
    base_permissions = ["can_read", "can_export"]
    method_permission_name = {"list": "read", "show": "read", "export": "export"}
    list_title = _l("Audit log")
    show_title = _l("Audit event")
    show_template = "platform/audit_show.html"
    list_template = "platform/audit_list.html"
    list_columns = ["id", "occurred_at", "actor_name", "action", "entity_type", "entity_id", "entity_label", "ip"]
    show_columns = [*EXPORT_COLUMNS, "prev_hash"]
    search_columns = ["actor_name", "action", "entity_type", "entity_id", "occurred_at", "ip", "batch_id"]
    order_columns = ["id", "occurred_at", "actor_name", "action", "entity_type"]
    base_order = ("id", "desc")
    page_size = 50
    label_columns = AUDIT_LABELS
    formatters_columns = {
        "action": AUDIT_ACTION_LABELS.label,
        "entity_type": ENTITY_TYPES.label,
        "occurred_at": lambda value: f"{value:%Y-%m-%d %H:%M:%S}" if value else "",
        "ip": lambda value: value or "",
        "user_agent": lambda value: value or "",
        "request_id": lambda value: value or "",
        "batch_id": lambda value: value or "",
        "actor_roles": role_captions,
        "entity_id": lambda value: value or "",
        "changes": stored_changes,
    }
    search_form_extra_fields = {
        "action": ChoiceField(_l("Action"), choices_set=AUDIT_ACTION_LABELS, allow_blank=True),
        "entity_type": ChoiceField(_l("Record type"), choices_set=ENTITY_TYPES, allow_blank=True),
    }

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """One event with its readable before/after diff."""
        event = self.datamodel.get(pk) if str(pk).isdigit() else None
        if event is None:
            abort(404)
        widgets = self._show(event.id)
        return self.render_template(
            self.show_template,
            pk=event.id,
            title=self.show_title,
            widgets=widgets,
            diff=readable_diff(event),
            event=event,
        )

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        """The filtered list as CSV or XLSX, headers in the user's language; the export is itself audited."""
        if fmt not in FORMATS:
            abort(404)
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("id", "desc"))
        if order_column not in self.order_columns:
            order_column, order_direction = "id", "desc"
        count, events = self.datamodel.query(
            self._filters, order_column, order_direction, page=0, page_size=EXPORT_LIMIT
        )
        headers = [str(AUDIT_LABELS[column]) for column in EXPORT_COLUMNS]
        rows = [
            [AUDIT_ACTION_LABELS.label(e.action) if c == "action" else getattr(e, c) for c in EXPORT_COLUMNS]
            for e in events
        ]
        record_event(
            db.session,
            "export",
            entity_type="AuditEvent",
            label=_("Audit log"),
            changes={"format": fmt, "rows": len(rows), "filters": request.args.to_dict(flat=True)},
        )
        return download(fmt, "audit-log", headers, rows)
