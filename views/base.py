"""The base layer that every domain view and REST API inherits.

Scope and soft delete live in the data layer (``app.datamodel``) and the
flush rules (``app.session_rules``); this module turns their exceptions into
clear messages in the user's language, keeps the user's input when a save
is refused, builds the relation and choice fields, masks ID numbers, and
maps every method onto two permissions: ``can_read`` and ``can_write``.
"""

from contextlib import nullcontext
from datetime import date
from functools import cached_property

from flask import abort, flash, redirect, request
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.const import API_FILTERS_RIS_KEY
from flask_appbuilder.exceptions import InvalidOperationFilterFABException
from flask_appbuilder.models.filters import map_args_filter
from flask_appbuilder.security.decorators import permission_name, protect
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args
from flask_appbuilder.widgets import FormWidget, ListWidget, ShowWidget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import ValidationError
from sqlalchemy.exc import StatementError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import BooleanField, HiddenField

from app.datamodel import DeleteRefused, ScopedSQLAInterface, StaleEdit
from app.extensions import appbuilder, db
from app.list_records import reading
from app.scope import ScopeViolation
from app.security import FULL_ID_NUMBER
from app.translations import locale_name
from models.mixins import RECORD_LABELS, listing
from models.validation import RecordInvalid, mask_id_number

from .fields import AjaxSelectField, AjaxSelectMultipleField, ChoiceField, RegionField
from .form_page import draw_form
from .list_args import list_args_problem
from .list_page import draw_list
from .list_rows import draw_rows
from .lookup import RelationLookupMixin
from .rest_rows import RowWriter
from .search_widget import PlatformSearchWidget
from .show_page import draw_show

READ_METHODS = ("list", "show", "lookup", "children", "download", "api_read", "history", "export")
WRITE_METHODS = ("add", "edit", "delete", "action", "action_post", "muldelete")
VIEW_PERMISSIONS = {**dict.fromkeys(READ_METHODS, "read"), **dict.fromkeys(WRITE_METHODS, "write")}
API_PERMISSIONS = {
    "info": "read",
    "get": "read",
    "get_list": "read",
    "post": "write",
    "put": "write",
    "delete": "write",
}
EXPORT_LIMIT = 100_000
MASKERS = {"id_number": mask_id_number}
#: the permission that lifts each mask
UNMASK_PERMISSIONS = {"id_number": FULL_ID_NUMBER}
OUTSIDE_SCOPE = _l("The record is outside your data scope: choose a department you are responsible for.")
VERSION_REQUIRED = _l('Send the version of the record you read (the number in its "version" field).')
BAD_VALUE = _l("One of the values has the wrong type or refers to a record that does not exist.")
#: input the marshmallow schema lets through but the database or a related-id lookup refuses
BAD_INPUT_ERRORS = (ValueError, TypeError, OverflowError, StatementError)
#: a concurrent save won the race while this request was loading or flushing
RACE_ERRORS = (StaleEdit, StaleDataError)
STALE_MESSAGE = _l("Someone else saved this record in the meantime. Reload it and apply your change again.")
#: labels of the columns many REST APIs answer with, for those an API's own labels leave out
COMMON_API_LABELS = {"id": _l("ID"), "name": _l("Name"), "code": _l("Code"), "name_en": _l("English name")}
#: labels of a related record's columns, in a dotted API column ``relation.column``
RELATED_COLUMN_LABELS = {**RECORD_LABELS, **COMMON_API_LABELS}


def related_column_label(relation_label, column_label):
    """The label of ``relation.column`` (部门/单位：编号, Department: ID), put together in the
    language of each request that shows it."""
    return _l("%(relation)s: %(column)s", relation=relation_label, column=column_label)


def yes_no(value) -> str:
    if value is None:
        return ""
    return str(_l("Yes") if value else _l("No"))


def joined(values) -> str:
    """Many related records, by their names."""
    return listing(values)


def seconds(value) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else ""


