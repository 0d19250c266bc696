"""Every hostile input of ``tests/payloads.py`` tried for real against every REST API field and,
a representative subset, against every domain form; then every page that shows the accepted rows.

For each REST API (the registry's ``PlatformRestApi`` classes) the test learns which text fields
take free text (a harmless probe is kept as sent), posts every string payload into all of them at
once (one row per payload, a unique marker behind it; fields too short for it get it in a second,
refused, request), tries one payload of each group in the text fields that take only codes or
choices, a third of the wrong-typed JSON values in each field (each value in a third of the
fields), and JSON strings with lone surrogates; PUT gets a sample as well. It asserts: never a
server error, a refusal writes nothing (row count, and the row's snapshot for PUT), an accepted
value is stored as sent, and the list, show, edit, CSV/XLSX export, audit and print pages in
Chinese and English never carry a payload's markup verbatim.
"""

import csv
import io
import json
import re
import urllib.parse
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from stdnum.cn import ric, uscc

import views.registry as registry
from app.extensions import appbuilder, db
from models import AuditEvent, Facility, Region
from tests import payloads
from tests.conftest import api_token, login
from tests.helpers import count, snapshot
from views.base import PlatformModelView, PlatformRestApi

API_CLASSES = sorted(
    (obj for obj in vars(registry).values() if isinstance(obj, type) and issubclass(obj, PlatformRestApi)),
    key=lambda api: api.resource_name,
)
#: the HTML pages that show a register's rows beyond list/show/edit
EXTRA_PAGES = {
    "meeting": lambda item: [f"/meetingview/print/{item.id}?lang=zh", f"/meetingview/print/{item.id}?lang=en"],
    "resolution": lambda item: [
        "/resolutionboardview/",
        f"/meetingview/show/{item.meeting_id}",
        f"/meetingview/print/{item.meeting_id}?lang=en",
    ],
    "rectification": lambda item: ["/partyoversight/overdue", f"/oversightrecordview/show/{item.record_id}"],
}
LOCALES = ("zh", "en")
#: statuses a request with bad input may get: created/changed, or refused with a message
OK_OR_REFUSED = {200, 201, 400, 422}
FORM_SAMPLE = [p for group in payloads.TEXT.values() for p in group[::8]]
#: one payload of each group, for the text fields that only take codes or choices
CONSTRAINED_SAMPLE = [group[0] for group in payloads.TEXT.values()]
#: accepted rows whose show, edit and extra pages are opened (those with markup first)
SAMPLE_ROWS = 5


_BEARERS: dict = {}


def bearer(client, username: str) -> dict:
    """An API token for ``username``, reused while the API still takes it (signing in hashes the
    password, which is slow, and counts against the sign-in rate limit)."""
    headers = _BEARERS.get(username)
    if headers is None or client.get("/api/v1/region/?q=(page_size:1)", headers=headers).status_code != 200:
        headers = _BEARERS[username] = api_token(client, username)
    return headers


def marker(n: int) -> str:
    """A unique tag put behind each payload, to find its row on the pages."""
    return f"hx{n:04d}q"


def marker_of(value: str) -> str:
    return value[-7:]


def tagged(payload: str, n: int) -> str:
    """The payload first (so that formula and markup payloads keep their start), then its marker."""
    return payload + marker(n)


def dangerous(value: str) -> bool:
    lowered = value.lower()
    return any(token in lowered for token in payloads.DANGEROUS_MARKUP)


def assert_no_raw_markup(html: str, values, where: str) -> None:
    """None of ``values`` that carry markup appears verbatim in ``html``."""
    echoed = [value[:60] for value in values if dangerous(value) and value in html]
    assert echoed == [], f"{where} echoes unescaped: {echoed}"


def valid_id_number(n: int, gender: str) -> str:
    """A valid, unique ID number whose sex digit (odd: male) matches ``gender``."""
    body = f"51012119790101{(n % 500) * 2 + (gender == 'male'):03d}"
    return body + ric.calc_check_digit(body + "0")


