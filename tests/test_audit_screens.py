"""Supervisors review the audit log: list, filters, diffs, per-record history, export; nobody edits it."""

import csv
import io
import json
import re

import pytest
from flask_appbuilder.security.sqla.models import Role
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from models import AuditEvent, Person
from tests.conftest import login
from tests.helpers import dept, one


def move_wang_wei(client):
    login(client, "staff")
    person = one(Person, name="王伟")
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": dept("龙泉街道便民服务中心").id,
        "category": person.category,
        "status": person.status,
        "position": '=HYPERLINK("http://x")',
    }
    assert (
        client.post(f"/personview/edit/{person.id}", data={**data, "edit_version": person.version}).status_code == 302
    )
    client.post("/logout/")
    return person


def test_supervisor_sees_who_changed_a_persons_department(client, session):
    person = move_wang_wei(client)
    login(client, "supervisor")
    listing = client.get(f"/auditeventview/list/?_flt_0_entity_type=Person&_flt_0_entity_id={person.id}")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "staff" in page and "更新" in page
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "Person", AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()
    shown = client.get(f"/auditeventview/show/{event.id}").get_data(as_text=True)
    assert "龙泉驿区政务服务中心" in shown and "龙泉街道便民服务中心" in shown
    assert "127.0.0.1" in shown


def test_history_tab_on_the_record_page(client, session):
    person = move_wang_wei(client)
    login(client, "supervisor")
    page = client.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert 'href="#History"' in page
    history = page[page.index('id="History"') :]
    assert "龙泉街道便民服务中心" in history
    assert "中共党员" in history and "cpc_member" not in history  # coded values shown by their labels


def test_deptstaff_has_no_history_tab_and_no_audit_screens(client, session):
    login(client, "staff")
    person = one(Person, name="王伟")
    assert 'href="#History"' not in client.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert client.get("/auditeventview/list/").status_code == 403
    assert client.get("/auditeventview/export/csv").status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_filtered_formula_safe_and_audited(client, session, fmt):
    move_wang_wei(client)
    login(client, "supervisor")
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = client.get(f"/auditeventview/export/{fmt}?_flt_0_entity_type=Person")
    assert response.status_code == 200
    if fmt == "csv":
        values = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        values = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    header, rows = values[0], values[1:]
    assert header[:3] == ["事件编号", "时间（UTC）", "操作人"]
    type_column = header.index("记录类型")
    assert rows and {row[type_column] for row in rows} == {"Person"}
    assert any("HYPERLINK" in cell for row in rows for cell in row)  # the hostile value is exported …
    assert not any(str(cell).startswith(("=", "+", "-", "@")) for row in rows for cell in row)  # … but inert
    db.session.expire_all()
    exported = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [e.action for e in exported] == ["export"]
    assert exported[0].actor_name == "supervisor"


def test_nobody_edits_or_deletes_events_in_the_ui(client, session):
    login(client, "admin")
    event_id = db.session.scalar(select(AuditEvent.id).limit(1))
    for method, url in (
        ("get", f"/auditeventview/edit/{event_id}"),
        ("post", f"/auditeventview/delete/{event_id}"),
        ("get", "/auditeventview/add"),
    ):
        assert getattr(client, method)(url).status_code in (403, 404, 405)
    assert db.session.get(AuditEvent, event_id) is not None


def test_deleted_records_keep_their_history(client, session):
    login(client, "admin")
    person = one(Person, name="李娜")
    client.post(f"/personview/delete/{person.id}")
    client.post("/logout/")
    login(client, "supervisor")
    page = client.get(f"/auditeventview/list/?_flt_0_entity_type=Person&_flt_0_entity_id={person.id}").get_data(
        as_text=True
    )
    assert "删除" in page and "admin" in page


def test_every_audited_record_type_is_named_in_both_languages(app):
    from flask_appbuilder import Model
    from flask_babel import force_locale

    from app.audit import SECURITY_MODELS, entity_type_of
    from models.mixins import RecordMixin
    from views.audit import ENTITY_TYPES

    audited = {m.class_.__name__ for m in Model.registry.mappers if issubclass(m.class_, RecordMixin)}
    audited |= {entity_type_of(model.__new__(model)) for model in SECURITY_MODELS}
    with app.test_request_context():
        for name in sorted(audited):
            assert name in ENTITY_TYPES, f"{name} has no label on the audit screens"
            with force_locale("zh"):
                chinese = ENTITY_TYPES.label(name)
            with force_locale("en"):
                english = ENTITY_TYPES.label(name)
            assert chinese != english and chinese != name, f"{name} is not translated"


def test_a_social_organizations_events_are_filtered_and_named_in_chinese(client, session):
    from models import SocialOrganization

    organization = one(SocialOrganization, name="锦江区慈善救助服务社")
    login(client, "admin")
    assert client.post(f"/socialorganizationview/delete/{organization.id}").status_code == 302
    client.post("/logout/")
    login(client, "supervisor")
    page = client.get(
        f"/auditeventview/list/?_flt_0_entity_type=SocialOrganization&_flt_0_entity_id={organization.id}"
    ).get_data(as_text=True)
    assert "锦江区慈善救助服务社" in page and "社会组织" in page
    assert "SocialOrganization</td>" not in page
    # the "Record type" filter offers it (its widget is drawn by a script, from JSON)
    option = json.dumps('<option value="SocialOrganization">社会组织</option>')[1:-1]
    assert option.replace("<", "\\u003c").replace(">", "\\u003e") in page


