"""Business rules: ID numbers, mobiles, credit codes, region codes, bookings, transfers, reform status."""

from datetime import datetime

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.session_rules import NOT_HAN, pinyin_key
from models import Booking, Department, Facility, Person, Region, Transfer
from models.validation import (
    RecordInvalid,
    check_credit_code,
    check_id_number,
    check_mobile,
    check_region_code,
    mask_id_number,
)
from tests.conftest import api_token, login
from tests.helpers import count, dept, one, snapshot

VALID_ID = "11010519491231002X"


def zh(app, message) -> str:
    """A lazy message in Chinese; also proves the zh catalog translates it."""
    with app.test_request_context(), force_locale("zh"):
        text = str(message)
    with app.test_request_context(), force_locale("en"):
        assert text != str(message), f"untranslated: {message}"
    return text


def html(text: str) -> str:
    return text.replace("'", "&#39;")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (VALID_ID, True),
        ("11010519491231002x", True),  # lower-case check character is accepted
        ("110105194912310021", False),  # wrong check character
        ("110105194902300027", False),  # 30 February
        ("11010519491231002", False),  # 17 characters
        ("51010419760829074X", False),  # 锦江区's code did not exist in 1976
        ("ABCDEFGHIJKLMNOPQR", False),
    ],
)
def test_id_number_rule(app, value, ok):
    with app.app_context():
        assert (check_id_number(value) is None) is ok


def test_id_number_messages_in_both_languages(app):
    with app.test_request_context():
        with force_locale("zh"):
            assert "公民身份号码" in str(check_id_number("110105194912310021"))
        with force_locale("en"):
            assert str(check_id_number("110105194912310021")) == "The ID number's check character is wrong."


@pytest.mark.parametrize(
    ("value", "ok"), [("13912345678", True), ("1391234567", False), ("23912345678", False), ("139-1234-5678", False)]
)
def test_mobile_rule(app, value, ok):
    with app.app_context():
        assert (check_mobile(value) is None) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("91110108551385082Q", True), ("91110108551385082A", False), ("9111010855138508", False), (None, True)],
)
def test_credit_code_rule(app, value, ok):
    with app.app_context():
        assert (check_credit_code(value) is None) is ok


@pytest.mark.parametrize(
    ("code", "level", "parent", "ok"),
    [
        ("510112", "district", None, True),
        ("51011", "district", None, False),
        ("510112003", "township", "510112", True),
        ("510104003", "township", "510112", False),
        ("510112001003", "village", "510112001", True),
        ("5101120010", "village", "510112001", False),
    ],
)
def test_region_code_rule(app, code, level, parent, ok):
    with app.app_context():
        assert (check_region_code(code, level, parent) is None) is ok


def test_masking():
    assert mask_id_number("510104198905050821") == "510104********0821"


