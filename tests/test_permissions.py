"""The privilege matrix: every exposed view and API method × every role → the expected answer."""

import re

import pytest
from flask import url_for

from app.extensions import appbuilder
from app.security import ROLE_PERMISSIONS
from tests.conftest import api_token, login

ROLES = ("anonymous", "admin", "staff", "supervisor")
ROLE_OF = {"admin": "Admin", "staff": "DeptStaff", "supervisor": "Supervisor"}

#: endpoints anyone may reach: signing in and out, the language switch, the home page and static files
PUBLIC_ENDPOINTS = {
    "static",
    "appbuilder.static",
    "HomeView.index",
    "UtilView.back",
    "LocaleView.index",
    "AuthDBView.login",
    "AuthDBView.logout",
    "SecurityApi.login",
    "SecurityApi.refresh",
    "OpenApi.get",
    "MenuApi.get_menu_data",
}
#: methods that check their permission themselves (per action), covered by the action tests
SELF_CHECKED = {"action", "action_post"}


def test_every_exposed_method_has_a_permission(app):
    """Fails if any view or API method is reachable without a permission check."""
    unprotected = []
    views = {view.__class__.__name__: view for view in appbuilder.baseviews}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view_name, _, method_name = rule.endpoint.partition(".")
        view = views.get(view_name)
        assert view is not None, f"{rule.endpoint} is served outside Flask-AppBuilder's views"
        if method_name in SELF_CHECKED:
            continue
        func = getattr(view, method_name)
        if not hasattr(func, "_permission_name"):
            unprotected.append(rule.rule)
    assert unprotected == []


def _role_grants(role_name: str, permission: str, view_name: str) -> bool:
    role = appbuilder.sm.find_role(role_name)
    return (permission, view_name) in {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_builtin_roles_match_the_code(session):
    """`flask sync-roles` made the stored roles exactly what ROLE_PERMISSIONS says."""
    for role_name, pairs in ROLE_PERMISSIONS.items():
        role = appbuilder.sm.find_role(role_name)
        assert {(pv.permission.name, pv.view_menu.name) for pv in role.permissions} == set(pairs)


def _route_cases(app):
    views = {view.__class__.__name__: view for view in appbuilder.baseviews}
    cases = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or "GET" not in rule.methods:
            continue
        view_name, _, method_name = rule.endpoint.partition(".")
        view = views[view_name]
        if method_name in SELF_CHECKED or not set(rule.arguments) <= {"pk"}:
            continue
        if method_name == "delete":
            continue  # GET on a delete route answers 405 to everyone (tests/test_csrf.py)
        func = getattr(view, method_name)
        perm_name = (
            view.method_permission_name.get(method_name, func._permission_name)
            if getattr(view, "method_permission_name", None)
            else func._permission_name
        )
        permission = "can_" + perm_name
        cases.append((rule.rule, view.class_permission_name, permission, rule.rule.startswith("/api/")))
    return sorted(set(cases))


@pytest.fixture()
def some_pk(session):
    """A record id that exists for every model (the first demo rows start at 1)."""
    return "1"


@pytest.mark.parametrize("role", ROLES)
def test_privilege_matrix(app, client, role, some_pk):
    """Each role gets exactly what its permissions say, on every GET route of every view and API."""
    headers = {}
    if role != "anonymous":
        login(client, role)
        headers = api_token(client, role)
    checked = 0
    for path, view_name, permission, is_api in _route_cases(app):
        url = path.replace("<pk>", some_pk).replace("<int:pk>", some_pk)
        response = client.get(url, headers=headers if is_api else {})
        if role == "anonymous":
            expected_denied = {401} if is_api else {302, 401}
            assert response.status_code in expected_denied, (url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]
        elif _role_grants(ROLE_OF[role], permission, view_name):
            # granted: any answer but a refusal or a server error (400 for a missing parameter, 404 out of scope)
            assert response.status_code not in (401, 403) and response.status_code < 500, (
                role,
                url,
                response.status_code,
            )
            assert "/login" not in response.headers.get("Location", ""), (role, url)
        else:
            assert response.status_code in (401, 403), (role, url, permission, response.status_code)
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("role", "url", "allowed"),
    [
        ("staff", "/users/list/", False),
        ("staff", "/roles/list/", False),
        ("staff", "/permissions/list/", False),
        ("supervisor", "/users/list/", False),
        ("supervisor", "/roles/list/", False),
        ("admin", "/users/list/", True),
        ("admin", "/roles/list/", True),
        ("admin", "/roledatascopeview/list/", True),
        ("staff", "/roledatascopeview/list/", False),
        ("staff", "/users/userinfo/", True),
        ("supervisor", "/users/userinfo/", True),
        ("staff", "/regionview/add", False),
        ("staff", "/personview/add", True),
        ("supervisor", "/personview/add", False),
        ("supervisor", "/personview/list/", True),
        ("supervisor", "/transferview/list/", True),
    ],
)
def test_security_screens_by_role(client, role, url, allowed):
    login(client, role)
    response = client.get(url)
    assert (response.status_code == 200) is allowed, (url, response.status_code)


