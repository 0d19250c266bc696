"""The recycle bin screen: deleted records within the user's scope, restored or purged."""

from urllib.parse import parse_qsl

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import appbuilder
from app.services.recycle_bin import (
    BIN_MODELS,
    PurgeRefused,
    RestoreRefused,
    bin_label,
    deleted_count,
    deleted_records,
    find_deleted,
    permission_name,
    purge,
    restore,
)
from models.choices import ENTITY_TYPES

#: deleted rows shown per register; older ones are a page further on
BIN_PAGE_SIZE = 50


def _page_arg(key: str) -> int:
    value = request.args.get(key, "")
    return int(value) if value.isdigit() else 0


def _page_url(name: str, page: int) -> str:
    """The bin with one register's section moved to ``page``, the other sections' pages kept."""
    args = {key: value for key, value in request.args.items() if key.startswith("page_")}
    args[f"page_{name}"] = str(page)
    if page == 0:
        del args[f"page_{name}"]
    return url_for("RecycleBinView.list", **args) + f"#bin-{name}"


def _back_to_bin() -> str:
    """The bin again, at the pages the restore or purge was made from (the form sends them)."""
    pages = {key: value for key, value in parse_qsl(request.form.get("pages", "")) if key.startswith("page_")}
    return url_for("RecycleBinView.list", **{key: value for key, value in pages.items() if value.isdigit()})


class RecycleBinView(BaseView):
    """Deleted records (回收站): users with edit rights restore them; only an Admin purges them, after confirming."""

    route_base = "/recyclebin"
    default_view = "list"
    class_permission_name = "RecycleBin"
    base_permissions = ["can_read", "can_purge"]
    method_permission_name = {"list": "read", "restore": "read", "purge": "purge"}

    @expose("/")
    @has_access
    def list(self):
        """Deleted records of every register the user may read, within scope."""
        sections = []
        for name, model in BIN_MODELS.items():
            if not appbuilder.sm.has_access("can_read", permission_name(name)):
                continue
            total = deleted_count(model)
            page = min(_page_arg(f"page_{name}"), max(total - 1, 0) // BIN_PAGE_SIZE)
            offset = page * BIN_PAGE_SIZE
            rows = [(row, bin_label(row)) for row in deleted_records(model, BIN_PAGE_SIZE, offset)] if total else []
            sections.append(
                {
                    "name": name,
                    "label": ENTITY_TYPES.label(name),
                    "rows": rows,
                    "total": total,
                    "first": offset + 1,
                    "last": offset + len(rows),
                    "newer": _page_url(name, page - 1) if page > 0 else None,
                    "older": _page_url(name, page + 1) if offset + len(rows) < total else None,
                    "can_restore": appbuilder.sm.has_access("can_write", permission_name(name)),
                }
            )
        can_purge = appbuilder.sm.has_access("can_purge", "RecycleBin")
        return self.render_template(
            "platform/recycle_bin.html", sections=sections, can_purge=can_purge, title=_l("Recycle bin")
        )

    def _target(self, model_name: str, pk: str):
        item = find_deleted(model_name, pk)
        if item is None:
            abort(404)
        return item

    @expose("/restore/<model_name>/<pk>", methods=["POST"])
    @has_access
    def restore(self, model_name, pk):
        """Restore one record: needs edit rights on its register and the record in scope."""
        if not appbuilder.sm.has_access("can_write", permission_name(model_name)):
            abort(403)
        item = self._target(model_name, pk)
        try:
            restore(item)
        except RestoreRefused as refused:
            flash(str(refused), "danger")
        else:
            flash(_("Restored: %(record)s", record=str(item)), "success")
        return redirect(_back_to_bin())

    @expose("/purge/<model_name>/<pk>", methods=["POST"])
    @has_access
    def purge(self, model_name, pk):
        """Remove one deleted record for good; the form must confirm by typing the record's id."""
        item = self._target(model_name, pk)
        if request.form.get("confirm") != str(item.id):
            flash(_("Type the record's number to confirm that it is to be removed for good."), "danger")
            return redirect(_back_to_bin())
        label = str(item)
        try:
            purge(item)
        except PurgeRefused as refused:
            flash(str(refused), "danger")
        else:
            flash(_("Removed for good: %(record)s", record=label), "success")
        return redirect(_back_to_bin())
