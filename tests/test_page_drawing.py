"""Pages drawn in Python rather than through Flask-AppBuilder's templates draw the same HTML:
the page chrome kept per language (``app.page_chrome``), the list table with its header bar
(``views.list_page``), the record's fields (``views.show_page``), the add and edit forms
(``views.form_page``) and the choice selects of the forms
(``views.fields.ChoiceSelect``). Each is compared with the stock template, drawn in the same state."""

import re

import pytest
from flask_appbuilder.actions import ActionItem
from flask_appbuilder.widgets import FormWidget, ListWidget, ShowWidget
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.fields.core import Flags
from wtforms.widgets import Select

from app.extensions import appbuilder, db
from app.page_chrome import NONCE_MARK
from models import Person
from tests.conftest import login
from tests.helpers import dept, one
from views import field_html
from views import fields as fields_module
from views.base import PlatformFormWidget, PlatformListWidget, PlatformModelView, PlatformShowWidget
from views.fields import ChoiceField, ChoiceSelect
from views.form_page import draw_form
from views.list_rows import draw_rows

NONCE_RE = re.compile(r'nonce="([^"]*)"')
DIALOG_RE = re.compile(r'<div class="modal fade" id="modal-(?:confirm|alert)".*?</div></div></div></div>', re.S)


def normalized(html: str) -> str:
    """The HTML with its nonces hidden and the whitespace that the templates add taken out."""
    html = NONCE_RE.sub('nonce="N"', html)
    html = re.sub(r'href=([^" >]+)', r'href="\1"', html)  # the stock headers leave their links unquoted
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    html = re.sub(r"\s*([{}();,])\s*", r"\1", html)
    return re.sub(r"\s+", " ", html).replace(" >", ">")


def stock_list(self, **kwargs):
    return ListWidget.__call__(self, draw_rows=draw_rows, **kwargs)


def both_ways(client, monkeypatch, url: str, widget, stock) -> tuple[str, str]:
    """The page at ``url`` as drawn, then with ``widget`` drawn by the stock template."""
    drawn = client.get(url)
    assert drawn.status_code == 200
    with monkeypatch.context() as patch:
        patch.setattr(widget, "__call__", stock)
        reference = client.get(url)
    assert reference.status_code == 200
    return normalized(drawn.get_data(as_text=True)), normalized(reference.get_data(as_text=True))


def view_named(name: str):
    return next(view for view in appbuilder.baseviews if view.__class__.__name__ == name)


LIST_URLS = [
    "/personview/list/",
    "/personview/list/?page_PersonView=1&psize_PersonView=25",
    "/personview/list/?_oc_PersonView=department&_od_PersonView=asc&psize_PersonView=50",
    "/personview/list/?_oc_PersonView=name&_od_PersonView=desc&_flt_0_name=王",
    "/personview/list/?_flt_0_name=nobody-has-this-name",
    "/personview/list/?page_PersonView=2&psize_PersonView=25&_oc_PersonView=status",
    "/departmentview/list/",
    "/rectificationview/list/",
    "/socialorganizationview/list/",
]


