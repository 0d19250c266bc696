"""The audit log: what is recorded, masking, same-transaction writes, append-only, tamper evidence."""

import json

import pytest
from sqlalchemy import select, text

from app import audit
from app.audit import AuditWriteRefused, verify_chain
from app.extensions import db
from models import AuditEvent, Person
from models.validation import mask_id_number, mask_mobile
from tests.conftest import api_token, login
from tests.helpers import count, dept, one


def events_after(event_id: int, **criteria) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.id > event_id).filter_by(**criteria).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def last_event_id() -> int:
    return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def changes(event: AuditEvent) -> dict:
    return json.loads(event.changes)


def test_a_change_of_department_answers_who_when_where_and_what_before(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    start = last_event_id()
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": dept("龙泉街道便民服务中心").id,
        "category": person.category,
        "status": person.status,
    }
    response = client.post(
        f"/personview/edit/{person.id}",
        data={**data, "edit_version": person.version},
        headers={"User-Agent": "pytest-browser"},
    )
    assert response.status_code == 302
    [event] = events_after(start, entity_type="Person", action="update")
    assert event.entity_id == str(person.id)
    assert event.actor_name == "staff" and event.actor_roles == "DeptStaff"
    assert event.ip == "127.0.0.1" and event.user_agent == "pytest-browser" and event.request_id
    diff = changes(event)
    assert diff["department_id"]["old"] == dept("龙泉驿区政务服务中心").id
    assert diff["department"] == {"old": "龙泉驿区政务服务中心", "new": "龙泉街道便民服务中心"}
    assert [e.action for e in events_after(start, entity_type="Transfer")] == ["create"]


def test_id_numbers_and_mobiles_are_masked_in_the_log(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    old_mobile = person.mobile
    start = last_event_id()
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": person.department_id,
        "category": person.category,
        "status": person.status,
        "mobile": "13800001111",
    }
    assert (
        client.post(f"/personview/edit/{person.id}", data={**data, "edit_version": person.version}).status_code == 302
    )
    [event] = events_after(start, entity_type="Person")
    assert changes(event)["mobile"] == {"old": mask_mobile(old_mobile), "new": "138****1111"}
    assert "13800001111" not in event.changes
    start = last_event_id()
    response = client.post(
        "/personview/add",
        data={
            "name": "李强",
            "id_number": "11010519491231002X",
            "department": person.department_id,
            "category": "contract",
            "status": "on_duty",
        },
    )
    assert response.status_code == 302
    [created] = events_after(start, entity_type="Person", action="create")
    assert changes(created)["id_number"]["new"] == mask_id_number("11010519491231002X")
    assert "11010519491231002X" not in created.changes


def test_a_password_change_is_recorded_without_its_value(client, session):
    from app.extensions import appbuilder

    start = last_event_id()
    user = appbuilder.sm.find_user(username="staff")
    appbuilder.sm.reset_password(user.id, "another-Pass-2026")
    [event] = events_after(start, entity_type="User")
    assert changes(event)["password"] == {"changed": True}
    assert "pbkdf2" not in event.changes and "scrypt" not in event.changes


def test_logins_failed_logins_and_logouts_are_recorded(client, session):
    start = last_event_id()
    client.post("/login/", data={"username": "nobody", "password": "wrong-password-123"})
    client.post("/login/", data={"username": "staff", "password": "wrong-password-123"})
    login(client, "staff")
    client.post("/logout/")
    api_token(client, "supervisor")
    events = events_after(start)
    summary = [(e.action, e.actor_name) for e in events]
    assert ("login_failed", "nobody") in summary
    assert ("login_failed", "staff") in summary
    assert summary.count(("login", "staff")) == 1
    assert ("logout", "staff") in summary
    assert ("login", "supervisor") in summary
    assert changes(next(e for e in events if e.actor_name == "nobody"))["username"] == "nobody"


def test_role_and_permission_changes_are_recorded(as_admin, session):
    from app.extensions import appbuilder

    start = last_event_id()
    staff = appbuilder.sm.find_user(username="staff")
    supervisor_role = appbuilder.sm.find_role("Supervisor")
    staff.roles.append(supervisor_role)
    db.session.commit()
    [event] = events_after(start, entity_type="User")
    assert event.action == "permission_change"
    assert changes(event)["roles"] == {"added": ["Supervisor"], "removed": []}


