"""Importing a small XLSX file in the browser: the preview shows every row error and writes nothing,
the confirmation writes the valid rows."""

import io

from openpyxl import Workbook

from app.services.demo_data import make_id_number
from tests.e2e.browser import save, submit

PERSONS_FORM = "form[action$='/import/persons/preview']"


def persons_xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "部门/单位", "类别", "手机号码", "入职日期"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload_persons(page, content: bytes) -> None:
    page.goto("/import/")
    page.set_input_files(
        f"{PERSONS_FORM} input[type=file]",
        files=[{"name": "persons.xlsx", "mimeType": "application/octet-stream", "buffer": content}],
    )
    submit(page, f"{PERSONS_FORM} button[type=submit]")


def test_import_a_small_xlsx_with_preview_then_confirm(open_session, live_server):
    first, second = (make_id_number("510112", "19960501", f"{n}1", "male") for n in (3, 5))
    content = persons_xlsx(
        [
            ["导入甲", first, "龙泉街道便民服务中心", "社区工作者", "13900000011", "2024-03-01"],
            ["导入乙", second, "龙泉街道便民服务中心", "volunteer", None, "2024/03/02"],
            ["导入丙", "510112199605010000", "龙泉街道便民服务中心", "社区工作者", "139", None],
        ]
    )
    page = open_session("staff")
    upload_persons(page, content)

    assert page.inner_text(".import-summary") == "共读取 3 行：2 行有效（其中 0 行已存在），1 行有错误。"
    errors = page.inner_text("table.import-errors")
    assert "公民身份号码" in errors and "手机号码" in errors  # row 4: both of its problems
    preview = page.locator("table.import-preview")
    headers = preview.locator("th").all_inner_texts()
    first_row = dict(zip(headers, preview.locator("tbody tr").first.locator("td").all_inner_texts(), strict=True))
    assert first_row == {  # the file's cells under the columns' labels
        "行号": "2",
        "姓名": "导入甲",
        "公民身份号码": first,
        "部门/单位": "龙泉街道便民服务中心",
        "类别": "社区工作者",
        "手机号码": "13900000011",
        "入职日期": "2024-03-01",
    }
    assert live_server.value("SELECT count(*) FROM person WHERE name LIKE '导入%'") == 0  # nothing written yet

    confirm = "form[action$='/import/persons/confirm'] button[type=submit]"
    assert "导入完成：新增 2 条，更新 0 条，跳过 0 条；1 行有错误，未导入。" in save(page, confirm)
    assert sorted(r.name for r in live_server.rows("SELECT name FROM person WHERE name LIKE '导入%'")) == [
        "导入乙",
        "导入甲",
    ]
    assert live_server.value("SELECT hired_on FROM person WHERE name = '导入乙'") == "2024-03-02"
    assert live_server.value("SELECT count(*) FROM audit_event WHERE action = 'import' AND actor_name = 'staff'") == 1
