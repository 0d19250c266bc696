"""Security headers on every kind of response, nonce-only scripts, and bearer-only API writes."""

import re

import pytest
from sqlalchemy import func, select

from models import Person
from tests.conftest import api_token, login
from tests.helpers import count

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: pages whose scripts must all carry the request's nonce
PAGES = [
    "/",
    "/personview/list/",
    "/personview/add",
    "/personview/edit/1",
    "/personview/show/1",
    "/minutes/new",
    "/meetingview/list/",
    "/partyoversight/coverage",
    "/serviceitemview/overview",
    "/users/list/",
    "/users/add",
    "/roles/list/",
    "/roles/show/1",
    "/auditeventview/list/",
    "/recyclebin/",
    "/resolutions/",
    "/import/",
    "/integration/",
    "/meetingview/show/1",
    "/no/such/page",
]


def csp(response) -> dict:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def assert_secure_headers(response):
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    policy = csp(response)
    for directive, value in CSP_DIRECTIVES.items():
        assert policy[directive] == value, directive
    assert re.fullmatch(r"'self' 'nonce-[\w-]{16,}'", policy["script-src"]), policy["script-src"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in header and "'unsafe-inline'" not in policy["script-src"]
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_html_pages_carry_the_headers(as_admin):
    assert_secure_headers(as_admin.get("/"))
    assert_secure_headers(as_admin.get("/personview/list/"))


def test_the_login_page_and_redirects_carry_the_headers(client, session):
    assert_secure_headers(client.get("/login/"))
    assert_secure_headers(client.get("/personview/list/"))  # the redirect to the login page


def test_api_responses_carry_the_headers(client, session):
    headers = api_token(client, "admin")
    assert_secure_headers(client.get("/api/v1/person/", headers=headers))
    assert_secure_headers(client.get("/api/v1/person/"))  # 401
    assert_secure_headers(client.get("/api/v1/person/99999999", headers=headers))  # 404


def test_static_files_carry_the_headers(client, session):
    for path in ("/static/css/platform.css", "/static/js/platform.js", "/static/appbuilder/js/ab.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_secure_headers(response)
        response.close()


def test_error_pages_carry_the_headers(client, session):
    login(client, "admin")
    assert_secure_headers(client.get("/no/such/page"))
    assert_secure_headers(client.get("/personview/list/?psize_PersonView=abc"))
    assert_secure_headers(client.get("/users/delete/1"))


def test_hsts_only_over_https(client, session):
    assert "Strict-Transport-Security" not in client.get("/login/").headers
    secure = client.get("/login/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"


def test_https_is_forced_only_when_configured(app, client, session, monkeypatch):
    """FORCE_HTTPS (off unless set in the environment) decides whether plain HTTP is redirected."""
    assert app.extensions["talisman"].force_https is bool(app.config["FORCE_HTTPS"])
    monkeypatch.setattr(app.extensions["talisman"], "force_https", False)
    assert client.get("/login/").status_code == 200
    monkeypatch.setattr(app.extensions["talisman"], "force_https", True)
    response = client.get("/login/")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://")


def test_the_nonce_changes_with_every_response(as_admin):
    first, second = (csp(as_admin.get("/"))["script-src"] for _ in range(2))
    assert first != second


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
def test_every_script_on_a_page_carries_the_nonce(as_admin, path):
    """No inline script, event handler or javascript: link runs without the request's nonce."""
    response = as_admin.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    tags = SCRIPT_TAG.findall(page)
    assert tags, path
    for attributes in tags:
        assert f'nonce="{nonce}"' in attributes, (path, attributes)
    assert not INLINE_HANDLER.search(page), INLINE_HANDLER.search(page).group(0)
    assert "javascript:" not in page.lower()
    assert "<style" not in page.lower()


def test_a_page_refused_before_its_view_still_gets_a_nonce(app, client, session, monkeypatch):
    """A CSRF refusal happens before the view: its error page's scripts still match the header."""
    login(client, "admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/personview/add", data={"name": "x"})
    assert response.status_code == 400
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


BODY = {"name": "饼干", "id_number": "11010519491231002X", "category": "contract", "department": 1}


@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", "/api/v1/person/"), ("PUT", "/api/v1/person/1"), ("DELETE", "/api/v1/person/1")],
)
def test_api_writes_with_a_session_cookie_alone_are_refused(as_admin, session, method, url):
    before = count(Person)
    versions = session.scalar(select(func.sum(Person.version)))
    response = as_admin.open(url, method=method, json={**BODY, "version": 1})
    assert response.status_code == 401
    assert response.is_json and "Authorization: Bearer" in response.json["message"]
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert count(Person) == before
    assert session.scalar(select(func.sum(Person.version))) == versions


def test_the_refusal_is_in_the_users_language(as_admin, session):
    as_admin.get("/lang/zh")
    message = as_admin.post("/api/v1/person/", json=BODY).json["message"]
    assert "访问令牌" in message
    as_admin.get("/lang/en")
    assert "access token" in as_admin.post("/api/v1/person/", json=BODY).json["message"]


def test_api_writes_with_a_bearer_token_still_work(client, session):
    headers = api_token(client, "admin")  # the login endpoint itself needs no token
    before = count(Person)
    response = client.post("/api/v1/person/", json=BODY, headers=headers)
    assert response.status_code == 201, response.json
    assert count(Person) == before + 1


def test_api_reads_need_the_token_too(as_admin):
    """The registers' API never accepts the browser session, for reads either."""
    assert as_admin.get("/api/v1/person/").status_code == 401


def test_a_malformed_authorization_header_is_refused(client, session):
    for value in ("Bearer", "Bearer ", "Basic YWRtaW46eA==", "token"):
        response = client.post("/api/v1/person/", json=BODY, headers={"Authorization": value})
        assert response.status_code == 401, value


def test_every_list_and_add_page_runs_nonce_scripts_only(app, as_admin):
    """Every model view's list and add page (the registers, the audit log, the security screens)."""
    from flask_appbuilder.baseviews import BaseModelView

    from app.extensions import appbuilder

    checked = 0
    for view in appbuilder.baseviews:
        if not isinstance(view, BaseModelView):
            continue
        for path in (f"{view.route_base}/list/", f"{view.route_base}/add"):
            response = as_admin.get(path)
            if response.status_code != 200:
                continue
            nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
            page = response.get_data(as_text=True)
            assert all(f'nonce="{nonce}"' in tag for tag in SCRIPT_TAG.findall(page)), path
            assert not INLINE_HANDLER.search(page), path
            checked += 1
    assert checked >= 30, checked


def test_the_headers_are_those_flask_talisman_writes(app, client, session, monkeypatch):
    """PlatformTalisman works the options and the policies' text out once; every header of every
    kind of answer stays what flask-talisman itself writes, with this request's nonce."""
    from flask_talisman import Talisman

    from app.http_security import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY, PlatformTalisman

    def headers(response):
        nonce = getattr(response, "nonce", None)
        found = {k: v for k, v in response.headers.items() if k not in ("Set-Cookie", "Content-Length", "Date")}
        csp_nonce = re.search(r"'nonce-([^']+)'", found.get("Content-Security-Policy", ""))
        if csp_nonce:
            found["Content-Security-Policy"] = found["Content-Security-Policy"].replace(csp_nonce.group(1), "N")
        return found, nonce

    login(client, "admin")
    urls = [
        "/",
        "/personview/list/",
        "/personview/show/1",
        "/no/such/page",
        "/api/v1/person/",
        "/static/css/platform.css",
    ]
    drawn = {url: headers(client.get(url)) for url in urls}
    with monkeypatch.context() as patch:
        for name in ("_get_local_options", "_parse_policy", "_parse_structured_header_policy", "_force_https"):
            patch.setattr(PlatformTalisman, name, getattr(Talisman, name))
        stock = {url: headers(client.get(url)) for url in urls}
    for url in urls:
        assert drawn[url] == stock[url], url
    assert "'nonce-N'" in drawn["/"][0]["Content-Security-Policy"]

    talisman = app.extensions["talisman"]
    for url in ("/", "/login/"):
        with app.test_request_context(url):
            # a request refused before its nonce was made: no nonce in the policy, as flask-talisman writes it
            assert talisman._parse_policy(CONTENT_SECURITY_POLICY) == Talisman._parse_policy(
                talisman, CONTENT_SECURITY_POLICY
            )
            assert "nonce" not in talisman._parse_policy(CONTENT_SECURITY_POLICY)
            nonce = talisman._get_nonce()
            text = talisman._parse_policy(CONTENT_SECURITY_POLICY)
            assert text == Talisman._parse_policy(talisman, CONTENT_SECURITY_POLICY)
            assert f"script-src 'self' 'nonce-{nonce}'" in text and text.count("nonce") == 1
            assert talisman._parse_structured_header_policy(PERMISSIONS_POLICY) == (
                Talisman._parse_structured_header_policy(talisman, PERMISSIONS_POLICY)
            )
    other = {**CONTENT_SECURITY_POLICY, "img-src": "'self'"}  # another policy object is read anew
    with app.test_request_context("/"):
        assert "img-src 'self';" in talisman._parse_policy(other)
