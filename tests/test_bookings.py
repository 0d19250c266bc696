"""Bookings by departments and by social organizations, and overlaps refused by the database too."""

import re
from datetime import timedelta
from html import escape as html_escape

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from models import AuditEvent, Booking, Facility, SocialOrganization
from tests.conftest import api_token, login
from tests.helpers import count, dept, one, snapshot

ONE_BOOKER = _l("Choose who books: a department or a social organization, not both.")
SAVED_MEANWHILE = _l("This time overlaps another booking of this facility, saved a moment ago. Choose another time.")


def text(app, message, locale: str = "zh") -> str:
    with app.test_request_context(), force_locale(locale):
        return str(message)


def incubator() -> Facility:
    return one(Facility, name="锦江区社会组织孵化基地")


def volunteers() -> SocialOrganization:
    return one(SocialOrganization, name="锦江区春熙社区志愿服务协会")


def free_slot(facility: Facility, hours: int = 2):
    """A slot after every live booking of the facility."""
    last = db.session.scalar(
        select(Booking.ends_at)
        .where(Booking.facility_id == facility.id, Booking.deleted_at.is_(None))
        .order_by(Booking.ends_at.desc())
    )
    start = last + timedelta(days=1)
    return start, start + timedelta(hours=hours)


def form(facility, start, end, department=None, organization=None) -> dict:
    return {
        "facility": facility.id,
        "department": department.id if department else "",
        "social_organization": organization.id if organization else "",
        "starts_at": f"{start:%Y-%m-%d %H:%M:%S}",
        "ends_at": f"{end:%Y-%m-%d %H:%M:%S}",
        "purpose": "志愿者培训",
    }


def book_for_the_volunteers(client):
    """Book a free slot of the incubator for the volunteer association, on the form; its start and end."""
    start, end = free_slot(incubator())
    response = client.post("/bookingview/add", data=form(incubator(), start, end, organization=volunteers()))
    assert response.status_code == 302
    return start, end


def test_a_social_organization_books_a_facility_and_the_list_names_it(app, client, session):
    login(client, "staff_jj")
    start, _end = book_for_the_volunteers(client)
    booking = one(Booking, facility_id=incubator().id, starts_at=start)
    assert (booking.department_id, booking.social_organization_id) == (None, volunteers().id)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.action, event.entity_type, event.entity_id) == ("create", "Booking", str(booking.id))
    page = client.get("/bookingview/list/").get_data(as_text=True)
    row = next(r for r in page.split("<tr")[1:] if f"/bookingview/show/{booking.id}" in r)
    assert "锦江区春熙社区志愿服务协会" in row and "志愿者培训" in row
    assert "预约社会组织" in page and "Booking social organization" not in page
    assert "锦江区春熙社区志愿服务协会" in client.get(f"/bookingview/show/{booking.id}").get_data(as_text=True)


@pytest.mark.parametrize("booker", ["neither", "both"])
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_a_booking_names_exactly_one_booker(app, client, session, booker, locale):
    login(client, "staff_jj")
    client.get(f"/lang/{locale}")
    start, end = free_slot(incubator())
    chosen = {"department": dept("锦江区民政局"), "organization": volunteers()} if booker == "both" else {}
    before = count(Booking)
    page = client.post("/bookingview/add", data=form(incubator(), start, end, **chosen)).get_data(as_text=True)
    assert html_escape(text(app, ONE_BOOKER, locale)) in page
    assert count(Booking) == before


def test_the_api_books_for_a_social_organization_and_refuses_both(app, client, session):
    headers = api_token(client, "staff_jj")
    start, end = free_slot(incubator())
    body = {
        "facility": incubator().id,
        "social_organization": volunteers().id,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "purpose": "项目路演",
    }
    created = client.post("/api/v1/booking/", json=body, headers=headers)
    assert created.status_code == 201, created.json
    shown = client.get(f"/api/v1/booking/{created.json['id']}", headers=headers).json["result"]
    assert shown["social_organization"] == {"id": volunteers().id} and shown["department"] is None
    later = {
        **body,
        "starts_at": (start + timedelta(days=1)).isoformat(),
        "ends_at": (end + timedelta(days=1)).isoformat(),
    }
    refused = client.post("/api/v1/booking/", json={**later, "department": dept("锦江区民政局").id}, headers=headers)
    assert refused.status_code == 422
    assert refused.json["message"]["social_organization"] == [text(app, ONE_BOOKER)]


