"""Import screens: template download, upload with a preview of every row error, then confirm."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import appbuilder, db
from app.scope import ScopeViolation
from app.services import importer
from app.services.export import csv_bytes
from models.validation import RecordInvalid

from .base import refusal_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportView(BaseView):
    """Import persons, facilities, service items or social organizations from CSV or XLSX (导入)."""

    route_base = "/import"
    default_view = "index"
    class_permission_name = "Import"
    base_permissions = ["can_read", "can_write"]
    method_permission_name = {"index": "read", "template": "read", "preview": "write", "confirm": "write"}

    def _spec(self, name):
        spec = importer.SPECS.get(name)
        if spec is None:
            abort(404)
        if not appbuilder.sm.has_access("can_write", spec.permission_view):
            abort(403)
        return spec

    @expose("/")
    @has_access
    def index(self):
        """Choose what to import and upload the file."""
        specs = [s for s in importer.SPECS.values() if appbuilder.sm.has_access("can_write", s.permission_view)]
        return self.render_template("platform/import.html", title=_l("Import"), specs=specs, checked=None)

    @expose("/<name>/template.<fmt>")
    @has_access
    def template(self, name, fmt):
        """A bilingual template with one example row."""
        spec = self._spec(name)
        if fmt == "xlsx":
            body, mimetype = importer.template_xlsx(spec), XLSX
        elif fmt == "csv":
            header, example = importer.template_rows(spec)
            body, mimetype = csv_bytes(header, [example]), "text/csv; charset=utf-8"
        else:
            abort(404)
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{spec.name}-template.{fmt}"'
        return response

    @expose("/<name>/preview", methods=["POST"])
    @has_access
    def preview(self, name):
        """Check the upload and show every row error; nothing is written yet."""
        spec = self._spec(name)
        try:
            token, kind = importer.save_upload(request.files.get("file"))
            checked = importer.check_file(spec, importer.saved_path(token, kind), kind)
        except importer.ImportRefused as refused:
            flash(str(refused), "danger")
            return redirect(url_for("ImportView.index"))
        finally:
            db.session.rollback()
        return self.render_template(
            "platform/import.html",
            title=_l("Import"),
            specs=[],
            spec=spec,
            checked=checked,
            token=token,
            kind=kind,
            mode=request.form.get("mode", "skip"),
            preview=checked.preview,
        )

    @expose("/<name>/confirm", methods=["POST"])
    @has_access
    def confirm(self, name):
        """Write all valid rows in one transaction, or none."""
        spec = self._spec(name)
        mode = "update" if request.form.get("mode") == "update" else "skip"
        try:
            path = importer.saved_path(request.form.get("token", ""), request.form.get("kind", ""))
            result, checked = importer.write(spec, path, request.form.get("kind"), mode)
            importer.forget_upload(path)
        except importer.ImportRefused as refused:
            flash(str(refused), "danger")
            return redirect(url_for("ImportView.index"))
        except (RecordInvalid, ScopeViolation) as error:
            db.session.rollback()
            flash(_("Nothing was imported: %(reason)s", reason=refusal_text(error)), "danger")
            return redirect(url_for("ImportView.index"))
        flash(
            _(
                "Imported: %(created)s new, %(updated)s updated, %(skipped)s skipped; %(errors)s rows with errors "
                "were left out.",
                created=result["created"],
                updated=result["updated"],
                skipped=result["skipped"],
                errors=checked.error_count,
            ),
            "success",
        )
        return redirect(url_for("ImportView.index"))
