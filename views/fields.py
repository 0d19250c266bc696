"""Form fields for relations: AJAX search selects and the cascading region chooser.

Neither renders more than the chosen option up front; the options come from
the view's ``lookup`` endpoint, which goes through the scoped data layer.
"""

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import Select

from app.translations import locale_name
from models import Region

from .field_html import html_params

#: (view endpoint, column, mount point) → the escaped address of that column's lookup
_LOOKUP_URLS: dict = {}


def lookup_url(view_endpoint: str, column: str) -> str:
    """The escaped address of a view's ``lookup`` of ``column``, built once per mount point."""
    key = (view_endpoint, column, request.script_root)
    url = _LOOKUP_URLS.get(key)
    if url is None:
        url = _LOOKUP_URLS[key] = str(escape(url_for(f"{view_endpoint}.lookup", column=column)))
    return url


class AjaxSelectWidget:
    """A <select> holding only the current option; Select2 fetches the rest as the user types."""

    def __call__(self, field, **kwargs):
        option = ""
        if field.data is not None:
            option = f'<option value="{escape(field.pk_of(field.data))}" selected>{escape(str(field.data))}</option>'
        elif field.allow_blank:
            option = '<option value=""></option>'
        url = lookup_url(field.view_endpoint, field.lookup_column or field.name)
        clear = "true" if field.allow_blank else "false"
        # every value is escaped: the field's id and name, the option's key and text, the address
        return Markup(  # noqa: S704
            f'<select id="{escape(field.id)}" name="{escape(field.name)}" class="form-control platform-ajax-select" '
            f'data-url="{url}" data-placeholder="{escape(_("Type to search…"))}" data-allow-clear="{clear}">'
            f"{option}</select>"
        )


class AjaxSelectField(Field):
    """A many-to-one relation chosen by AJAX search; the submitted id is loaded through the scoped data layer."""

    widget = AjaxSelectWidget()

    def __init__(
        self, label=None, validators=None, *, loader, view_endpoint, allow_blank=False, lookup_column=None, **kwargs
    ):
        super().__init__(label, validators, **kwargs)
        self.loader = loader
        self.view_endpoint = view_endpoint
        self.lookup_column = lookup_column
        self.allow_blank = allow_blank
        self.flags.required = not allow_blank
        self._raw = None

    @staticmethod
    def pk_of(obj):
        return getattr(obj, "id", obj)

    def _value(self):
        return "" if self.data is None else str(self.pk_of(self.data))

    def process_formdata(self, valuelist):
        self._raw = valuelist[0].strip() if valuelist and valuelist[0] else ""
        self.data = None
        if self._raw:
            self.data = self.loader(self._raw) if self._raw.isdigit() else None

    def keep_current(self, current) -> None:
        """Accept the record's present value even if it lies outside the user's scope
        (e.g. the parent of the user's own department): keeping it moves nothing."""
        if self.data is None and current is not None and self._raw == str(self.pk_of(current)):
            self.data = current

    def pre_validate(self, form):
        if self._raw and self.data is None:
            raise ValidationError(_l("Not a valid choice: it does not exist or is outside your data scope."))
        if not self.allow_blank and self.data is None:
            raise ValidationError(_l("This field is required."))


class AjaxSelectMultipleWidget:
    """A multiple <select> holding only the chosen options; Select2 searches for more."""

    def __call__(self, field, **kwargs):
        options = Markup("").join(
            Markup('<option value="{}" selected>{}</option>').format(item.id, str(item)) for item in field.data or []
        )
        return Markup(
            '<select id="{id}" name="{name}" multiple class="form-control platform-ajax-select" data-url="{url}" '
            'data-placeholder="{placeholder}" data-allow-clear="true">{options}</select>'
        ).format(
            id=field.id,
            name=field.name,
            url=url_for(f"{field.view_endpoint}.lookup", column=field.lookup_column),
            placeholder=_("Type to search…"),
            options=options,
        )


