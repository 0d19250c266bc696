"""Resource integration: the time-limit rule, purchase stages, the catalog overview, resource scope,
decimal amounts, and CSV/XLSX export with filters, scope, masking and formula neutralisation."""

import csv
import io
import json
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from models import AuditEvent, Funding, Person, PurchasedService, Resource, ServiceItem
from models.validation import mask_id_number
from tests.conftest import api_token, login
from tests.helpers import count, dept, one, snapshot


def item_form(item, **overrides) -> dict:
    data = {
        "item_code": item.item_code,
        "name": item.name,
        "item_type": item.item_type,
        "responsible_department": item.responsible_department_id,
        "service_object": item.service_object,
        "level_district": "y",
        "legal_limit_days": item.legal_limit_days,
        "promised_limit_days": item.promised_limit_days,
        "edit_version": item.version,
    }
    data.update(overrides)
    return data


def test_the_promised_limit_cannot_exceed_the_legal_one(client, session):
    item = one(ServiceItem, item_code="510112-XK-001")
    login(client, "staff")
    page = client.post(f"/serviceitemview/edit/{item.id}", data=item_form(item, promised_limit_days=25)).get_data(
        as_text=True
    )
    assert "承诺时限不能长于法定时限" in page
    assert snapshot(item)["promised_limit_days"] == 5
    headers = api_token(client, "staff")
    response = client.put(
        f"/api/v1/service_item/{item.id}", json={"promised_limit_days": 21, "version": item.version}, headers=headers
    )
    assert response.status_code == 422 and "promised_limit_days" in response.json["message"]
    ok = client.put(
        f"/api/v1/service_item/{item.id}", json={"promised_limit_days": 20, "version": item.version}, headers=headers
    )
    assert ok.status_code == 200


