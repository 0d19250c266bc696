"""The cascading region selects of the facility form: district, then township, then community."""

from tests.e2e.browser import choose, save

LEVEL = "#region-cascade select.region-level[data-depth='%d']"


def options(page, depth: int) -> list[str]:
    return page.locator(f"{LEVEL % depth} option").all_inner_texts()


def test_a_region_is_chosen_level_by_level(open_session, live_server):
    page = open_session("staff")
    page.goto("/facilityview/add")
    assert options(page, 0) == ["— 请选择 —", "锦江区", "龙泉驿区", "郫都区"]
    assert options(page, 1) == ["— 请选择 —"]

    page.select_option(LEVEL % 0, label="龙泉驿区")
    page.wait_for_selector(f"{LEVEL % 1} option:text-is('大面街道')", state="attached")
    assert options(page, 1) == ["— 请选择 —", "龙泉街道", "大面街道"]
    page.select_option(LEVEL % 1, label="龙泉街道")
    page.wait_for_selector(f"{LEVEL % 2} option:text-is('北泉社区')", state="attached")
    assert options(page, 2) == ["— 请选择 —", "驿都社区", "北泉社区"]
    page.select_option(LEVEL % 2, label="北泉社区")
    beiquan = live_server.value("SELECT id FROM region WHERE name = '北泉社区'")
    assert page.input_value("#region") == str(beiquan)

    # choosing another district empties the levels below it and the value follows the choice
    page.select_option(LEVEL % 0, label="郫都区")
    page.wait_for_selector(f"{LEVEL % 1} option:text-is('团结镇')", state="attached")
    assert options(page, 2) == ["— 请选择 —"]
    assert page.input_value("#region") == str(live_server.value("SELECT id FROM region WHERE name = '郫都区'"))
    page.select_option(LEVEL % 0, label="龙泉驿区")
    page.wait_for_selector(f"{LEVEL % 1} option:text-is('龙泉街道')", state="attached")
    page.select_option(LEVEL % 1, label="龙泉街道")
    page.wait_for_selector(f"{LEVEL % 2} option:text-is('北泉社区')", state="attached")
    page.select_option(LEVEL % 2, label="北泉社区")

    page.fill("#name", "北泉社区党群服务站")
    page.select_option("#kind", "community_station")
    choose(page, "managing_department", "驿都", "驿都社区居民委员会")
    assert "记录已添加" in save(page)
    assert live_server.value("SELECT region_id FROM facility WHERE name = '北泉社区党群服务站'") == beiquan