def test_admin_can_create_a_role_in_the_ui(as_admin, session):
    """Admins configure further roles on the role screen."""
    from app.extensions import appbuilder as ab

    response = as_admin.post("/roles/add", data={"name": "Auditor"}, follow_redirects=True)
    assert response.status_code == 200
    assert ab.sm.find_role("Auditor") is not None


def test_menu_shows_only_permitted_entries(client):
    login(client, "staff")
    page = client.get("/").get_data(as_text=True)
    assert "/personview/list/" in page
    assert "/users/list/" not in page
    assert re.search(r"/roles/list/", page) is None


def test_url_for_uses_view_endpoints(app):
    with app.test_request_context():
        assert url_for("PersonView.list") == "/personview/list/"


def test_user_form_chooses_the_department_by_search(as_admin, session):
    page = as_admin.get("/users/add").get_data(as_text=True)
    assert "platform-ajax-select" in page and "锦江区民政局" not in page
    names = [row["text"] for row in as_admin.get("/users/lookup/department?q=jj").json["results"]]
    assert "锦江区民政局" in names


def test_view_menu_names_stay_codes_with_their_translation(as_admin, session):
    page = as_admin.get("/viewmenus/list/?psize_PlatformViewMenuView=100").get_data(as_text=True)
    assert "<td>Persons（工作人员）</td>" in page
    assert "<td>Security</td>" not in page


def test_a_permission_or_scope_taken_from_a_role_applies_at_the_next_request(client, session):
    """The permission set is kept between requests only while no security table changes
    (app.security_cache): a change through the ORM applies at the next request."""
    from sqlalchemy import select

    from app.extensions import appbuilder as ab
    from app.extensions import db
    from models import RoleDataScope

    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200
    role = ab.sm.find_role("DeptStaff")
    read_persons = ab.sm.find_permission_view_menu("can_read", "Person")
    role.permissions.remove(read_persons)
    db.session.commit()
    assert client.get("/personview/list/").status_code != 200

    role.permissions.append(read_persons)
    db.session.commit()
    assert "<td>王伟</td>" in client.get("/personview/list/?_flt_2_name=王伟").get_data(as_text=True)
    scope = db.session.scalar(select(RoleDataScope).filter_by(role_id=role.id)) or RoleDataScope(role_id=role.id)
    scope.scope = "self"  # own records only: the demo persons were not created by the staff user
    db.session.add(scope)
    db.session.commit()
    assert "<td>王伟</td>" not in client.get("/personview/list/?_flt_2_name=王伟").get_data(as_text=True)


def test_the_transfer_log_is_read_only_even_for_the_administrator(client, session):
    """Transfers are written by the platform when a person changes department: no screen adds,
    edits or deletes one, and no role holds a right to write them."""
    from app.extensions import db
    from models import Department, Person, Transfer

    person = db.session.query(Person).filter(Person.department_id.isnot(None)).first()
    person.department = db.session.query(Department).filter(Department.id != person.department_id).first()
    db.session.commit()
    transfer = db.session.query(Transfer).filter(Transfer.person_id == person.id).one()
    before = db.session.query(Transfer).count()
    login(client, "admin")
    assert client.get("/transferview/list/").status_code == 200
    assert client.get(f"/transferview/show/{transfer.id}").status_code == 200
    for url in ("/transferview/add", f"/transferview/edit/{transfer.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post("/transferview/add", data={"reason": "forged"}).status_code in (404, 405)
    assert client.post(f"/transferview/delete/{transfer.id}").status_code == 404
    assert (
        client.post("/transferview/action_post", data={"action": "muldelete", "rowid": [transfer.id]}).status_code
        == 404
    )
    page = client.get("/transferview/list/").get_data(as_text=True)
    assert "/transferview/add" not in page and "/transferview/edit/" not in page and "muldelete" not in page
    db.session.expire_all()
    assert db.session.query(Transfer).count() == before
    view = next(v for v in appbuilder.baseviews if v.__class__.__name__ == "TransferView")
    assert view.base_permissions == ["can_read"]
    assert not any(
        pv.permission.name == "can_write" and pv.view_menu.name == "Transfer"
        for role in appbuilder.sm.get_all_roles()
        for pv in role.permissions
    )


def test_a_register_keeps_exactly_the_permissions_it_declares():
    """Flask-AppBuilder adds each action's permission to a view's permissions: the bulk delete every
    register inherits would give a read-only register ``can_write``. The base layer drops the
    actions that need a permission the register does not declare."""
    from views.base import PlatformModelView

    checked = []
    for view in appbuilder.baseviews:
        declared = type(view).base_permissions
        if not isinstance(view, PlatformModelView) or declared is None:
            continue
        checked.append(type(view).__name__)
        assert sorted(view.base_permissions) == sorted(declared), type(view).__name__
        for name in view.actions:
            assert view.get_action_permission_name(name) in declared, (type(view).__name__, name)
    assert "TransferView" in checked
