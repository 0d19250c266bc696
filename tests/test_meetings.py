"""Joint meetings: workflow by role, published read-only on every path, lead-department rights,
overdue at a frozen date, the editor's validation in both languages, and the printable minutes."""

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import appbuilder, db
from models import AuditEvent, JointMeeting, Person, Resolution
from tests.conftest import DEMO_PASSWORD, api_token, login
from tests.helpers import dept, one, snapshot

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "platform"


def jinjiang_meeting() -> JointMeeting:
    return one(JointMeeting, title="锦江区社会组织监督管理联席会议")


def longquanyi_meeting() -> JointMeeting:
    return one(JointMeeting, title="区政务服务中心进驻事项协调会")


def transition(client, meeting, name):
    return client.post(f"/meetingview/transition/{meeting.id}/{name}")


def status_of(meeting) -> str:
    return snapshot(meeting)["status"]


def editor_form(meeting, **overrides) -> dict:
    data = {
        "edit_version": meeting.version,
        "title": meeting.title,
        "session_number": meeting.session_number or "",
        "held_at": f"{meeting.held_at:%Y-%m-%dT%H:%M}",
        "convening_department": meeting.convening_department_id,
        "chair": meeting.chair_id or "",
        "recorder": meeting.recorder_id or "",
        "attendees": [p.id for p in meeting.attendees],
        "absentees": [p.id for p in meeting.absentees],
        "participating_departments": [d.id for d in meeting.participating_departments],
        "minutes": meeting.minutes or "",
    }
    for index, item in enumerate(meeting.agenda_items):
        data.update(
            {
                f"agenda-{index}-item_id": item.id,
                f"agenda-{index}-item_version": item.version,
                f"agenda-{index}-position": item.position,
                f"agenda-{index}-title": item.title,
            }
        )
    for index, resolution in enumerate(meeting.resolutions):
        data.update(
            {
                f"resolutions-{index}-item_id": resolution.id,
                f"resolutions-{index}-item_version": resolution.version,
                f"resolutions-{index}-content": resolution.content,
                f"resolutions-{index}-lead_department": resolution.lead_department_id,
                f"resolutions-{index}-due_on": resolution.due_on.isoformat() if resolution.due_on else "",
            }
        )
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


# ----- workflow by role ---------------------------------------------------------------------------
def test_the_workflow_by_role(client, session):
    meeting = longquanyi_meeting()
    assert meeting.status == "draft"
    login(client, "supervisor")
    transition(client, meeting, "submit")
    assert status_of(meeting) == "draft"  # a supervisor changes nothing
    client.post("/logout/")
    login(client, "staff_jj")
    assert transition(client, meeting, "submit").status_code == 404  # not in Jinjiang's scope
    client.post("/logout/")
    login(client, "staff")
    transition(client, meeting, "publish")
    assert status_of(meeting) == "draft"  # steps can't be skipped
    transition(client, meeting, "submit")
    assert status_of(meeting) == "submitted"
    transition(client, meeting, "approve")
    assert status_of(meeting) == "submitted"  # staff are not the chair (张华)
    client.post("/logout/")
    login(client, "admin")
    transition(client, meeting, "approve")
    assert status_of(meeting) == "approved" and snapshot(meeting)["approved_at"] is not None
    client.post("/logout/")
    login(client, "staff")
    transition(client, meeting, "publish")
    assert status_of(meeting) == "published"
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "JointMeeting",
            AuditEvent.entity_id == str(meeting.id),
            AuditEvent.action == "transition",
        )
        .order_by(AuditEvent.id)
    ).all()
    steps = [
        (json.loads(e.changes)["status"]["old"], json.loads(e.changes)["status"]["new"], e.actor_name) for e in events
    ]
    assert steps == [
        ("draft", "submitted", "staff"),
        ("submitted", "approved", "admin"),
        ("approved", "published", "staff"),
    ]
    page = client.get(f"/meetingview/show/{meeting.id}").get_data(as_text=True)
    assert "待审定" in page and "已审定" in page and "已印发" in page  # the transitions, shown on the meeting page


