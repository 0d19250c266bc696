"""List URL parameters checked before Flask-AppBuilder reads them, on every list, page and API.

Flask-AppBuilder turns ``page_*``/``psize_*`` into ``int()`` without a check, compares a yes/no
column to any filter text and hands any page number to the database: a typo there would be a
500, or a silently ignored sort. :func:`refuse_bad_list_args` runs before each request to a model view (the registers, the
audit log, the security screens) or a model REST API and answers 400 with a message in the
user's language instead.
"""

import json
import urllib.parse

import prison
from flask import abort, jsonify, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseModelView
from flask_babel import gettext as _

from app.extensions import appbuilder

MAX_PAGE_SIZE = 100
#: no list has a million pages; a larger page number would overflow the database's OFFSET
MAX_PAGE = 1_000_000
#: the methods of a model view that read the list's filters
FILTERED_METHODS = ("list", "export")


def _view_of(endpoint: str | None):
    if not endpoint or "." not in endpoint:
        return None, ""
    view_name, _sep, method = endpoint.partition(".")
    return _views_by_name().get(view_name), method


#: (the number of registered views, {class name: the first view of that name})
_VIEWS = (0, {})


def _views_by_name() -> dict:
    """Every registered view by its class name (worked out again when views are added)."""
    global _VIEWS
    count, views = _VIEWS
    if count != len(appbuilder.baseviews):
        views = {}
        for view in appbuilder.baseviews:
            views.setdefault(view.__class__.__name__, view)
        _VIEWS = (len(appbuilder.baseviews), views)
    return views


def _model_views() -> dict:
    return {name: view for name, view in _views_by_name().items() if isinstance(view, BaseModelView)}


def _filter_problem(view, key: str, value: str):
    index, _sep, column = key[len("_flt_") :].partition("_")
    filters = view._filters.get_search_filters().get(column) if index.isdigit() else None
    if not filters or int(index) >= len(filters):
        return _("That filter does not exist on this list.")
    if view.datamodel.is_boolean(column) and value != "y":
        # the search form's tick box sends "y"; Flask-AppBuilder would compare anything else to the
        # yes/no column as text, which PostgreSQL refuses
        return _("A yes/no filter takes the value y (ticked).")
    return None


def list_args_problem(view, method: str = "list"):
    """A message when the URL's list parameters can't be honoured (sort column, direction, page, page size,
    filter) by ``view`` or by the related lists it shows; ``None`` when they are fine."""
    for key, value in request.args.items(multi=True):
        if key.startswith("_oc_"):
            target = _model_views().get(key[len("_oc_") :])
            if target is not None and value not in target.order_columns:
                return _("This list can't be sorted by that column.")
        elif key.startswith("_od_"):
            if value not in ("asc", "desc"):
                return _("The sort direction must be asc or desc.")
        elif "psize_" in key:
            if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
                return _("The page size must be a whole number from 1 to %(max)s.", max=MAX_PAGE_SIZE)
        elif "page_" in key:
            if not value.isdigit() or int(value) > MAX_PAGE:
                return _("The page number must be a whole number.")
        elif key.startswith("_flt_") and method in FILTERED_METHODS:
            problem = _filter_problem(view, key, value)
            if problem:
                return problem
    return None


def api_query_problem():
    """A message when a REST ``q=`` asks for a page that can't exist; the rest FAB's schema checks."""
    text = request.args.get("q")
    if not text:
        return None
    try:
        query = prison.loads(text)
    except Exception:  # noqa: BLE001 - Flask-AppBuilder then tries JSON, as here
        try:
            query = json.loads(urllib.parse.parse_qs(f"q={text}").get("q", [""])[0])
        except ValueError:
            return None  # Flask-AppBuilder answers what is neither rison nor JSON with its own 400
    if isinstance(query, dict):
        page = query.get("page")
        if isinstance(page, int) and not isinstance(page, bool) and not 0 <= page <= MAX_PAGE:
            return _("The page number must be a whole number.")
    return None


def refuse_bad_list_args():
    """before_request: 400 for list parameters that would make Flask-AppBuilder fail."""
    if not request.args:
        return None  # nothing to check (most pages)
    view, method = _view_of(request.endpoint)
    if isinstance(view, BaseModelView):
        problem = list_args_problem(view, method)
        if problem:
            abort(400, description=problem)
    elif isinstance(view, ModelRestApi) and request.method == "GET":
        problem = api_query_problem()
        if problem:
            return jsonify(message=problem), 400
    return None
