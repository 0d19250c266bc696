"""The REST APIs answer errors in the caller's language, under ``message`` (``app.api_errors``)."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from models import Person, PlatformUser
from tests.conftest import DEMO_PASSWORD, api_token
from tests.helpers import count

LOCALES = ("zh", "en")
#: (method, path, body) → the status, the text of the answer's message, and its detail
BAD_REQUESTS = [
    (("get", "/api/v1/person/?q=(", None), 400, "The q argument is not valid Rison or JSON.", None),
    (
        ("get", "/api/v1/person/?q=(page:x)", None),
        400,
        "The q argument does not fit this API (see detail).",
        "'x' is not of type 'integer'",
    ),
    (
        ("get", "/api/v1/person/?q=(order_column:nonexistent,order_direction:asc)", None),
        400,
        "The list can't be sorted by this column (see detail).",
        "order_column=nonexistent",
    ),
    (
        ("get", "/api/v1/person/?q=(filters:!((col:mobile,opr:eq,value:x)))", None),
        400,
        "The list can't be filtered by this column (see detail).",
        "col=mobile",
    ),
    (
        ("get", "/api/v1/person/?q=(filters:!((col:name,opr:nonexistent,value:x)))", None),
        400,
        "This filter does not exist for this column (see detail).",
        "col=name opr=nonexistent",
    ),
    (("post", "/api/v1/person/", "{not json"), 400, "The request body could not be read. Send valid JSON.", None),
    (("put", "/api/v1/person/1", "name=x"), 400, "Send the body as JSON (Content-Type: application/json).", None),
    (
        ("delete", "/api/v1/person/99999999", None),
        404,
        "The page or record does not exist, was deleted, or is outside your data scope.",
        None,
    ),
]


def text_in(locale: str, message: str) -> str:
    with force_locale(locale):
        return _(message)


def in_language(path: str, locale: str) -> str:
    """``path`` asking for ``locale`` the way Flask-AppBuilder's APIs are asked (``_l_``)."""
    return f"{path}{'&' if '?' in path else '?'}_l_={locale}"


def send(client, request, headers, locale):
    method, path, body = request
    path = in_language(path, locale)
    if isinstance(body, str):
        kind = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
        return getattr(client, method)(path, data=body, content_type=kind, headers=headers)
    return getattr(client, method)(path, headers=headers)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("request_", "status", "message", "detail"), BAD_REQUESTS, ids=lambda v: str(v)[:60])
def test_flask_appbuilder_errors_are_in_the_callers_language(
    client, session, locale, request_, status, message, detail
):
    headers = api_token(client, "admin")
    before = count(Person)
    response = send(client, request_, headers, locale)
    assert response.status_code == status, response.json
    assert response.json["message"] == text_in(locale, message)
    assert response.json.get("detail") == detail
    assert count(Person) == before


def test_an_unknown_filter_is_refused_instead_of_answering_every_row(client, session):
    """Flask-AppBuilder skipped an unknown operation on a searchable column: all persons came back."""
    headers = api_token(client, "admin")
    known = client.get("/api/v1/person/?q=(filters:!((col:name,opr:py,value:zzz-none)))", headers=headers)
    assert known.status_code == 200 and known.json["count"] == 0
    unknown = client.get("/api/v1/person/?q=(filters:!((col:name,opr:zz,value:zzz-none)))", headers=headers)
    assert unknown.status_code == 400


def test_marshmallow_messages_of_the_sign_in_api_are_translated(client, session):
    response = client.post("/api/v1/security/login", json={"username": "admin"})
    assert response.status_code == 400
    assert response.json["message"] == {"password": [text_in("zh", "This field is required.")]}


@pytest.mark.parametrize("locale", LOCALES)
def test_wrong_credentials_and_missing_tokens_are_explained(client, session, locale):
    response = client.post(
        in_language("/api/v1/security/login", locale),
        json={"username": "admin", "password": "wrong", "provider": "db"},
    )
    assert response.status_code == 401
    assert response.json == {"message": text_in(locale, "Not signed in, or the username or password is wrong.")}
    response = client.get(in_language("/api/v1/person/", locale))
    assert response.status_code == 401
    assert response.json == {
        "message": text_in(locale, "Sign in first: send the token as 'Authorization: Bearer <token>'.")
    }
    response = client.get(in_language("/api/v1/person/", locale), headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 422
    assert response.json == {"message": text_in(locale, "The access token is not valid. Sign in again.")}


def tokens(client, username: str) -> tuple[dict, dict]:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": DEMO_PASSWORD, "provider": "db", "refresh": True},
    )
    return (
        {"Authorization": f"Bearer {response.json['access_token']}"},
        {"Authorization": f"Bearer {response.json['refresh_token']}"},
    )


def test_the_wrong_kind_of_token_is_named(client, session):
    access, refresh = tokens(client, "staff")
    response = client.post("/api/v1/security/refresh", headers=access)
    assert response.status_code == 422
    assert response.json == {"message": text_in("zh", "This address needs the refresh token, not the access token.")}
    response = client.get("/api/v1/person/", headers=refresh)
    assert response.status_code == 422
    assert response.json == {"message": text_in("zh", "This address needs the access token, not the refresh token.")}


def test_an_expired_token_says_so(app, client, session):
    from flask_jwt_extended import create_access_token

    user = session.query(PlatformUser).filter_by(username="staff").one()
    with app.test_request_context():
        token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-5))
    response = client.get(in_language("/api/v1/person/", "en"), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json == {"message": text_in("en", "The token has expired. Sign in again or refresh it.")}


def test_the_token_of_a_deactivated_account_is_refused_with_the_reason(client, session):
    access, _refresh = tokens(client, "staff")
    user = session.query(PlatformUser).filter_by(username="staff").one()
    user.active = False
    session.commit()
    response = client.get("/api/v1/person/", headers=access)
    assert response.status_code == 401
    assert response.json == {
        "message": text_in(
            "zh", "The token is no longer valid: the account was deactivated or its password changed. Sign in again."
        )
    }


def test_successful_answers_are_left_as_they_are(client, session):
    headers = api_token(client, "admin")
    response = client.get("/api/v1/person/?q=(page_size:1)", headers=headers)
    assert response.status_code == 200 and "message" not in response.json