@pytest.mark.parametrize("username", ["admin", "staff", "supervisor"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_list_draws_what_the_stock_template_draws(client, session, monkeypatch, username, language):
    login(client, username)
    client.get(f"/lang/{language}")
    for url in LIST_URLS:
        drawn, reference = both_ways(client, monkeypatch, url, PlatformListWidget, stock_list)
        assert drawn == reference, url


#: the pagination and page-size links with the page's other arguments before and after the changed one
PAGED_URLS = [
    "/personview/list/?page_PersonView=2&psize_PersonView=25&x=%22%3E",
    "/personview/list/?psize_PersonView=25&page_PersonView=1&_oc_PersonView=name&_od_PersonView=asc",
    "/personview/list/?_oc_PersonView=name&page_PersonView=3",
    "/personview/list/",
]


def test_a_list_of_many_pages_draws_the_stock_pagination(client, session, monkeypatch):
    from bench.seed import id_number

    department = dept("锦江区民政局")
    session.add_all(
        Person(name=f"分页{n:03d}", id_number=id_number(900_000 + n), department=department, category="volunteer")
        for n in range(120)
    )
    session.flush()
    login(client, "admin")
    for url in PAGED_URLS:
        drawn, reference = both_ways(client, monkeypatch, url, PlatformListWidget, stock_list)
        assert 'class="pagination' in drawn and "psize_PersonView=25" in drawn, url
        assert drawn == reference, url


#: the list page as the stock templates drew it before ``views.list_panel``: Flask-AppBuilder's
#: list template with the platform's export buttons in its ``list_list`` block
STOCK_LIST_PAGE = """{% extends "appbuilder/general/model/list.html" %}
{% block list_list scoped %}
  {% set query = request.query_string.decode() %}
  {% set view_name = request.endpoint.split('.')[0] %}
  <div class="list-export btn-group" role="group" aria-label="{{ _('Export') }}">
    <a class="btn btn-sm btn-default" href="{{ url_for(view_name + '.export', fmt='csv') }}{{ '?' + query if query }}">
      <i class="fa fa-download"></i> {{ _("Export CSV") }}</a>
    <a class="btn btn-sm btn-default" href="{{ url_for(view_name + '.export', fmt='xlsx') }}{{ '?' + query if query }}">
      <i class="fa fa-file-excel-o"></i> {{ _("Export XLSX") }}</a>
  </div>
  {{ super() }}
{% endblock %}"""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_list_pages_panel_draws_what_the_stock_template_draws(app, client, session, monkeypatch, language):
    """``views.list_panel``: the panel, search accordion, export buttons (with the request's query
    string, escaped) and list, as the stock list template draws them."""
    from jinja2 import ChoiceLoader, DictLoader

    login(client, "staff")
    client.get(f"/lang/{language}")
    stock_loader = ChoiceLoader([DictLoader({"test/stock_list.html": STOCK_LIST_PAGE}), app.jinja_env.loader])
    views = [view for view in appbuilder.baseviews if getattr(view, "list_template", None) == "platform/list.html"]
    for url in [*LIST_URLS, "/personview/list/?_flt_0_name=%22%3E%3Cb%3E&x=%27"]:
        drawn = client.get(url)
        with monkeypatch.context() as patch:
            patch.setattr(app.jinja_env, "loader", stock_loader)
            for view in views:
                patch.setattr(view, "list_template", "test/stock_list.html")
            reference = client.get(url)
        assert drawn.status_code == reference.status_code == 200
        page = drawn.get_data(as_text=True)
        assert normalized(page) == normalized(reference.get_data(as_text=True)), url
        assert "export/csv" in page and 'id="accordion1"' in page
    assert "<b>" not in page.split('class="list-export')[1].split("</div>")[0]  # the query string escaped


def test_the_list_header_links_keep_the_other_arguments_and_escape_them(client, session):
    login(client, "admin")
    client.get("/lang/en")
    page = client.get("/personview/list/?_flt_0_name=王&psize_PersonView=25&x=%22%3E").get_data(as_text=True)
    # the search term stays on every page and sort link, with the changed argument in place or at the end
    assert 'href="/personview/list/?_flt_0_name=%E7%8E%8B&amp;psize_PersonView=25&amp;x=%22%3E' in page
    assert "_oc_PersonView=name&amp;_od_PersonView=asc" in page
    assert 'x="">' not in page
    assert "<strong>Record Count:</strong>" in page


def test_a_record_page_draws_what_the_stock_template_draws_without_a_second_pair_of_dialogs(app, session, monkeypatch):
    person = one(Person, name="王伟")
    for username in ("admin", "staff", "supervisor"):
        client = login(app.test_client(), username)
        for language in ("zh", "en"):
            client.get(f"/lang/{language}")
            url = f"/personview/show/{person.id}"
            drawn, reference = both_ways(client, monkeypatch, url, PlatformShowWidget, ShowWidget.__call__)
            assert drawn.count('id="modal-confirm"') == 1 and reference.count('id="modal-confirm"') == 2
            assert DIALOG_RE.sub("", drawn) == DIALOG_RE.sub("", reference), (username, language)


def test_fieldsets_and_record_actions_are_drawn_as_the_stock_template_draws_them(app, client, session, monkeypatch):
    view = view_named("PersonView")
    person = one(Person, name="王伟")
    monkeypatch.setattr(
        view,
        "show_fieldsets",
        [
            ("基本信息", {"fields": ["name", "gender", "department"]}),
            ("岗位", {"fields": ["position"], "expanded": False}),
        ],
    )
    stock = view.actions["muldelete"]
    single = ActionItem(stock.name, stock.text, stock.confirmation, stock.icon, False, True, stock.func)
    monkeypatch.setattr(view, "actions", {**view.actions, "muldelete": single})
    login(client, "admin")
    url = f"/personview/show/{person.id}"
    drawn, reference = both_ways(client, monkeypatch, url, PlatformShowWidget, ShowWidget.__call__)
    assert 'class="panel-collapse collapse in"' in drawn and 'id="2_href" class="panel-collapse collapse"' in drawn
    assert f"execute_single('/personview/action/muldelete/{person.id}'" in drawn
    assert DIALOG_RE.sub("", drawn) == DIALOG_RE.sub("", reference)

    supervisor = login(app.test_client(), "supervisor")  # may read, not write: no action button
    page = supervisor.get(url).get_data(as_text=True)
    assert "execute_single" not in page and "btn-action-" not in page


def choice_fields(form):
    return [field for field in form if isinstance(field, ChoiceField)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_choice_select_draws_what_wtforms_draws(app, session, language):
    view = view_named("PersonView")
    person = one(Person, name="王伟")
    with app.test_request_context("/"), force_locale(language):
        form = view.edit_form.refresh(obj=person)
        fields = choice_fields(form)
        assert len(fields) >= 3
        for field in fields:
            for data in [field.data, None, "", "no-such-code", *field.choices_set.codes]:
                field.data = data
                assert ChoiceSelect()(field, class_="form-control") == Select()(field, class_="form-control")
        assert "<option selected" in str(fields[0]()) or fields[0].data is None


def test_choice_fields_are_bound_with_wtforms_own_kind_of_option(app, session):
    """WTForms deprecates options given as tuples (its 3.4 refuses them) and warns on every field
    bound with them; the options are made once, as ``SelectChoice``, and validate as before."""
    import warnings

    view = view_named("PersonView")
    with app.test_request_context("/"), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        form = view.edit_form.refresh(obj=one(Person, name="王伟"))
        gender = next(field for field in choice_fields(form) if field.name == "gender")
        assert [choice.value for choice in gender.choices if choice.value] == gender.choices_set.codes
        gender.data = "no-such-code"
        assert not gender.validate(form) and gender.errors
        gender.data = gender.choices_set.codes[0]
        gender.errors = []
        assert gender.validate(form)


def test_the_page_chrome_carries_each_requests_nonce_and_the_users_language(client, session):
    login(client, "admin")
    first, second = client.get("/personview/list/"), client.get("/personview/list/")
    nonces = []
    for response in (first, second):
        page = response.get_data(as_text=True)
        found = set(NONCE_RE.findall(page))
        assert len(found) == 1 and NONCE_MARK not in page
        (nonce,) = found
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        assert page.count(f'nonce="{nonce}"') >= 8  # the head's and the tail's scripts
        nonces.append(nonce)
    assert nonces[0] != nonces[1]

    client.get("/lang/en")
    english = client.get("/personview/list/").get_data(as_text=True)
    client.get("/lang/zh")
    chinese = client.get("/personview/list/").get_data(as_text=True)
    assert 'data-no-results="No results found"' in english and ">Cancel</button>" in english
    assert 'data-no-results="No results found"' not in chinese and ">Cancel</button>" not in chinese
    assert chinese.count('id="modal-confirm"') == 1


ATTRIBUTE_SETS = [
    {"name": "name", "id": "name", "class_": "form-control", "value": "王伟"},
    {"type": "text", "value": 'a "quoted" <b>&amp;</b>', "data_placeholder": "姓名", "aria_describedby": "help"},
    {"value": Markup('already "markup" <i>'), "checked": True, "readonly": False, "required": True},
    {"value": 0, "maxlength": 18, "step": 0.5, "min": None, "for_": "x", "data_a_b_c": "d"},
    {"value": _l("Name"), "title": _l("Show record"), "k<e>y": "v", "disabled": False},
    {},
]


@pytest.mark.parametrize("attributes", ATTRIBUTE_SETS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_field_attributes_are_written_as_wtforms_writes_them(app, attributes, language):
    with app.test_request_context("/"), force_locale(language):
        drawn = field_html.html_params(**attributes)
        assert isinstance(drawn, Markup)
        assert drawn == field_html.wtforms_html_params(**attributes)


def test_the_edit_and_add_forms_draw_what_wtforms_draws(client, session, monkeypatch):
    """Every widget of the person forms (text, date, select, AJAX select, hidden) with WTForms'
    own ``html_params`` and ``dir()`` of the fields' flags put back gives the same page."""
    from wtforms.widgets import core

    assert core.html_params is field_html.html_params and core.Input.html_params is field_html.html_params
    person = one(Person, name="王伟")
    login(client, "admin")
    for language in ("zh", "en"):
        client.get(f"/lang/{language}")
        for url in (f"/personview/edit/{person.id}", "/personview/add", "/departmentview/add"):
            drawn = client.get(url)
            assert drawn.status_code == 200
            with monkeypatch.context() as patch:
                field_html.install(field_html.wtforms_html_params, assign=patch.setattr)
                patch.setattr(fields_module, "html_params", field_html.wtforms_html_params)
                patch.setattr(Flags, "__dir__", object.__dir__)
                reference = client.get(url)
            assert normalized(drawn.get_data(as_text=True)) == normalized(reference.get_data(as_text=True)), url
            assert 'name="name"' in drawn.get_data(as_text=True)


def stock_form(self, **kwargs):
    return FormWidget.__call__(self, **kwargs)


def form_views():
    return [view for view in appbuilder.baseviews if isinstance(view, PlatformModelView)]


def form_pages():
    """(view, address) of every register's add form and, where it holds a record, of that
    record's edit form."""
    for view in form_views():
        yield view, f"{view.route_base}/add"
        record = db.session.query(view.datamodel.obj).first()
        if record is not None:
            yield view, f"{view.route_base}/edit/{record.id}"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_add_and_edit_form_draws_what_the_stock_template_draws(client, session, monkeypatch, language):
    login(client, "admin")
    client.get(f"/lang/{language}")
    compared = 0
    for _view, url in form_pages():
        response = client.get(url)
        if response.status_code != 200:
            continue  # a register whose records are edited elsewhere (a closed record, a parent's page)
        drawn, reference = both_ways(client, monkeypatch, url, PlatformFormWidget, stock_form)
        assert drawn == reference, url
        assert '<form id="model_form" action=""' in drawn, url
        compared += 1
    assert compared >= 2 * len(form_views()) - 10  # almost every register has both forms


def test_a_refused_form_shows_its_errors_escaped_and_otherwise_as_the_stock_template(client, session, monkeypatch):
    login(client, "admin")
    client.get("/lang/en")
    data = {"name": "", "id_number": "not-an-id", "category": "<b>bold</b>"}
    drawn = client.post("/personview/add", data=data)
    with monkeypatch.context() as patch:
        patch.setattr(PlatformFormWidget, "__call__", stock_form)
        reference = client.post("/personview/add", data=data)
    assert drawn.status_code == reference.status_code == 200
    drawn, reference = normalized(drawn.get_data(as_text=True)), normalized(reference.get_data(as_text=True))
    assert drawn.count('class="alert alert-danger"') >= 2
    assert "This field is required." in drawn
    assert "<b>bold</b>" not in drawn
    assert drawn == reference
    assert session.query(Person).filter(Person.id_number == "not-an-id").count() == 0


def test_form_fieldsets_and_a_given_action_are_drawn_as_the_stock_template_draws_them(
    app, client, session, monkeypatch
):
    view = view_named("PersonView")
    person = one(Person, name="王伟")
    fieldsets = [
        ("基本信息 <i>", {"fields": ["name", "gender", "department"]}),
        ("岗位", {"fields": ["position", "edit_version"], "expanded": False}),
    ]
    monkeypatch.setattr(view, "edit_fieldsets", fieldsets)
    login(client, "admin")
    url = f"/personview/edit/{person.id}"
    drawn, reference = both_ways(client, monkeypatch, url, PlatformFormWidget, stock_form)
    assert 'id="2_href" class="panel-collapse collapse"' in drawn and "基本信息 &lt;i&gt;" in drawn
    assert drawn == reference

    with app.test_request_context("/"):
        form = view.edit_form.refresh(obj=person)
        args = {"form": form, "include_cols": ["name", "position"], "exclude_cols": ["position"]}
        given = draw_form({**args, "form_action": '/x?a=1&b="2"'})
        assert given.startswith('<form action="/x?a=1&amp;b=&#34;2&#34;" method="post"')
        assert normalized(given) == normalized(FormWidget(**args, form_action='/x?a=1&b="2"')())
        assert 'name="position"' not in given and 'name="name"' in given


def test_imports_in_templates_behave_as_in_jinja(app):
    """``PlatformTemplate`` answers ``{% import %}`` as Jinja does: the cached module when the
    imported template has every global of the page, a module of its own when the page has more."""
    from jinja2 import DictLoader, Environment, Template

    from app.jinja_templates import PlatformTemplate

    with app.app_context():
        assert isinstance(app.jinja_env.get_template("platform/show.html"), PlatformTemplate)
    sources = {
        "lib.html": "{% macro hello() %}{{ greeting | default('none') }} {{ shared }}{% endmacro %}",
        "page.html": "{% import 'lib.html' as lib %}[{{ lib.hello() }}]",
    }
    results = []
    for template_class in (Template, PlatformTemplate):
        environment = Environment(loader=DictLoader(sources), autoescape=True)
        environment.template_class = template_class
        environment.globals["shared"] = "s"
        plain = environment.get_template("page.html").render()
        # a page loaded with a global of its own: the imported macro sees it, as in Jinja
        own = environment.get_template("page.html", globals={"greeting": "hi"}).render()
        again = environment.get_template("page.html").render()
        results.append((plain, own, again))
    assert results[0] == results[1] == ("[none s]", "[hi s]", "[hi s]")


def test_a_lazy_text_is_escaped_in_each_language_and_kept(app, monkeypatch):
    """``escaped_text`` (form labels and help texts): a lazy string is translated and escaped once
    per language; plain text is escaped every time; the kept texts are bounded."""
    from views import kept_text

    label = _l("Record Count")
    with app.test_request_context():
        with force_locale("en"):
            assert kept_text.escaped_text(label) == "Record Count"
        with force_locale("zh"):
            assert kept_text.escaped_text(label) == "记录数目"
            assert kept_text.escaped_text(label) is kept_text.escaped_text(label)
        assert kept_text.escaped_text("<b>&") == Markup("&lt;b&gt;&amp;")
        # a lazy string is markup (flask_babel gives it ``__html__``), as the stock templates take it
        assert kept_text.escaped_text(_l("<b>%(x)s</b>", x="&")) == Markup("<b>&</b>")
        monkeypatch.setattr(kept_text, "MAX_KEPT_TEXTS", 2)
        for _ in range(5):
            kept_text.escaped_text(_l("Record Count"))
        assert len(kept_text._KEPT_TEXTS) <= 2


def _stock_ajax_select(field) -> Markup:
    """``AjaxSelectWidget`` as it was written with ``Markup.format``."""
    from flask import url_for
    from flask_babel import gettext

    option = Markup("")
    if field.data is not None:
        option = Markup('<option value="{}" selected>{}</option>').format(field.pk_of(field.data), str(field.data))
    elif field.allow_blank:
        option = Markup('<option value=""></option>')
    return Markup(
        '<select id="{id}" name="{name}" class="form-control platform-ajax-select" data-url="{url}" '
        'data-placeholder="{placeholder}" data-allow-clear="{clear}">{option}</select>'
    ).format(
        id=field.id,
        name=field.name,
        url=url_for(f"{field.view_endpoint}.lookup", column=field.lookup_column or field.name),
        placeholder=gettext("Type to search…"),
        clear="true" if field.allow_blank else "false",
        option=option,
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_ajax_select_draws_what_markup_format_drew(app, language):
    from types import SimpleNamespace

    from views.fields import AjaxSelectWidget

    hostile = "<b>\"&'</b>"
    fields = [
        SimpleNamespace(data=None, allow_blank=True, id="department", name="department", lookup_column=None),
        SimpleNamespace(data=None, allow_blank=False, id="a", name="b", lookup_column="parent"),
        SimpleNamespace(data=hostile, allow_blank=True, id=hostile, name=hostile, lookup_column=None),
        SimpleNamespace(data=Markup("<i>kept</i>"), allow_blank=False, id="x", name="x", lookup_column="x&y"),
    ]
    for root in ("", "/mounted"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"), force_locale(language):
            for field in fields:
                field.view_endpoint, field.pk_of = "PersonView", lambda data: f"{data}-key"
                drawn = AjaxSelectWidget()(field)
                assert drawn == _stock_ajax_select(field)
                assert f'data-url="{root}/personview/lookup' in drawn


def test_the_back_button_is_kept_per_language_and_mount_point(app):
    from views.list_page import back_button

    drawn = {}
    for root in ("", "/mounted"):
        for language in ("zh", "en"):
            with app.test_request_context("/", base_url=f"http://localhost{root}"), force_locale(language):
                drawn[root, language] = back_button()
    assert 'href="/back"' in drawn["", "en"] and 'href="/mounted/back"' in drawn["/mounted", "zh"]
    assert 'title="Back"' in drawn["/mounted", "en"] and 'title="返回"' in drawn["", "zh"]
