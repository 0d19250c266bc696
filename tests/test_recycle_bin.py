"""Soft delete and the recycle bin: invisible everywhere, restorable in scope, purged only by an Admin."""

from html import escape as html_escape

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from models import AuditEvent, Person, Resolution
from tests.conftest import api_token, login
from tests.helpers import dept, one, snapshot


def delete_as(client, username: str, view: str, record) -> None:
    login(client, username)
    assert client.post(f"/{view}/delete/{record.id}").status_code == 302
    client.post("/logout/")


def last_event():
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


def test_a_deleted_record_is_invisible_on_every_path(client, session):
    person = one(Person, name="李娜")
    delete_as(client, "staff", "personview", person)
    assert snapshot(person)["deleted_at"] is not None
    login(client, "staff")
    assert "李娜" not in client.get("/personview/list/").get_data(as_text=True)
    assert client.get(f"/personview/show/{person.id}").status_code == 404
    assert client.get(f"/personview/edit/{person.id}").status_code == 404
    assert client.post(f"/personview/delete/{person.id}").status_code == 404
    assert "李娜" not in client.get("/personview/list/?_flt_0_name=lina").get_data(as_text=True)
    headers = api_token(client, "staff")
    assert client.get(f"/api/v1/person/{person.id}", headers=headers).status_code == 404
    listed = client.get("/api/v1/person/?q=(page_size:100)", headers=headers).json["result"]
    assert person.id not in [row["id"] for row in listed]


def test_a_deleted_department_disappears_from_selects(client, session):
    department = dept("驿都社区居民委员会")
    for person in db.session.scalars(select(Person).where(Person.department_id == department.id)):
        person.deleted_at = person.updated_at
    db.session.commit()
    delete_as(client, "staff", "departmentview", department)
    login(client, "staff")
    names = [row["text"] for row in client.get("/personview/lookup/department").json["results"]]
    assert "驿都社区居民委员会" not in names


def test_staff_restore_their_records_from_the_bin(client, session):
    person = one(Person, name="李娜")
    delete_as(client, "staff", "personview", person)
    login(client, "staff_jj")
    assert "李娜" not in client.get("/recyclebin/").get_data(as_text=True)  # not in Jinjiang's scope
    assert client.post(f"/recyclebin/restore/Person/{person.id}").status_code == 404
    client.post("/logout/")
    login(client, "staff")
    page = client.get("/recyclebin/").get_data(as_text=True)
    assert "李娜" in page
    assert client.post(f"/recyclebin/restore/Person/{person.id}").status_code == 302
    assert snapshot(person)["deleted_at"] is None
    event = last_event()
    assert (event.action, event.entity_type, event.entity_id, event.actor_name) == (
        "restore",
        "Person",
        str(person.id),
        "staff",
    )
    assert "李娜" in client.get("/personview/list/").get_data(as_text=True)


def test_restore_is_refused_when_the_unique_value_was_reused(app, client, session):
    person = one(Person, name="李娜")
    delete_as(client, "admin", "personview", person)
    login(client, "admin")
    response = client.post(
        "/personview/add",
        data={
            "name": "新李娜",
            "id_number": person.id_number,
            "department": person.department_id,
            "category": "contract",
            "status": "on_duty",
        },
    )
    assert response.status_code == 302
    page = client.post(f"/recyclebin/restore/Person/{person.id}", follow_redirects=True).get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        expected = str(_l("Another active person already has this ID number."))
    assert html_escape(expected) in page
    assert snapshot(person)["deleted_at"] is not None


def test_restore_is_refused_while_its_department_is_deleted(client, session):
    department = dept("驿都社区居民委员会")
    person = one(Person, name="赵磊")
    delete_as(client, "staff", "personview", person)
    delete_as(client, "staff", "departmentview", department)
    login(client, "staff")
    page = client.post(f"/recyclebin/restore/Person/{person.id}", follow_redirects=True).get_data(as_text=True)
    assert "驿都社区居民委员会" in page and snapshot(person)["deleted_at"] is not None
    assert client.post(f"/recyclebin/restore/Department/{department.id}").status_code == 302
    assert client.post(f"/recyclebin/restore/Person/{person.id}").status_code == 302
    assert snapshot(person)["deleted_at"] is None


