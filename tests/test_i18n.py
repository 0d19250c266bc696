"""Both languages everywhere: complete catalogs, fresh .mo and .pot files, every screen in the chosen
language, and a sticky language choice (zh by default).

The screen walk signs in as each role, switches the language with ``/lang/<locale>``, opens every
page of the navbar's dropdown menus (plus the profile forms and the add forms linked from the
lists) and checks that no UI text of the other language is left on the page. A UI text is a msgid
of our catalog or of Flask-AppBuilder's (for zh), or a zh msgstr (for en); it counts as a leak only
when it is the whole text of an element, so data such as record names never trips it.
"""

import gettext
import io
import json
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import flask_appbuilder
import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import url_for
from flask_appbuilder import Model
from sqlalchemy import String, select

from app.extensions import db
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("zh", "en")
ROLES = ("as_admin", "as_staff", "as_staff_jj", "as_supervisor")
FAB_ZH_PO = Path(flask_appbuilder.__file__).parent / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")

#: English left on zh screens (or Chinese on en screens) that is accepted: (path prefix, text).
#: Empty: every leak found so far was fixed. An entry needs a reason in a comment.
KNOWN_LEAKS: set[tuple[str, str]] = set()
KNOWN_ZH_LEAKS: set[tuple[str, str]] = set()


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def message_ids(catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


# --- a. complete catalogs -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete(locale):
    catalog = read_catalog(po_path(locale))
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    empty, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not empty, f"{locale}: untranslated msgids: {empty}"
    assert not fuzzy, f"{locale}: fuzzy entries: {fuzzy}"
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert not problems, f"{locale}: placeholder problems: {problems}"


# --- b. fresh .mo files ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_is_fresh(locale):
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(po_path(locale)))
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    mo_file = po_path(locale).with_suffix(".mo")
    assert mo_file.exists(), f"{mo_file} is missing: run `make translations`"
    with mo_file.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    fresh_messages = {key: value for key, value in fresh._catalog.items() if key != ""}
    committed_messages = {key: value for key, value in committed._catalog.items() if key != ""}
    assert committed_messages == fresh_messages, f"{mo_file} is stale: run `pybabel compile -d translations`"


# --- c. fresh .pot file ---------------------------------------------------------------------------


def makefile_extract_args(output: Path) -> list[str]:
    """The arguments of the Makefile's ``pybabel extract`` line, writing to ``output`` instead."""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if "pybabel extract" not in line:
            continue
        words = shlex.split(line.strip())
        if len(words) > 1 and words[0].endswith("pybabel") and words[1] == "extract":
            args = words[1:]
            args[args.index("-o") + 1] = str(output)
            return args
    raise AssertionError("no `pybabel extract` line in the Makefile")


@pytest.fixture(scope="module")
def extracted_msgids(tmp_path_factory) -> set[str]:
    output = tmp_path_factory.mktemp("pot") / "messages.pot"
    args = makefile_extract_args(output)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    return message_ids(read_catalog(output))


