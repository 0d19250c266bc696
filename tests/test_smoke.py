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
