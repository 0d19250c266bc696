"""The main screens in both languages, as the README shows them.

Every run opens them (no browser error allowed, the title in the chosen language, the charts drawn);
``make screenshots`` (SCREENSHOTS=1) also saves them as docs/screenshots/<screen>-<zh|en>.png."""

import pytest

from app.services.demo_data import make_id_number
from tests.e2e.browser import shoot, submit
from tests.e2e.test_import import PERSONS_FORM, persons_xlsx

TITLES = {
    "home": ("平台概况", "Platform overview"),
    "person-list": ("工作人员", "Persons"),
    "person-form": ("编辑工作人员", "Edit person"),
    "minutes-editor": ("编辑会议纪要", "Edit meeting minutes"),
    "coverage": ("党建覆盖情况", "Party-building coverage"),
    "import-preview": ("导入", "Import"),
}


def wait_for_charts(page, selector: str) -> None:
    """ECharts has drawn into every chart box."""
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(box => box.querySelector('canvas'))", arg=selector
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_main_screens(open_session, live_server, lang):
    page = open_session("admin", lang=lang)
    index = 0 if lang == "zh" else 1

    def screen(name: str, heading: str) -> None:
        assert TITLES[name][index] in page.inner_text(heading)
        shoot(page, name, lang)

    page.goto("/")
    wait_for_charts(page, ".dashboard-chart")
    screen("home", "#dashboard-admin h3")

    page.goto("/personview/list/")
    assert page.locator("table.table-bordered tbody tr").count() >= 10
    screen("person-list", ".panel-title >> nth=0")

    person = live_server.value("SELECT id FROM person WHERE name = '张华'")
    page.goto(f"/personview/edit/{person}")
    assert page.input_value("#name") == "张华"
    screen("person-form", ".panel-title >> nth=0")

    meeting = live_server.value("SELECT id FROM joint_meeting WHERE status = 'draft' ORDER BY id")
    page.goto(f"/minutes/{meeting}/edit")
    assert page.locator("#agenda-rows tr.agenda-row").count() >= 1
    screen("minutes-editor", ".panel-title >> nth=0")

    page.goto("/partyoversight/coverage")
    wait_for_charts(page, "#coverage-chart")
    screen("coverage", ".panel-title >> nth=0")

    page.goto("/import/")
    content = persons_xlsx(
        [
            [
                "刘敏",
                make_id_number("510112", "19920315", "02", "female"),
                "龙泉街道便民服务中心",
                "社区工作者",
                "13900000021",
                "2025-04-01",
            ],
            ["何军", "510112199203150000", "龙泉街道便民服务中心", "社区工作者", "1390000", "2025-04-01"],
        ]
    )
    page.set_input_files(
        f"{PERSONS_FORM} input[type=file]",
        files=[{"name": "persons.xlsx", "mimeType": "application/octet-stream", "buffer": content}],
    )
    submit(page, f"{PERSONS_FORM} button[type=submit]")
    assert page.locator("table.import-errors tbody tr").count() >= 1
    screen("import-preview", ".panel-title >> nth=0")
