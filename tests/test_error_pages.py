"""Error pages: 400, 403, 404, 405, 409, 413, 429 and 500 in Chinese and English, without a stack trace or
SQL; the API answers the same codes as JSON and never shows a database exception."""

import io

import pytest
from flask import abort
from flask_babel import force_locale

from app.errors import ERROR_TEXTS
from app.extensions import db
from models import Region
from tests.conftest import api_token, login
from tests.helpers import count

CODES = [400, 403, 404, 405, 409, 413, 429, 500]
LEAK = "SELECT password FROM ab_user -- sqlalchemy.exc.OperationalError"
ENGLISH_TITLES = {
    400: "Bad request",
    403: "Access denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def failing_view(code: int):
    """A stand-in for a view that fails with ``code`` (500: an exception carrying SQL text)."""

    def view(*_args, **_kwargs):
        if code == 500:
            raise RuntimeError(LEAK)
        abort(code)

    return view


@pytest.fixture()
def no_propagation(app, monkeypatch):
    """As in production: an unhandled exception becomes the 500 page instead of reaching the test."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def expected(code: int, language: str) -> tuple[str, str]:
    with force_locale(language):
        title, text = ERROR_TEXTS[code]
        return str(title), str(text)


def assert_error_page(response, code: int, language: str):
    assert response.status_code == code
    page = response.get_data(as_text=True)
    title, text = expected(code, language)
    assert f'<html lang="{language}">' in page
    assert f"{code} · {title}" in page
    assert text in page
    for leak in ("Traceback", "SELECT", "sqlalchemy", "RuntimeError", 'File "'):
        assert leak not in page, leak


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("code", CODES)
def test_each_error_page_in_both_languages(app, client, session, monkeypatch, no_propagation, code, language):
    login(client, "staff")
    client.get(f"/lang/{language}")
    monkeypatch.setitem(app.view_functions, "PersonView.list", failing_view(code))
    assert_error_page(client.get("/personview/list/"), code, language)


@pytest.mark.parametrize("code", CODES)
def test_the_titles_are_translated(app, code):
    with app.test_request_context():
        english, chinese = expected(code, "en")[0], expected(code, "zh")[0]
    assert english == ENGLISH_TITLES[code]
    assert chinese != english and any("\u4e00" <= char <= "\u9fff" for char in chinese)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_error_pages_for_a_visitor_who_is_not_signed_in(client, session, language):
    client.get(f"/lang/{language}")
    assert_error_page(client.get("/no/such/page"), 404, language)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_real_conditions_give_the_same_pages(app, client, session, monkeypatch, language):
    login(client, "admin")
    client.get(f"/lang/{language}")
    # 400: a list parameter that can't be honoured, with its own explanation
    response = client.get("/users/list/?psize_PlatformUserView=abc")
    assert response.status_code == 400 and f"400 · {expected(400, language)[0]}" in response.get_data(as_text=True)
    # 404 and 405
    assert_error_page(client.get("/personview/show/99999999"), 404, language)
    response = client.get("/roles/delete/1")
    assert_error_page(response, 405, language)
    assert response.headers["Allow"] == "POST"
    # 413: an upload over MAX_CONTENT_LENGTH
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    upload = {"file": (io.BytesIO(b"x" * 4096), "people.csv")}
    assert_error_page(client.post("/import/persons/preview", data=upload), 413, language)


def test_403_for_a_refused_restore(client, session):
    login(client, "supervisor")
    assert_error_page(client.post("/recyclebin/restore/Person/1"), 403, "zh")


def test_a_failed_database_transaction_still_renders_the_500_page(app, client, session, monkeypatch, no_propagation):
    """On PostgreSQL an error leaves the transaction aborted; the error page rolls it back first."""
    from sqlalchemy import text

    def broken_query():
        db.session.execute(text("SELECT * FROM no_such_table"))

    login(client, "staff")
    monkeypatch.setitem(app.view_functions, "PersonView.list", broken_query)
    assert_error_page(client.get("/personview/list/"), 500, "zh")


@pytest.mark.parametrize("code", CODES)
def test_api_errors_are_json(app, client, session, monkeypatch, no_propagation, code):
    headers = api_token(client, "admin")
    monkeypatch.setitem(app.view_functions, "PersonApi.get_list", failing_view(code))
    response = client.get("/api/v1/person/", headers=headers)
    assert response.status_code == code
    assert response.is_json and isinstance(response.json["message"], str) and response.json["message"]
    assert "SELECT" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


def test_api_unknown_address_and_method_are_json(client, session):
    headers = api_token(client, "admin")
    assert client.get("/api/v1/nosuch/", headers=headers).json["message"]
    response = client.patch("/api/v1/person/1", headers=headers, json={})
    assert response.status_code == 405 and response.is_json


def test_api_duplicate_key_from_the_database_is_a_clear_422(client, session, monkeypatch):
    """The unique index itself refuses (the early check skipped, as in a race): a 422 in words, no SQL."""
    headers = api_token(client, "admin")
    existing = client.get("/api/v1/region/1", headers=headers).json["result"]
    monkeypatch.setitem(db.session.info, "unique_checked", {"code"})
    before = count(Region)
    response = client.post(
        "/api/v1/region/", json={"name": "重复", "code": existing["code"], "level": existing["level"]}, headers=headers
    )
    assert response.status_code == 422, response.json
    body = response.get_data(as_text=True)
    for leak in ("UNIQUE", "unique constraint", "IntegrityError", "INSERT", "uq_region_code_live"):
        assert leak not in body, leak
    assert response.json["message"]
    assert count(Region) == before
