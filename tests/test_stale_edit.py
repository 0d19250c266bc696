"""Stale-edit protection: a save against an older version is refused, shows what changed, keeps the input."""

from flask_babel import force_locale

from models import Person
from tests.conftest import api_token, login
from tests.helpers import one, snapshot
from views.base import STALE_MESSAGE, VERSION_REQUIRED


def person_form(person, **overrides) -> dict:
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": person.department_id,
        "category": person.category,
        "status": person.status,
        "edit_version": person.version,
    }
    data.update(overrides)
    return data


def zh(app, message) -> str:
    with app.test_request_context(), force_locale("zh"):
        return str(message)


def test_the_edit_form_carries_the_version(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    page = client.get(f"/personview/edit/{person.id}").get_data(as_text=True)
    assert f'name="edit_version" type="hidden" value="{person.version}"' in page


def test_a_save_against_an_older_version_is_refused_and_explained(app, client, session):
    person = one(Person, name="王伟")
    loaded = person_form(person, position="我的修改")
    login(client, "admin")
    assert client.post(f"/personview/edit/{person.id}", data=person_form(person, position="副主任")).status_code == 302
    client.post("/logout/")
    login(client, "staff")
    response = client.post(f"/personview/edit/{person.id}", data=loaded)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert zh(app, STALE_MESSAGE) in page
    assert "副主任" in page and "admin" in page  # what the other user changed, and who
    assert 'value="我的修改"' in page  # the user's own input is kept
    assert snapshot(person)["position"] == "副主任"  # nothing was overwritten
    current_version = snapshot(person)["version"]
    assert f'value="{current_version}"' in page
    resubmit = client.post(f"/personview/edit/{person.id}", data={**loaded, "edit_version": current_version})
    assert resubmit.status_code == 302
    assert snapshot(person)["position"] == "我的修改"


def test_a_save_without_a_version_is_refused(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    before = snapshot(person)
    data = person_form(person, position="无版本")
    del data["edit_version"]
    assert client.post(f"/personview/edit/{person.id}", data=data).status_code == 200
    assert snapshot(person) == before


def test_api_put_requires_and_checks_the_version(app, client, session):
    person = one(Person, name="王伟")
    headers = api_token(client, "staff")
    url = f"/api/v1/person/{person.id}"
    version = person.version
    missing = client.put(url, json={"position": "x"}, headers=headers)
    assert missing.status_code == 422
    assert missing.json["message"]["version"] == [zh(app, VERSION_REQUIRED)]
    ok = client.put(url, json={"position": "第一次", "version": version}, headers=headers)
    assert ok.status_code == 200
    stale = client.put(url, json={"position": "第二次", "version": version}, headers=headers)
    assert stale.status_code == 409
    assert stale.json["current_version"] == version + 1
    assert {"field": "职务", "old": "窗口负责人", "new": "第一次", "actor": "staff"} in stale.json["changes"]
    assert snapshot(person)["position"] == "第一次"