def test_pot_matches_the_sources(extracted_msgids):
    committed = message_ids(read_catalog(TRANSLATIONS / "messages.pot"))
    assert extracted_msgids, "the extraction found no messages"
    assert committed == extracted_msgids, (
        f"messages.pot is stale: run `make translations`. "
        f"New in the sources: {sorted(extracted_msgids - committed)}; gone: {sorted(committed - extracted_msgids)}"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_exactly_the_pot_msgids(locale):
    pot = message_ids(read_catalog(TRANSLATIONS / "messages.pot"))
    po = message_ids(read_catalog(po_path(locale)))
    assert po == pot, f"{locale}: missing {sorted(pot - po)}; extra {sorted(po - pot)}"


def test_fab_gaps_are_in_the_catalog():
    source = (TRANSLATIONS / "fab_gaps.py").read_text(encoding="utf-8")
    gaps = fab_gap_msgids()
    assert "FAB_GAPS" in source and gaps
    assert gaps <= message_ids(read_catalog(TRANSLATIONS / "messages.pot"))


# --- vocabularies ---------------------------------------------------------------------------------


def fab_gap_msgids() -> set[str]:
    """The msgids of translations/fab_gaps.py, read with babel's extractor (no import needed)."""
    from babel.messages.extract import extract_from_file

    found = extract_from_file("python", str(TRANSLATIONS / "fab_gaps.py"), keywords={"_l": None})
    return {message for _lineno, message, _comments, _context in found}


def is_ui_word(text: str) -> bool:
    return len(text) >= 4 and re.search(r"[A-Za-z]{2}", text) is not None and not PLACEHOLDER.search(text)


@pytest.fixture(scope="module")
def english_ui_words() -> set[str]:
    """English UI texts that must not show on a zh page: our msgids, FAB's gaps and FAB's translated msgids."""
    words = message_ids(read_catalog(po_path("en"))) | fab_gap_msgids()
    words |= {message.id for message in read_catalog(FAB_ZH_PO) if message.id and message.string}
    return {word for word in words if isinstance(word, str) and is_ui_word(word)}


@pytest.fixture(scope="module")
def chinese_ui_words() -> set[str]:
    """Chinese UI texts that must not show on an en page: our zh translations."""
    catalog = read_catalog(po_path("zh"))
    return {
        message.string
        for message in catalog
        if message.id and isinstance(message.string, str) and HAN.search(message.string)
        if not PLACEHOLDER.search(message.string)
    }


@pytest.fixture()
def data_strings(app, session) -> set[str]:
    """Every text value stored in the database: record names, role names, permission names..."""
    values = set()
    with app.app_context():
        for table in Model.metadata.tables.values():
            for column in table.columns:
                if isinstance(column.type, String):
                    values.update(str(value).strip() for value in db.session.execute(select(column)).scalars() if value)
    return values


# --- page parsing ---------------------------------------------------------------------------------


class Page(HTMLParser):
    """The texts of a page (text nodes, title and placeholder attributes) and its links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.texts: list[str] = []
        self.links: list[str] = []
        self.menu_links: list[str] = []
        self._skip = 0
        self._dropdown_depth = 0
        self._ul_stack: list[bool] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "ul":
            is_dropdown = "dropdown-menu" in (attributes.get("class") or "").split()
            self._ul_stack.append(is_dropdown)
            self._dropdown_depth += is_dropdown
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
            if self._dropdown_depth:
                self.menu_links.append(attributes["href"])
        for name in ("title", "placeholder"):
            if attributes.get(name):
                self.texts.append(attributes[name].strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag == "ul" and self._ul_stack:
            self._dropdown_depth -= self._ul_stack.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def local_path(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pages_to_walk(app, client) -> list[str]:
    """The home page, the navbar's dropdown menu pages, the profile forms and the lists' add forms."""
    home = client.get("/")
    assert home.status_code == 200
    paths = ["/"]
    for href in Page(home.get_data(as_text=True)).menu_links:
        path = local_path(href)
        if path and not path.startswith("/lang/") and "logout" not in path:
            paths.append(path)
    with app.test_request_context():
        paths += [url_for("ResetMyPasswordView.this_form_get"), url_for("UserInfoEditView.this_form_get")]
    for path in list(paths):
        if path.endswith("/list/"):
            page = Page(client.get(path).get_data(as_text=True))
            add_form = path[: -len("list/")] + "add"
            if any(local_path(href) == add_form for href in page.links):
                paths.append(add_form)
    return list(dict.fromkeys(paths))


def set_language(client, locale: str) -> None:
    response = client.get(f"/lang/{locale}")
    assert response.status_code in (200, 302), response.status_code


def leaks(page: Page, path: str, words: set[str], data: set[str], known: set[tuple[str, str]], allowed: set[str]):
    found = []
    for text in page.texts:
        if text in words and text not in data and text not in allowed:
            if not any(path.startswith(prefix) and text == known_text for prefix, known_text in known):
                found.append(text)
    return sorted(set(found))


# --- d. every menu page in both languages, for each role ------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_every_menu_page_is_in_the_chosen_language(
    request, app, role, locale, english_ui_words, chinese_ui_words, data_strings
):
    client = request.getfixturevalue(role)
    set_language(client, locale)
    language_names = {entry["name"] for entry in app.config["LANGUAGES"].values()}
    paths = pages_to_walk(app, client)
    assert len(paths) > 3, paths
    problems = {}
    for path in paths:
        response = client.get(path, follow_redirects=True)  # e.g. a meeting's add form is the minutes editor
        assert response.status_code == 200, f"{path}: {response.status_code}"
        page = Page(response.get_data(as_text=True))
        assert page.html_lang == locale, f"{path}: <html lang={page.html_lang!r}>"
        if locale == "zh":
            found = leaks(page, path, english_ui_words, data_strings, KNOWN_LEAKS, language_names)
        else:
            found = leaks(page, path, chinese_ui_words, data_strings, KNOWN_ZH_LEAKS, language_names)
        if found:
            problems[path] = found
    assert not problems, f"{role}, {locale}: texts of the other language: {problems}"


def test_the_menu_is_translated(as_admin):
    set_language(as_admin, "zh")
    zh_menu = Page(as_admin.get("/").get_data(as_text=True)).texts
    set_language(as_admin, "en")
    en_menu = Page(as_admin.get("/").get_data(as_text=True)).texts
    assert "行政区划" in zh_menu and "Regions" not in zh_menu
    assert "Regions" in en_menu and "行政区划" not in en_menu


@pytest.mark.parametrize(("locale", "sign_in"), [("zh", "登录"), ("en", "Sign In")])
def test_login_page_in_both_languages(app, client, locale, sign_in, english_ui_words, chinese_ui_words, data_strings):
    set_language(client, locale)
    response = client.get("/login/")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.html_lang == locale
    assert sign_in in page.texts
    language_names = {entry["name"] for entry in app.config["LANGUAGES"].values()}
    if locale == "zh":
        assert not leaks(page, "/login/", english_ui_words, data_strings, KNOWN_LEAKS, language_names)
    else:
        assert not leaks(page, "/login/", chinese_ui_words, data_strings, KNOWN_ZH_LEAKS, language_names)


# --- e. the language choice is sticky -------------------------------------------------------------


def html_lang(client, path: str) -> str | None:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return Page(response.get_data(as_text=True)).html_lang


def test_default_language_is_zh(client):
    assert html_lang(client, "/") == "zh"
    assert html_lang(client, "/login/") == "zh"


def test_language_choice_is_sticky(as_staff):
    assert html_lang(as_staff, "/") == "zh"
    set_language(as_staff, "en")
    for path in ("/", "/personview/list/", "/departmentview/list/", "/"):
        assert html_lang(as_staff, path) == "en", path
    set_language(as_staff, "zh")
    for path in ("/", "/personview/list/", "/departmentview/list/", "/"):
        assert html_lang(as_staff, path) == "zh", path


def test_language_choice_survives_signing_in(client):
    from conftest import login

    set_language(client, "en")
    assert html_lang(client, "/login/") == "en"
    login(client, "staff")
    assert html_lang(client, "/") == "en"


@pytest.mark.parametrize("first", ["zh", "en"])
def test_form_field_messages_follow_the_language_of_each_request(client, session, first):
    """WTForms' own messages ("This field is required.") come in the request's language, whichever
    language asked first: the worker keeps one catalog per language, not the first one it read."""
    from tests.conftest import login

    login(client, "staff")
    expected = {"zh": "该字段是必填字段。", "en": "This field is required."}
    for locale in (first, "en" if first == "zh" else "zh", first):
        set_language(client, locale)
        response = client.post("/personview/add", data={"name": "", "category": "contract"})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert expected[locale] in page
        other = expected["en" if locale == "zh" else "zh"]
        assert other not in page


@pytest.mark.parametrize("url", ["/users/userinfo/", "/users/list/", "/users/show/{staff}"])
def test_the_user_pages_show_yes_no_and_role_names_not_python_values(client, session, url):
    from models import PlatformUser

    staff = db.session.query(PlatformUser).filter_by(username="staff").one()
    login(client, "admin")
    page = client.get(url.format(staff=staff.id)).get_data(as_text=True)
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", body, flags=re.S)
    shown = " ".join(re.sub(r"<[^>]+>", " ", cell) for cell in cells)
    assert "是" in shown
    assert not re.search(r"\bTrue\b|\bFalse\b|\[<?\w+>?\]|\bNone\b|\.\d{6}\b", shown), shown


def test_lists_of_names_are_run_together_as_each_language_writes_them(client, session):
    from app.extensions import appbuilder
    from models import PlatformUser

    staff = db.session.query(PlatformUser).filter_by(username="staff").one()
    staff.roles = [appbuilder.sm.find_role("DeptStaff"), appbuilder.sm.find_role("Supervisor")]
    db.session.commit()
    login(client, "admin")
    for language, shown in (
        ("zh", "部门工作人员（DeptStaff）、监督员（Supervisor）"),
        ("en", "Department staff (DeptStaff), Supervisor (Supervisor)"),
    ):
        client.get(f"/lang/{language}")
        assert shown in client.get(f"/users/show/{staff.id}").get_data(as_text=True)


def test_built_in_roles_are_named_in_the_readers_language(client, session):
    """DESIGN's role table: 系统管理员 / 部门工作人员 / 监督员, with the code the permissions use;
    a role made on the role screen keeps the name it was given."""
    from app.extensions import appbuilder
    from models import PlatformUser
    from tests.test_audit_screens import move_wang_wei

    appbuilder.sm.add_role("街道审核员")
    staff = db.session.query(PlatformUser).filter_by(username="staff").one()
    staff.roles = [appbuilder.sm.find_role("DeptStaff"), appbuilder.sm.find_role("街道审核员")]
    db.session.commit()
    login(client, "admin")
    users = client.get("/users/list/").get_data(as_text=True)
    assert "系统管理员（Admin）" in users and "部门工作人员（DeptStaff）、街道审核员" in users
    form = client.get(f"/users/edit/{staff.id}").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", form)
    assert {"系统管理员（Admin）", "部门工作人员（DeptStaff）", "监督员（Supervisor）", "街道审核员"} <= set(options)
    search = client.get("/users/list/").get_data(as_text=True)  # the search form's fields travel as JSON
    assert json.dumps(">监督员（Supervisor）<")[1:-1].replace(">", "\\u003e").replace("<", "\\u003c") in search
    scopes = client.get("/roledatascopeview/list/").get_data(as_text=True)
    assert "监督员（Supervisor）" in scopes
    group_form = client.get("/groups/add").get_data(as_text=True)
    assert "监督员（Supervisor）" in re.findall(r"<option[^>]*>([^<]*)</option>", group_form)
    group = {"name": "审计组", "label": "审计组", "roles": [str(appbuilder.sm.find_role("Supervisor").id)]}
    assert client.post("/groups/add", data=group).status_code == 302
    groups = client.get("/groups/list/").get_data(as_text=True)
    assert "审计组" in groups and "监督员（Supervisor）" in groups
    client.get("/lang/en")
    assert "System administrator (Admin)" in client.get("/users/list/").get_data(as_text=True)
    client.get("/lang/zh")
    client.post("/logout/")
    person = move_wang_wei(client)  # as staff
    login(client, "supervisor")  # the history tab names the actor's roles at the time
    page = client.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert "staff (部门工作人员（DeptStaff）、街道审核员)" in page


def test_flask_babels_namespace_is_found_as_flask_babel_finds_it(app, client):
    """``app.translations.babel_namespace`` stands in for flask_babel's ``_get_current_context``:
    none outside an application context, else the context's own namespace, made on first use, the
    same for every lookup, another for the next request. force_locale still swaps the language for
    a block and gives the request's language back. (Run in fresh contexts: the tests keep one
    application context open.)"""
    import contextvars

    import flask_babel
    from flask import g
    from flask_babel import force_locale, get_locale
    from flask_babel import gettext as translate

    from app.translations import FLASK_BABEL_CONTEXT, babel_namespace

    assert flask_babel._get_current_context is babel_namespace
    assert FLASK_BABEL_CONTEXT is not babel_namespace
    assert contextvars.Context().run(babel_namespace) is None
    assert contextvars.Context().run(FLASK_BABEL_CONTEXT) is None

    def one_request():
        with app.test_request_context():
            assert "_flask_babel" not in g
            space = babel_namespace()
            assert space is not None and space is g._flask_babel is FLASK_BABEL_CONTEXT() is babel_namespace()
            with force_locale("en"):
                assert str(get_locale()) == "en" and translate("Record Count") == "Record Count"
            assert str(get_locale()) == "zh" and translate("Record Count") != "Record Count"
            return space

    assert contextvars.Context().run(one_request) is not contextvars.Context().run(one_request)
    login(client, "admin")
    assert "记录数目" in client.get("/personview/list/").get_data(as_text=True)
    client.get("/lang/en")
    assert "Record Count" in client.get("/personview/list/").get_data(as_text=True)


def test_the_locale_name_is_the_locales_and_follows_force_locale(app):
    """``locale_name`` (the language part of every kept, translated part's key) is
    ``str(get_locale())`` whatever locale is in force, though worked out once per locale."""
    from flask_babel import force_locale, get_locale

    from app.translations import locale_name

    with app.test_request_context("/"):
        names = []
        for language in ("en", "zh", "en"):
            with force_locale(language):
                assert locale_name() == str(get_locale())
                names.append(locale_name())
        assert names[0] == names[2] != names[1]
        assert locale_name() == str(get_locale())
