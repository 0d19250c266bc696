"""Data scope in the browser: a Longquanyi staff member can't open a Jinjiang record."""


def test_deptstaff_is_refused_on_another_departments_record(open_session, live_server):
    page = open_session("staff")
    zhou_min = live_server.value("SELECT id FROM person WHERE name = '周敏'")  # 锦江区民政局
    page.errors.expect(404, f"/personview/show/{zhou_min}")
    page.errors.expect(404, f"/personview/edit/{zhou_min}")

    response = page.goto(f"/personview/show/{zhou_min}")
    assert response.status == 404
    assert "周敏" not in page.inner_text("body")
    assert "该页面或记录不存在、已删除，或不在您的数据范围内。" in page.inner_text("body")
    response = page.goto(f"/personview/edit/{zhou_min}")
    assert response.status == 404

    page.goto("/personview/list/")
    names = page.locator("table.table-bordered tbody").inner_text()
    assert "王伟" in names and "周敏" not in names
