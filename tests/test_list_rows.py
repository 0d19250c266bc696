"""The rows of a list page (``views.list_rows``): escaped cells, masks, and only the buttons the
user may use, each with its translated title and the row's own links."""

import json
import re

import pytest
from flask_appbuilder.models.filters import BaseFilterConverter
from flask_appbuilder.widgets import SearchWidget
from flask_babel import force_locale

from app.extensions import appbuilder, db
from models import Person
from models.validation import mask_id_number
from tests.conftest import login
from tests.helpers import one

ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.S)


def row_of(page: str, person: Person) -> str:
    """The list row of ``person`` (found by its checkbox or its show link)."""
    for row in ROW_RE.findall(page):
        if f"/personview/show/{person.id}" in row:
            return row
    raise AssertionError(f"no row for person {person.id}")


def listed(client, person: Person) -> str:
    response = client.get(f"/personview/list/?_flt_0_name={person.name}")
    assert response.status_code == 200
    return row_of(response.get_data(as_text=True), person)


def test_a_row_escapes_what_a_record_holds(client, session):
    person = one(Person, name="王伟")
    person.position = '<script>alert("x")</script> & <b>副主任</b>'
    db.session.commit()
    login(client, "admin")
    row = listed(client, person)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;副主任&lt;/b&gt;" in row
    assert "<script>" not in row and "<b>" not in row


def test_a_writer_gets_the_checkbox_and_all_three_buttons_in_their_language(client, session):
    person = one(Person, name="王伟")
    login(client, "staff")
    row = listed(client, person)
    assert f'<input id="{person.id}" class="action_check" name="rowid" value="{person.id}" type="checkbox">' in row
    assert f'href="/personview/show/{person.id}"' in row and 'title="查看记录"' in row
    assert f'href="/personview/edit/{person.id}"' in row and 'title="编辑记录"' in row
    assert f'data-delete-url="/personview/delete/{person.id}"' in row
    assert 'data-confirmation="确定要删除这条记录吗？"' in row and 'title="删除记录"' in row
    assert "<td>王伟</td>" in row and "<td>男</td>" in row  # choice codes shown by their labels
    assert f"<td>{person.id_number}</td>" in row  # staff see the full ID number

    client.get("/lang/en")
    row = listed(client, person)
    assert 'title="Show record"' in row and 'title="Edit record"' in row and 'title="Delete record"' in row
    assert 'data-confirmation="Are you sure you want to delete this item?"' in row
    assert "<td>Male</td>" in row


def test_a_reader_gets_only_the_show_button_and_masked_id_numbers(client, session):
    person = one(Person, name="王伟")
    login(client, "supervisor")
    row = listed(client, person)
    assert f'href="/personview/show/{person.id}"' in row
    assert "/personview/edit/" not in row and "data-delete-url" not in row
    assert "action_check" not in row  # no bulk action the supervisor may run
    assert person.id_number not in row and f"<td>{mask_id_number(person.id_number)}</td>" in row


def test_the_delete_button_of_a_row_deletes_that_record(client, session):
    """The button's data-delete-url is the link Flask-AppBuilder's dialog posts to."""
    person = one(Person, name="王伟")
    login(client, "staff")
    url = re.search(r'data-delete-url="([^"]+)"', listed(client, person)).group(1)
    assert client.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).deleted_at is not None


FILTERS_RE = re.compile(r"new AdminFilters\(\s*'#filter_form',(.*?)\);\s*\}\)\(jQuery\)", re.S)


def filter_arguments(page: str) -> list:
    """The four JSON arguments the page hands to Flask-AppBuilder's ``AdminFilters``."""
    return json.loads("[" + FILTERS_RE.search(page).group(1) + "]")