class Register:
    """One REST API and its HTML view, with a valid body to start each POST from."""

    def __init__(self, client, headers, api_class):
        self.client, self.headers = client, headers
        self.api = next(v for v in appbuilder.baseviews if type(v) is api_class)
        self.name = self.api.resource_name
        self.model = self.api.datamodel.obj
        self.url = f"/api/v1/{self.name}/"
        info = client.get(self.url + "_info", headers=headers).json
        self.fields = {field["name"]: field for field in info["add_columns"]}
        row_id = client.get(self.url + "?q=(page_size:1)", headers=headers).json["ids"][0]
        row = client.get(f"{self.url}{row_id}", headers=headers).json["result"]
        self.row = {}
        for name in self.fields:
            value = row.get(name)
            if isinstance(value, dict):
                value = value.get("id")
            elif isinstance(value, list):
                value = [item["id"] for item in value]
            if value is not None:
                self.row[name] = value
        #: the register's HTML view (resolutions have none: the meeting page and the board show them)
        self.view = next(
            (v for v in appbuilder.baseviews if isinstance(v, PlatformModelView) and v.datamodel.obj is self.model),
            None,
        )

    def base(self, n: int) -> dict:
        """A valid body; natural keys and time slots differ with ``n``, so that rows don't clash."""
        body = dict(self.row)
        if self.name == "region":
            township = db.session.scalars(select(Region).where(Region.level == "township")).first()
            body.update(level="village", parent=township.id, code=f"{township.code}{500 + n % 500:03d}")
        elif self.name == "person":
            body["id_number"] = valid_id_number(n, body.get("gender", ""))
        elif self.name == "booking":
            start = datetime(2031, 1, 1, 9) + timedelta(days=n)
            body.update(starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat())
        elif self.name == "social_organization":
            code = f"52510104{n * 7919 % 10**9:09d}"
            body["code"] = code + uscc.calc_check_digit(code)
        elif self.name == "party_organization":
            body["social_organizations"] = [1]
        elif self.name == "service_item":
            body["item_code"] = f"HX-{n:05d}"
        return body

    def post(self, body):
        data = body if isinstance(body, str) else json.dumps(body)
        response = self.client.post(self.url, data=data, content_type="application/json", headers=self.headers)
        assert response.status_code in OK_OR_REFUSED, (self.name, response.status_code, data[:200])
        assert response.is_json
        return response

    def max_length(self, name: str) -> int:
        """The field's maximum length from the API's _info (Text columns have none)."""
        found = re.search(r"max=(\d+)", " ".join(self.fields[name].get("validate", [])))
        return int(found.group(1)) if found else 10**9

    def text_fields(self):
        return [name for name, field in self.fields.items() if field["type"] == "String"]


def _free_text_fields(register: Register, counter) -> tuple[list, list]:
    free, constrained = [], []
    for name in register.text_fields():
        n = next(counter)
        probe = tagged("probe ", n)
        response = register.post({**register.base(n), name: probe})
        kept = response.status_code == 201 and _stored(register, response.json["id"], [name])[name] == probe
        (free if kept else constrained).append(name)
    return free, constrained


def _stored(register, pk, fields) -> dict:
    db.session.expire_all()
    item = db.session.get(register.model, pk)
    return {name: getattr(item, name) for name in fields}


def _counter(start=1):
    n = start
    while True:
        yield n
        n += 1