def test_the_chair_approves(client, session):
    """staff_jj is linked to 周敏; a meeting she chairs is hers to approve."""
    meeting = JointMeeting(
        title="锦江区社区服务联席会议",
        held_at=datetime(2031, 1, 5, 9),
        status="draft",
        convening_department=dept("锦江区民政局"),
        chair=one(Person, name="周敏"),
    )
    db.session.add(meeting)
    db.session.commit()
    login(client, "staff_jj")
    transition(client, meeting, "submit")
    transition(client, meeting, "approve")
    assert status_of(meeting) == "approved"
    meeting_by_other_chair = jinjiang_meeting()
    assert meeting_by_other_chair.chair.name == "周敏"


def test_an_api_cannot_change_the_status(client, session):
    meeting = longquanyi_meeting()
    headers = api_token(client, "staff")
    response = client.put(
        f"/api/v1/meeting/{meeting.id}", json={"status": "published", "version": meeting.version}, headers=headers
    )
    assert response.status_code == 422
    assert status_of(meeting) == "draft"


# ----- published meetings are read-only -----------------------------------------------------------
def test_a_published_meeting_is_read_only_on_every_path(client, session):
    meeting = jinjiang_meeting()
    assert meeting.status == "published"
    before = snapshot(meeting)
    login(client, "staff_jj")
    assert client.get(f"/minutes/{meeting.id}/edit").status_code == 302
    client.post(f"/minutes/{meeting.id}/edit", data=editor_form(meeting, title="改过的标题"))
    client.post("/meetingview/action_post", data={"action": "muldelete", "rowid": [str(meeting.id)]})
    client.post(f"/meetingview/delete/{meeting.id}")
    headers = api_token(client, "staff_jj")
    put = client.put(
        f"/api/v1/meeting/{meeting.id}", json={"title": "改过的标题", "version": meeting.version}, headers=headers
    )
    assert put.status_code == 422
    assert client.delete(f"/api/v1/meeting/{meeting.id}", headers=headers).status_code == 422
    resolution = meeting.resolutions[0]
    changed = client.put(
        f"/api/v1/resolution/{resolution.id}",
        json={"content": "改过的内容", "version": resolution.version},
        headers=headers,
    )
    assert changed.status_code == 422
    assert snapshot(meeting) == before
    assert snapshot(resolution)["content"] != "改过的内容"


def test_published_resolutions_stay_trackable(client, session):
    meeting = jinjiang_meeting()
    resolution = next(r for r in meeting.resolutions if r.status == "open")
    login(client, "staff_jj")
    client.post(f"/resolutions/{resolution.id}/follow-up", data={"note": "已通知各社会组织补齐材料"})
    assert snapshot(resolution)["status"] == "in_progress"
    client.post(f"/resolutions/{resolution.id}/close")
    assert snapshot(resolution)["status"] == "done"
    assert snapshot(resolution)["completed_on"] == date.today()


# ----- the lead department ---------------------------------------------------------------------------
@pytest.fixture()
def lead_staff(session):
    """A DeptStaff of 龙泉驿区市民呼叫中心, which leads a resolution of a meeting convened by another department."""
    sm = appbuilder.sm
    user = sm.add_user(
        "call_center", "刘", "洋", "call@example.gov.cn", sm.find_role("DeptStaff"), password=DEMO_PASSWORD
    )
    user.department_id = dept("龙泉驿区市民呼叫中心").id
    meeting = longquanyi_meeting()
    meeting.convening_department = dept("龙泉街道便民服务中心")
    meeting.participating_departments = []
    resolution = Resolution(
        content="优化工单转办流程",
        lead_department=dept("龙泉驿区市民呼叫中心"),
        status="open",
        due_on=date.today() + timedelta(days=10),
    )
    meeting.resolutions.append(resolution)
    db.session.commit()
    return resolution