def test_soft_delete_is_a_delete_event(as_admin, session):
    person = one(Person, name="李娜")
    start = last_event_id()
    assert as_admin.post(f"/personview/delete/{person.id}").status_code == 302
    [event] = events_after(start, entity_type="Person")
    assert event.action == "delete" and event.actor_name == "admin"


def test_a_refused_change_leaves_no_event(client, session):
    login(client, "staff")
    start = last_event_id()
    client.post("/personview/add", data={"name": "甲", "id_number": "110105194912310021", "category": "contract"})
    assert events_after(start) == []


def test_a_failing_audit_write_makes_the_change_fail(client, session, monkeypatch):
    login(client, "admin")
    before = count(Person)

    def broken(connection, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "append_events", broken)
    with pytest.raises(RuntimeError):
        client.post(
            "/personview/add",
            data={
                "name": "李强",
                "id_number": "11010519491231002X",
                "department": dept("锦江区民政局").id,
                "category": "contract",
                "status": "on_duty",
            },
        )
    db.session.rollback()
    assert count(Person) == before


def test_a_failure_between_change_and_commit_leaves_neither(session, monkeypatch):
    before_events, before_people = last_event_id(), count(Person)
    person = Person(name="丙", id_number="11010519491231002X", department=dept("锦江区民政局"), category="contract")
    db.session.add(person)
    db.session.flush()  # the change and its event are written in the transaction …
    assert events_after(before_events, entity_type="Person", action="create")
    db.session.rollback()  # … and both vanish when it fails before the commit
    assert count(Person) == before_people
    assert events_after(before_events) == []


def test_the_orm_refuses_to_change_or_delete_events(session):
    event = db.session.scalars(select(AuditEvent).limit(1)).one()
    event.action = "forged"
    with pytest.raises(AuditWriteRefused):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalars(select(AuditEvent).limit(1)).one()
    db.session.delete(event)
    with pytest.raises(AuditWriteRefused):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditWriteRefused):
        db.session.query(AuditEvent).filter(AuditEvent.id == 1).delete()
    db.session.rollback()


def test_the_database_refuses_raw_updates_and_deletes(session):
    connection = db.session.connection()
    for statement in ("UPDATE audit_event SET action = 'forged' WHERE id = 1", "DELETE FROM audit_event WHERE id = 1"):
        savepoint = connection.begin_nested()
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text(statement))
        savepoint.rollback()


def run(connection, statement: str, **params) -> None:
    connection.execute(text(statement), params)