def stock_search_arguments(app, view, lang: str) -> list:
    """What Flask-AppBuilder's own search widget hands over for ``view`` in ``lang``."""
    with app.test_request_context(f"/{lang}"), force_locale(lang):
        widget = SearchWidget(
            route_base=view.route_base,
            form=view.search_form.refresh(),
            include_cols=view.search_columns,
            exclude_cols=[],
            filters=view._filters,
        )
        return filter_arguments(str(widget()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_search_form_hands_over_what_flask_appbuilders_does_and_the_requests_filters(app, client, lang):
    login(client, "staff")
    client.get(f"/lang/{lang}")
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    for _ in range(2):  # drawn, then kept
        page = client.get("/personview/list/?_flt_2_name=王").get_data(as_text=True)
        labels, fields, filter_names, active = filter_arguments(page)
        assert [labels, fields, filter_names] == stock_search_arguments(app, view, lang)[:3]
        assert active == [["name", filter_names["name"][2], ["王"]]]
    assert labels["name"] == {"zh": "姓名", "en": "Full name"}[lang]
    assert filter_arguments(client.get("/personview/list/").get_data(as_text=True))[3] == []


def test_the_search_form_is_built_only_when_its_parts_are_not_kept(app, client, monkeypatch):
    """A list builds its search form for the first page of a language only; later pages hand over
    the same fields and filter names without building it."""
    from views import search_widget

    login(client, "staff")
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    stock = stock_search_arguments(app, view, "zh")[:3]
    monkeypatch.setattr(search_widget, "_FIXED_PARTS", {})
    built = []
    real_refresh = view.search_form.refresh
    monkeypatch.setattr(view.search_form, "refresh", lambda obj=None: built.append(obj) or real_refresh(obj))
    answers = [client.get("/personview/list/") for _ in range(3)]
    pages = [answer.get_data(as_text=True) for answer in answers]
    assert len(built) == 1
    for answer, page in zip(answers, pages, strict=True):  # each kept form carries its request's nonce
        nonce = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"]).group(1)
        assert (
            re.search(r'<script nonce="([^"]*)">\s*\(function\(\$\) \{\s*const filter = new AdminFilters', page).group(
                1
            )
            == nonce
        )
    assert filter_arguments(pages[0])[:3] == filter_arguments(pages[2])[:3] == stock
    client.get("/lang/en")
    client.get("/personview/list/")
    client.get("/personview/list/")
    assert len(built) == 2


def test_a_list_request_reuses_the_columns_filter_objects(client, session, monkeypatch):
    """Each filter set of a request (the view's, the joined one, the count's and the rows') shares
    the filter objects worked out for the view's datamodel, and still filters."""
    login(client, "staff")
    client.get("/personview/list/?_flt_2_name=王")
    conversions = []
    real_convert = BaseFilterConverter.convert
    monkeypatch.setattr(
        BaseFilterConverter, "convert", lambda self, column: conversions.append(column) or real_convert(self, column)
    )
    page = client.get("/personview/list/?_flt_2_name=王伟").get_data(as_text=True)
    assert conversions == []
    names = re.findall(r"<td>([^<]*)</td><td>(?:男|女)</td>", page)
    assert names and all("王伟" in name for name in names)


def test_equal_values_that_print_differently_keep_their_own_cells():
    from decimal import Decimal

    from views.list_rows import draw_rows

    rows = [{"amount": Decimal("1.0"), "flag": True}, {"amount": Decimal("1.00"), "flag": 1}]
    html = draw_rows(rows, [1, 2], ["amount", "flag"], {}, "FundingView", None, False, False, False, None)
    assert html == "<tr><td>1.0</td><td>True</td></tr><tr><td>1.00</td><td>1</td></tr>"


NAMES = [f"街道{number}" for number in range(20)]


def test_a_related_record_is_named_once_per_page_and_each_record_by_its_own_name():
    """The same related record on many rows is formatted once; another record gets its own cell,
    even one made after the first was drawn and released (``id`` values are reused)."""
    from views.list_rows import draw_rows

    class Record:
        def __init__(self, name):
            self.name = name

    named = []

    def name_of(record):
        named.append(record.name)
        return record.name

    shared = Record("锦江区民政局")

    def rows():
        yield {"department": shared}
        yield {"department": shared}
        for name in NAMES:
            yield {"department": Record(name)}  # released once drawn, unless the page keeps it

    html = draw_rows(rows(), range(len(NAMES) + 2), ["department"], {"department": name_of}, "PersonView",
                     None, False, False, False, None)  # fmt: skip
    assert html == "".join(f"<tr><td>{name}</td></tr>" for name in ["锦江区民政局", "锦江区民政局", *NAMES])
    assert named == ["锦江区民政局", *NAMES]


def _list_values(datamodel, interface, items, columns) -> list:
    return [list(row.values()) for row in interface.get_values(datamodel, items, columns)]


def _record_values(datamodel, interface, items, columns) -> list:
    return [interface.get_values_item(datamodel, item, columns) for item in items]


@pytest.mark.parametrize("kind", ["list", "record"])
def test_every_list_and_record_page_reads_the_values_flask_appbuilder_reads(app, session, kind):
    """``ScopedSQLAInterface.get_values`` (a list's rows) and ``get_values_item`` (a record page)
    give, for every view's columns, what Flask-AppBuilder's own give: the same objects, not only
    equal text."""
    from flask_appbuilder.models.base import BaseInterface

    from app.datamodel import ScopedSQLAInterface

    read, columns_of = {"list": (_list_values, "list_columns"), "record": (_record_values, "show_columns")}[kind]
    checked = 0
    with app.test_request_context("/"):
        for view in appbuilder.baseviews:
            datamodel = getattr(view, "datamodel", None)
            columns = getattr(view, columns_of, None)
            if not isinstance(datamodel, ScopedSQLAInterface) or not columns:
                continue
            items = db.session.query(datamodel.obj).limit(30).all()
            fast, stock = (
                read(datamodel, ScopedSQLAInterface, items, columns),
                read(datamodel, BaseInterface, items, columns),
            )
            assert len(fast) == len(stock) == len(items)
            for ours, theirs in zip(fast, stock, strict=True):
                assert len(ours) == len(theirs) == len(columns)
                for column, mine, stocks in zip(columns, ours, theirs, strict=True):
                    assert mine is stocks or mine == stocks, (view, column)
                    assert type(mine) is type(stocks), (view, column)
                checked += len(columns)
    assert checked > 300


def test_kept_row_buttons_follow_the_related_view_filters(app):
    """``views.list_rows``: the row buttons are kept per view, permissions, language and the
    related-view filters their links carry."""
    from types import SimpleNamespace

    from views import list_rows

    def related_filters(value):
        flt = SimpleNamespace(is_related_view=True, column_name="department")
        return SimpleNamespace(get_filters_values=lambda: [(flt, value)])

    with app.test_request_context("/personview/list/"):
        first = list_rows._kept_buttons("PersonView", related_filters(1), True, True, False)
        second = list_rows._kept_buttons("PersonView", related_filters(2), True, True, False)
        assert "_flt_0_department=1" in first and "_flt_0_department=2" in second
        assert list_rows._kept_buttons("PersonView", related_filters(1), True, True, False) == first
        assert "/personview/edit/" not in list_rows._kept_buttons("PersonView", related_filters(1), True, False, False)
