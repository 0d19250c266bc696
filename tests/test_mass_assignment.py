"""Mass assignment: fields a client must not set, injected into every API body and domain form.

The record's own bookkeeping (``id``, ``version``, ``deleted_at``, ``created_at/by_id``,
``updated_at/by_id`` from ``models.mixins.RecordMixin``), a department outside a DeptStaff's scope
given as the raw ``department_id``, and roles posted to one's own profile are never persisted:
the request is refused, or the field is ignored.
"""

import pytest
from sqlalchemy import select

from app.extensions import appbuilder, db
from models import Person, PlatformUser
from tests.conftest import api_token, login
from tests.helpers import count, dept, jinjiang_records, snapshot
from tests.test_hostile_input import API_CLASSES, API_OF_VIEW, FORM_VIEWS, Register, _form_body, bearer

#: the stamp columns of RecordMixin, with values an attacker would like to see stored
INJECTED = {
    "id": 987654,
    "version": 77,
    "deleted_at": "2020-01-01T00:00:00",
    "created_at": "2000-01-01T00:00:00",
    "updated_at": "2000-01-01T00:00:00",
    "created_by_id": 4,
    "updated_by_id": 4,
}
FORM_INJECTED = {**INJECTED, "deleted_at": "2020-01-01 00:00:00", "created_at": "2000-01-01 00:00:00"}


def _admin_id() -> int:
    return db.session.scalar(select(PlatformUser.id).where(PlatformUser.username == "admin"))


def _assert_stamped_by_the_server(item, user_id: int, new: bool) -> None:
    assert item.id != INJECTED["id"]
    assert item.deleted_at is None
    assert item.created_at.year > 2000 and item.updated_at.year > 2000
    assert item.updated_by_id == user_id
    if new:
        assert item.version == 1 and item.created_by_id == user_id
    assert item.version != INJECTED["version"]


@pytest.mark.parametrize("api_class", API_CLASSES, ids=lambda api: api.resource_name)
def test_api_post_and_put_ignore_or_refuse_the_stamp_fields(client, session, api_class):
    headers = bearer(client, "admin")
    register = Register(client, headers, api_class)
    admin = _admin_id()
    for n, (name, value) in enumerate(INJECTED.items(), start=9000):
        rows = count(register.model)
        response = register.post({**register.base(n), name: value})
        if response.status_code == 201:
            db.session.expire_all()
            _assert_stamped_by_the_server(db.session.get(register.model, response.json["id"]), admin, new=True)
        else:
            assert response.status_code == 422 and name in str(response.json["message"]), response.json
            assert count(register.model) == rows
    assert db.session.get(register.model, INJECTED["id"]) is None

    pk = client.get(register.url + "?q=(page_size:1)", headers=headers).json["ids"][0]
    for name, value in INJECTED.items():
        item = db.session.get(register.model, pk)
        before = snapshot(item)
        body = {name: value} if name == "version" else {name: value, "version": before["version"]}
        response = client.put(f"{register.url}{pk}", json=body, headers=headers)
        assert response.status_code in (200, 409, 422), (name, response.status_code, response.json)
        after = snapshot(db.session.get(register.model, pk))
        if response.status_code == 200:
            kept = ("id", "deleted_at", "created_at", "created_by_id")
            assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
            assert after["version"] in (before["version"], before["version"] + 1)
            assert after["updated_at"].year > 2000 and after["updated_by_id"] in (before["updated_by_id"], admin)
        else:
            assert after == before


@pytest.mark.parametrize("view_name", FORM_VIEWS)
def test_forms_ignore_the_stamp_fields(client, session, view_name):
    headers = bearer(client, "admin")
    api_class = next(api for api in API_CLASSES if api.resource_name == API_OF_VIEW[view_name])
    register = Register(client, headers, api_class)
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == view_name)
    login(client, "admin")
    admin = _admin_id()
    rows = count(register.model)
    body = _form_body({**register.base(9100), **FORM_INJECTED})
    response = client.post(f"{view.route_base}/add", data=body, content_type="application/x-www-form-urlencoded")
    html = response.get_data(as_text=True)
    assert response.status_code == 302, [
        html[i - 50 : i + 300] for i in [html.find("alert-danger"), html.find("help-block")]
    ]
    assert count(register.model) == rows + 1
    newest = db.session.scalars(select(register.model).order_by(register.model.id.desc())).first()
    _assert_stamped_by_the_server(newest, admin, new=True)

    before = snapshot(newest)
    edit = {**register.base(9101), **FORM_INJECTED, "edit_version": before["version"]}
    if register.name == "person":
        edit["id_number"] = newest.id_number
    response = client.post(
        f"{view.route_base}/edit/{newest.id}", data=_form_body(edit), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302)
    db.session.expire_all()
    after = db.session.get(register.model, newest.id)
    assert after.created_at == before["created_at"] and after.created_by_id == before["created_by_id"]
    assert after.deleted_at is None and after.version in (before["version"], before["version"] + 1)


