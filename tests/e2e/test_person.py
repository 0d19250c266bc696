"""A person's form in the browser: the ID number check, and two users editing the same record."""

from app.services.demo_data import make_id_number
from tests.e2e.browser import choose, save, submit


def test_create_a_person_with_an_invalid_then_a_valid_id_number(open_session, live_server):
    page = open_session("staff")
    page.goto("/personview/add")
    valid = make_id_number("510112", "19950316", "27", "female")
    wrong_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    page.fill("#name", "林晓")
    page.select_option("#gender", "female")
    page.fill("#id_number", wrong_check)
    choose(page, "department", "龙泉街道", "龙泉街道便民服务中心")
    page.select_option("#category", "community_worker")
    submit(page)

    assert "公民身份号码校验码错误。" in page.inner_text("#model_form")
    assert page.input_value("#name") == "林晓"  # the input is kept
    assert live_server.value("SELECT count(*) FROM person WHERE name = '林晓'") == 0

    page.fill("#id_number", valid)
    assert "记录已添加" in save(page)
    row = live_server.rows("SELECT id_number, gender, department_id FROM person WHERE name = '林晓'")
    assert [(r.id_number, r.gender) for r in row] == [(valid, "female")]
    assert row[0].department_id == live_server.value("SELECT id FROM department WHERE name = '龙泉街道便民服务中心'")


def test_the_second_of_two_concurrent_edits_is_refused_with_a_clear_message(open_session, live_server):
    person_id = live_server.value("SELECT id FROM person WHERE name = '王伟'")
    staff = open_session("staff")
    admin = open_session("admin", lang="en")
    staff.goto(f"/personview/edit/{person_id}")
    admin.goto(f"/personview/edit/{person_id}")

    admin.fill("#position", "副主任")
    assert "Changed Row" in save(admin)

    staff.fill("#position", "窗口负责人")
    submit(staff)
    alerts = staff.inner_text("body")
    assert "在此期间已有他人保存了这条记录。请重新打开后再次修改。" in alerts
    assert "副主任" in alerts and "admin" in alerts  # what the other user changed, and who
    assert staff.input_value("#position") == "窗口负责人"  # the user's own input is kept
    assert live_server.value("SELECT position FROM person WHERE id = :id", id=person_id) == "副主任"

    assert "记录已更新" in save(staff)  # saving again applies the user's values over the newer record
    assert live_server.value("SELECT position FROM person WHERE id = :id", id=person_id) == "窗口负责人"


def test_a_list_rows_delete_button_asks_then_moves_the_record_to_the_recycle_bin(open_session, live_server):
    person_id = live_server.value("SELECT id FROM person WHERE name = '王芳'")
    page = open_session("staff")
    page.goto("/personview/list/?_flt_0_name=王芳")
    page.click(f"a[data-delete-url='/personview/delete/{person_id}']")
    page.wait_for_selector("#modal-confirm", state="visible")
    assert "确定要删除这条记录吗？" in page.inner_text("#modal-confirm .modal-body")
    assert live_server.value("SELECT deleted_at FROM person WHERE id = :id", id=person_id) is None  # asked first
    submit(page, "#modal-confirm-ok")
    assert page.locator(".alert-success").count()
    assert live_server.value("SELECT deleted_at FROM person WHERE id = :id", id=person_id) is not None
