"""Joint-meeting minutes in the browser: written with agenda and resolutions, then submitted and
published by the convening department's staff after an Admin approved them."""

from tests.e2e.browser import choose, save, submit

TITLE = "龙泉驿区便民服务协调会（第二次）"


def test_write_minutes_with_agenda_and_resolutions_and_publish_them(open_session, live_server):
    staff = open_session("staff")
    staff.goto("/minutes/new")
    assert "龙泉驿区政务服务中心" in staff.inner_text("#select2-convening_department-container")  # own department
    staff.fill("#title", TITLE)
    staff.fill("#session_number", "2")
    staff.fill("#held_at", "2026-12-10T09:30")
    choose(staff, "chair", "张华")  # not 王伟: that is the staff account's own record
    choose(staff, "recorder", "李娜")
    choose(staff, "attendees", "张华")
    choose(staff, "attendees", "李娜")
    staff.fill("#minutes", "会议听取了各进驻机构的工作汇报，研究了窗口整合事项。")

    staff.click("button.row-add[data-target=agenda-rows]")
    staff.fill("#agenda-0-title", "进驻机构工作汇报")
    staff.click("button.row-add[data-target=agenda-rows]")
    staff.fill("#agenda-1-title", "综合受理窗口整合方案")
    staff.fill("#agenda-1-summary", "讨论了窗口整合的时间表。")
    staff.locator("#agenda-rows tr.agenda-row").nth(1).locator("button.row-up").click()  # now first
    assert staff.input_value("#agenda-1-position") == "1"

    staff.click("button.row-add[data-target=resolution-rows]")
    staff.fill("#resolutions-0-content", "年底前完成综合受理窗口整合")
    choose(staff, "resolutions-0-lead_department", "政务服务中心", "龙泉驿区政务服务中心")
    choose(staff, "resolutions-0-cooperating_departments", "呼叫中心", "龙泉驿区市民呼叫中心")
    staff.fill("#resolutions-0-due_on", "2026-12-31")
    assert "会议纪要已保存。" in save(staff, "#minutes-editor button[type=submit]")

    meeting_id = live_server.value("SELECT id FROM joint_meeting WHERE title = :title", title=TITLE)
    agenda = live_server.rows("SELECT title FROM agenda_item WHERE meeting_id = :id ORDER BY position", id=meeting_id)
    assert [row.title for row in agenda] == ["综合受理窗口整合方案", "进驻机构工作汇报"]
    assert live_server.rows("SELECT content, due_on FROM resolution WHERE meeting_id = :id", id=meeting_id) == [
        ("年底前完成综合受理窗口整合", "2026-12-31")
    ]
    assert staff.locator("ol.agenda li").all_inner_texts()[0].startswith("综合受理窗口整合方案")

    # staff submit; approving is not theirs (they are not the chair's account, nor an Admin)
    steps = staff.locator(".meeting-actions button").all_inner_texts()
    assert steps == ["提交审定"]
    submit(staff, ".meeting-actions button:text-is('提交审定')")
    assert "会议状态已变为：待审定" in staff.inner_text(".alert-success")
    assert staff.locator(".meeting-actions button").count() == 0

    admin = open_session("admin")
    admin.goto(f"/meetingview/show/{meeting_id}")
    submit(admin, ".meeting-actions button:text-is('审定')")
    assert "会议状态已变为：已审定" in admin.inner_text(".alert-success")
    assert live_server.value("SELECT status FROM joint_meeting WHERE id = :id", id=meeting_id) == "approved"

    staff.reload()
    submit(staff, ".meeting-actions button:text-is('印发')")
    assert "会议状态已变为：已印发" in staff.inner_text(".alert-success")
    assert live_server.value("SELECT status FROM joint_meeting WHERE id = :id", id=meeting_id) == "published"
    assert "编辑纪要" not in staff.inner_text(".meeting-actions")
    staff.goto(f"/minutes/{meeting_id}/edit")  # published minutes are read-only
    assert "会议纪要已印发，不能再修改。" in staff.inner_text(".alert")
    transitions = staff.inner_text("ul.transitions")
    assert "待审定 → 已审定" in transitions and "已审定 → 已印发" in transitions
