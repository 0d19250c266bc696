"""Signing in, switching the language and signing out, in a real browser."""

from tests.e2e.browser import PASSWORD, switch_language


def test_log_in_switch_language_and_log_out(open_session, live_server):
    page = open_session()
    page.goto("/login/")
    page.fill("#username", "staff")
    page.fill("#password", "not-the-password")
    page.click("input[type=submit]")
    assert "/login/" in page.url
    assert "用户名或密码错误" in page.inner_text(".alert")

    page.fill("#username", "staff")
    page.fill("#password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    assert "您好" in page.inner_text(".dashboard .lead")
    assert "龙泉驿区政务服务中心" in page.inner_text(".dashboard .lead")
    assert page.locator("html").get_attribute("lang") == "zh"

    switch_language(page, "en")
    assert "Welcome" in page.inner_text(".dashboard .lead")
    assert page.locator(".navbar").get_by_text("Persons", exact=False).count() >= 1
    page.goto("/personview/list/")
    assert "王伟" in page.inner_text("table.table-bordered")  # the records stay, the interface is English
    assert page.locator("html").get_attribute("lang") == "en"
    switch_language(page, "zh")
    assert "工作人员" in page.inner_text(".panel-title >> nth=0")

    page.click(".navbar-right .dropdown:has(.fa-user) > a.dropdown-toggle")
    page.click("a[data-submit-form='logout-form']")
    page.wait_for_load_state()
    assert page.locator(".navbar-right").get_by_text("登录").count() == 1
    page.goto("/personview/list/")
    assert "/login/" in page.url  # signed out: the register asks for a sign-in again
    events = live_server.rows(
        "SELECT action FROM audit_event WHERE actor_name = 'staff' AND action IN ('login', 'logout') ORDER BY id"
    )
    assert [row.action for row in events][-2:] == ["login", "logout"]