def _recorded_keys(model) -> set:
    """Every key an event of ``model`` can hold: its recorded columns, and the relations
    (many-to-one, many-to-many) whose changes are recorded."""
    from sqlalchemy import inspect

    from app.audit import IGNORED_COLUMNS, recorded_columns

    keys = set(recorded_columns(model))
    for rel in inspect(model).relationships:
        if rel.secondary is not None or not rel.uselist:
            keys.add(rel.key)
    return keys - IGNORED_COLUMNS


def test_every_field_an_event_records_is_labelled_in_chinese(app):
    from flask_appbuilder import Model
    from flask_babel import force_locale

    from app.audit import SECURITY_MODELS, entity_type_of_model
    from models.mixins import RecordMixin
    from views.audit import field_label, field_labels

    audited = [m.class_ for m in Model.registry.mappers if issubclass(m.class_, (RecordMixin, *SECURITY_MODELS))]
    unlabelled = []
    with app.test_request_context(), force_locale("zh"):
        for model in audited:
            entity_type = entity_type_of_model(model)
            labels, _choices = field_labels(entity_type)
            for key in sorted(_recorded_keys(model)):
                if field_label(labels, key).isascii():
                    unlabelled.append(f"{entity_type}.{key}: {field_label(labels, key)}")
    assert unlabelled == []


def test_a_users_event_names_its_fields_and_a_scopes_event_its_scope_in_chinese(client, session):
    login(client, "admin")
    page = client.get("/auditeventview/list/?_flt_0_entity_type=User").get_data(as_text=True)
    event_id = re.search(r"/auditeventview/show/(\d+)", page).group(1)
    shown = client.get(f"/auditeventview/show/{event_id}").get_data(as_text=True)
    table = shown[shown.rindex("<table") :]
    assert "first_name" not in table and "username" not in table
    page = client.get("/auditeventview/list/?_flt_0_entity_type=RoleDataScope").get_data(as_text=True)
    event_id = re.search(r"/auditeventview/show/(\d+)", page).group(1)
    table = client.get(f"/auditeventview/show/{event_id}").get_data(as_text=True)
    table = table[table.rindex("<table") :]
    assert "数据范围" in table and "role_id" not in table


def test_the_built_in_data_scopes_are_logged_with_their_role(client, session):
    labels = db.session.scalars(select(AuditEvent.entity_label).where(AuditEvent.entity_type == "RoleDataScope")).all()
    assert labels and not [label for label in labels if label.startswith("None")]
    assert {"Admin: all", "Supervisor: all", "DeptStaff: dept_and_below"} <= set(labels)


def test_an_events_stored_changes_are_folded_under_the_readable_table(client, session):
    """The stored JSON (field keys, codes) is what the hash covers; on the page it sits folded away,
    verbatim, and the reader sees the labelled table."""
    from markupsafe import escape

    person = move_wang_wei(client)
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "Person", AuditEvent.entity_id == str(person.id))
        .order_by(AuditEvent.id.desc())
    ).first()
    login(client, "supervisor")
    shown = client.get(f"/auditeventview/show/{event.id}").get_data(as_text=True)
    folded = re.search(
        r'<details class="stored-changes"><summary>(.*?)</summary><pre>(.*?)</pre></details>', shown, re.S
    )
    assert folded is not None
    assert folded.group(1) == "存储并计入哈希的原文"
    assert folded.group(2) == str(escape(event.changes))
    assert '"department_id"' not in shown.replace(folded.group(0), "")  # raw keys only inside the fold
    assert "部门/单位" in shown


def test_a_resolutions_status_and_a_users_roles_read_as_words_in_the_event(client, session):
    """Resolutions have no register screen and users have Flask-AppBuilder's: their events still
    name the status (未开始, not ``open``) and the roles (监督员（Supervisor）, not ``Supervisor``)."""
    from models import PlatformUser, Resolution
    from views.audit import readable_diff

    login(client, "admin")
    resolution = db.session.scalars(select(Resolution).order_by(Resolution.id)).first()
    created = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "Resolution",
            AuditEvent.entity_id == str(resolution.id),
            AuditEvent.action == "create",
        )
    ).one()
    table = client.get(f"/auditeventview/show/{created.id}").get_data(as_text=True)
    table = table[table.rindex("<table") :]
    assert "<td>未开始</td>" in table and ">open<" not in table
    staff = db.session.query(PlatformUser).filter_by(username="staff").one()
    data = {
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "username": staff.username,
        "email": staff.email,
        "active": "y",
        "department": staff.department_id,
        "roles": [str(r.id) for r in staff.roles] + [str(one(Role, name=name).id) for name in ("Supervisor", "Admin")],
    }
    assert client.post(f"/users/edit/{staff.id}", data=data).status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "User").order_by(AuditEvent.id.desc())
    ).first()
    table = client.get(f"/auditeventview/show/{event.id}").get_data(as_text=True)
    assert "新增： 系统管理员（Admin）、监督员（Supervisor）" in table[table.rindex("<table") :]
    with client.application.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            rows = {row["field"]: row for row in readable_diff(event)}
    assert rows["Role"]["added"] == "System administrator (Admin), Supervisor (Supervisor)"
