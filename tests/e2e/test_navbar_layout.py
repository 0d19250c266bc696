"""The top bar at desktop widths: two rows at most, nothing overlapping, in both languages."""

import pytest

MENU = ".navbar-collapse .navbar-nav:not(.navbar-right) > li"
RIGHT = ".navbar-collapse .navbar-nav.navbar-right"


def boxes(page, selector: str) -> list[dict]:
    return [box for box in (item.bounding_box() for item in page.locator(selector).all()) if box]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_top_bar_takes_two_rows_at_1280_pixels(open_session, lang):
    page = open_session("admin", lang=lang)
    page.goto("/personview/list/")
    menu = boxes(page, MENU)
    assert len(menu) >= 8  # the Admin's menu: security, organization … supervision
    assert len({round(box["y"]) for box in menu}) == 1, "the menu wraps onto a second row"
    brand, right = page.locator(".navbar-brand").bounding_box(), page.locator(RIGHT).bounding_box()
    assert abs(right["y"] - brand["y"]) < brand["height"], "the language and user menus sit beside the name"
    assert brand["x"] + brand["width"] <= right["x"]
    assert page.locator(".navbar").bounding_box()["height"] <= 110
    assert menu[0]["y"] >= brand["y"] + brand["height"] - 1  # the menu starts below the name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_at_a_narrow_desktop_width_the_menus_still_do_not_overlap(open_session, lang):
    page = open_session("admin", lang=lang)
    page.set_viewport_size({"width": 800, "height": 800})
    page.goto("/personview/list/")
    brand, right = page.locator(".navbar-brand").bounding_box(), page.locator(RIGHT).bounding_box()
    assert brand["x"] + brand["width"] <= right["x"]
    menu = boxes(page, MENU)
    for first, second in zip(menu, menu[1:], strict=False):
        same_row = abs(first["y"] - second["y"]) < 1
        assert not same_row or first["x"] + first["width"] <= second["x"] + 1
    assert min(box["y"] for box in menu) >= brand["y"] + brand["height"] - 1