def unchanged(value):
    return value


def blank_if_none(value):
    return "" if value is None else value


def invalid_text(invalid: RecordInvalid) -> str:
    return " ".join(message for messages in invalid.errors.values() for message in messages)


def refusal_text(error) -> str:
    """A refused save as one message in the user's language."""
    if isinstance(error, RecordInvalid):
        return invalid_text(error)
    if isinstance(error, ScopeViolation):
        return str(OUTSIDE_SCOPE)
    return str(STALE_MESSAGE)


def mark_fields(form, invalid: RecordInvalid) -> None:
    """Put a refused save's messages next to their fields; the rest become flash messages."""
    for field_name, messages in invalid.errors.items():
        field = form[field_name] if field_name in form else None
        if field is not None:
            field.errors = list(field.errors) + messages
        else:
            for message in messages:
                flash(message, "danger")


def today() -> date:
    """'Today' for overdue deadlines and expired terms: one place, so that tests can freeze it."""
    return date.today()


def parse_version(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def may_see_full(column: str) -> bool:
    """Whether the current user may see ``column`` unmasked."""
    return appbuilder.sm.has_access(*UNMASK_PERMISSIONS[column])


class PlatformListWidget(ListWidget):
    """Flask-AppBuilder's list table and its header bar, drawn in one pass in Python
    (``views.list_page``) for a platform view; through the template otherwise."""

    template = "platform/widgets/list.html"

    def __call__(self, **kwargs):
        args = {**self.template_args, **kwargs}
        view = args.pop("list_view", None)
        if view is not None:
            return draw_list(view, args)
        return super().__call__(draw_rows=draw_rows, **kwargs)


class PlatformShowWidget(ShowWidget):
    """Flask-AppBuilder's record fields and buttons, drawn in one pass in Python
    (``views.show_page``) for a platform view; through the template otherwise."""

    def __call__(self, **kwargs):
        args = {**self.template_args, **kwargs}
        view = args.pop("show_view", None)
        if view is not None:
            return draw_show(view, args)
        return super().__call__(**kwargs)


class PlatformFormWidget(FormWidget):
    """Flask-AppBuilder's add and edit form, drawn in one pass in Python (``views.form_page``)."""

    def __call__(self, **kwargs):
        return draw_form({**self.template_args, **kwargs})


class PlatformModelView(RelationLookupMixin, ModelView):
    """Generated CRUD for a domain register, with scope, clear errors and kept input."""

    #: column → Choices for enumerated string columns
    choice_columns: dict = {}
    #: relation columns rendered as the cascading region chooser
    region_columns: tuple = ()
    #: columns whose values are masked for users without ``can_view_<column>``
    masked_columns: tuple = ()
    method_permission_name = VIEW_PERMISSIONS
    page_size = 25
    list_widget = PlatformListWidget
    show_widget = PlatformShowWidget
    add_widget = PlatformFormWidget
    edit_widget = PlatformFormWidget
    search_widget = PlatformSearchWidget
    #: their content is drawn by ``views.form_panel``
    add_template = "platform/add.html"
    edit_template = "platform/edit.html"

    def __init__(self, **kwargs):
        declared_permissions = None if self.base_permissions is None else tuple(self.base_permissions)
        self.label_columns = {**RECORD_LABELS, **(self.label_columns or {})}
        self._build_fields()
        self.formatters_columns = {**self._choice_formatters(), **(self.formatters_columns or {})}
        super().__init__(**kwargs)
        if declared_permissions is not None:
            self._keep_declared_permissions(declared_permissions)
        self.datamodel.eager_load(self.list_columns)

    def _keep_declared_permissions(self, declared: tuple) -> None:
        """A view that declares its permissions keeps exactly those.

        Flask-AppBuilder adds the permission of every action it finds (the bulk delete every
        register has: ``can_write``) to ``base_permissions``; a read-only register would so be
        given the right to write. Its actions that need an undeclared permission are dropped."""
        for name in list(self.actions):
            if self.get_action_permission_name(name) not in declared:
                del self.actions[name]
        self.base_permissions = list(declared)

    # ----- fields ----------------------------------------------------------
    def _build_fields(self) -> None:
        model = self.datamodel.obj
        extra = {}
        form_columns = set(self.add_columns or []) | set(self.edit_columns or [])
        for column in form_columns:
            label = self.label_columns.get(column, column)
            if column in self.choice_columns:
                nullable = model.__table__.c[column].nullable
                extra[column] = ChoiceField(label, choices_set=self.choice_columns[column], allow_blank=nullable)
            elif self.datamodel.is_boolean(column):
                # a flag is never "required": unticked means no (Flask-AppBuilder would demand a tick)
                extra[column] = BooleanField(label, description=(self.description_columns or {}).get(column, ""))
            elif self.datamodel.is_relation_many_to_many(column):
                extra[column] = AjaxSelectMultipleField(
                    label,
                    loader=self._related_loader(column),
                    view_endpoint=self.__class__.__name__,
                    lookup_column=column,
                )
            elif self.datamodel.is_relation_many_to_one(column):
                nullable = self.datamodel.is_nullable(column)
                field_class = RegionField if column in self.region_columns else AjaxSelectField
                extra[column] = field_class(
                    label,
                    loader=self._related_loader(column),
                    view_endpoint=self.__class__.__name__,
                    allow_blank=nullable,
                    description=self.description_columns.get(column, "") if self.description_columns else "",
                )
        self.add_form_extra_fields = {**extra, **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**extra, **(self.edit_form_extra_fields or {})}
        search_extra = {
            column: ChoiceField(self.label_columns.get(column, column), choices_set=choices, allow_blank=True)
            for column, choices in self.choice_columns.items()
            if column in (self.search_columns or [])
        }
        for column in self.search_columns or []:
            # a relation is searched with the same AJAX select as it is edited with: the page never
            # loads the whole related table into a <select>
            if issubclass(getattr(extra.get(column), "field_class", type(None)), AjaxSelectField) or (
                column not in extra and self.datamodel.is_relation_many_to_one(column)
            ):
                search_extra[column] = AjaxSelectField(
                    self.label_columns.get(column, column),
                    loader=self._related_loader(column),
                    view_endpoint=self.__class__.__name__,
                    allow_blank=True,
                )
        self.search_form_extra_fields = {**search_extra, **(self.search_form_extra_fields or {})}

    def _related_loader(self, column):
        def load(pk):
            return self.datamodel.get_related_interface(column).get(int(pk))

        return load

    def _choice_formatters(self) -> dict:
        """Labels for codes, yes/no for flags, blanks for missing values, masks for ID numbers."""
        formatters = {}
        for column in set(self.list_columns or []) | set(self.show_columns or []):
            if column in self.choice_columns:
                formatters[column] = self.choice_columns[column].label
            elif column in self.masked_columns:
                formatters[column] = self._masker(column)
            elif self.datamodel.is_boolean(column):
                formatters[column] = yes_no
            elif self.datamodel.is_relation_many_to_many(column):
                formatters[column] = joined
            elif self.datamodel.is_datetime(column):
                formatters[column] = seconds
            else:
                formatters[column] = blank_if_none
        return formatters

    def _masker(self, column):
        mask = MASKERS[column]

        def format_value(value):
            return value if may_see_full(column) else mask(value)

        def for_page():
            """The same decision for every row of one page: asked once (``views.list_rows``)."""
            return unchanged if may_see_full(column) else mask

        format_value.for_page = for_page
        return format_value

    # ----- show, with the record's history for those who may read the audit log ----
    show_template = "platform/show.html"
    #: a template included below the record's details (attachments, related lists)
    show_extra_template = None

    def show_extra_context(self, item) -> dict:
        """Values for ``show_extra_template``."""
        return {}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The record, and a History (变更记录) tab with every audited change to it."""
        from .audit import history_for

        # the page reads only the record's own columns, unless an extra template reads more
        with reading(self.datamodel, self.show_columns) if self.show_extra_template is None else nullcontext():
            item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        history = None
        if appbuilder.sm.has_access("can_read", "AuditEvent"):
            history = history_for(self.datamodel.obj.__name__, item.id)
        return self.render_template(
            self.show_template,
            pk=item.id,
            title=self.show_title,
            widgets=self._show_widgets(item),
            related_views=self._related_views,
            history=history,
            extra_template=self.show_extra_template,
            item=item,
            **self.show_extra_context(item),
        )

    def _show_widgets(self, item):
        """Flask-AppBuilder's ``_show`` for a record already loaded (it would load it again), its
        fields drawn by ``PlatformShowWidget``."""
        widgets = self._get_show_widget(item.id, item)
        widgets["show"].template_args["show_view"] = self
        self.update_redirect()
        return self._get_related_views_widgets(
            item, orders=get_order_args(), pages=get_page_args(), page_sizes=get_page_size_args(), widgets=widgets
        )

    # ----- export of the filtered list -------------------------------------------
    list_template = "platform/list.html"
    #: the columns written to CSV/XLSX; defaults to the record page's fields
    export_columns: list | None = None

    @expose("/export/<fmt>")
    @has_access
    def export(self, fmt):
        """The list as CSV or XLSX: the current filters, search and order, the user's scope, headers in
        the user's language, masked values kept masked, and formula-safe cells. The export is audited."""
        from flask_appbuilder.urltools import get_filter_args, get_order_args

        from app.audit import record_event
        from app.services.export import FORMATS, download

        if fmt not in FORMATS:
            abort(404)
        problem = self.list_args_problem()
        if problem:
            abort(400, description=problem)
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, (None, None))
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined = self._filters.get_joined_filters(self._base_filters)
        _count, items = self.datamodel.query(
            joined, order_column or "", order_direction or "", page=0, page_size=EXPORT_LIMIT
        )
        columns = self.export_columns or [
            c for c in (self.show_columns or self.list_columns) if c not in ("created_at", "updated_at", "version")
        ]
        headers = [str(self.label_columns.get(c, c)) for c in columns]
        rows = [[self._export_value(item, c) for c in columns] for item in items]
        record_event(
            db.session,
            "export",
            entity_type=self.datamodel.obj.__name__,
            label=str(self.list_title),
            changes={"format": fmt, "rows": len(rows), "filters": request.args.to_dict(flat=True)},
        )
        return download(fmt, self.datamodel.obj.__tablename__, headers, rows)

    def _export_value(self, item, column):
        value = getattr(item, column, None)
        formatter = self.formatters_columns.get(column)
        if formatter is not None:
            return formatter(value)
        if value is None:
            return ""
        return str(value) if not isinstance(value, int | float) or isinstance(value, bool) else value

    # ----- list arguments are checked before Flask-AppBuilder reads them ----
    def list_args_problem(self):
        """A message when the list's URL parameters can't be honoured (bad sort column, page, page size)."""
        return list_args_problem(self)

    def _get_list_widget(self, filters, **kwargs):
        """Flask-AppBuilder's list widget, told which view it draws (``PlatformListWidget``); it
        reads only the list's columns of its records (``app.list_records``)."""
        with reading(self.datamodel, self.list_columns):
            return super()._get_list_widget(filters, list_view=self, **kwargs)

    def _list(self, **kwargs):
        """Flask-AppBuilder's list logic (order, page, page size and filters from the request), with
        the search form built only when the search widget needs it: it keeps the form's fixed
        parts per language (``PlatformSearchWidget``), and Flask-AppBuilder built the form anyway."""
        name = self.__class__.__name__
        order_column, order_direction = get_order_args().get(name) or ("", "")
        get_filter_args(self._filters)
        widgets = self._get_list_widget(
            filters=self._filters,
            order_column=order_column,
            order_direction=order_direction,
            page=get_page_args().get(name),
            page_size=get_page_size_args().get(name),
            **kwargs,
        )
        self.update_redirect()
        widgets["search"] = self.search_widget(
            route_base=self.route_base,
            form=None,
            build_form=self.search_form.refresh,
            include_cols=self.search_columns,
            exclude_cols=[],
            filters=self._filters,
        )
        return widgets

    @expose("/list/")
    @has_access
    def list(self):
        """The register's list; malformed sort, page or filter parameters answer 400 with a clear message."""
        problem = self.list_args_problem()
        if problem:
            abort(400, description=problem)
        return super().list()

    # ----- add / edit keep the user's input on refusal ----------------------
    def _refuse(self, form, error) -> None:
        db.session.rollback()
        if isinstance(error, RecordInvalid):
            mark_fields(form, error)
            flash(_("The record was not saved. Correct the marked fields."), "danger")
        elif isinstance(error, ScopeViolation):
            flash(str(OUTSIDE_SCOPE), "danger")
        elif isinstance(error, RACE_ERRORS):
            flash(str(STALE_MESSAGE), "danger")

    def _save(self, form, item, is_new: bool) -> bool:
        try:
            form.populate_obj(item)
            self.pre_add(item) if is_new else self.pre_update(item)
            if is_new:
                self.datamodel.add(item)
                self.post_add(item)
            else:
                self.datamodel.edit(item)
                self.post_update(item)
        except (RecordInvalid, ScopeViolation, *RACE_ERRORS) as error:
            self._refuse(form, error)
            return False
        flash(str(self.add_row_message if is_new else self.edit_row_message), "success")
        return True

    def _init_forms(self):
        """Every edit form carries the version of the record it was loaded from (a hidden field)."""
        super()._init_forms()
        self.edit_form.edit_version = HiddenField()

    def _version_conflict(self, form, item) -> bool:
        """Refuse a save made against an older version, showing what the other user changed.

        The user's input stays in the form; the hidden version moves to the current one,
        so saving again deliberately applies the user's values over the newer record.
        """
        submitted = parse_version(form.edit_version.data)
        if submitted == item.version:
            del form["edit_version"]
            return False
        from .audit import changes_since

        db.session.rollback()
        flash(str(STALE_MESSAGE), "danger")
        for row in changes_since(self.datamodel.obj.__name__, item.id, submitted or 0):
            flash(_("%(field)s: %(old)s → %(new)s (by %(actor)s)", **row), "warning")
        form.edit_version.data = item.version
        return True

    def _restore_masked(self, form, item) -> None:
        """An unchanged masked value in the form keeps the stored value."""
        for column in self.masked_columns:
            if column in form and form[column].data == MASKERS[column](getattr(item, column)):
                form[column].data = getattr(item, column)

    def _add(self):
        form = self.add_form.refresh()
        if request.method == "POST":
            if form.validate():
                self.process_form(form, True)
                if self._save(form, self.datamodel.obj(), is_new=True):
                    return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form)

    @cached_property
    def _edit_form_reads(self) -> tuple | None:
        """The record's columns the edit form reads: its fields, when each reads only its own
        value, a relation's included when it is chosen by AJAX search (which reads the related
        record's name and key), and its version, which the form carries; None when a field may read
        further (the region chooser reads the region's parents)."""
        for name in self.edit_columns:
            if self.datamodel.is_relation(name):
                if getattr(getattr(self.edit_form, name, None), "field_class", None) is not AjaxSelectField:
                    return None
        return (*self.edit_columns, "version")

    def _edit(self, pk):
        # the form reads its fields of the record (a read-only record will do); a save writes it
        plain = request.method == "GET" and self._edit_form_reads is not None
        with reading(self.datamodel, self._edit_form_reads) if plain else nullcontext():
            item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            form._id = pk
            self._restore_masked(form, item)
            for field in form:
                if isinstance(field, AjaxSelectField):
                    field.keep_current(getattr(item, field.name, None))
            if self._version_conflict(form, item):
                return self._get_edit_widget(form=form)
            if form.validate():
                self.process_form(form, False)
                if self._save(form, item, is_new=False):
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            form.edit_version.data = item.version
            for column in self.masked_columns:
                if column in form and not may_see_full(column):
                    form[column].data = MASKERS[column](form[column].data)
            self.prefill_form(form, pk)
            self.update_redirect()
        return self._get_edit_widget(form=form)

    # ----- delete --------------------------------------------------------------
    @expose("/delete/<pk>", methods=["POST"])
    @has_access
    def delete(self, pk):
        """Soft-delete one record (POST only: GET never changes state)."""
        self._delete(self._deserialize_pk_if_composite(pk))
        return self.post_delete_redirect()

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
        except DeleteRefused as refused:
            flash(
                _("The record was not deleted: %(reasons)s", reasons=" ".join(str(r) for r in refused.reasons)),
                "danger",
            )
        except RecordInvalid as invalid:
            flash(_("The record was not deleted: %(reasons)s", reasons=invalid_text(invalid)), "danger")
        except ScopeViolation:
            flash(str(OUTSIDE_SCOPE), "danger")
        else:
            flash(str(self.delete_row_message), "success")
        self.update_redirect()

    @action("muldelete", _l("Delete"), _l("Delete all the selected records?"), "fa-trash", single=False)
    def muldelete(self, items):
        """Bulk delete: all selected records or none."""
        try:
            self.datamodel.delete_all(items)
        except DeleteRefused as refused:
            flash(_("Nothing was deleted: %(reasons)s", reasons=" ".join(str(r) for r in refused.reasons)), "danger")
        except RecordInvalid as invalid:
            flash(_("Nothing was deleted: %(reasons)s", reasons=invalid_text(invalid)), "danger")
        except ScopeViolation:
            flash(str(OUTSIDE_SCOPE), "danger")
        else:
            flash(_("Deleted %(count)s records.", count=len(items)), "success")
        return redirect(self.get_redirect())

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        """Bulk actions load every selected row through the scoped data layer; any miss is a 404."""
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            flash(_("Access is Denied"), "danger")
            return redirect(self.get_redirect())
        items = []
        for pk in request.form.getlist("rowid"):
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk)) if pk.isdigit() else None
            if item is None:
                abort(404)
            items.append(item)
        return self.actions[name].func(items)

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        """Single-record actions: POST only, and the record must be in scope."""
        if request.method != "POST" or name not in self.actions:
            abort(405 if request.method != "POST" else 404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            flash(_("Access is Denied"), "danger")
            return redirect(self.get_redirect())
        item = self.datamodel.get(pk) if str(pk).isdigit() else None
        if item is None:
            abort(404)
        return self.actions[name].func([item] if self.actions[name].multiple else item)


def screen_of(entity_type: str):
    """The register screen (``PlatformModelView``) of a record type, by its model's name, or None."""
    for view in appbuilder.baseviews:
        if isinstance(view, PlatformModelView) and view.datamodel.obj.__name__ == entity_type:
            return view
    return None


class PlatformRestApi(ModelRestApi):
    """REST API for a domain register: same data layer, clear JSON errors, masked fields."""

    method_permission_name = API_PERMISSIONS
    allow_browser_login = False
    masked_columns: tuple = ()
    page_size = 25
    max_page_size = 100

    def __init__(self, *args, **kwargs):
        # a copy: the screen shares the dict, and Flask-AppBuilder adds the labels it lacks
        self.label_columns = {**RECORD_LABELS, **COMMON_API_LABELS, **(self.label_columns or {})}
        super().__init__(*args, **kwargs)
        self.datamodel.eager_load(self.list_columns)
        # ``_info`` answers the screen's add and edit titles (Flask-AppBuilder's are English: "Add
        # Person"), looked up when answered: the screens may be registered after the API
        for name in ("add_title", "edit_title"):
            setattr(self, name, LazyString(self._screen_title, name, getattr(self, name)))

    def _gen_labels_columns(self, list_columns) -> None:
        """Flask-AppBuilder's labels for the columns without one, but a dotted ``relation.column``
        is labelled with the relation's label and the related column's, in the user's language."""
        for column in list_columns:
            if column not in self.label_columns:
                relation, _dot, related = column.partition(".")
                if related in RELATED_COLUMN_LABELS and relation in self.label_columns:
                    label = related_column_label(self.label_columns[relation], RELATED_COLUMN_LABELS[related])
                else:
                    label = self._prettify_column(column)
                self.label_columns[column] = label

    def _label_columns_json(self, cols=None) -> dict:
        """Flask-AppBuilder's ``label_columns`` of a list or record answer, worked out once per
        language for the API's own list and record columns (it translated every label of every
        answer, a sixth of a REST list). A request's own ``columns`` are labelled as before."""
        if cols not in (self.list_columns, self.show_columns):
            return super()._label_columns_json(cols)
        key = (locale_name(), tuple(cols))
        labels = self._label_json_kept.get(key)
        if labels is None:
            labels = self._label_json_kept[key] = super()._label_columns_json(cols)
        return dict(labels)

    @cached_property
    def _label_json_kept(self) -> dict:
        return {}

    def _init_model_schemas(self) -> None:
        """Flask-AppBuilder's schemas; the list's records are written without marshmallow's
        per-value calls (``views.rest_rows``)."""
        super()._init_model_schemas()
        RowWriter.install(self.list_model_schema)

    def get_list_headless(self, **kwargs):
        """Flask-AppBuilder's list answer, which reads only the list's columns of its records
        (``app.list_records``), unless the request names its own columns."""
        with reading(self.datamodel, self.list_columns):
            return super().get_list_headless(**kwargs)

    def _handle_columns_args(self, args, default_select_columns, default_response_columns):
        """Without ``columns`` or ``select_columns`` in the request, the list reads whole records
        with their many-to-one relations joined (``eager_load``), as the screens do: the same rows
        in the same single statement, without Flask-AppBuilder building a column-by-column load
        and an aliased join anew at every request."""
        select_columns, response_columns = super()._handle_columns_args(
            args, default_select_columns, default_response_columns
        )
        if not response_columns and select_columns == default_select_columns:
            return [], []
        return select_columns, response_columns

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """Flask-AppBuilder's field details (``_info``), with the API's description of the field, else
        its screen's, else none (Flask-AppBuilder's ``gettext("")`` answered the catalog's header)."""
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        screen = screen_of(self.datamodel.obj.__name__)
        description = self.description_columns.get(field.name) or getattr(screen, "description_columns", {}).get(
            field.name
        )
        info["description"] = str(description) if description else ""
        return info

    def _screen_title(self, name: str, fallback) -> str:
        """The register screen's ``name`` title in the user's language, else ``fallback``."""
        return str(getattr(screen_of(self.datamodel.obj.__name__), name, None) or fallback)

    def _handle_filters_args(self, rison_args):
        """Flask-AppBuilder's filters, refusing an operation the column does not have: Flask-AppBuilder
        would skip it silently on a searchable column and answer every row as if it had filtered."""
        for given in rison_args.get(API_FILTERS_RIS_KEY, []):
            if not isinstance(given, dict):
                continue  # the q argument's schema already refused it
            column, operation = given.get("col"), given.get("opr")
            known = operation in map_args_filter or any(
                kept.arg_name == operation for kept in self._filters.get_search_filters().get(column, ())
            )
            if not known:
                raise InvalidOperationFilterFABException(
                    f"Filter operation: {operation} not allowed on column: {column}"
                )
        return super()._handle_filters_args(rison_args)

    def _error_response(self, error):
        db.session.rollback()
        if isinstance(error, RecordInvalid):
            return self.response_422(message=error.errors)
        if isinstance(error, ScopeViolation):
            return self.response_422(message={"": [str(OUTSIDE_SCOPE)]})
        if isinstance(error, RACE_ERRORS):
            return self.response(409, message=str(STALE_MESSAGE))
        if isinstance(error, DeleteRefused):
            return self.response(409, message=" ".join(str(r) for r in error.reasons))
        return self.response_422(message={"": [str(BAD_VALUE)]})

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post(self):
        """Create a record within the caller's scope.
        ---
        post:
          requestBody:
            description: The new record
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
          responses:
            201:
              description: Record created
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.post'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            422:
              $ref: '#/components/responses/422'
            500:
              $ref: '#/components/responses/500'
        """
        try:
            return self.post_headless()
        except (RecordInvalid, ScopeViolation, *RACE_ERRORS, *BAD_INPUT_ERRORS) as error:
            return self._error_response(error)

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def put(self, pk):
        """Change a record within the caller's scope; the body carries the ``version`` it was read at.
        ---
        put:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          requestBody:
            description: The changed fields and the version of the record they were read from
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/{{self.__class__.__name__}}.put_body'
          responses:
            200:
              description: Record changed
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.put'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/409'
            422:
              $ref: '#/components/responses/422'
            500:
              $ref: '#/components/responses/500'
        """
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            submitted = body.pop("version", None)
            item = self.datamodel.get(pk)
            if item is None:
                return self.response_404()
            if not isinstance(submitted, int) or isinstance(submitted, bool):
                return self.response_422(message={"version": [str(VERSION_REQUIRED)]})
            if submitted != item.version:
                from .audit import changes_since

                db.session.rollback()
                return self.response(
                    409,
                    message=str(STALE_MESSAGE),
                    current_version=item.version,
                    changes=changes_since(self.datamodel.obj.__name__, item.id, submitted),
                )
        try:
            with db.session.no_autoflush:  # flush only in the data layer's commit, where races are mapped
                return self.put_headless(pk)
        except (RecordInvalid, ScopeViolation, *RACE_ERRORS, *BAD_INPUT_ERRORS) as error:
            return self._error_response(error)

    def put_headless(self, pk):
        """Flask-AppBuilder's PUT, but with a schema of its own per request: a marshmallow schema keeps
        the instance being loaded as state, so one schema shared by concurrent requests can mix them up."""
        item = self.datamodel.get(pk, self._base_filters)
        if not request.is_json:
            return self.response_400(message="Request is not JSON")
        if not item:
            return self.response_404()
        schema = type(self.edit_model_schema)()
        try:
            data = self._merge_update_item(item, request.json)
            item = schema.load(data, instance=item)
        except ValidationError as err:
            return self.response_422(message=err.messages)
        self.pre_update(item)
        self.datamodel.edit(item)
        self.post_update(item)
        return self.response(200, result=schema.dump(item, many=False))

    @expose("/<int:pk>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("delete")
    def delete(self, pk):
        """Soft-delete a record within the caller's scope.
        ---
        delete:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: Record deleted
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              $ref: '#/components/responses/409'
            422:
              $ref: '#/components/responses/422'
            500:
              $ref: '#/components/responses/500'
        """
        try:
            return self.delete_headless(pk)
        except (DeleteRefused, RecordInvalid, ScopeViolation, StaleEdit) as error:
            return self._error_response(error)

    def _mask(self, row: dict) -> None:
        for column in self.masked_columns:
            if column in row and not may_see_full(column):
                row[column] = MASKERS[column](row[column])

    def pre_get(self, data):
        self._mask(data.get("result", {}))

    def pre_get_list(self, data):
        for row in data.get("result", []):
            self._mask(row)


def scoped(model, **kwargs) -> ScopedSQLAInterface:
    """The data layer for ``model``."""
    return ScopedSQLAInterface(model, **kwargs)
