"""Party-building oversight (党建监督): party organizations, inspections with attachments,
rectifications, and the custom views: timeline per organization, coverage dashboard, overdue list."""

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.datamodel import DeleteRefused, ScopedSQLAInterface
from app.extensions import appbuilder, db
from app.scope import ScopeViolation
from app.services import attachments
from app.services import party as figures
from models import OversightAttachment, OversightRecord, PartyOrganization, Rectification, SocialOrganization
from models.mixins import utcnow
from models.party import (
    CHECK_ITEMS,
    CHECK_RESULTS,
    FORMATION_MODES,
    INSPECTION_KINDS,
    PARTY_ORG_TYPES,
    RATINGS,
    RECTIFICATION_STATUSES,
)
from models.social import SOCIAL_CATEGORIES
from models.validation import RecordInvalid

from .base import VIEW_PERMISSIONS, PlatformModelView, PlatformRestApi, refusal_text, scoped, today

PARTY_LABELS = {
    "name": _l("Name"),
    "name_en": _l("English name"),
    "org_type": _l("Type"),
    "formation_mode": _l("Formation mode"),
    "social_organizations": _l("Social organizations covered"),
    "department": _l("Department covered"),
    "parent": _l("Parent party organization"),
    "secretary": _l("Secretary"),
    "member_count": _l("Members"),
    "established_on": _l("Established on"),
    "term_ends_on": _l("Term ends on"),
}
PARTY_FIELDS = [
    "name",
    "name_en",
    "org_type",
    "formation_mode",
    "social_organizations",
    "department",
    "parent",
    "secretary",
    "member_count",
    "established_on",
    "term_ends_on",
]
RECORD_LABELS = {
    "social_organization": _l("Social organization"),
    "party_organization": _l("Party organization"),
    "inspected_on": _l("Inspected on"),
    "inspectors": _l("Inspectors"),
    "kind": _l("Kind"),
    **CHECK_ITEMS,
    "other_items": _l("Other items checked"),
    "findings": _l("Findings"),
    "rating": _l("Rating"),
}
RECORD_FIELDS = [
    "social_organization",
    "party_organization",
    "inspected_on",
    "inspectors",
    "kind",
    *CHECK_ITEMS,
    "other_items",
    "findings",
    "rating",
]
RECTIFICATION_LABELS = {
    "record": _l("Inspection"),
    "problem": _l("Problem"),
    "measures": _l("Measures"),
    "responsible_organization": _l("Responsible organization"),
    "responsible_person": _l("Responsible person"),
    "deadline": _l("Deadline"),
    "status": _l("Status"),
    "progress_note": _l("Progress"),
    "evidence": _l("Evidence"),
    "verified_at": _l("Verified at"),
    "verified_by_id": _l("Verified by"),
}
RECTIFICATION_FIELDS = [
    "record",
    "problem",
    "measures",
    "responsible_organization",
    "responsible_person",
    "deadline",
    "status",
    "progress_note",
    "evidence",
]
OVERSIGHT_PERMISSIONS = ["can_read", "can_write"]


class PartyOrganizationView(PlatformModelView):
    """Party organizations, what they cover, their secretaries and terms (换届)."""

    datamodel = scoped(PartyOrganization)
    class_permission_name = "PartyOrganization"
    list_title = show_title = _l("Party organizations")
    add_title = _l("Add party organization")
    edit_title = _l("Edit party organization")
    list_columns = ["name", "org_type", "formation_mode", "secretary", "member_count", "term_ends_on"]
    show_columns = [*PARTY_FIELDS, "created_at", "updated_at", "version"]
    add_columns = edit_columns = PARTY_FIELDS
    search_columns = ["name", "org_type", "formation_mode", "term_ends_on"]
    order_columns = ["name", "org_type", "formation_mode", "term_ends_on"]
    base_order = ("name", "asc")
    label_columns = PARTY_LABELS
    choice_columns = {"org_type": PARTY_ORG_TYPES, "formation_mode": FORMATION_MODES}