class AjaxSelectMultipleField(Field):
    """Several related records chosen by AJAX search; each id is loaded through the scoped data layer."""

    widget = AjaxSelectMultipleWidget()

    def __init__(self, label=None, validators=None, *, loader, view_endpoint, lookup_column, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.loader = loader
        self.view_endpoint = view_endpoint
        self.lookup_column = lookup_column
        self._invalid = False

    def process_formdata(self, valuelist):
        self.data = []
        for raw in valuelist:
            raw = (raw or "").strip()
            if not raw:
                continue
            item = self.loader(raw) if raw.isdigit() else None
            if item is None:
                self._invalid = True
            elif item not in self.data:
                self.data.append(item)

    def pre_validate(self, form):
        if self._invalid:
            raise ValidationError(_l("Not a valid choice: it does not exist or is outside your data scope."))


class RegionCascadeWidget:
    """Three linked selects: district → township/street → village/community."""

    def __call__(self, field, **kwargs):
        from app.extensions import db

        path = []
        node = field.data
        while node is not None:
            path.insert(0, node)
            node = node.parent
        empty = _("— choose —")
        selects = []
        parent_id = None
        for depth, level_label in enumerate((_("District/County"), _("Township/Street"), _("Village/Community"))):
            regions = []
            if depth == 0 or parent_id is not None:
                query = select(Region).where(Region.deleted_at.is_(None)).order_by(Region.code)
                query = query.where(Region.parent_id == parent_id) if depth else query.where(Region.level == "district")
                regions = db.session.scalars(query).all()
            selected = path[depth] if depth < len(path) else None
            options = [Markup('<option value="">{}</option>').format(empty)]
            for region in regions:
                mark = Markup(" selected") if selected is not None and region.id == selected.id else Markup("")
                options.append(Markup('<option value="{}"{}>{}</option>').format(region.id, mark, str(region)))
            selects.append(
                Markup('<select class="form-control region-level" data-depth="{}" aria-label="{}">{}</select>').format(
                    depth, level_label, Markup("").join(options)
                )
            )
            parent_id = selected.id if selected is not None else None
        return Markup(
            '<div class="region-cascade" id="{id}-cascade" data-url="{url}" data-empty="{empty}">'
            '<input type="hidden" id="{id}" name="{name}" value="{value}">{selects}</div>'
        ).format(
            id=field.id,
            name=field.name,
            value=field._value(),
            url=url_for("RegionView.children"),
            empty=empty,
            selects=Markup("").join(selects),
        )


class RegionField(AjaxSelectField):
    """A region chosen with cascading selects."""

    widget = RegionCascadeWidget()


class ChoiceSelect(Select):
    """WTForms' select, its options drawn once per choice set and language: a form draws the same
    few dozen translated, escaped options on every request, and only which one is selected
    changes."""

    #: (choice set, with a blank, language) → [(code, option, option selected)]
    _drawn: dict = {}

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for code, option, selected in self._options(field):
            html.append(selected if field.coerce(code) == field.data else option)
        html.append("</select>")
        # WTForms' own markup, with escaped values and labels
        return Markup("".join(html))  # noqa: S704

    def _options(self, field) -> list:
        key = (id(field.choices_set), field.allow_blank, locale_name())
        drawn = self._drawn.get(key)
        if drawn is None:
            drawn = self._drawn[key] = [
                (
                    choice.value,
                    Select.render_option(choice._replace(selected=False)),
                    Select.render_option(choice._replace(selected=True)),
                )
                for choice in field._iter_choices_normalized()
            ]
        return drawn


class ChoiceField(SelectField):
    """A select over a ``Choices`` set, with an empty option when the field is optional."""

    widget = ChoiceSelect()

    #: (choice set, with a blank) → (that set, its options as WTForms' ``SelectChoice``)
    _kept_choices: dict = {}

    def __init__(self, label=None, validators=None, *, choices_set, allow_blank=False, **kwargs):
        super().__init__(label, validators, choices=self._select_choices(choices_set, allow_blank), **kwargs)
        self.choices_set = choices_set
        self.allow_blank = allow_blank
        self.flags.required = not allow_blank

    @classmethod
    def _select_choices(cls, choices_set, allow_blank: bool) -> list:
        """The options, made once per choice set: a form binds its choice fields on every request.
        As ``SelectChoice`` (WTForms warns on every field given tuples, which its 3.4 refuses)."""
        key = (id(choices_set), allow_blank)
        kept = cls._kept_choices.get(key)
        if kept is None or kept[0] is not choices_set:
            pairs = ([("", _l("— choose —"))] if allow_blank else []) + choices_set.form_choices()
            kept = cls._kept_choices[key] = (choices_set, [SelectChoice(value, label) for value, label in pairs])
        return kept[1]

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None

    def pre_validate(self, form):
        if self.data is None:
            if not self.allow_blank:
                raise ValidationError(_l("This field is required."))
            return
        super().pre_validate(form)
