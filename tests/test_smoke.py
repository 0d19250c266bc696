"""Every register's list page answers for the admin."""

import pytest

PAGES = [
    "/",
    "/regionview/list/",
    "/departmentview/list/",
    "/personview/list/",
    "/transferview/list/",
    "/facilityview/list/",
    "/bookingview/list/",
    "/personview/add",
    "/departmentview/add",
    "/facilityview/add",
    "/bookingview/add",
    "/regionview/add",
]


@pytest.mark.parametrize("path", PAGES)
def test_admin_pages_answer(as_admin, path):
    response = as_admin.get(path)
    assert response.status_code == 200, response.data[-2000:]


def test_every_register_show_page_renders_values_by_name(as_admin):
    """No raw object or None leaks into a record page."""
    import re

    from app.extensions import appbuilder
    from views.base import PlatformModelView

    checked = 0
    for view in appbuilder.baseviews:
        if not isinstance(view, PlatformModelView):
            continue
        name = view.__class__.__name__.lower()
        listing = as_admin.get(f"/{name}/list/").get_data(as_text=True)
        match = re.search(rf'href="/{name}/show/(\d+)"', listing)
        if not match:
            continue
        page = as_admin.get(f"/{name}/show/{match.group(1)}").get_data(as_text=True)
        assert "object at 0x" not in page, name
        assert ">None<" not in page.replace(" ", "").replace("\n", ""), name
        checked += 1
    assert checked >= 10