def person_form(**overrides) -> dict:
    data = {
        "name": "李强",
        "id_number": VALID_ID,
        "mobile": "13912345678",
        "department": dept("龙泉街道便民服务中心").id,
        "category": "contract",
        "status": "on_duty",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "check"),
    [
        ({"id_number": "110105194912310021"}, "id_number", check_id_number),
        ({"id_number": "110105194902300027"}, "id_number", check_id_number),
        ({"mobile": "1391234567"}, "mobile", check_mobile),
    ],
)
def test_person_form_shows_the_error_and_keeps_the_input(app, client, session, overrides, field, check):
    login(client, "staff")
    before = count(Person)
    response = client.post("/personview/add", data=person_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html(zh(app, check(overrides[field]))) in page
    assert 'value="李强"' in page  # nothing the user typed is lost
    assert count(Person) == before


def test_person_form_error_in_english(client, session):
    login(client, "staff")
    client.get("/lang/en")
    page = client.post("/personview/add", data=person_form(id_number="110105194912310021")).get_data(as_text=True)
    assert (
        "The ID number&#39;s check character is wrong." in page or "The ID number's check character is wrong." in page
    )


def test_duplicate_id_number_among_active_persons_is_refused(app, client, session):
    login(client, "staff")
    existing = one(Person, name="王伟")
    before = count(Person)
    page = client.post("/personview/add", data=person_form(id_number=existing.id_number)).get_data(as_text=True)
    assert zh(app, _l("Another active person already has this ID number.")) in page
    assert count(Person) == before


def test_a_deleted_persons_id_number_may_be_reused(client, session):
    login(client, "admin")
    existing = one(Person, name="李娜")
    assert client.post(f"/personview/delete/{existing.id}").status_code == 302
    response = client.post(
        "/personview/add", data=person_form(id_number=existing.id_number, department=existing.department_id)
    )
    assert response.status_code == 302
    assert db.session.query(Person).filter_by(id_number=existing.id_number, deleted_at=None).count() == 1


def test_gender_must_match_the_id_number(app, client, session):
    login(client, "staff")
    page = client.post("/personview/add", data=person_form(gender="male")).get_data(as_text=True)
    assert zh(app, _l("The gender does not match the ID number.")) in page


def test_valid_person_is_saved_with_pinyin_key(client, session):
    login(client, "staff")
    response = client.post("/personview/add", data=person_form())
    assert response.status_code == 302
    person = one(Person, id_number=VALID_ID)
    assert person.name_pinyin == "liqiang lq"
    assert person.created_by_id is not None and person.version == 1


@pytest.mark.parametrize(
    "text",
    [
        "王伟",
        "测试12",
        "张三 Li",
        "欧阳娜娜",
        "成都市龙泉驿区",
        "A-01室",
        "12345",
        "  空格 ",
        "重庆",
        "银行行长",
        "〇号",
    ],
)
def test_pinyin_key_is_what_lazy_pinyin_gives(text):
    """The cached, segment-by-segment conversion gives pypinyin's own ``lazy_pinyin`` result."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: [NOT_HAN + chunk])
    full = "".join(s.removeprefix(NOT_HAN) for s in syllables).lower()
    initials = "".join(s[1:] if s.startswith(NOT_HAN) else s[:1] for s in syllables).lower()
    assert pinyin_key(text) == f"{full} {initials}".replace("  ", " ")


@pytest.mark.parametrize("term", ["王伟", "wangwei", "ww"])
def test_name_search_accepts_chinese_pinyin_and_initials(client, session, term):
    login(client, "staff")
    page = client.get(f"/personview/list/?_flt_0_name={term}").get_data(as_text=True)
    assert "王伟" in page
    assert "李娜" not in page


def test_change_of_department_writes_a_transfer(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    target = dept("龙泉街道便民服务中心")
    before = count(Transfer)
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": target.id,
        "category": person.category,
        "status": person.status,
        "transfer_reason": "充实街道便民服务力量",
    }
    response = client.post(f"/personview/edit/{person.id}", data={**data, "edit_version": person.version})
    assert response.status_code == 302
    assert count(Transfer) == before + 1
    transfer = db.session.query(Transfer).order_by(Transfer.id.desc()).first()
    assert (transfer.from_department.name, transfer.to_department.name) == ("龙泉驿区政务服务中心", target.name)
    assert transfer.reason == "充实街道便民服务力量"


def test_edit_without_department_change_writes_no_transfer(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    before = count(Transfer)
    data = {
        "name": "王伟",
        "id_number": person.id_number,
        "department": person.department_id,
        "category": person.category,
        "status": person.status,
        "position": "副主任",
    }
    assert (
        client.post(f"/personview/edit/{person.id}", data={**data, "edit_version": person.version}).status_code == 302
    )
    assert count(Transfer) == before
    assert one(Person, name="王伟").position == "副主任"


def test_masked_id_number_for_supervisor_full_for_staff(client, session):
    person = one(Person, name="王伟")
    login(client, "supervisor")
    page = client.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert person.id_number not in page and mask_id_number(person.id_number) in page
    headers = api_token(client, "supervisor")
    assert client.get(f"/api/v1/person/{person.id}", headers=headers).json["result"]["id_number"] == mask_id_number(
        person.id_number
    )
    client.post("/logout/")
    login(client, "staff")
    assert person.id_number in client.get(f"/personview/show/{person.id}").get_data(as_text=True)


def booking_form(facility, department, start, end) -> dict:
    return {"facility": facility.id, "department": department.id, "starts_at": start, "ends_at": end, "purpose": "培训"}


def test_overlapping_booking_is_refused_naming_the_conflict(app, client, session):
    login(client, "admin")
    forum = one(Facility, name="市民讲坛")
    existing = db.session.query(Booking).filter_by(facility_id=forum.id).first()
    start = existing.starts_at.replace(minute=30)
    end = existing.ends_at.replace(minute=30)
    before = count(Booking)
    page = client.post(
        "/bookingview/add",
        data=booking_form(
            forum, dept("龙泉街道便民服务中心"), f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}"
        ),
    ).get_data(as_text=True)
    expected = _l(
        "This time overlaps booking #%(id)s of %(booker)s, %(start)s to %(end)s.",
        id=existing.id,
        booker="龙泉驿区政务服务中心",
        start=f"{existing.starts_at:%Y-%m-%d %H:%M}",
        end=f"{existing.ends_at:%Y-%m-%d %H:%M}",
    )
    assert zh(app, expected) in page
    assert count(Booking) == before


def test_adjacent_booking_is_accepted(client, session):
    login(client, "admin")
    forum = one(Facility, name="市民讲坛")
    existing = db.session.query(Booking).filter_by(facility_id=forum.id).first()
    end = existing.ends_at.replace(hour=existing.ends_at.hour + 1)
    response = client.post(
        "/bookingview/add",
        data=booking_form(
            forum, dept("龙泉街道便民服务中心"), f"{existing.ends_at:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}"
        ),
    )
    assert response.status_code == 302


def test_booking_api_overlap_is_a_clear_422(client, session):
    headers = api_token(client, "admin")
    forum = one(Facility, name="市民讲坛")
    existing = db.session.query(Booking).filter_by(facility_id=forum.id).first()
    response = client.post(
        "/api/v1/booking/",
        json={
            "facility": forum.id,
            "department": dept("龙泉街道便民服务中心").id,
            "starts_at": existing.starts_at.isoformat(),
            "ends_at": existing.ends_at.isoformat(),
            "purpose": "冲突",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert str(existing.id) in str(response.json["message"]["starts_at"])


def test_reform_status_only_for_public_institutions(session):
    government = dept("锦江区民政局")
    government.reform_status = "retained"
    db.session.commit()
    assert snapshot(government)["reform_status"] is None
    institution = Department(name="测试事业单位", kind="institution", parent=government)
    db.session.add(institution)
    with pytest.raises(RecordInvalid) as refused:
        db.session.flush()
    assert "reform_status" in refused.value.errors
    db.session.rollback()


def test_department_credit_code_is_checked(app, client, session):
    login(client, "admin")
    page = client.post(
        "/departmentview/add",
        data={"name": "某单位", "kind": "government", "code": "91110108551385082A", "active": "y"},
    ).get_data(as_text=True)
    assert html(zh(app, check_credit_code("91110108551385082A"))) in page


def test_department_cannot_be_its_own_ancestor(session):
    parent = dept("龙泉驿区政务服务中心")
    child = dept("龙泉街道便民服务中心")
    parent.parent = child
    with pytest.raises(RecordInvalid) as refused:
        db.session.flush()
    assert "parent" in refused.value.errors
    db.session.rollback()


def test_region_code_must_extend_the_parent(client, session):
    login(client, "admin")
    district = one(Region, code="510112")
    before = count(Region)
    page = client.post(
        "/regionview/add", data={"level": "township", "parent": district.id, "code": "510104009", "name": "测试街道"}
    ).get_data(as_text=True)
    assert "510112" in page
    assert count(Region) == before
    ok = client.post(
        "/regionview/add", data={"level": "township", "parent": district.id, "code": "510112009", "name": "测试街道"}
    )
    assert ok.status_code == 302


def test_api_validation_error_is_clear_json(client, session):
    headers = api_token(client, "staff")
    response = client.post(
        "/api/v1/person/",
        json={
            "name": "李强",
            "id_number": "110105194912310021",
            "department": dept("龙泉街道便民服务中心").id,
            "category": "contract",
            "status": "on_duty",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["message"]["id_number"]
    assert "sqlalchemy" not in response.get_data(as_text=True).lower()


def test_department_with_staff_cannot_be_deleted(client, session):
    login(client, "admin")
    center = dept("龙泉驿区政务服务中心")
    client.post(f"/departmentview/delete/{center.id}")
    assert snapshot(center)["deleted_at"] is None


def test_booking_end_after_start(session):
    booking = Booking(
        facility=one(Facility, name="市民讲坛"),
        department=dept("锦江区民政局"),
        starts_at=datetime(2031, 1, 1, 10),
        ends_at=datetime(2031, 1, 1, 9),
        purpose="x",
    )
    db.session.add(booking)
    with pytest.raises(RecordInvalid):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "phone, message",
    [
        ("028-8665 8001", None),
        ("(028) 86658001", None),
        ("13912345678", None),
        ("电话待定", "A phone number has digits, spaces and hyphens only."),
        ("028-8665x8001", "A phone number has digits, spaces and hyphens only."),
        ("1391234", "A mobile number has 11 digits and starts with 1."),
    ],
)
def test_a_social_organizations_phone_is_a_phone_number(app, client, session, phone, message):
    from models import SocialOrganization

    organization = one(SocialOrganization, name="锦江区春熙社区志愿服务协会")
    before = snapshot(organization)["phone"]
    headers = api_token(client, "admin")
    response = client.put(
        f"/api/v1/social_organization/{organization.id}",
        json={"phone": phone, "version": organization.version},
        headers=headers,
    )
    if message is None:
        assert response.status_code == 200, response.json
        assert snapshot(organization)["phone"] == phone
    else:
        assert response.status_code == 422
        assert response.json["message"]["phone"] == [zh(app, _l(message))]
        assert snapshot(organization)["phone"] == before
