"""The search form above every list, its fixed parts drawn once per view and language.

Flask-AppBuilder's search widget renders, on every list request, each search field's empty input,
its label and the names of its filters ("包含", "等于", …), and hands them to ``AdminFilters`` as
JSON. Those depend only on the view and the language, except for fields whose options come from
a query (the security screens' role and permission selects), so a view whose search fields are
all fixed (text, dates, flags, choices, AJAX relation selects) keeps the whole form drawn per
language, with marks in place of the two parts each request puts in: the active filters, read from
the request, and the script's Content-Security-Policy nonce.
"""

from flask import current_app
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.widgets import SearchWidget
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from app.page_chrome import NONCE_MARK, request_nonce
from app.translations import locale_name

#: stands for the active filters' JSON in a kept form
ACTIVE_FILTERS_MARK = "__platform_active_filters__"
#: (route base, locale) → the drawn form with the marks, for views whose search form is fixed
_FIXED_PARTS: dict = {}


def _as_json(value):
    return htmlsafe_json_dumps(value, dumps=current_app.json.dumps)


class PlatformSearchWidget(SearchWidget):
    """The list's search form; its labels, empty fields and filter names kept per language."""

    template = "platform/widgets/search.html"

    def __call__(self, **kwargs):
        args = self.template_args
        key = (args["route_base"], locale_name())
        drawn = _FIXED_PARTS.get(key)
        if drawn is None:
            form = self._form()
            drawn = self._draw(self._fixed_parts(form), kwargs)
            if not any(isinstance(form[column], QuerySelectField) for column in args["include_cols"]):
                _FIXED_PARTS[key] = drawn
        active = _as_json(self.filters.get_filters_values_tojson())
        # the nonce first: the filters' JSON (escaped for HTML) may hold any text, the nonce is alphanumeric
        return Markup(drawn.replace(NONCE_MARK, request_nonce()).replace(ACTIVE_FILTERS_MARK, active))  # noqa: S704

    def _draw(self, parts, kwargs) -> str:
        """The form as the template draws it, with the marks in place of the nonce and the filters."""
        label_columns, labels_json, fields_json, filters_json = parts
        kwargs.update(
            label_columns=label_columns,
            label_columns_json=labels_json,
            form_fields_json=fields_json,
            search_filters_json=filters_json,
            active_filters_json=Markup(ACTIVE_FILTERS_MARK),  # noqa: S704 - a fixed mark
            csp_nonce=lambda: NONCE_MARK,
        )
        return str(super(SearchWidget, self).__call__(**kwargs))

    def _form(self):
        """The search form: given, or built now by ``build_form`` (a platform list builds it only
        when its fixed parts are not kept)."""
        args = self.template_args
        form = args.get("form")
        if form is None:
            form = args["form"] = args.pop("build_form")()
        return form

    def _fixed_parts(self, form) -> tuple:
        """What Flask-AppBuilder's widget works out from the form: labels, fields and filter names."""
        include_cols = self.template_args["include_cols"]
        filters_by_column = self.filters.get_search_filters()
        label_columns = {column: str(form[column].label.text) for column in include_cols}
        form_fields = {column: form[column]() for column in include_cols}
        search_filters = {column: [str(flt.name) for flt in filters_by_column[column]] for column in include_cols}
        return label_columns, _as_json(label_columns), _as_json(form_fields), _as_json(search_filters)