@pytest.mark.parametrize("api_class", API_CLASSES, ids=lambda api: api.resource_name)
def test_every_payload_in_every_api_field(client, session, api_class):
    """No server error, refusals write nothing, accepted text is kept as sent and shown escaped."""
    headers = bearer(client, "admin")
    register = Register(client, headers, api_class)
    counter = _counter()
    free, constrained = _free_text_fields(register, counter)
    accepted, lost = {}, []
    rows = count(register.model)

    # every string payload into every free-text field: at once into those it fits (one row per
    # payload); every fourth payload, and the long ones, also at once into those it is too long for
    for i, (group, _index, payload) in enumerate(payloads.all_text() if free else []):
        n = next(counter)
        value = tagged(payload, n)
        fits = [name for name in free if len(value) <= register.max_length(name)]
        too_long = [name for name in free if name not in fits]
        if too_long and (i % 4 == 0 or group == "long"):
            response = register.post({**register.base(n), **dict.fromkeys(too_long, value)})
            assert response.status_code == 422, (register.name, too_long, response.json)
        if fits:
            response = register.post({**register.base(n), **dict.fromkeys(fits, value)})
        if fits and response.status_code == 201:
            rows += 1
            stored = _stored(register, response.json["id"], fits)
            lost += [(name, value[:40]) for name, got in stored.items() if got not in (value, value.strip())]
            accepted[response.json["id"]] = value
        else:
            assert count(register.model) == rows, (register.name, value[:60])
    assert count(register.model) == rows
    assert lost == [], f"{register.name} changed accepted text: {lost[:5]}"
    if free:
        assert len(accepted) > len(payloads.all_text()) / 2, f"{register.name} refused most payloads"

    # a sample in the constrained text fields (codes, choices, numbers kept as text)
    for name in constrained:
        for payload in CONSTRAINED_SAMPLE:
            n = next(counter)
            response = register.post({**register.base(n), name: payload})
            rows += response.status_code == 201
            assert count(register.model) == rows, (register.name, name, payload[:60])

    # wrong-typed values in every field: a third of them in each field, each in a third of the fields
    for k, name in enumerate(register.fields):
        for wrong in payloads.WRONG_TYPES[k % 3 :: 3]:
            n = next(counter)
            response = register.post({**register.base(n), name: wrong})
            rows += response.status_code == 201
            assert count(register.model) == rows, (register.name, name, wrong)

    # lone surrogates in JSON strings (not Unicode text: never stored), in all free-text fields at once
    for surrogate in payloads.LONE_SURROGATES:
        n = next(counter)
        body = {key: value for key, value in register.base(n).items() if key not in free}
        text = ", ".join(f'"{name}": {surrogate}' for name in free or register.text_fields()[:1])
        response = register.post(json.dumps(body)[:-1] + f", {text}}}")
        assert response.status_code == 422, (register.name, surrogate, response.json)
        assert count(register.model) == rows

    # PUT: a sample into an existing row; a refusal leaves the row as it was
    if accepted and free:
        pk = next(iter(accepted))
        for payload in [*FORM_SAMPLE[::2], *payloads.WRONG_TYPES[:6]]:
            before = snapshot(db.session.get(register.model, pk))
            value = tagged(payload, next(counter)) if isinstance(payload, str) else payload
            body = {**dict.fromkeys(free, value), "version": before["version"]}
            response = client.put(f"{register.url}{pk}", json=body, headers=headers)
            assert response.status_code in OK_OR_REFUSED, (register.name, response.status_code, str(payload)[:60])
            if response.status_code != 200:
                assert snapshot(db.session.get(register.model, pk)) == before
            elif isinstance(value, str):
                accepted[pk] = value

    _check_pages(client, register, accepted)