def _drop_guards(connection) -> None:
    """What an attacker with database rights would do first."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    else:
        connection.execute(text("DROP TRIGGER audit_event_no_update"))
        connection.execute(text("DROP TRIGGER audit_event_no_delete"))


def _tamper_fixture(as_admin):
    """A few fresh events to tamper with."""
    for name in ("甲", "乙", "丙"):
        as_admin.post(
            "/regionview/add", data={"level": "district", "code": f"5199{len(name)}{ord(name) % 100:02d}", "name": name}
        )
    return db.session.connection()


def test_an_intact_chain_verifies(as_admin, session):
    connection = _tamper_fixture(as_admin)
    ok, message, checked = verify_chain(connection)
    assert ok, message
    assert checked > 100


@pytest.mark.parametrize("attack", ["edit", "delete", "reorder", "insert"])
def test_tampering_is_detected_and_names_the_first_bad_event(as_admin, session, attack):
    connection = _tamper_fixture(as_admin)
    _drop_guards(connection)
    ids = list(connection.execute(text("SELECT id FROM audit_event ORDER BY id DESC LIMIT 3")).scalars())
    victim = ids[1]
    if attack == "edit":
        run(connection, "UPDATE audit_event SET actor_name = 'someone_else' WHERE id = :a", a=victim)
        expected = f"#{victim}"
    elif attack == "delete":
        run(connection, "DELETE FROM audit_event WHERE id = :a", a=victim)
        expected = f"#{ids[0]}"
    elif attack == "reorder":
        run(connection, "UPDATE audit_event SET id = -1 WHERE id = :a", a=ids[1])
        run(connection, "UPDATE audit_event SET id = :a WHERE id = :b", a=ids[1], b=ids[2])
        run(connection, "UPDATE audit_event SET id = :a WHERE id = -1", a=ids[2])
        expected = f"#{ids[2]}"
    else:
        forged = connection.execute(select(AuditEvent.__table__).where(AuditEvent.id == victim)).mappings().one()
        values = {**forged, "id": victim + 1000, "hash": "f" * 64, "action": "delete"}
        connection.execute(AuditEvent.__table__.insert().values(**values))
        expected = f"#{victim + 1000}"
    ok, message, _checked = verify_chain(connection)
    assert not ok
    assert message.startswith(f"event {expected}:"), message


def test_truncating_the_tail_is_detected_against_the_recorded_head(as_admin, session):
    connection = _tamper_fixture(as_admin)
    head = connection.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).scalar()
    _drop_guards(connection)
    connection.execute(text("DELETE FROM audit_event WHERE id = (SELECT MAX(id) FROM audit_event)"))
    connection.execute(
        text("UPDATE audit_chain_head SET last_hash = (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1)")
    )
    ok, _message, _ = verify_chain(connection)
    assert ok  # without a recorded head, a cleanly cut tail looks whole …
    ok, message, _ = verify_chain(connection, expect_head=head)
    assert not ok and "expected head" in message  # … the head recorded earlier proves it was cut


def test_audit_verify_command(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")
    result = runner.invoke(args=["audit", "verify", "--expect-head", "0" * 64])
    assert result.exit_code == 1
    assert "TAMPERED" in result.output


def test_security_changes_from_the_cli_are_recorded_as_system(app, session):
    start = last_event_id()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fab", "reset-password", "--username", "staff", "--password", "cli-Pass-2026-x"])
    assert result.exit_code == 0, result.output
    [event] = events_after(start, entity_type="User")
    assert (event.action, event.actor_name) == ("update", "system")
    assert changes(event)["password"] == {"changed": True}


def test_role_screen_changes_are_permission_changes(as_admin, session):
    from app.extensions import appbuilder

    role = appbuilder.sm.find_role("Supervisor")
    keep = [str(pv.id) for pv in role.permissions][1:]
    start = last_event_id()
    response = as_admin.post(f"/roles/edit/{role.id}", data={"name": "Supervisor", "permissions": keep})
    assert response.status_code == 302
    [event] = events_after(start, entity_type="Role")
    assert event.action == "permission_change" and event.actor_name == "admin"
    assert len(changes(event)["permissions"]["removed"]) == 1


def test_the_client_ip_ignores_forged_forwarding_headers_without_a_proxy(client, session):
    start = last_event_id()
    client.post("/login/", data={"username": "nobody", "password": "x" * 12}, headers={"X-Forwarded-For": "6.6.6.6"})
    [event] = events_after(start)
    assert event.ip == "127.0.0.1"


def test_a_configured_proxy_count_takes_the_forwarded_client_ip():
    from flask import Flask, request

    from app import init_proxy

    probe = Flask("probe")
    probe.config["PROXY_COUNT"] = 1
    init_proxy(probe)
    probe.add_url_rule("/ip", "ip", lambda: request.remote_addr)
    answer = probe.test_client().get("/ip", headers={"X-Forwarded-For": "10.1.2.3"})
    assert answer.get_data(as_text=True) == "10.1.2.3"


def test_an_event_hash_is_that_of_its_canonical_json():
    """Chains written before are still verified: the hash is SHA-256 of the sorted, compact JSON
    of the hashed fields, with times in ISO form and Chinese text as it is."""
    import hashlib
    from datetime import datetime

    record = {
        "id": 7,
        "occurred_at": datetime(2026, 12, 3, 8, 30, 5, 123456),
        "actor_name": "王伟",
        "action": "update",
        "entity_type": "Person",
        "entity_id": "42",
        "entity_label": "李娜 (龙泉街道)",
        "changes": json.dumps({"position": {"new": "主任", "old": None}}, ensure_ascii=False, sort_keys=True),
        "prev_hash": "0" * 64,
    }
    canonical = {field: record.get(field) for field in audit.HASHED_FIELDS}
    canonical["occurred_at"] = "2026-12-03T08:30:05.123456"
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert audit.event_hash(record) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert '"actor_name":"王伟"' in text  # the form the hash covers: compact, not ASCII-escaped


def test_an_edit_of_bookkeeping_columns_only_leaves_no_event(session):
    """A flush that touches only columns the log ignores (the last change's time) writes no event."""
    from datetime import datetime

    person = one(Person, name="王伟")
    start = last_event_id()
    person.updated_at = datetime(2026, 1, 2, 3, 4, 5)
    session.commit()
    assert events_after(start) == []
    person.position = "窗口负责人"
    session.commit()
    (event,) = events_after(start)
    assert event.action == "update" and set(changes(event)) == {"position", "version"}
