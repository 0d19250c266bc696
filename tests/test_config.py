"""Configuration: production refuses to start without real secrets; the region cascade serves children."""

import pytest

from config import DEV_SECRET, ProdConfig
from models import Region
from tests.conftest import login
from tests.helpers import one


@pytest.mark.parametrize("secret", ["", DEV_SECRET, "short"])
def test_prod_refuses_a_missing_or_weak_secret(monkeypatch, secret):
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@localhost/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProdConfig.check()


def test_prod_refuses_a_missing_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        ProdConfig.check()


def test_prod_accepts_real_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@localhost/x")
    ProdConfig.check()


def test_region_cascade_offers_the_children_of_a_region(client, session):
    login(client, "staff")
    district = one(Region, code="510112")
    children = client.get(f"/regionview/children/?parent={district.id}").json["results"]
    assert [c["text"] for c in children] == ["龙泉街道", "大面街道"]
    assert {c["level"] for c in children} == {"township"}


def test_region_forms_render_three_cascading_selects(client, session):
    login(client, "staff")
    page = client.get("/facilityview/add").get_data(as_text=True)
    assert page.count('class="form-control region-level"') == 3
    assert "龙泉驿区" in page and "郫都区" in page


def test_english_names_show_in_english(client, session):
    login(client, "staff")
    client.get("/lang/en")
    page = client.get("/departmentview/list/").get_data(as_text=True)
    assert "Longquanyi Government Service Center" in page
    client.get("/lang/zh")
    page = client.get("/departmentview/list/").get_data(as_text=True)
    assert "龙泉驿区政务服务中心" in page