class OversightRecordView(PlatformModelView):
    """Inspections of party building in social organizations (recorded by supervisors), with attachments."""

    datamodel = scoped(OversightRecord)
    class_permission_name = "OversightRecord"
    list_title = show_title = _l("Oversight inspections")
    add_title = _l("Record an inspection")
    edit_title = _l("Edit inspection")
    list_columns = ["social_organization", "inspected_on", "kind", "rating"]
    show_columns = [*RECORD_FIELDS, "created_at", "version"]
    add_columns = edit_columns = RECORD_FIELDS
    search_columns = ["social_organization", "inspected_on", "kind", "rating"]
    order_columns = ["inspected_on", "kind", "rating"]
    base_order = ("inspected_on", "desc")
    label_columns = RECORD_LABELS
    choice_columns = {"kind": INSPECTION_KINDS, "rating": RATINGS, **dict.fromkeys(CHECK_ITEMS, CHECK_RESULTS)}
    show_extra_template = "platform/oversight_extra.html"
    method_permission_name = {**VIEW_PERMISSIONS, "attach": "write", "detach": "write", "attachment": "read"}

    def show_extra_context(self, item) -> dict:
        return {
            "attachments": [a for a in item.attachments if a.deleted_at is None],
            "rectifications": [r for r in item.rectifications if r.deleted_at is None],
            "may_attach": appbuilder.sm.has_access("can_write", "OversightRecord"),
            "rectification_status": lambda r: RECTIFICATION_STATUSES.label(r.effective_status(today())),
            "today": today(),
        }

    @expose("/attach/<pk>", methods=["POST"])
    @has_access
    def attach(self, pk):
        """Upload a PDF or image for an inspection within scope."""
        record = self.datamodel.get(pk)
        if record is None:
            abort(404)
        try:
            attachments.store(record, request.files.get("file"))
        except attachments.AttachmentRefused as refused:
            flash(str(refused), "danger")
        except (RecordInvalid, ScopeViolation) as error:
            db.session.rollback()
            flash(refusal_text(error), "danger")
        else:
            flash(_("The file was attached."), "success")
        return redirect(url_for("OversightRecordView.show", pk=record.id))

    @expose("/detach/<int:pk>", methods=["POST"])
    @has_access
    def detach(self, pk):
        """Remove an attachment (a wrong file, say) from its inspection: it waits in the recycle bin."""
        interface = ScopedSQLAInterface(OversightAttachment)
        attachment = interface.get(pk)
        if attachment is None:
            abort(404)
        record_id, name = attachment.record_id, attachment.original_name
        try:
            interface.delete(attachment)
        except DeleteRefused as refused:
            flash(str(refused), "danger")
        except (RecordInvalid, ScopeViolation) as error:
            db.session.rollback()
            flash(refusal_text(error), "danger")
        else:
            flash(_("%(name)s was removed; it can be restored from the recycle bin.", name=name), "success")
        return redirect(url_for("OversightRecordView.show", pk=record_id))

    @expose("/attachment/<int:pk>")
    @has_access
    def attachment(self, pk):
        """Download an attachment: only when its inspection is within the user's scope."""
        attachment = ScopedSQLAInterface(OversightAttachment).get(pk)
        if attachment is None:
            abort(404)
        try:
            path = attachments.path_of(attachment)
        except FileNotFoundError:
            abort(404)
        response = send_file(
            path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.original_name
        )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class RectificationView(PlatformModelView):
    """Problems found by inspections: the responsible side records progress, a supervisor verifies."""

    datamodel = scoped(Rectification)
    class_permission_name = "Rectification"
    list_title = show_title = _l("Rectifications")
    add_title = _l("Add rectification")
    edit_title = _l("Update rectification")
    list_columns = ["problem", "record", "responsible_organization", "deadline", "status"]
    show_columns = [*RECTIFICATION_FIELDS, "verified_at", "created_at", "version"]
    add_columns = ["record", "problem", "measures", "responsible_organization", "responsible_person", "deadline"]
    edit_columns = ["status", "progress_note", "evidence"]
    search_columns = ["problem", "status", "deadline"]
    order_columns = ["deadline", "status"]
    base_order = ("deadline", "asc")
    label_columns = RECTIFICATION_LABELS
    choice_columns = {"status": RECTIFICATION_STATUSES}
    method_permission_name = {**VIEW_PERMISSIONS, "verify": "write"}

    @action("verify", _l("Verify"), _l("Mark the selected rectifications verified?"), "fa-check", single=False)
    def verify(self, items):
        """A supervisor confirms that the problems were rectified."""
        from flask import g

        try:
            for item in items:
                item.status = "verified"
                item.verified_by_id = g.user.id
                item.verified_at = utcnow()
            db.session.commit()
        except (RecordInvalid, ScopeViolation) as error:
            db.session.rollback()
            flash(refusal_text(error), "danger")
        else:
            flash(_("Verified %(count)s rectifications.", count=len(items)), "success")
        return redirect(self.get_redirect())


