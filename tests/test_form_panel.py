"""The panel around every add and edit form (``views.form_panel``): the same page as
Flask-AppBuilder's add and edit templates draw, an edit page's hidden tab list included, in both languages."""

import pytest

from tests.conftest import login
from tests.test_page_drawing import form_pages, form_views, normalized

STOCK = {"add_template": "appbuilder/general/model/add.html", "edit_template": "appbuilder/general/model/edit.html"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_add_and_edit_page_is_the_stock_templates_page(client, session, monkeypatch, language):
    login(client, "admin")
    client.get(f"/lang/{language}")
    compared, with_tabs = 0, 0
    for view, url in form_pages():
        drawn = client.get(url)
        with monkeypatch.context() as patch:
            for name, template in STOCK.items():
                patch.setattr(view, name, template)
            stock = client.get(url)
        assert drawn.status_code == stock.status_code, url
        if drawn.status_code != 200:
            continue
        page = normalized(drawn.get_data(as_text=True))
        assert page == normalized(stock.get_data(as_text=True)), url
        assert 'class="panel panel-primary' in page, url
        compared += 1
        with_tabs += 'class="nav nav-tabs"' in page and "/edit/" in url
    assert compared >= 2 * len(form_views()) - 10
    assert with_tabs >= 1  # the edit pages' (hidden) tab list of related views
