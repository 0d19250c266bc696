"""Malformed URLs, list parameters and API bodies get a clear answer, never a 500."""

import pytest

from models import Person
from tests.conftest import api_token, login
from tests.helpers import count

NOT_FOUND = [
    "/personview/show/abc",
    "/personview/edit/99999999999999999999",
    "/personview/show/-1",
    "/personview/lookup/nonexistent",
]
BAD_LIST_ARGS = [
    "/personview/list/?_oc_PersonView=nonexistent&_od_PersonView=asc",
    "/personview/list/?_oc_PersonView=name&_od_PersonView=sideways",
    "/personview/list/?psize_PersonView=abc",
    "/personview/list/?psize_PersonView=100000",
    "/personview/list/?page_PersonView=-5",
    "/personview/list/?_flt_99_name=x",
    "/personview/list/?_flt_0_nosuchcolumn=x",
    "/regionview/children/?parent=abc",
    "/personview/list/?_flt_0_hired_on=notadate",
]
HARMLESS = ["/personview/lookup/department?q=%00%27%22", "/bookingview/list/?_flt_0_starts_at=x"]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_malformed_ids_are_not_found(client, session, url):
    login(client, "admin")
    response = client.get(url)
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", BAD_LIST_ARGS)
def test_bad_list_parameters_answer_400_in_the_users_language(client, session, url):
    login(client, "admin")
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="zh">' in page
    assert "Traceback" not in page and "SELECT" not in page


@pytest.mark.parametrize("url", HARMLESS)
def test_odd_but_harmless_values_still_answer(client, session, url):
    login(client, "admin")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/person/abc",
        "/api/v1/person/?q=(page_size:abc)",
        "/api/v1/person/?q=(order_column:bogus,order_direction:asc)",
        "/api/v1/person/?q=notrison",
        "/api/v1/person/?q=(filters:!((col:hired_on,opr:gt,value:x)))",
    ],
)
def test_api_bad_queries_are_client_errors(client, session, url):
    headers = api_token(client, "admin")
    response = client.get(url, headers=headers)
    assert 400 <= response.status_code < 500
    assert response.is_json


@pytest.mark.parametrize(
    "body",
    [
        {"name": 5},
        {"hired_on": "x", "name": "a"},
        [],
        {"department": "abc"},
        {"department": 999999},
        {"name": "甲", "id_number": "11010519491231002X", "category": "contract", "department": 99999999999999999999},
    ],
)
def test_api_bad_bodies_are_422_and_write_nothing(client, session, body):
    headers = api_token(client, "admin")
    before = count(Person)
    response = client.post("/api/v1/person/", json=body, headers=headers)
    assert response.status_code in (400, 422), response.json
    assert "message" in response.json
    assert count(Person) == before


def test_api_answers_errors_as_json(client, session):
    response = client.get("/api/v1/person/1")
    assert response.status_code == 401 and response.is_json