class PartyOversightView(BaseView):
    """The oversight views: timeline per organization, coverage dashboard, overdue rectifications."""

    route_base = "/partyoversight"
    class_permission_name = "OversightRecord"
    base_permissions = OVERSIGHT_PERMISSIONS
    method_permission_name = {"timeline": "read", "coverage": "read", "overdue": "read"}
    default_view = "coverage"

    @expose("/timeline/<int:pk>")
    @has_access
    def timeline(self, pk):
        """One organization: its party organization, every inspection and every rectification, newest first."""
        organization = ScopedSQLAInterface(SocialOrganization).get(pk)
        if organization is None:
            abort(404)
        party = (
            ScopedSQLAInterface(PartyOrganization, apply_scope=False)
            .restrict(db.session.query(PartyOrganization))
            .filter(PartyOrganization.social_organizations.contains(organization))
            .all()
        )
        records = (
            ScopedSQLAInterface(OversightRecord)
            .restrict(db.session.query(OversightRecord))
            .filter(OversightRecord.social_organization_id == organization.id)
            .order_by(OversightRecord.inspected_on.desc(), OversightRecord.id.desc())
            .all()
        )
        on = today()
        return self.render_template(
            "platform/oversight_timeline.html",
            title=_l("Oversight timeline"),
            organization=organization,
            party=party,
            records=records,
            today=on,
            rating=RATINGS.label,
            kind=INSPECTION_KINDS.label,
            formation=FORMATION_MODES.label,
            org_type=PARTY_ORG_TYPES.label,
            rectification_status=lambda r: RECTIFICATION_STATUSES.label(r.effective_status(on)),
            category=SOCIAL_CATEGORIES.label,
        )

    @expose("/coverage")
    @has_access
    def coverage(self):
        """Party-organization coverage of social organizations, by category and district, with the open issues."""
        on = today()
        return self.render_template(
            "platform/coverage.html",
            title=_l("Party-building coverage"),
            overall=figures.coverage_overall(),
            by_category=figures.coverage_by_category(),
            by_district=figures.coverage_by_district(),
            overdue_count=figures.overdue_rectification_count(on),
            expired=figures.expired_terms(on),
            today=on,
        )

    @expose("/overdue")
    @has_access
    def overdue(self):
        """Overdue rectifications, each one click from its inspection."""
        on = today()
        return self.render_template(
            "platform/overdue_rectifications.html",
            title=_l("Overdue rectifications"),
            rows=figures.overdue_rectifications(on),
            today=on,
        )


class PartyOrganizationApi(PlatformRestApi):
    """REST API for party organizations."""

    resource_name = "party_organization"
    datamodel = scoped(PartyOrganization)
    class_permission_name = "PartyOrganization"
    label_columns = PARTY_LABELS
    list_columns = show_columns = [
        "id",
        "name",
        "name_en",
        "org_type",
        "formation_mode",
        "department.id",
        "parent.id",
        "secretary",
        "member_count",
        "established_on",
        "term_ends_on",
        "version",
    ]
    add_columns = edit_columns = PARTY_FIELDS
    search_columns = ["name", "org_type", "formation_mode", "term_ends_on"]
    order_columns = ["name", "term_ends_on"]


class OversightRecordApi(PlatformRestApi):
    """REST API for inspections (written by supervisors)."""

    resource_name = "oversight_record"
    datamodel = scoped(OversightRecord)
    class_permission_name = "OversightRecord"
    label_columns = RECORD_LABELS
    list_columns = show_columns = [
        "id",
        "social_organization.id",
        "party_organization.id",
        "inspected_on",
        "kind",
        *CHECK_ITEMS,
        "other_items",
        "findings",
        "rating",
        "version",
    ]
    add_columns = edit_columns = RECORD_FIELDS
    search_columns = ["social_organization", "inspected_on", "kind", "rating"]
    order_columns = ["inspected_on", "rating"]


class RectificationApi(PlatformRestApi):
    """REST API for rectifications: supervisors create and verify, the responsible side records progress."""

    resource_name = "rectification"
    datamodel = scoped(Rectification)
    class_permission_name = "Rectification"
    label_columns = RECTIFICATION_LABELS
    list_columns = show_columns = [
        "id",
        "record.id",
        "problem",
        "measures",
        "responsible_organization",
        "responsible_person",
        "deadline",
        "status",
        "progress_note",
        "evidence",
        "verified_at",
        "version",
    ]
    add_columns = ["record", "problem", "measures", "responsible_organization", "responsible_person", "deadline"]
    edit_columns = ["status", "progress_note", "evidence"]
    search_columns = ["status", "deadline", "record"]
    order_columns = ["deadline", "status"]