def test_materials_and_steps_are_ordered_lists(client, session):
    item = one(ServiceItem, item_code="510112-XK-001")
    login(client, "staff")
    response = client.post(
        f"/serviceitemview/lists/{item.id}",
        data={"materials": "营业执照\n申请书\n\n卫生管理制度", "steps": "审核\n受理", "edit_version": item.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    item = one(ServiceItem, item_code="510112-XK-001")
    assert [m.name for m in item.materials] == ["营业执照", "申请书", "卫生管理制度"]
    assert [s.description for s in item.steps] == ["审核", "受理"]


def lists_form(item, **changes) -> dict:
    return {
        "materials": "\n".join(m.name for m in item.materials),
        "steps": "\n".join(s.description for s in item.steps),
        "edit_version": item.version,
        **changes,
    }


def test_a_stale_lists_form_is_refused_and_keeps_what_was_typed(app, client, session):
    """Two people open an item's page; the first removes a step (nothing but a part changes, and the
    item's version still moves). The second's older form is refused: the page shows the newer lists
    and keeps the second person's text, and saving that again applies it deliberately."""
    from views.base import STALE_MESSAGE

    item = one(ServiceItem, item_code="510112-XK-001")
    stale = lists_form(item, materials="营业执照\n身份证明\n补充材料")
    login(client, "staff")
    first = lists_form(item, steps="\n".join(s.description for s in item.steps[1:]))
    assert client.post(f"/serviceitemview/lists/{item.id}", data=first).status_code == 302
    db.session.expire_all()
    item = one(ServiceItem, item_code="510112-XK-001")
    assert item.version > stale["edit_version"]
    kept_steps = [s.description for s in item.steps]
    page = client.post(f"/serviceitemview/lists/{item.id}", data=stale)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        assert str(STALE_MESSAGE) in text
    assert "营业执照\n身份证明\n补充材料</textarea>" in text  # what they typed is still in the form
    assert f'name="edit_version" value="{item.version}"' in text  # under the newer version
    db.session.expire_all()
    item = one(ServiceItem, item_code="510112-XK-001")
    assert "补充材料" not in [m.name for m in item.materials] and [s.description for s in item.steps] == kept_steps
    again = {**stale, "edit_version": item.version}
    assert client.post(f"/serviceitemview/lists/{item.id}", data=again).status_code == 302
    db.session.expire_all()
    assert [m.name for m in one(ServiceItem, item_code="510112-XK-001").materials] == [
        "营业执照",
        "身份证明",
        "补充材料",
    ]


def test_a_too_long_material_keeps_the_typed_lists_in_the_form(client, session):
    item = one(ServiceItem, item_code="510112-XK-001")
    login(client, "staff")
    typed = "营业执照\n" + "长" * 301
    page = client.post(f"/serviceitemview/lists/{item.id}", data=lists_form(item, materials=typed))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "最多 300" in text or "300" in text
    assert typed + "</textarea>" in text


def test_purchase_stages_move_one_at_a_time_and_close_only_after_evaluation(client, session):
    project = one(PurchasedService, title="和平社区高龄独居老人上门服务")
    assert project.stage == "in_progress"
    headers = api_token(client, "staff_jj")
    url = f"/api/v1/purchased_service/{project.id}"
    skip = client.put(url, json={"stage": "closed", "version": project.version}, headers=headers)
    assert skip.status_code == 422
    step = client.put(url, json={"stage": "evaluation", "version": project.version}, headers=headers)
    assert step.status_code == 200
    version = snapshot(project)["version"]
    early = client.put(url, json={"stage": "closed", "version": version}, headers=headers)
    assert early.status_code == 422 and "绩效评估" in str(early.json)
    done = client.put(
        url,
        json={"stage": "closed", "performance_score": 88.5, "resident_satisfaction": 93, "version": version},
        headers=headers,
    )
    assert done.status_code == 200
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "PurchasedService",
            AuditEvent.entity_id == str(project.id),
            AuditEvent.action == "transition",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [json.loads(e.changes)["stage"]["new"] for e in events][-2:] == ["evaluation", "closed"]


def test_amounts_are_decimal(client, session):
    headers = api_token(client, "staff_jj")
    organization = one(Funding, funding_type="startup").social_organization_id
    body = {
        "social_organization": organization,
        "funding_type": "special",
        "amount": "0.1",
        "granted_on": "2026-11-01",
        "approving_department": dept("锦江区民政局").id,
    }
    response = client.post("/api/v1/funding/", json=body, headers=headers)
    assert response.status_code == 201, response.json
    created = db.session.get(Funding, response.json["id"])
    assert created.amount + Decimal("0.2") == Decimal("0.3")
    refused = client.post("/api/v1/funding/", json={**body, "amount": "-5"}, headers=headers)
    assert refused.status_code == 422


def test_catalog_overview_figures(client, session):
    login(client, "admin")
    page = client.get("/serviceitemview/overview").get_data(as_text=True)
    assert 'id="centralization-rate">83.3%' in page  # 5 of the 6 demo items are handled in the center
    client.post("/logout/")
    login(client, "staff_jj")  # Jinjiang's only item is not centralized
    assert 'id="centralization-rate">0.0%' in client.get("/serviceitemview/overview").get_data(as_text=True)


def test_resources_shared_into_a_managed_facility_are_visible(client, session):
    login(client, "staff_jj")
    names = client.get("/resourceview/list/").get_data(as_text=True)
    assert "社会组织培育专项资金" in names and "自助服务终端" not in names
    client.post("/logout/")
    login(client, "staff")  # owns the kiosk, and the call-center seats sit in its center
    names = client.get("/resourceview/list/").get_data(as_text=True)
    assert "自助服务终端" in names and "市民呼叫中心话务坐席" in names
    resource = one(Resource, name="农业技术推广服务")
    assert client.get(f"/resourceview/show/{resource.id}").status_code == 404


# ----- export ----------------------------------------------------------------------------------------
def read_export(response, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [[c.value or "" for c in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_respects_filters_scope_language_and_masks(client, session, fmt):
    person = one(Person, name="王伟")
    person.position = '=HYPERLINK("http://evil")'
    db.session.commit()
    login(client, "supervisor")
    rows = read_export(client.get(f"/personview/export/{fmt}?_flt_0_name=wangwei"), fmt)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["姓名", "性别", "公民身份号码"]
    assert [r[0] for r in body] == ["王伟"]  # the filter (name or pinyin) applies
    assert body[0][2] == mask_id_number(person.id_number)  # masked for the supervisor
    assert body[0][header.index("职务")].startswith("'=")  # formula neutralised
    client.post("/logout/")
    login(client, "staff_jj")
    rows = read_export(client.get(f"/personview/export/{fmt}"), fmt)
    assert {r[0] for r in rows[1:]} == {"周敏", "吴婷", "郑强"}  # the user's scope only
    assert person.id_number not in str(rows)
    client.get("/lang/en")
    rows = read_export(client.get(f"/personview/export/{fmt}"), fmt)
    assert rows[0][:3] == ["Full name", "Gender", "ID number"]


def test_staff_export_shows_full_id_numbers_and_is_audited(client, session):
    person = one(Person, name="王伟")
    login(client, "staff")
    before = count(AuditEvent)
    rows = read_export(client.get("/personview/export/csv"), "csv")
    assert person.id_number in [r[2] for r in rows[1:]]
    db.session.expire_all()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert count(AuditEvent) == before + 1 and (event.action, event.entity_type) == ("export", "Person")


def test_export_of_an_unknown_format_or_bad_filter(client, session):
    login(client, "staff")
    assert client.get("/personview/export/pdf").status_code == 404
    assert client.get("/personview/export/csv?_flt_9_name=x").status_code == 400