def test_an_overlap_names_the_social_organization_that_booked(app, client, session):
    login(client, "staff_jj")
    start, end = book_for_the_volunteers(client)
    first = one(Booking, facility_id=incubator().id, starts_at=start)
    later = start + timedelta(hours=1)
    page = client.post(
        "/bookingview/add", data=form(incubator(), later, end + timedelta(hours=1), department=dept("锦江区民政局"))
    ).get_data(as_text=True)
    expected = _l(
        "This time overlaps booking #%(id)s of %(booker)s, %(start)s to %(end)s.",
        id=first.id,
        booker="锦江区春熙社区志愿服务协会",
        start=f"{start:%Y-%m-%d %H:%M}",
        end=f"{end:%Y-%m-%d %H:%M}",
    )
    assert html_escape(text(app, expected)) in page
    assert not db.session.scalars(select(Booking).where(Booking.starts_at == later)).all()


def test_bookings_by_social_organizations_follow_the_supervising_units_scope(client, session):
    booking = db.session.scalars(select(Booking).where(Booking.social_organization_id == volunteers().id)).first()
    assert booking is not None, "the demo data holds bookings by social organizations"
    login(client, "staff_jj")
    assert client.get(f"/bookingview/show/{booking.id}").status_code == 200
    client.post("/logout/")
    login(client, "staff")
    assert client.get(f"/bookingview/show/{booking.id}").status_code == 404
    assert "锦江区春熙社区志愿服务协会" not in client.get("/bookingview/list/").get_data(as_text=True)
    headers = api_token(client, "staff")
    assert client.get(f"/api/v1/booking/{booking.id}", headers=headers).status_code == 404
    start, end = free_slot(incubator())
    before = count(Booking)
    client.post("/bookingview/add", data=form(incubator(), start, end, organization=volunteers()))
    assert count(Booking) == before  # the organization is outside the staff's scope: not offered, not accepted


def _raw_booking(facility, start, end, **booker):
    """Write a booking with plain SQL, skipping the application's checks (as a second request
    racing the first, or a script, would reach the table)."""
    values = {"facility_id": facility.id, "starts_at": start, "ends_at": end, "purpose": "直接写入", **booker}
    values.update(created_at=start, updated_at=start, version=1)
    with db.session.begin_nested():
        db.session.execute(insert(Booking).values(**values))


def test_the_database_refuses_an_overlap_and_a_booking_without_one_booker(session):
    start, end = free_slot(incubator())
    department = dept("锦江区民政局").id
    _raw_booking(incubator(), start, end, department_id=department)
    with pytest.raises(IntegrityError, match="booking_no_overlap"):
        _raw_booking(incubator(), start + timedelta(minutes=30), end, department_id=department)
    with pytest.raises(IntegrityError, match="ck_booking_one_booker"):
        _raw_booking(incubator(), end + timedelta(days=1), end + timedelta(days=1, hours=1))
    with pytest.raises(IntegrityError, match="ck_booking_one_booker"):
        _raw_booking(
            incubator(),
            end + timedelta(days=1),
            end + timedelta(days=1, hours=1),
            department_id=department,
            social_organization_id=volunteers().id,
        )
    _raw_booking(incubator(), end, end + timedelta(hours=1), department_id=department)  # back to back is fine
    _raw_booking(one(Facility, name="市民讲坛"), start, end, department_id=department)  # another facility


def _miss_the_conflict(monkeypatch):
    """The other request commits between this one's check and its write."""
    monkeypatch.setattr(Booking, "first_conflict", lambda self, session, facility_id: None)


def test_a_racing_overlap_is_refused_on_the_form_in_the_users_language(app, client, session, monkeypatch):
    login(client, "staff_jj")
    start, end = book_for_the_volunteers(client)
    _miss_the_conflict(monkeypatch)
    before = count(Booking)
    response = client.post(
        "/bookingview/add",
        data=form(incubator(), start + timedelta(hours=1), end + timedelta(hours=1), department=dept("锦江区民政局")),
    )
    assert response.status_code == 200
    assert html_escape(text(app, SAVED_MEANWHILE)) in response.get_data(as_text=True)
    assert count(Booking) == before