def test_lead_department_records_progress_only(client, lead_staff):
    resolution = lead_staff
    meeting = resolution.meeting
    login(client, "call_center")
    board = client.get("/resolutions/").get_data(as_text=True)
    assert "优化工单转办流程" in board and f"/resolutions/{resolution.id}/close" in board
    assert client.get(f"/meetingview/show/{meeting.id}").status_code == 404  # nothing else of the meeting
    assert client.get(f"/minutes/{meeting.id}/edit").status_code == 404
    noted = client.post(
        f"/resolutions/{resolution.id}/follow-up", data={"note": "已梳理工单分类"}, follow_redirects=True
    )
    assert "督办记录已添加" in noted.get_data(as_text=True), noted.get_data(as_text=True)[-3000:]
    assert snapshot(resolution)["status"] == "in_progress"
    headers = api_token(client, "call_center")
    content = client.put(
        f"/api/v1/resolution/{resolution.id}",
        json={"content": "换个说法", "version": snapshot(resolution)["version"]},
        headers=headers,
    )
    assert content.status_code == 422
    done = client.put(
        f"/api/v1/resolution/{resolution.id}",
        json={"status": "done", "version": snapshot(resolution)["version"]},
        headers=headers,
    )
    assert done.status_code == 200, done.json
    assert snapshot(resolution)["status"] == "done"
    assert (
        client.put(f"/api/v1/meeting/{meeting.id}", json={"title": "x", "version": 1}, headers=headers).status_code
        == 404
    )


def test_other_departments_cannot_touch_a_resolution(client, session):
    meeting = jinjiang_meeting()
    resolution = meeting.resolutions[0]
    login(client, "staff")
    assert "完成辖区社会组织年检材料补齐工作" not in client.get("/resolutions/").get_data(as_text=True)
    assert client.post(f"/resolutions/{resolution.id}/close").status_code == 404
    assert snapshot(resolution)["status"] == "open"


# ----- overdue ---------------------------------------------------------------------------------------
def test_overdue_is_computed_from_today(client, session):
    meeting = jinjiang_meeting()
    open_one = next(r for r in meeting.resolutions if r.status == "open")
    later = next(r for r in meeting.resolutions if r.status == "in_progress")
    with freeze_time(open_one.due_on - timedelta(days=1)):
        assert not open_one.is_overdue(date.today())
        login(client, "staff_jj")
        board = client.get("/resolutions/?status=overdue").get_data(as_text=True)
        assert "完成辖区社会组织年检材料补齐工作" not in board
    with freeze_time(later.due_on + timedelta(days=1)):
        login(client, "staff_jj")  # a session idle for longer than 30 minutes ends
        assert open_one.is_overdue(date.today()) and later.is_overdue(date.today())
        board = client.get("/resolutions/").get_data(as_text=True)
        rows = re.findall(r'<tr class="([^"]*)" id="resolution-(\d+)"', board)
        overdue_ids = [int(i) for cls, i in rows if "overdue" in cls]
        assert {open_one.id, later.id} <= set(overdue_ids)
        first = [int(i) for _cls, i in rows][: len(overdue_ids)]
        assert set(first) == set(overdue_ids)  # overdue first
        assert "逾期" in board
        done = next(r for r in meeting.resolutions if r.status == "done")
        assert done.id not in overdue_ids  # done is never overdue


# ----- the editor -------------------------------------------------------------------------------------
def messages(app, *texts) -> list[str]:
    return [text for text in texts]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_editor_validation_errors_in_both_languages(app, client, session, language):
    meeting = longquanyi_meeting()
    login(client, "staff")
    client.get(f"/lang/{language}")
    someone = meeting.attendees[0]
    data = editor_form(
        meeting,
        absentees=[someone.id],
        **{
            "resolutions-0-due_on": (meeting.held_at - timedelta(days=1)).date().isoformat(),
            "resolutions-0-lead_department": dept("锦江区民政局").id,
        },
    )
    response = client.post(f"/minutes/{meeting.id}/edit", data=data)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    from flask_babel import lazy_gettext as _l

    with app.test_request_context(), force_locale(language):
        both = str(_l("%(names)s can't be both present and absent.", names=someone.name))
        due = str(_l("The due date can't be before the meeting."))
        scope = str(_l("Not a valid choice: it does not exist or is outside your data scope."))
    assert both in page and due in page and scope in page
    assert snapshot(meeting)["version"] == meeting.version  # nothing saved