def test_supervisor_sees_the_bin_but_restores_nothing(client, session):
    person = one(Person, name="李娜")
    delete_as(client, "staff", "personview", person)
    login(client, "supervisor")
    assert "李娜" in client.get("/recyclebin/").get_data(as_text=True)
    assert client.post(f"/recyclebin/restore/Person/{person.id}").status_code == 403
    assert client.post(f"/recyclebin/purge/Person/{person.id}", data={"confirm": str(person.id)}).status_code == 403
    assert snapshot(person)["deleted_at"] is not None


def test_only_an_admin_purges_after_confirming(client, session):
    person = Person(
        name="临时",
        id_number="11010519491231002X",
        department=dept("锦江区民政局"),
        category="volunteer",
        status="on_duty",
    )
    db.session.add(person)
    db.session.commit()
    delete_as(client, "admin", "personview", person)
    login(client, "staff_jj")
    assert client.post(f"/recyclebin/purge/Person/{person.id}", data={"confirm": str(person.id)}).status_code == 403
    client.post("/logout/")
    login(client, "admin")
    client.post(f"/recyclebin/purge/Person/{person.id}", data={"confirm": "wrong"})
    assert db.session.get(Person, person.id) is not None
    assert client.post(f"/recyclebin/purge/Person/{person.id}", data={"confirm": str(person.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id) is None
    event = last_event()
    assert (event.action, event.entity_id, event.actor_name) == ("purge", str(person.id), "admin")


def test_purge_is_refused_while_other_records_refer_to_it(client, session):
    person = one(Person, name="王伟")
    login(client, "admin")
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "department": dept("龙泉街道便民服务中心").id,
        "category": person.category,
        "status": person.status,
        "edit_version": person.version,
    }
    assert client.post(f"/personview/edit/{person.id}", data=data).status_code == 302  # writes a transfer
    assert client.post(f"/personview/delete/{person.id}").status_code == 302
    page = client.post(
        f"/recyclebin/purge/Person/{person.id}", data={"confirm": str(person.id)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "人员调动" in page or "引用" in page
    assert db.session.get(Person, person.id) is not None


def test_a_department_with_sub_departments_is_not_deleted(client, session):
    login(client, "admin")
    parent = dept("龙泉驿区人民政府办公室")
    page = client.post(f"/departmentview/delete/{parent.id}", follow_redirects=True).get_data(as_text=True)
    assert snapshot(parent)["deleted_at"] is None
    assert "下级" in page


def test_cli_restore_and_purge(app, session):
    person = one(Person, name="李娜")
    person.deleted_at = person.updated_at
    db.session.commit()
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["recycle-bin", "list"])
    assert f"Person\t{person.id}" in listed.output
    assert runner.invoke(args=["recycle-bin", "purge", "Person", str(person.id)]).exit_code == 1  # no --yes
    result = runner.invoke(args=["recycle-bin", "restore", "Person", str(person.id)])
    assert result.exit_code == 0, result.output
    assert snapshot(person)["deleted_at"] is None
    event = last_event()
    assert (event.action, event.actor_name) == ("restore", "system")


def test_partial_unique_index_counts_live_rows_only(session):
    """Enforced by the database itself, on SQLite and PostgreSQL alike."""
    existing = one(Person, name="王伟")
    connection = db.session.connection()
    table = Person.__table__
    row = {c.key: getattr(existing, c.key) for c in table.columns if c.key != "id"}
    savepoint = connection.begin_nested()
    with pytest.raises(IntegrityError):
        connection.execute(table.insert().values(**row))
    savepoint.rollback()
    connection.execute(table.insert().values(**{**row, "deleted_at": existing.updated_at}))  # a deleted twin is fine


def test_every_register_that_deletes_has_its_records_in_the_bin(app):
    from app.extensions import appbuilder
    from app.services.recycle_bin import BIN_MODELS
    from views.base import PlatformModelView, PlatformRestApi

    with app.app_context():
        deleting = {
            view.datamodel.obj.__name__
            for view in appbuilder.baseviews
            if isinstance(view, (PlatformModelView, PlatformRestApi))
            and hasattr(view.datamodel.obj, "deleted_at")
            and "delete" in (view.include_route_methods or {"delete"})
            and "delete" not in (view.exclude_route_methods or set())
            and view.datamodel.obj.__name__ != "Transfer"  # written by the platform, never deleted
        }
    assert deleting - set(BIN_MODELS) == set()


#: a register, its API and a record to delete (None: the first one the API deletes)
DELETED_ANYWHERE = [
    ("SocialOrganization", "social_organization"),
    ("ServiceItem", "service_item"),
    ("Resource", "resource"),
    ("Funding", "funding"),
    ("PurchasedService", "purchased_service"),
    ("PartyOrganization", "party_organization"),
    ("OversightRecord", "oversight_record"),
    ("Rectification", "rectification"),
    ("Resolution", "resolution"),
]


@pytest.mark.parametrize("model_name, resource", DELETED_ANYWHERE)
def test_a_deleted_record_of_any_register_is_restored_from_the_bin(app, client, session, model_name, resource):
    from app.services.recycle_bin import BIN_MODELS
    from views.audit import ENTITY_TYPES

    model = BIN_MODELS[model_name]
    headers = api_token(client, "admin")
    candidates = db.session.scalars(select(model).where(model.deleted_at.is_(None)).order_by(model.id)).all()
    deleted = next(
        (c for c in candidates if client.delete(f"/api/v1/{resource}/{c.id}", headers=headers).status_code == 200),
        None,
    )
    assert deleted is not None, f"no {model_name} of the demo data could be deleted"
    assert snapshot(deleted)["deleted_at"] is not None
    login(client, "admin")
    page = client.get("/recyclebin/").get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        heading = ENTITY_TYPES.label(model_name)
    assert f'<h4 id="bin-{model_name}">{heading} <small>' in page
    assert f"/recyclebin/restore/{model_name}/{deleted.id}" in page
    assert client.post(f"/recyclebin/restore/{model_name}/{deleted.id}").status_code == 302
    assert snapshot(deleted)["deleted_at"] is None
    event = last_event()
    assert (event.action, event.entity_type, event.entity_id) == ("restore", model_name, str(deleted.id))


def test_staff_restore_the_social_organizations_they_supervise_and_no_others(client, session):
    from models import SocialOrganization

    organization = one(SocialOrganization, name="锦江区慈善救助服务社")
    delete_as(client, "staff_jj", "socialorganizationview", organization)
    login(client, "staff")
    assert "锦江区慈善救助服务社" not in client.get("/recyclebin/").get_data(as_text=True)
    assert client.post(f"/recyclebin/restore/SocialOrganization/{organization.id}").status_code == 404
    client.post("/logout/")
    login(client, "staff_jj")
    assert "锦江区慈善救助服务社" in client.get("/recyclebin/").get_data(as_text=True)
    assert client.post(f"/recyclebin/restore/SocialOrganization/{organization.id}").status_code == 302
    assert snapshot(organization)["deleted_at"] is None


def test_a_refused_purge_names_what_still_refers_to_the_record(app, client, session):
    from models import OversightRecord

    inspection = db.session.scalars(
        select(OversightRecord).where(OversightRecord.rectifications.any()).order_by(OversightRecord.id)
    ).first()
    delete_as(client, "supervisor", "oversightrecordview", inspection)
    login(client, "admin")
    page = client.post(
        f"/recyclebin/purge/OversightRecord/{inspection.id}",
        data={"confirm": str(inspection.id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        expected = str(_l("It can't be purged: records still refer to it (%(records)s).", records="整改事项"))
    assert html_escape(expected) in page
    assert snapshot(inspection)["deleted_at"] is not None


def test_a_deleted_inspections_rectifications_leave_every_list_and_count_and_come_back_with_it(client, session):
    from models import OversightRecord, Rectification

    inspection = db.session.scalars(
        select(OversightRecord).where(OversightRecord.rectifications.any()).order_by(OversightRecord.id)
    ).first()
    theirs = {r.id for r in inspection.rectifications if r.deleted_at is None}
    headers = api_token(client, "supervisor")

    def seen() -> dict:
        listed = client.get("/api/v1/rectification/?q=(page_size:100)", headers=headers).json["result"]
        screen = client.get("/rectificationview/list/?psize_RectificationView=100").get_data(as_text=True)
        return {
            "api": {row["id"] for row in listed} & theirs,
            "list": {pk for pk in theirs if f"/rectificationview/show/{pk}" in screen},
            "show": {pk for pk in theirs if client.get(f"/rectificationview/show/{pk}").status_code == 200},
        }

    login(client, "supervisor")
    before = seen()
    assert before["api"] == before["list"] == before["show"] == theirs
    assert client.post(f"/oversightrecordview/delete/{inspection.id}").status_code == 302
    after = seen()
    assert after["api"] == after["list"] == after["show"] == set()
    assert snapshot(one(Rectification, id=min(theirs)))["deleted_at"] is None  # hidden with it, not deleted
    assert client.post(f"/recyclebin/restore/OversightRecord/{inspection.id}").status_code == 302
    assert seen()["api"] == theirs


def test_a_deleted_meetings_resolutions_leave_the_counts(client, session):
    from models import JointMeeting, Resolution

    headers = api_token(client, "admin")
    meetings = db.session.scalars(select(JointMeeting).where(JointMeeting.resolutions.any())).all()
    total = {row["id"] for row in client.get("/api/v1/resolution/?q=(page_size:100)", headers=headers).json["result"]}
    meeting = next(m for m in meetings if client.delete(f"/api/v1/meeting/{m.id}", headers=headers).status_code == 200)
    theirs = set(db.session.scalars(select(Resolution.id).where(Resolution.meeting_id == meeting.id)))
    left = {row["id"] for row in client.get("/api/v1/resolution/?q=(page_size:100)", headers=headers).json["result"]}
    assert theirs and left == total - theirs
    assert client.get(f"/api/v1/resolution/{min(theirs)}", headers=headers).status_code == 404


# ----- parts that a record's own form removes -------------------------------------------------------
def events_of(model_name: str, pk) -> list:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.entity_type == model_name, AuditEvent.entity_id == str(pk))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_an_agenda_item_removed_in_the_minutes_editor_waits_in_the_bin_and_comes_back(client, session):
    from models import AgendaItem
    from tests.test_meetings import editor_form, longquanyi_meeting

    meeting = longquanyi_meeting()
    removed = meeting.agenda_items[0]
    removed_id, title, kept = removed.id, removed.title, len(meeting.agenda_items) - 1
    login(client, "staff")
    data = {k: v for k, v in editor_form(meeting).items() if not k.startswith("agenda-0-")}
    assert client.post(f"/minutes/{meeting.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert snapshot(db.session.get(AgendaItem, removed_id))["deleted_at"] is not None  # kept, soft-deleted
    assert len(longquanyi_meeting().agenda_items) == kept
    assert [event.action for event in events_of("AgendaItem", removed_id)][-1] == "delete"
    for url in (f"/meetingview/show/{meeting.id}", f"/meetingview/print/{meeting.id}", f"/minutes/{meeting.id}/edit"):
        assert html_escape(title) not in client.get(url).get_data(as_text=True), url
    page = client.get("/recyclebin/").get_data(as_text=True)
    assert '<h4 id="bin-AgendaItem">议题 <small>' in page
    assert html_escape(f"{removed.position}. {title} — {meeting.title}") in page  # names its meeting
    assert f"/recyclebin/restore/AgendaItem/{removed_id}" in page
    client.post("/logout/")
    login(client, "staff_jj")  # a Jinjiang user neither sees nor restores a Longquanyi meeting's agenda
    assert html_escape(title) not in client.get("/recyclebin/").get_data(as_text=True)
    assert client.post(f"/recyclebin/restore/AgendaItem/{removed_id}").status_code == 404
    client.post("/logout/")
    login(client, "staff")
    opened = editor_form(longquanyi_meeting())  # an editor opened before the restore
    assert client.post(f"/recyclebin/restore/AgendaItem/{removed_id}").status_code == 302
    assert snapshot(db.session.get(AgendaItem, removed_id))["deleted_at"] is None
    assert [event.action for event in events_of("AgendaItem", removed_id)][-1] == "restore"
    assert html_escape(title) in client.get(f"/meetingview/show/{meeting.id}").get_data(as_text=True)
    db.session.expire_all()
    agenda = longquanyi_meeting().agenda_items
    assert [item.position for item in agenda] == list(range(1, kept + 2))  # back at the end, no number twice
    assert agenda[-1].id == removed_id
    # the restore moved the minutes' version: the older editor does not remove the item again
    assert client.post(f"/minutes/{meeting.id}/edit", data=opened).status_code == 200
    db.session.expire_all()
    assert snapshot(db.session.get(AgendaItem, removed_id))["deleted_at"] is None


def test_a_resolution_removed_in_the_minutes_editor_keeps_its_follow_up_log(client, session):
    from models import ResolutionFollowUp
    from tests.test_meetings import editor_form, longquanyi_meeting

    meeting = longquanyi_meeting()
    index, resolution = 0, meeting.resolutions[0]
    resolution_id = resolution.id
    login(client, "staff")
    assert client.post(f"/resolutions/{resolution_id}/follow-up", data={"note": "已协调进驻窗口"}).status_code == 302
    db.session.expire_all()
    meeting = longquanyi_meeting()
    notes = len(meeting.resolutions[0].follow_ups)
    assert notes >= 1
    data = {k: v for k, v in editor_form(meeting).items() if not k.startswith(f"resolutions-{index}-")}
    assert client.post(f"/minutes/{meeting.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert resolution_id not in [r.id for r in longquanyi_meeting().resolutions]
    assert snapshot(db.session.get(Resolution, resolution_id))["deleted_at"] is not None
    follow_ups = select(ResolutionFollowUp).where(ResolutionFollowUp.resolution_id == resolution_id)
    assert len(db.session.scalars(follow_ups).all()) == notes
    assert client.post(f"/recyclebin/restore/Resolution/{resolution_id}").status_code == 302
    db.session.expire_all()
    restored = db.session.get(Resolution, resolution_id)
    assert restored.deleted_at is None and len(restored.follow_ups) == notes
    assert resolution_id in [r.id for r in longquanyi_meeting().resolutions]


def test_a_deleted_resolution_leaves_the_meeting_page_and_the_printed_minutes(client, session):
    from tests.test_meetings import longquanyi_meeting

    meeting = longquanyi_meeting()
    resolution = meeting.resolutions[0]
    content = resolution.content
    headers = api_token(client, "admin")
    assert client.delete(f"/api/v1/resolution/{resolution.id}", headers=headers).status_code == 200
    login(client, "staff")
    for url in (f"/meetingview/show/{meeting.id}", f"/meetingview/print/{meeting.id}", f"/minutes/{meeting.id}/edit"):
        assert html_escape(content) not in client.get(url).get_data(as_text=True), url


def test_a_part_of_published_minutes_is_not_restored(app, client, session):
    from sqlalchemy import update

    from models import AgendaItem
    from models.meetings import PUBLISHED_MESSAGE
    from tests.test_meetings import jinjiang_meeting

    meeting = jinjiang_meeting()
    assert meeting.status == "published"
    item = meeting.agenda_items[0]
    # removed while the minutes were a draft, then the minutes were published
    db.session.execute(update(AgendaItem).where(AgendaItem.id == item.id).values(deleted_at=item.updated_at))
    db.session.commit()
    login(client, "admin")
    page = client.post(f"/recyclebin/restore/AgendaItem/{item.id}", follow_redirects=True).get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        assert html_escape(str(PUBLISHED_MESSAGE)) in page
    assert snapshot(db.session.get(AgendaItem, item.id))["deleted_at"] is not None


def test_a_material_removed_from_an_items_list_waits_in_the_bin(client, session):
    from models import ServiceItem, ServiceItemMaterial

    item = db.session.scalars(select(ServiceItem).where(ServiceItem.materials.any()).order_by(ServiceItem.id)).first()
    names = [m.name for m in item.materials]
    steps = "\n".join(s.description for s in item.steps)
    removed = item.materials[0]
    removed_id = removed.id
    login(client, "admin")
    data = {"materials": "\n".join(names[1:] + ["新增材料"]), "steps": steps, "edit_version": item.version}
    assert client.post(f"/serviceitemview/lists/{item.id}", data=data).status_code == 302
    db.session.expire_all()
    item = db.session.get(ServiceItem, item.id)
    assert [m.name for m in item.materials] == names[1:] + ["新增材料"]
    assert [m.position for m in item.materials] == list(range(1, len(names) + 1))
    assert db.session.get(ServiceItemMaterial, removed_id).deleted_at is not None
    page = client.get("/recyclebin/").get_data(as_text=True)
    assert html_escape(f"{names[0]} — {item}") in page
    version = item.version
    assert client.post(f"/recyclebin/restore/ServiceItemMaterial/{removed_id}").status_code == 302
    db.session.expire_all()
    item = db.session.get(ServiceItem, item.id)
    assert [m.name for m in item.materials] == names[1:] + ["新增材料", names[0]]  # back at the end
    assert [m.position for m in item.materials] == list(range(1, len(names) + 2))
    assert item.version > version  # a lists form opened before the restore is refused


def test_purging_minutes_purges_their_removed_parts_with_audit(client, session):
    from models import AgendaItem, JointMeeting
    from tests.test_meetings import editor_form, longquanyi_meeting

    meeting = longquanyi_meeting()
    removed_id = meeting.agenda_items[0].id
    part_ids = [a.id for a in meeting.agenda_items]
    login(client, "admin")
    data = {k: v for k, v in editor_form(meeting).items() if not k.startswith("agenda-0-")}
    assert client.post(f"/minutes/{meeting.id}/edit", data=data).status_code == 302
    assert client.post(f"/meetingview/delete/{meeting.id}").status_code == 302
    page = client.post(
        f"/recyclebin/purge/JointMeeting/{meeting.id}", data={"confirm": str(meeting.id)}, follow_redirects=True
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JointMeeting, meeting.id) is None, page[-3000:]
    assert db.session.scalars(select(AgendaItem).where(AgendaItem.id.in_(part_ids))).all() == []
    assert [event.action for event in events_of("AgendaItem", removed_id)][-1] == "purge"


def test_the_bin_pages_through_every_deleted_record_and_counts_them_all(client, session, monkeypatch):
    """No deleted record is out of reach: each register's section counts all its deleted rows and
    pages through them, most recently deleted first; a restore returns to the page it was made on."""
    from datetime import timedelta

    from sqlalchemy import update

    monkeypatch.setattr("views.recycle.BIN_PAGE_SIZE", 2)
    people = db.session.scalars(select(Person).where(Person.deleted_at.is_(None)).order_by(Person.id).limit(5)).all()
    for minutes, person in enumerate(people):  # the first deleted earliest
        stamp = person.updated_at + timedelta(minutes=minutes)
        db.session.execute(update(Person).where(Person.id == person.id).values(deleted_at=stamp))
    db.session.commit()
    login(client, "admin")
    first = client.get("/recyclebin/").get_data(as_text=True)
    assert '<h4 id="bin-Person">工作人员 <small>(5)</small></h4>' in first
    assert "第 1–2 条，共 5 条，最近删除的在前。" in first
    shown = lambda page: {p.id for p in people if f"/recyclebin/restore/Person/{p.id}" in page}  # noqa: E731
    assert shown(first) == {people[4].id, people[3].id}
    third = client.get("/recyclebin/?page_Person=2").get_data(as_text=True)
    assert shown(third) == {people[0].id}
    assert "page_Person=1" in third and "page_Person=3" not in third
    assert shown(client.get("/recyclebin/?page_Person=99").get_data(as_text=True)) == {people[0].id}
    assert client.get("/recyclebin/?page_Person=abc").status_code == 200
    response = client.post(f"/recyclebin/restore/Person/{people[1].id}", data={"pages": "page_Person=1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/recyclebin/?page_Person=1")
    assert snapshot(people[1])["deleted_at"] is None