def _check_pages(client, register, accepted: dict) -> None:
    """The accepted rows on every page that shows them, in both languages: escaped, never raw."""
    login(client, "admin")
    values = list(accepted.values())
    sample = [pk for pk, value in accepted.items() if dangerous(value) or "{{" in value][:SAMPLE_ROWS]
    view = register.view
    if view is not None:
        name, base = type(view).__name__, view.route_base
        pages = count(register.model) // 100 + 1
        for locale in LOCALES:
            client.get(f"/lang/{locale}")
            for page in range(pages):
                response = client.get(f"{base}/list/?psize_{name}=100&page_{name}={page}")
                assert response.status_code == 200, (base, response.status_code)
                assert_no_raw_markup(response.get_data(as_text=True), values, f"{base} list ({locale})")
            for fmt in ("csv", "xlsx"):
                response = client.get(f"{base}/export/{fmt}")
                assert response.status_code == 200, (base, fmt, response.status_code)
                _check_export(fmt, response.data, values)
    for i, pk in enumerate(sorted(sample, key=lambda pk: sample.index(pk) % 2)):
        if i in (0, (len(sample) + 1) // 2):
            client.get(f"/lang/{LOCALES[i > 0]}")
        shown = accepted[pk]
        item = db.session.get(register.model, pk)
        urls = [f"{view.route_base}/show/{pk}", f"{view.route_base}/edit/{pk}"] if view is not None else []
        for url in [*urls, *EXTRA_PAGES.get(register.name, lambda item: [])(item)]:
            response = client.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            html = response.get_data(as_text=True)
            assert_no_raw_markup(html, [shown], url)
            if "/show/" in url or register.name == "resolution":
                assert marker_of(shown) in html, f"{url} does not show the value"
    events = db.session.scalars(
        select(AuditEvent.id).where(
            AuditEvent.entity_type == register.model.__name__, AuditEvent.entity_id.in_([str(pk) for pk in sample])
        )
    ).all()
    for locale in LOCALES[::-1]:
        client.get(f"/lang/{locale}")
        html = client.get("/auditeventview/list/?psize_AuditEventView=100").get_data(as_text=True)
        assert_no_raw_markup(html, values, f"audit list ({locale})")
        for event_id in events[:2] if locale == "en" else events[2:4]:
            response = client.get(f"/auditeventview/show/{event_id}")
            assert response.status_code == 200
            assert_no_raw_markup(response.get_data(as_text=True), values, f"audit event {event_id} ({locale})")


def _check_export(fmt: str, data: bytes, values) -> None:
    """Cells come out as text: a formula-looking value starts with a quote, nothing is evaluated."""
    if fmt == "csv":
        cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    else:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    formulas = [cell[:40] for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert formulas == [], f"{fmt} export has cells a spreadsheet would evaluate: {formulas[:5]}"
    text = "\n".join(cells)
    assert not values or any(marker_of(value) in text for value in values), f"the {fmt} export lacks the rows"


# ----- the HTML forms: a representative subset, with raw bytes that are not UTF-8 -----------------
FORM_VIEWS = [
    "RegionView",
    "DepartmentView",
    "PersonView",
    "FacilityView",
    "BookingView",
    "SocialOrganizationView",
    "PartyOrganizationView",
    "OversightRecordView",
    "RectificationView",
    "ServiceItemView",
    "ResourceView",
    "FundingView",
    "PurchasedServiceView",
]
API_OF_VIEW = {
    "RegionView": "region",
    "DepartmentView": "department",
    "PersonView": "person",
    "FacilityView": "facility",
    "BookingView": "booking",
    "SocialOrganizationView": "social_organization",
    "PartyOrganizationView": "party_organization",
    "OversightRecordView": "oversight_record",
    "RectificationView": "rectification",
    "ServiceItemView": "service_item",
    "ResourceView": "resource",
    "FundingView": "funding",
    "PurchasedServiceView": "purchased_service",
}


def _form_value(value):
    if isinstance(value, bool):
        return "y" if value else None
    if isinstance(value, str) and len(value) == 19 and value[10] == "T":
        return value.replace("T", " ")
    return value


def _form_body(fields: dict) -> str:
    """An urlencoded body; bytes values go as they are (not UTF-8), lists as repeated keys."""
    pairs = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            item = _form_value(item)
            if item is not None:
                pairs.append((name, item if isinstance(item, bytes) else str(item)))
    return urllib.parse.urlencode(pairs)


@pytest.mark.parametrize("view_name", FORM_VIEWS)
def test_forms_take_hostile_text_and_raw_bytes(client, session, view_name):
    """The add and edit forms: a sample of every group and raw non-UTF-8 bytes in every text field;
    never a 500, the re-shown form escapes what was typed, a refused save writes nothing."""
    headers = bearer(client, "admin")
    api_class = next(api for api in API_CLASSES if api.resource_name == API_OF_VIEW[view_name])
    register = Register(client, headers, api_class)
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == view_name)
    counter = _counter(5000)
    free, constrained = _free_text_fields(register, counter)
    free = [f for f in free if f in view.add_columns]
    constrained = [f for f in constrained if f in view.add_columns]
    login(client, "admin")
    rows = start = count(register.model)
    sample = [*FORM_SAMPLE, *payloads.RAW_BYTES]
    attempts = [(payload, free[i % len(free)]) for i, payload in enumerate(sample)] if free else []
    attempts += [(payload, name) for name in constrained for payload in (CONSTRAINED_SAMPLE[0], b"\xff")]
    for i, (payload, field) in enumerate(attempts):
        n = next(counter)
        if i in (0, len(attempts) // 2):
            client.get(f"/lang/{LOCALES[i > 0]}")
        value = payload if isinstance(payload, bytes) else tagged(payload, n)
        body = _form_body({**register.base(n), field: value})
        response = client.post(f"{view.route_base}/add", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code in (200, 302, 400), (view_name, field, response.status_code)
        if response.status_code == 302:
            rows += 1
        elif isinstance(value, str):
            assert_no_raw_markup(response.get_data(as_text=True), [value], f"{view_name} add form")
        assert count(register.model) == rows, (view_name, field, str(payload)[:60])
    if free:
        assert rows - start > len(sample) // 2, f"{view_name}: the add form refused most of the sample"

    pk = register.client.get(register.url + "?q=(page_size:1)", headers=headers).json["ids"][0]
    for i, payload in enumerate(sample[::3]):
        item = db.session.get(register.model, pk)
        before = snapshot(item)
        field = (free or constrained)[i % len(free or constrained)]
        value = payload if isinstance(payload, bytes) else tagged(payload, next(counter))
        body = _form_body(
            {**register.row, **_edit_extras(register, item), field: value, "edit_version": before["version"]}
        )
        response = client.post(
            f"{view.route_base}/edit/{pk}", data=body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (200, 302, 400), (view_name, field, response.status_code)
        if response.status_code != 302:
            if isinstance(value, str):
                assert_no_raw_markup(response.get_data(as_text=True), [value], f"{view_name} edit form")
            assert snapshot(db.session.get(register.model, pk)) == before, (view_name, field, str(payload)[:60])


def _edit_extras(register, item) -> dict:
    """Values an edit form needs beside the API row (the ID number as stored)."""
    extras = {}
    if register.name == "person":
        extras["id_number"] = item.id_number
    return extras


def test_every_rest_api_is_covered(app):
    """The corpus runs against every model REST API the app serves, not a hand-kept list."""
    served = {type(v) for v in appbuilder.baseviews if isinstance(v, PlatformRestApi)}
    assert served == set(API_CLASSES) and len(API_CLASSES) >= 15


def test_the_corpus_is_large_and_grouped():
    assert payloads.total() >= 200
    assert {"xss", "sql", "template", "path", "control", "bidi", "long", "unicode"} <= set(payloads.TEXT)
    assert any(len(p) >= 10_000 for p in payloads.LONG)
    assert all(isinstance(b, bytes) for b in payloads.RAW_BYTES)


# ----- the bugs this corpus found, pinned down -------------------------------------------------------
@pytest.mark.parametrize("text", ["a\x00b", "x\x1by", "\ud800", "z\uffff"])
def test_control_characters_are_refused_with_a_clear_message(client, session, text):
    """NUL, other control characters, lone surrogates and non-characters are refused on every path
    (PostgreSQL can't store NUL, a worksheet can't hold the others), in the user's language."""
    headers = api_token(client, "admin")
    rows = count(Facility)
    body = {"name": text, "kind": "activity_room", "managing_department": 2, "status": "running"}
    response = client.post("/api/v1/facility/", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["message"]["name"] == ["文本含有控制字符或无效字符，请删除后再保存。"]
    login(client, "admin")
    client.get("/lang/en")
    page = client.post("/facilityview/add", data={**body, "name": text.replace("\ud800", "\x7f")})
    assert page.status_code == 200
    assert "The text contains control characters or invalid characters; remove them." in page.get_data(as_text=True)
    assert count(Facility) == rows


def test_xlsx_export_leaves_out_characters_a_worksheet_cannot_hold(as_admin, session):
    """Older rows written before the rule (or by SQL) still export to a file that opens."""
    facility = db.session.scalars(select(Facility)).first()
    db.session.execute(update(Facility).where(Facility.id == facility.id).values(address="楼\x01上\uffff"))
    response = as_admin.get("/facilityview/export/xlsx")
    assert response.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True) for c in row]
    assert "楼上" in cells


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/meeting/", {"title": "接口创建的会议", "held_at": "2031-05-01T10:00:00", "convening_department": 7}),
        ("/api/v1/resolution/", {"meeting": 2, "content": "接口创建的决议", "lead_department": 7}),
        ("/api/v1/rectification/", {"record": 1, "problem": "接口创建的整改", "deadline": "2031-01-01"}),
    ],
)
def test_records_with_a_workflow_status_can_be_created_through_the_api(client, session, url, body):
    """A new meeting is a draft, a resolution open, a rectification pending: the column defaults
    apply before the rules run (they used to refuse every POST with "choose a status")."""
    headers = api_token(client, "admin")
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.json
    created = client.get(f"{url}{response.json['id']}", headers=headers).json["result"]
    assert created["status"] in ("draft", "open", "pending")


def test_api_field_messages_are_in_the_users_language(client, session):
    """marshmallow's English texts ("Not a valid string.") come back translated, without internals."""
    headers = api_token(client, "admin")
    body = {"name": True, "kind": "activity_room", "managing_department": [1], "capacity": "many", "x": 1}
    response = client.post("/api/v1/facility/", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["message"] == {
        "name": ["请输入文本。"],
        "managing_department": ["请用编号选择一条已有的记录。"],
        "capacity": ["请输入整数。"],
        "x": ["此字段不存在或不允许在此设置。"],
    }
    response = client.post("/api/v1/facility/", json={"name": "x" * 201}, headers=headers)
    assert "最多输入 200 个字符。" in response.json["message"]["name"]


def test_a_json_query_with_a_huge_page_is_a_client_error(client, session):
    """Flask-AppBuilder also reads ``q`` as JSON; a page past any list is refused there too (was a 500)."""
    headers = api_token(client, "admin")
    response = client.get(
        '/api/v1/party_organization/?q={"page": 36666990509398038658400752384469893120}', headers=headers
    )
    assert response.status_code == 400 and response.is_json


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_an_id_past_the_integer_range_is_not_found(client, session, method):
    """Ids are INTEGER columns: PostgreSQL refused a larger one with an error (a 500, found by Schemathesis)."""
    headers = api_token(client, "admin")
    response = getattr(client, method)("/api/v1/booking/415536777147", json={"version": 1}, headers=headers)
    assert response.status_code == 404
    assert client.get("/api/v1/booking/1", headers=headers).status_code == 200  # the transaction is still usable
