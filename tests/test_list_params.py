"""Every list (the registers, the audit log, the security screens, the recycle bin) and every REST
API answers malformed list parameters with a clear 400, never a 500."""

import html

import pytest
from flask_appbuilder.baseviews import BaseModelView

from app.extensions import appbuilder
from tests.conftest import api_token, login
from views.base import PlatformRestApi

#: URL parameters that no list can honour ({n}: the view's name)
BAD_ARGS = [
    "_oc_{n}=nonexistent&_od_{n}=asc",
    "_od_{n}=sideways",
    "psize_{n}=abc",
    "psize_{n}=101",
    "psize_{n}=0",
    "psize_{n}=-1",
    "page_{n}=-5",
    "page_{n}=abc",
    "page_{n}=99999999999999999999",
    "_flt_99_name=x",
    "_flt_0_nosuchcolumn=x",
    "_flt_abc_name=x",
]


def model_views():
    return [view for view in appbuilder.baseviews if isinstance(view, BaseModelView)]


def test_every_model_view_is_covered(app):
    names = {view.__class__.__name__ for view in model_views()}
    assert {"PlatformUserView", "PlatformRoleView", "PermissionModelView", "PlatformViewMenuView"} <= names
    assert {"PlatformPermissionViewView", "AuditEventView", "PersonView", "RoleDataScopeView"} <= names
    assert len(names) >= 23


@pytest.mark.parametrize("args", BAD_ARGS)
def test_bad_list_parameters_are_400_on_every_list(client, session, args):
    login(client, "admin")
    failed = {}
    for view in model_views():
        url = f"{view.route_base}/list/?" + args.format(n=view.__class__.__name__)
        response = client.get(url)
        page = response.get_data(as_text=True)
        if response.status_code != 400 or '<html lang="zh">' not in page or "Traceback" in page:
            failed[url] = response.status_code
    assert not failed


def test_the_message_says_what_is_wrong(client, session):
    login(client, "admin")
    client.get("/lang/en")
    page = html.unescape(client.get("/users/list/?psize_PlatformUserView=1000").get_data(as_text=True))
    assert "The page size must be a whole number from 1 to 100." in page
    page = client.get("/auditeventview/list/?_oc_AuditEventView=hash&_od_AuditEventView=asc").get_data(as_text=True)
    assert "This list can't be sorted by that column." in html.unescape(page)


def test_related_lists_on_a_record_page_are_checked_too(client, session):
    """A record page shows related lists, which read page and size parameters of their own."""
    login(client, "admin")
    assert client.get("/roles/show/1?psize_PlatformUserView=abc").status_code == 400
    assert client.get("/personview/show/1?page_TransferView=x").status_code == 400


@pytest.mark.parametrize(
    "args",
    ["psize_{n}=100", "page_{n}=0", "page_{n}=5000", "_oc_{n}={c}&_od_{n}=desc", "psize_{n}=1&page_{n}=1"],
)
def test_good_list_parameters_still_answer(client, session, args):
    login(client, "admin")
    failed = {}
    for view in model_views():
        if not view.order_columns and "_oc_" in args:
            continue
        column = (view.order_columns or [""])[0]
        url = f"{view.route_base}/list/?" + args.format(n=view.__class__.__name__, c=column)
        status = client.get(url).status_code
        if status != 200:
            failed[url] = status
    assert not failed


def test_every_search_filter_of_every_list_accepts_odd_values(client, session):
    """Each filter of each list with a value of the wrong type: an answer, not a 500."""
    login(client, "admin")
    failed = {}
    for view in model_views():
        for column, filters in view._filters.get_search_filters().items():
            for index in range(len(filters)):
                for value in ("abc", "-1", "99999999999999999999", "2026-13-45", "%"):
                    url = f"{view.route_base}/list/?_flt_{index}_{column}={value}"
                    status = client.get(url).status_code
                    if status >= 500:
                        failed[url] = status
    assert not failed


def test_the_recycle_bin_ignores_list_parameters(client, session):
    login(client, "admin")
    assert client.get("/recyclebin/?page_X=abc&psize_X=abc&_oc_X=x").status_code == 200


BAD_QUERIES = [
    "(page:-1,page_size:10)",
    "(page:99999999999999999999,page_size:10)",
    "(page_size:abc)",
    "(order_column:bogus,order_direction:asc)",
    "(order_column:id,order_direction:sideways)",
    "(filters:!((col:bogus,opr:eq,value:x)))",
    "(filters:!((col:id,opr:bogus,value:x)))",
    "(filters:x)",
    "notrison",
    "(",
]
ODD_QUERIES = [
    "(filters:!((col:id,opr:eq,value:abc)))",
    "(filters:!((col:id,opr:gt,value:99999999999999999999)))",
    "(page_size:1000)",
    "(keys:!(bogus))",
    "(columns:!(bogus))",
]


def rest_apis():
    return [api for api in appbuilder.baseviews if isinstance(api, PlatformRestApi)]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_rest_queries_are_400_json_on_every_api(client, session, query):
    headers = api_token(client, "admin")
    failed = {}
    for api in rest_apis():
        response = client.get(f"{api.route_base}/?q={query}", headers=headers)
        if response.status_code != 400 or not response.is_json or not response.json.get("message"):
            failed[api.route_base] = response.status_code
    assert not failed


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_rest_queries_are_answered_and_capped(client, session, query):
    headers = api_token(client, "admin")
    for api in rest_apis():
        response = client.get(f"{api.route_base}/?q={query}", headers=headers)
        assert response.status_code < 500, (api.route_base, query)
        if response.status_code == 200:
            assert len(response.json["result"]) <= 100


@pytest.mark.parametrize("url", ["/departmentview/list/?_flt_0_active=", "/users/list/?_flt_1_active=n"])
def test_a_yes_no_filter_takes_only_the_tick_box_value(client, session, url):
    """Anything but "y" would be compared to a boolean column as text: PostgreSQL refuses that."""
    login(client, "admin")
    assert client.get(url).status_code == 400
    assert client.get(url.rsplit("=", 1)[0] + "=y").status_code == 200