# ----- a department outside the DeptStaff's scope, given as the raw foreign key ----------------------
def _staff_person() -> Person:
    scope_root = dept("龙泉驿区政务服务中心")
    return db.session.scalars(select(Person).where(Person.department_id == scope_root.id)).first()


def test_staff_cannot_move_a_record_to_jinjiang_through_department_id(client, session):
    jinjiang = jinjiang_records()["department"]
    person = _staff_person()
    headers = api_token(client, "staff")
    before = snapshot(person)
    for body in (
        {"department_id": jinjiang.id, "version": before["version"]},
        {"department": jinjiang.id, "version": before["version"]},
        {"department": {"id": jinjiang.id}, "version": before["version"]},
    ):
        response = client.put(f"/api/v1/person/{person.id}", json=body, headers=headers)
        assert response.status_code in (400, 422), (body, response.json)
        assert snapshot(person) == before

    login(client, "staff")
    form = {
        "name": person.name,
        "id_number": person.id_number,
        "category": person.category,
        "status": person.status,
        "department": person.department_id,
        "department_id": jinjiang.id,
        "edit_version": before["version"],
    }
    client.post(f"/personview/edit/{person.id}", data=form)
    db.session.expire_all()
    assert db.session.get(Person, person.id).department_id == before["department_id"]


def test_staff_cannot_create_in_jinjiang_through_department_id(client, session):
    jinjiang = jinjiang_records()["department"]
    own = dept("龙泉驿区政务服务中心")
    headers = api_token(client, "staff")
    rows = count(Person)
    body = {
        "name": "越权人员",
        "id_number": "11010519491231002X",
        "category": "contract",
        "status": "on_duty",
        "department": own.id,
        "department_id": jinjiang.id,
    }
    response = client.post("/api/v1/person/", json=body, headers=headers)
    assert response.status_code == 422 and "department_id" in response.json["message"]
    assert count(Person) == rows

    login(client, "staff")
    client.post("/personview/add", data={**body, "department": own.id})
    placed = db.session.scalars(select(Person).where(Person.name == "越权人员")).all()
    assert [p.department_id for p in placed] in ([], [own.id])
    assert (
        db.session.scalar(select(Person).where(Person.department_id == jinjiang.id, Person.name == "越权人员")) is None
    )


# ----- roles: one's own profile, the user screens and any API ----------------------------------------
def _roles_of(username: str) -> set:
    db.session.expire_all()
    user = db.session.scalars(select(PlatformUser).where(PlatformUser.username == username)).one()
    return {role.name for role in user.roles}


def test_a_user_cannot_give_themselves_roles_on_their_profile(client, session):
    admin_role = appbuilder.sm.find_role("Admin")
    before = _roles_of("staff")
    user = db.session.scalars(select(PlatformUser).where(PlatformUser.username == "staff")).one()
    department_before, active_before = user.department_id, user.active
    login(client, "staff")
    jinjiang = dept("锦江区民政局")
    form = {
        "first_name": "改名",
        "last_name": "员工",
        "roles": admin_role.id,
        "active": "y",
        "username": "staff_renamed",
        "department": jinjiang.id,
        "department_id": jinjiang.id,
    }
    response = client.post("/userinfoeditview/form", data=form)
    assert response.status_code in (200, 302)
    assert _roles_of("staff") == before and "Admin" not in before
    db.session.expire_all()
    user = db.session.scalars(select(PlatformUser).where(PlatformUser.username == "staff")).one()
    assert user.first_name == "改名"  # the allowed fields were saved
    assert (user.department_id, user.active) == (department_before, active_before)

    # the user screens are the administrator's
    response = client.post(f"/users/edit/{user.id}", data={**form, "roles": admin_role.id})
    assert response.status_code in (302, 403)
    assert _roles_of("staff") == before


@pytest.mark.parametrize("api_class", API_CLASSES, ids=lambda api: api.resource_name)
def test_no_api_takes_roles(client, session, api_class):
    headers = bearer(client, "staff")
    admin_role = appbuilder.sm.find_role("Admin")
    before = _roles_of("staff")
    register = Register(client, bearer(client, "admin"), api_class)
    response = client.post(register.url, json={**register.base(9200), "roles": [admin_role.id]}, headers=headers)
    assert response.status_code in (403, 422)
    assert _roles_of("staff") == before


def test_the_security_api_is_not_served(client, session):
    """Flask-AppBuilder's user/role REST API (FAB_ADD_SECURITY_API) stays off: no route to roles."""
    headers = api_token(client, "admin")
    for url in ("/api/v1/security/users/", "/api/v1/security/roles/"):
        assert client.get(url, headers=headers).status_code == 404
        assert client.post(url, json={"name": "x"}, headers=headers).status_code in (404, 405)
