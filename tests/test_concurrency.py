"""Racing edits in separate requests: exactly one wins, the other is told, nothing is lost; the chain stays valid.

These tests commit for real (threads can't share the rolled-back test transaction), on records of
their own in a district of their own, so the demo data other tests rely on is untouched.
"""

import threading
from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.audit import verify_chain
from app.extensions import db
from models import Booking, Department, Facility, Person, Region
from tests.conftest import DEMO_PASSWORD, api_token
from views.base import STALE_MESSAGE

PAIRS = 50


@pytest.fixture(scope="module")
def records(app):
    """A region, department, person, facility and booking that only these tests touch."""
    with app.app_context():
        region = db.session.scalars(select(Region).where(Region.code == "519901")).first()
        if region is None:
            region = Region(code="519901", name="并发测试区", level="district")
            department = Department(name="并发测试局", kind="government", region=region)
            person = Person(
                name="并发",
                id_number="11010519800101771X",
                department=department,
                category="contract",
                status="on_duty",
            )
            facility = Facility(
                name="并发测试室", kind="activity_room", managing_department=department, status="running"
            )
            start = datetime(2031, 1, 6, 9)
            booking = Booking(
                facility=facility,
                department=department,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                purpose="x",
            )
            db.session.add_all([region, department, person, facility, booking])
            db.session.commit()
        ids = {
            "region": region.id,
            "department": db.session.scalars(select(Department.id).where(Department.name == "并发测试局")).one(),
            "person": db.session.scalars(select(Person.id).where(Person.name == "并发")).one(),
            "facility": db.session.scalars(select(Facility.id).where(Facility.name == "并发测试室")).one(),
        }
        ids["booking"] = db.session.scalars(select(Booking.id).where(Booking.facility_id == ids["facility"])).one()
        db.session.remove()
    return ids


MODELS = {"region": Region, "department": Department, "person": Person, "facility": Facility, "booking": Booking}
VIEWS = {
    "region": "regionview",
    "department": "departmentview",
    "person": "personview",
    "facility": "facilityview",
    "booking": "bookingview",
}
CHANGED_FIELD = {
    "region": "name_en",
    "department": "head",
    "person": "position",
    "facility": "opening_hours",
    "booking": "purpose",
}


def form_data(kind: str, item, value: str) -> dict:
    """A complete edit form for ``item`` with one field changed to ``value``."""
    if kind == "region":
        data = {"level": item.level, "code": item.code, "name": item.name}
    elif kind == "department":
        data = {"name": item.name, "kind": item.kind, "region": item.region_id, "active": "y"}
    elif kind == "person":
        data = {
            "name": item.name,
            "id_number": item.id_number,
            "department": item.department_id,
            "category": item.category,
            "status": item.status,
        }
    elif kind == "facility":
        data = {
            "name": item.name,
            "kind": item.kind,
            "managing_department": item.managing_department_id,
            "status": item.status,
        }
    else:
        data = {
            "facility": item.facility_id,
            "department": item.department_id,
            "starts_at": f"{item.starts_at:%Y-%m-%d %H:%M:%S}",
            "ends_at": f"{item.ends_at:%Y-%m-%d %H:%M:%S}",
        }
    data[CHANGED_FIELD[kind]] = value
    data["edit_version"] = item.version
    return data


def current(app, kind: str, pk: int):
    with app.app_context():
        item = db.session.get(MODELS[kind], pk)
        db.session.expunge(item)
        db.session.remove()
        return item


def signed_in_client(app):
    client = app.test_client()
    response = client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def race(calls):
    """Run the calls at the same moment, each in its own thread; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - surfaced below, in the test's own thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_racing_form_edits(app, records, kind):
    with app.test_request_context(), force_locale("zh"):
        stale_text = str(STALE_MESSAGE)
    clients = [signed_in_client(app), signed_in_client(app)]
    field = CHANGED_FIELD[kind]
    url = f"/{VIEWS[kind]}/edit/{records[kind]}"
    for i in range(PAIRS):
        item = current(app, kind, records[kind])
        values = [f"A{i}", f"B{i}"]
        forms = [form_data(kind, item, value) for value in values]
        responses = race([lambda c=c, f=f: c.post(url, data=f) for c, f in zip(clients, forms, strict=True)])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 302], (kind, i, statuses)
        winner = values[[r.status_code for r in responses].index(302)]
        loser = next(r for r in responses if r.status_code == 200)
        assert stale_text in loser.get_data(as_text=True)
        after = current(app, kind, records[kind])
        assert getattr(after, field) == winner  # the winner's update is kept …
        assert after.version == item.version + 1  # … and it is the only one


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_racing_api_edits(app, records, kind):
    clients = [app.test_client(), app.test_client()]
    headers = [api_token(c, "admin") for c in clients]
    field = CHANGED_FIELD[kind]
    url = f"/api/v1/{kind}/{records[kind]}"
    for i in range(PAIRS):
        item = current(app, kind, records[kind])
        values = [f"A{i}", f"B{i}"]
        responses = race(
            [
                lambda c=c, h=h, body=body: c.put(url, json=body, headers=h)
                for c, h, body in zip(
                    clients, headers, [{field: v, "version": item.version} for v in values], strict=True
                )
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], (kind, i, statuses, [r.json for r in responses])
        winner = values[[r.status_code for r in responses].index(200)]
        after = current(app, kind, records[kind])
        assert getattr(after, field) == winner
        assert after.version == item.version + 1


def test_concurrent_writers_keep_the_chain_valid(app, records):
    with app.app_context():
        ok, message, _checked = verify_chain(db.session.connection())
        db.session.remove()
    assert ok, message