def test_a_racing_overlap_is_a_422_on_the_api(app, client, session, monkeypatch):
    headers = api_token(client, "staff_jj")
    existing = db.session.scalars(select(Booking).where(Booking.social_organization_id == volunteers().id)).first()
    _miss_the_conflict(monkeypatch)
    before = count(Booking)
    response = client.post(
        "/api/v1/booking/?_l_=en",
        json={
            "facility": existing.facility_id,
            "department": dept("锦江区民政局").id,
            "starts_at": existing.starts_at.isoformat(),
            "ends_at": existing.ends_at.isoformat(),
            "purpose": "冲突",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["message"]["starts_at"] == [text(app, SAVED_MEANWHILE, "en")]
    assert count(Booking) == before


def test_a_restore_that_would_overlap_is_refused(app, client, session, monkeypatch):
    login(client, "staff_jj")
    start, end = book_for_the_volunteers(client)
    first = one(Booking, facility_id=incubator().id, starts_at=start)
    assert client.post(f"/bookingview/delete/{first.id}").status_code == 302
    data = form(incubator(), start, end, department=dept("锦江区民政局"))
    assert client.post("/bookingview/add", data=data).status_code == 302
    _miss_the_conflict(monkeypatch)
    page = client.post(f"/recyclebin/restore/Booking/{first.id}", follow_redirects=True).get_data(as_text=True)
    assert html_escape(text(app, SAVED_MEANWHILE)) in page
    assert snapshot(first)["deleted_at"] is not None


def test_the_bookings_of_one_social_organization_are_found_on_the_screen_and_the_api(client, session):
    login(client, "staff_jj")
    theirs = db.session.scalars(
        select(Booking.id).where(Booking.social_organization_id == volunteers().id, Booking.deleted_at.is_(None))
    ).all()
    assert theirs
    page = client.get(f"/bookingview/list/?_flt_0_social_organization={volunteers().id}").get_data(as_text=True)
    listed = {int(pk) for pk in re.findall(r"/bookingview/show/(\d+)", page)}
    assert listed == set(theirs)
    headers = api_token(client, "staff_jj")
    query = f"(filters:!((col:social_organization,opr:rel_o_m,value:{volunteers().id})))"
    answer = client.get(f"/api/v1/booking/?q={query}", headers=headers).json
    assert {row["id"] for row in answer["result"]} == set(theirs)


@pytest.mark.parametrize("to", ["organization", "department"])
def test_a_booking_changes_hands_between_a_department_and_an_organization(client, session, to):
    login(client, "staff_jj")
    start, end = free_slot(incubator())
    bureau = dept("锦江区民政局")
    first = {"department": bureau} if to == "organization" else {"organization": volunteers()}
    assert client.post("/bookingview/add", data=form(incubator(), start, end, **first)).status_code == 302
    booking = one(Booking, facility_id=incubator().id, starts_at=start)
    then = {"organization": volunteers()} if to == "organization" else {"department": bureau}
    data = {**form(incubator(), start, end, **then), "edit_version": booking.version}
    response = client.post(f"/bookingview/edit/{booking.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    row = snapshot(booking)
    expected = (None, volunteers().id) if to == "organization" else (bureau.id, None)
    assert (row["department_id"], row["social_organization_id"]) == expected


def test_the_api_hands_a_booking_to_an_organization(client, session):
    headers = api_token(client, "staff_jj")
    start, end = free_slot(incubator())
    body = {"facility": incubator().id, "department": dept("锦江区民政局").id, "purpose": "交接"}
    body.update(starts_at=start.isoformat(), ends_at=end.isoformat())
    created = client.post("/api/v1/booking/", json=body, headers=headers)
    assert created.status_code == 201, created.json
    change = {"department": None, "social_organization": volunteers().id, "version": 1}
    response = client.put(f"/api/v1/booking/{created.json['id']}", json=change, headers=headers)
    assert response.status_code == 200, response.json
    row = snapshot(one(Booking, id=created.json["id"]))
    assert (row["department_id"], row["social_organization_id"]) == (None, volunteers().id)
