"""300+ random mutations across every model and path (UI, bulk action, REST API, CLI): one matching event each."""

import json
import random

from sqlalchemy import select

from app.extensions import db
from models import AuditEvent, Booking, Department, Facility, Person, Region
from models.validation import mask_mobile
from tests.conftest import api_token, login
from tests.helpers import dept

MUTATIONS = 320
MODELS = {"Region": Region, "Department": Department, "Person": Person, "Facility": Facility, "Booking": Booking}
VIEWS = {
    "Region": "regionview",
    "Department": "departmentview",
    "Person": "personview",
    "Facility": "facilityview",
    "Booking": "bookingview",
}
APIS = {
    "Region": "region",
    "Department": "department",
    "Person": "person",
    "Facility": "facility",
    "Booking": "booking",
}
#: one editable text field per model, and for persons the masked mobile as well
FIELDS = {
    "Region": ["name_en"],
    "Department": ["head"],
    "Person": ["position", "mobile"],
    "Facility": ["opening_hours"],
    "Booking": ["purpose"],
}


def edit_form(kind: str, item) -> dict:
    if kind == "Region":
        data = {"level": item.level, "code": item.code, "name": item.name, "parent": item.parent_id or ""}
    elif kind == "Department":
        data = {
            "name": item.name,
            "kind": item.kind,
            "region": item.region_id or "",
            "parent": item.parent_id or "",
            "reform_status": item.reform_status or "",
            "active": "y" if item.active else "",
        }
    elif kind == "Person":
        data = {
            "name": item.name,
            "id_number": item.id_number,
            "department": item.department_id,
            "category": item.category,
            "status": item.status,
            "mobile": item.mobile or "",
        }
    elif kind == "Facility":
        data = {
            "name": item.name,
            "kind": item.kind,
            "managing_department": item.managing_department_id,
            "status": item.status,
            "region": item.region_id or "",
        }
    else:
        data = {
            "facility": item.facility_id,
            "department": item.department_id or "",
            "social_organization": item.social_organization_id or "",
            "starts_at": f"{item.starts_at:%Y-%m-%d %H:%M:%S}",
            "ends_at": f"{item.ends_at:%Y-%m-%d %H:%M:%S}",
            "purpose": item.purpose,
        }
    data["edit_version"] = item.version
    return {k: v for k, v in data.items() if v != ""}


def new_value(field: str, rng: random.Random) -> str:
    if field == "mobile":
        return f"139{rng.randrange(10**8):08d}"
    return f"值{rng.randrange(10**6)}"


def expected_shown(field: str, value):
    return mask_mobile(value) if field == "mobile" and value else value


class Ledger:
    """Counts events since the last check."""

    def __init__(self):
        self.last = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))

    def new_events(self) -> list[AuditEvent]:
        db.session.expire_all()
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > self.last).order_by(AuditEvent.id)))
        if events:
            self.last = events[-1].id
        return events


def live(kind: str, rng: random.Random):
    model = MODELS[kind]
    db.session.expire_all()
    rows = list(db.session.scalars(select(model).where(model.deleted_at.is_(None)).order_by(model.id)))
    return rng.choice(rows)


def create_person(rng: random.Random):
    """A fresh, valid person in a Jinjiang department (admin scope)."""
    from app.services.demo_data import make_id_number

    serial = f"{rng.randrange(100):02d}"
    birth = f"19{rng.randrange(70, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}"
    return {
        "name": f"测试{rng.randrange(10**6)}",
        "id_number": make_id_number("110105", birth, serial, "female"),
        "department": dept("锦江区民政局").id,
        "category": "volunteer",
        "status": "on_duty",
    }


def test_every_mutation_writes_one_matching_event(app, client, session):
    rng = random.Random(2026)
    login(client, "admin")
    headers = api_token(client, "admin")
    runner = app.test_cli_runner()
    ledger = Ledger()
    checked = {
        "ui_edit": 0,
        "api_edit": 0,
        "ui_add": 0,
        "api_add": 0,
        "ui_delete": 0,
        "action_delete": 0,
        "api_delete": 0,
        "cli_restore": 0,
    }
    deleted: list[tuple[str, int]] = []
    while sum(checked.values()) < MUTATIONS:
        path = rng.choice(
            [
                "ui_edit",
                "ui_edit",
                "api_edit",
                "api_edit",
                "ui_add",
                "api_add",
                "ui_delete",
                "action_delete",
                "api_delete",
                "cli_restore",
            ]
        )
        if path in ("ui_edit", "api_edit"):
            kind = rng.choice(list(MODELS))
            item = live(kind, rng)
            field = rng.choice(FIELDS[kind])
            old, value = getattr(item, field), new_value(field, rng)
            if path == "ui_edit":
                data = {**edit_form(kind, item), field: value}
                response = client.post(f"/{VIEWS[kind]}/edit/{item.id}", data=data)
                assert response.status_code == 302, (kind, response.get_data(as_text=True)[-1500:])
            else:
                body = {field: value, "version": item.version}
                response = client.put(f"/api/v1/{APIS[kind]}/{item.id}", json=body, headers=headers)
                assert response.status_code == 200, response.json
            [event] = ledger.new_events()
            assert (event.action, event.entity_type, event.entity_id) == ("update", kind, str(item.id))
            changes = json.loads(event.changes)
            assert changes[field] == {"old": expected_shown(field, old), "new": expected_shown(field, value)}
            if field == "mobile":
                assert value not in event.changes
        elif path in ("ui_add", "api_add"):
            data = create_person(rng)
            if path == "ui_add":
                response = client.post("/personview/add", data=data)
                assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
            else:
                response = client.post("/api/v1/person/", json=data, headers=headers)
                assert response.status_code == 201, response.json
            [event] = ledger.new_events()
            assert (event.action, event.entity_type) == ("create", "Person")
            changes = json.loads(event.changes)
            assert changes["name"]["new"] == data["name"]
            assert data["id_number"] not in event.changes  # masked
        elif path in ("ui_delete", "action_delete", "api_delete"):
            people = list(
                db.session.scalars(select(Person).where(Person.deleted_at.is_(None), Person.name.like("测试%")))
            )
            if not people:
                continue
            victims = rng.sample(people, k=min(len(people), 2 if path == "action_delete" else 1))
            if path == "ui_delete":
                assert client.post(f"/personview/delete/{victims[0].id}").status_code == 302
            elif path == "action_delete":
                rowids = [str(v.id) for v in victims]
                assert (
                    client.post("/personview/action_post", data={"action": "muldelete", "rowid": rowids}).status_code
                    == 302
                )
            else:
                assert client.delete(f"/api/v1/person/{victims[0].id}", headers=headers).status_code == 200
            events = ledger.new_events()
            assert sorted((e.action, e.entity_id) for e in events) == sorted(("delete", str(v.id)) for v in victims)
            deleted += [("Person", v.id) for v in victims]
        else:
            if not deleted:
                continue
            kind, pk = deleted.pop(rng.randrange(len(deleted)))
            result = runner.invoke(args=["recycle-bin", "restore", kind, str(pk)])
            assert result.exit_code == 0, result.output
            [event] = ledger.new_events()
            assert (event.action, event.entity_id, event.actor_name) == ("restore", str(pk), "system")
        checked[path] += 1
    assert all(checked.values()), checked
