"""A supervisor records a party-building inspection and the rectification it calls for."""

from tests.e2e.browser import choose, save, type_date

ORGANIZATION = "龙泉驿区驿都社区邻里互助会"


def test_record_an_inspection_with_a_rectification(open_session, live_server):
    page = open_session("supervisor")
    page.goto("/oversightrecordview/add")
    choose(page, "social_organization", "邻里", ORGANIZATION)
    type_date(page, "#inspected_on", "2026-11-20")
    page.select_option("#kind", "special")
    page.select_option("#check_three_meetings", "done")
    page.select_option("#check_life_meeting", "partly")
    page.select_option("#check_dues", "not_done")
    page.select_option("#check_education", "done")
    page.fill("#findings", "党费收缴未按月公示")
    page.select_option("#rating", "fair")
    assert "记录已添加" in save(page)
    record = live_server.rows(
        "SELECT r.id, r.kind, r.rating, r.check_dues FROM oversight_record r "
        "JOIN social_organization o ON o.id = r.social_organization_id WHERE o.name = :name",
        name=ORGANIZATION,
    )
    assert [(r.kind, r.rating, r.check_dues) for r in record] == [("special", "fair", "not_done")]
    record_id = record[0].id

    page.goto("/rectificationview/add")
    choose(page, "record", "邻里", f"{ORGANIZATION} 2026-11-20")
    page.fill("#problem", "建立党费按月公示制度")
    page.fill("#measures", "每月在活动室公示栏公示党费收缴情况")
    page.fill("#responsible_organization", ORGANIZATION)
    type_date(page, "#deadline", "2027-01-31")
    assert "记录已添加" in save(page)
    assert live_server.rows("SELECT problem, status FROM rectification WHERE record_id = :id", id=record_id) == [
        ("建立党费按月公示制度", "pending")
    ]

    page.goto(f"/oversightrecordview/show/{record_id}")
    rectifications = page.inner_text(".oversight-extra table")
    assert "建立党费按月公示制度" in rectifications and "2027-01-31" in rectifications
    page.click("text=该组织的监督检查时间线")
    assert "2026-11-20" in page.inner_text("body")
