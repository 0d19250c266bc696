"""Data scope: a Longquanyi DeptStaff can't read, change, delete or place records in Jinjiang, on any path."""

import json

import pytest

from models import Booking, Department, Facility, Person
from tests.conftest import api_token, login
from tests.helpers import count, dept, jinjiang_records, one, snapshot

VIEWS = {"department": "departmentview", "person": "personview", "facility": "facilityview", "booking": "bookingview"}
APIS = {"department": "department", "person": "person", "facility": "facility", "booking": "booking"}
MODELS = {"department": Department, "person": Person, "facility": Facility, "booking": Booking}


def form_placing_in(kind: str, target: Department) -> dict:
    """A valid add form for ``kind`` whose owning department is ``target``."""
    facility = one(Facility, name="市民讲坛")
    return {
        "department": {"name": "测试科室", "kind": "government", "parent": target.id, "active": "y"},
        "person": {
            "name": "测试人员",
            "id_number": "11010519491231002X",
            "department": target.id,
            "category": "contract",
            "status": "on_duty",
        },
        "facility": {
            "name": "测试设施",
            "kind": "activity_room",
            "managing_department": target.id,
            "status": "running",
        },
        "booking": {
            "facility": facility.id,
            "department": target.id,
            "starts_at": "2031-05-06 09:00:00",
            "ends_at": "2031-05-06 10:00:00",
            "purpose": "测试预约",
        },
    }[kind]


def api_payload_placing_in(kind: str, target: Department) -> dict:
    data = form_placing_in(kind, target)
    if kind == "department":
        data["active"] = True
    if kind == "booking":
        data["starts_at"] = "2031-05-06T09:00:00"
        data["ends_at"] = "2031-05-06T10:00:00"
    return data


@pytest.fixture()
def outside(session):
    return jinjiang_records()


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_ui_paths_refuse_out_of_scope_records(client, outside, kind):
    login(client, "staff")
    record = outside[kind]
    before = snapshot(record)
    view = VIEWS[kind]
    assert client.get(f"/{view}/show/{record.id}").status_code == 404
    assert client.get(f"/{view}/edit/{record.id}").status_code == 404
    assert client.post(f"/{view}/edit/{record.id}", data={"name": "改名"}).status_code == 404
    assert client.post(f"/{view}/delete/{record.id}").status_code == 404
    assert (
        client.post(f"/{view}/action_post", data={"action": "muldelete", "rowid": [str(record.id)]}).status_code == 404
    )
    listing = client.get(f"/{view}/list/").get_data(as_text=True)
    assert f'/{view}/show/{record.id}"' not in listing
    assert snapshot(record) == before


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_ui_add_refuses_placing_a_record_outside_scope(client, session, kind):
    login(client, "staff")
    model = MODELS[kind]
    before = count(model)
    response = client.post(f"/{VIEWS[kind]}/add", data=form_placing_in(kind, dept("锦江区民政局")))
    assert response.status_code == 200  # the form comes back with the error and the input kept
    page = response.get_data(as_text=True)
    assert "数据范围" in page or "data scope" in page
    assert count(model) == before


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_ui_add_inside_scope_works(client, session, kind):
    login(client, "staff")
    model = MODELS[kind]
    before = count(model)
    response = client.post(f"/{VIEWS[kind]}/add", data=form_placing_in(kind, dept("龙泉街道便民服务中心")))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert count(model) == before + 1


def test_ui_edit_refuses_moving_a_person_out_of_scope(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    before = snapshot(person)
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": dept("锦江区民政局").id,
        "category": person.category,
        "status": person.status,
    }
    response = client.post(f"/personview/edit/{person.id}", data={**data, "edit_version": person.version})
    assert response.status_code == 200
    assert snapshot(person) == before


@pytest.mark.parametrize("kind", sorted(APIS))
def test_api_refuses_out_of_scope_records(client, outside, kind):
    headers = api_token(client, "staff")
    record = outside[kind]
    before = snapshot(record)
    url = f"/api/v1/{APIS[kind]}/{record.id}"
    assert client.get(url, headers=headers).status_code == 404
    assert (
        client.put(url, json={"purpose": "x"} if kind == "booking" else {"name": "x"}, headers=headers).status_code
        == 404
    )
    assert client.delete(url, headers=headers).status_code == 404
    listed = client.get(f"/api/v1/{APIS[kind]}/?q=(page_size:100)", headers=headers).json["result"]
    assert record.id not in [row["id"] for row in listed]
    assert snapshot(record) == before