def test_editor_saves_agenda_and_resolutions_in_order(client, session):
    meeting = longquanyi_meeting()
    login(client, "staff")
    data = editor_form(meeting)
    for index in range(len(meeting.agenda_items)):
        data[f"agenda-{index}-position"] = index + 2
    data.update(
        {
            "agenda-5-title": "新议题",
            "agenda-5-position": "1",
            "resolutions-3-content": "新的议定事项",
            "resolutions-3-lead_department": dept("龙泉驿区市民呼叫中心").id,
            "resolutions-3-due_on": (meeting.held_at + timedelta(days=30)).date().isoformat(),
        }
    )
    response = client.post(f"/minutes/{meeting.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    meeting = longquanyi_meeting()
    assert [item.title for item in meeting.agenda_items][0] == "新议题"
    assert [item.position for item in meeting.agenda_items] == list(range(1, len(meeting.agenda_items) + 1))
    assert "新的议定事项" in [r.content for r in meeting.resolutions]
    data = editor_form(meeting)
    data = {k: v for k, v in data.items() if not k.startswith("agenda-0-")}  # remove the first item
    assert client.post(f"/minutes/{meeting.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert "新议题" not in [item.title for item in longquanyi_meeting().agenda_items]


def test_new_minutes_from_the_editor(client, session):
    login(client, "staff")
    before = db.session.query(JointMeeting).count()
    data = {
        "title": "便民服务联席会议",
        "held_at": "2031-03-01T09:30",
        "convening_department": dept("龙泉驿区政务服务中心").id,
        "attendees": [one(Person, name="王伟").id],
        "agenda-0-title": "议题一",
        "resolutions-0-content": "事项一",
        "resolutions-0-lead_department": dept("龙泉街道便民服务中心").id,
        "resolutions-0-due_on": "2031-04-01",
    }
    response = client.post("/minutes/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert db.session.query(JointMeeting).count() == before + 1
    created = one(JointMeeting, title="便民服务联席会议")
    assert created.status == "draft" and created.held_at == datetime(2031, 3, 1, 9, 30)


def test_editor_refuses_a_stale_save(client, session):
    meeting = longquanyi_meeting()
    login(client, "staff")
    old = editor_form(meeting, title="我的标题")
    assert client.post(f"/minutes/{meeting.id}/edit", data=editor_form(meeting, title="别人的标题")).status_code == 302
    page = client.post(f"/minutes/{meeting.id}/edit", data=old).get_data(as_text=True)
    assert 'value="我的标题"' in page
    assert snapshot(meeting)["title"] == "别人的标题"


def _hidden_values(page: str, suffix: str) -> dict:
    """The form's hidden ``…-suffix`` values (the first of each name: the blank row templates follow)."""
    values = {}
    for name, value in re.findall(rf'name="([\w-]+-{suffix})" type="hidden" value="([^"]*)"', page):
        values.setdefault(name, value)
    return values


def test_a_stale_minutes_form_does_not_undo_a_resolution_changed_on_the_api(app, client, session):
    """The editor is opened, then a resolution's content is changed on the API. Saving the older form
    is refused (it would write the old content back); the typed text stays on the page with the
    resolution's new version, and saving it again applies it deliberately."""
    meeting = longquanyi_meeting()
    resolution = meeting.resolutions[0]
    stale = editor_form(meeting, **{"resolutions-0-content": "编辑器里的内容"})
    login(client, "staff")
    headers = api_token(client, "admin")
    put = client.put(
        f"/api/v1/resolution/{resolution.id}", json={"content": "接口改过的内容", "version": resolution.version},
        headers=headers,
    )  # fmt: skip
    assert put.status_code == 200, put.json
    assert snapshot(longquanyi_meeting())["version"] == stale["edit_version"]  # the meeting itself did not move
    refused = client.post(f"/minutes/{meeting.id}/edit", data=stale)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    with app.test_request_context(), force_locale("zh"):
        from views.base import STALE_MESSAGE

        assert str(STALE_MESSAGE) in page
    assert "编辑器里的内容" in page
    assert snapshot(resolution)["content"] == "接口改过的内容"
    versions = _hidden_values(page, "item_version")
    assert versions["resolutions-0-item_version"] == str(snapshot(resolution)["version"])
    again = client.post(f"/minutes/{meeting.id}/edit", data={**stale, **versions})
    assert again.status_code == 302
    assert snapshot(resolution)["content"] == "编辑器里的内容"


def test_a_stale_minutes_form_does_not_bring_back_a_resolution_deleted_elsewhere(client, session):
    """A resolution deleted on the API after the editor was opened is not written back by the older
    form; saving the refused form again adds it as a new resolution, the deleted one stays in the bin."""
    meeting = longquanyi_meeting()
    resolution = meeting.resolutions[0]
    count = len(meeting.resolutions)
    stale = editor_form(meeting)
    login(client, "staff")
    assert client.delete(f"/api/v1/resolution/{resolution.id}", headers=api_token(client, "admin")).status_code == 200
    page = client.post(f"/minutes/{meeting.id}/edit", data=stale).get_data(as_text=True)
    db.session.expire_all()
    assert snapshot(resolution)["deleted_at"] is not None
    assert len(longquanyi_meeting().resolutions) == count - 1
    ids = _hidden_values(page, "item_id")
    assert ids["resolutions-0-item_id"] == ""  # it would be added as new
    again = client.post(f"/minutes/{meeting.id}/edit", data={**stale, **ids, **_hidden_values(page, "item_version")})
    assert again.status_code == 302
    db.session.expire_all()
    resolutions = longquanyi_meeting().resolutions
    assert len(resolutions) == count and resolution.id not in {r.id for r in resolutions}
    assert snapshot(resolution)["deleted_at"] is not None


# ----- printable minutes --------------------------------------------------------------------------------
def template_msgids() -> list[str]:
    text = (TEMPLATES / "minutes_print.html").read_text(encoding="utf-8")
    return [m for m in re.findall(r'_\("([^"%]+)"\)', text)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_print_page_renders_in_either_language(app, client, session, language):
    meeting = jinjiang_meeting()
    login(client, "supervisor")
    page = client.get(f"/meetingview/print/{meeting.id}?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for msgid in template_msgids():
        with app.test_request_context(), force_locale(language):
            from flask_babel import gettext

            translated = gettext(msgid)
        if msgid == "None":
            continue
        assert translated in page, msgid
        if language == "zh":
            assert msgid not in page, f"untranslated: {msgid}"
    assert "完成辖区社会组织年检材料补齐工作" in page and meeting.resolutions[0].due_on.isoformat() in page
    if language == "en":
        assert "Jinjiang District Civil Affairs Bureau" in page  # record names with an English name show it


def test_the_print_page_follows_the_readers_language_unless_asked(client, session):
    meeting = jinjiang_meeting()
    login(client, "supervisor")
    client.get("/lang/en")
    assert '<html lang="en">' in client.get(f"/meetingview/print/{meeting.id}").get_data(as_text=True)
    assert '<html lang="zh">' in client.get(f"/meetingview/print/{meeting.id}?lang=zh").get_data(as_text=True)
    client.get("/lang/zh")
    assert '<html lang="zh">' in client.get(f"/meetingview/print/{meeting.id}").get_data(as_text=True)


def _first_agenda_title(data: dict) -> dict:
    return {**data, "agenda-0-title": "议题改名：窗口延时服务"}


def _first_agenda_removed(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("agenda-0-")}


def _agenda_added(data: dict) -> dict:
    return {**data, "agenda-5-title": "议题改名：窗口延时服务", "agenda-5-position": "9"}


@pytest.mark.parametrize("change", [_agenda_added, _first_agenda_title, _first_agenda_removed])
def test_a_stale_minutes_form_does_not_undo_anothers_agenda_change(app, client, session, change):
    """Two people open the editor; the first only changes the agenda (adds, renames or removes an
    item). The second's older form is refused instead of silently undoing that change."""
    meeting = longquanyi_meeting()
    stale = editor_form(meeting)  # the second person's form, opened first
    login(client, "staff")
    assert client.post(f"/minutes/{meeting.id}/edit", data=change(editor_form(meeting))).status_code == 302
    db.session.expire_all()
    after = [(item.id, item.title) for item in longquanyi_meeting().agenda_items]
    assert snapshot(longquanyi_meeting())["version"] > stale["edit_version"]
    page = client.post(f"/minutes/{meeting.id}/edit", data={**stale, "minutes": "另一人的修改"})
    assert page.status_code == 200
    with app.test_request_context(), force_locale("zh"):
        from views.base import STALE_MESSAGE

        assert str(STALE_MESSAGE) in page.get_data(as_text=True)
    db.session.expire_all()
    assert [(item.id, item.title) for item in longquanyi_meeting().agenda_items] == after