@pytest.mark.parametrize("kind", sorted(APIS))
def test_api_post_refuses_placing_a_record_outside_scope(client, session, kind):
    headers = api_token(client, "staff")
    model = MODELS[kind]
    before = count(model)
    response = client.post(
        f"/api/v1/{APIS[kind]}/", json=api_payload_placing_in(kind, dept("锦江区民政局")), headers=headers
    )
    assert response.status_code == 422, response.json
    assert "scope" in str(response.json) or "范围" in str(response.json)
    assert count(model) == before


@pytest.mark.parametrize("kind", sorted(APIS))
def test_api_post_inside_scope_works(client, session, kind):
    headers = api_token(client, "staff")
    model = MODELS[kind]
    before = count(model)
    response = client.post(
        f"/api/v1/{APIS[kind]}/", json=api_payload_placing_in(kind, dept("龙泉街道便民服务中心")), headers=headers
    )
    assert response.status_code == 201, response.json
    assert count(model) == before + 1


def test_relation_lookup_offers_only_departments_in_scope(client, session):
    login(client, "staff")
    names = [row["text"] for row in client.get("/personview/lookup/department").json["results"]]
    assert "龙泉街道便民服务中心" in names
    assert "锦江区民政局" not in names


def test_relation_lookup_searches_by_pinyin(client, session):
    login(client, "staff")
    names = [row["text"] for row in client.get("/personview/lookup/department?q=bmfw").json["results"]]
    assert names == ["龙泉街道便民服务中心"]


def test_api_related_options_are_scoped(client, session):
    headers = api_token(client, "staff")
    info = client.get("/api/v1/person/_info?q=(keys:!(add_columns))", headers=headers).json
    options = next(c for c in info["add_columns"] if c["name"] == "department")
    assert "锦江区民政局" not in str(options)


def test_supervisor_reads_everything_but_changes_nothing(client, outside):
    login(client, "supervisor")
    record = outside["person"]
    before = snapshot(record)
    assert client.get(f"/personview/show/{record.id}").status_code == 200
    assert client.post(f"/personview/edit/{record.id}", data={"name": "x"}).status_code == 403
    assert client.post(f"/personview/delete/{record.id}").status_code == 403
    headers = api_token(client, "supervisor")
    assert client.put(f"/api/v1/person/{record.id}", json={"name": "x"}, headers=headers).status_code == 403
    assert snapshot(record) == before


def test_home_counts_respect_scope(client, session):
    login(client, "staff_jj")
    page = client.get("/").get_data(as_text=True)
    assert "/personview/list/" in page
    headers = api_token(client, "staff_jj")
    assert client.get("/api/v1/person/", headers=headers).json["count"] == 3


def test_staff_can_save_their_own_department_whose_parent_is_outside_scope(client, session):
    """Keeping the present parent (outside scope) is allowed; it moves nothing."""
    login(client, "staff")
    own = dept("龙泉驿区政务服务中心")
    data = {"name": own.name, "kind": own.kind, "parent": own.parent_id, "head": "张华华", "active": "y"}
    response = client.post(f"/departmentview/edit/{own.id}", data={**data, "edit_version": own.version})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert snapshot(own)["head"] == "张华华"


def test_staff_cannot_move_their_own_department(client, session):
    login(client, "staff")
    own = dept("龙泉驿区政务服务中心")
    before = snapshot(own)
    data = {"name": own.name, "kind": own.kind, "parent": dept("龙泉街道便民服务中心").id, "active": "y"}
    assert client.post(f"/departmentview/edit/{own.id}", data={**data, "edit_version": own.version}).status_code == 200
    assert snapshot(own) == before


def test_department_filter_on_the_person_list_searches_instead_of_listing(client, session):
    login(client, "admin")
    target = dept("龙泉驿区市民呼叫中心")
    page = client.get(f"/personview/list/?_flt_0_department={target.id}").get_data(as_text=True)
    assert "刘洋" in page and "周敏" not in page
    decoder = json.JSONDecoder()
    rest = page[page.index("'#filter_form',") + len("'#filter_form',") :].lstrip()
    _labels, end = decoder.raw_decode(rest)
    form_fields, _end = decoder.raw_decode(rest[end:].lstrip(" ,\n"))
    assert "platform-ajax-select" in form_fields["department"]
    assert "锦江区民政局" not in form_fields["department"]  # departments are fetched as the user types
