"""Every REST API labels its columns in the user's language: the screens' labels, and for a dotted
``relation.column`` the relation's label with the related column's; never Flask-AppBuilder's
prettified English column name ("Hired On", "Department Id")."""

import re

from flask_babel import force_locale

from app.extensions import appbuilder
from tests.conftest import api_token
from views.base import COMMON_API_LABELS, PlatformRestApi, related_column_label
from views.people import PERSON_LABELS

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
#: the REST APIs at the time of writing; any added later is checked too
KNOWN_APIS = 15


def set_language(client, language: str) -> None:
    assert client.get(f"/lang/{language}").status_code in (200, 302)


def rest_apis() -> list[PlatformRestApi]:
    return sorted(
        (api for api in appbuilder.baseviews if isinstance(api, PlatformRestApi)),
        key=lambda api: api.resource_name,
    )


def answered_labels(client, headers, language: str) -> dict[tuple[str, str, str], str]:
    """{(resource, where, column): label} for every column label every API answers with in
    ``language``: the list's ``label_columns`` and the fields of ``_info``'s add and edit forms."""
    set_language(client, language)
    labels = {}
    for api in rest_apis():
        base = f"/api/v1/{api.resource_name}/"
        listed, info = client.get(base, headers=headers), client.get(base + "_info", headers=headers)
        assert listed.status_code == info.status_code == 200, (base, listed.status_code, info.status_code)
        assert listed.json["label_columns"], base
        for column, label in listed.json["label_columns"].items():
            labels[api.resource_name, "list", column] = label
        for form in ("add_columns", "edit_columns"):
            for field in info.json[form]:
                labels[api.resource_name, form, field["name"]] = field["label"]
    return labels


def test_every_api_labels_its_columns_in_chinese_and_in_english(client, session):
    assert len(rest_apis()) >= KNOWN_APIS
    headers = api_token(client, "admin")
    zh, en = answered_labels(client, headers, "zh"), answered_labels(client, headers, "en")
    assert zh.keys() == en.keys()
    not_chinese = {
        key: label
        for key, label in zh.items()
        if label == PlatformRestApi._prettify_column(key[-1]) or not CJK.search(label)
    }
    assert not not_chinese, not_chinese
    not_english = {key: (label, zh[key]) for key, label in en.items() if not LATIN.search(label) or label == zh[key]}
    assert not not_english, not_english


def test_labels_follow_the_language_of_each_request(app, client, session):
    """One process serves both languages: the labels are rendered for each request, not at start-up."""
    headers = api_token(client, "admin")
    for language in ("en", "zh", "en"):
        set_language(client, language)
        labels = client.get("/api/v1/person/", headers=headers).json["label_columns"]
        with app.test_request_context(), force_locale(language):
            expected = {
                "hired_on": str(PERSON_LABELS["hired_on"]),
                "department.id": str(related_column_label(PERSON_LABELS["department"], COMMON_API_LABELS["id"])),
            }
        assert {column: labels[column] for column in expected} == expected, language
    assert labels["hired_on"] == "Hired on"


def test_info_titles_are_the_screens_and_fields_without_a_description_have_none(client, session):
    """``_info`` answered Flask-AppBuilder's English titles ("Add Person") and, for every field without
    a description, the translation catalog's header (``gettext("")``)."""
    headers = api_token(client, "admin")
    titles = {}
    for language in ("zh", "en"):
        set_language(client, language)
        for api in rest_apis():
            info = client.get(f"/api/v1/{api.resource_name}/_info", headers=headers).json
            titles[api.resource_name, language] = (info["add_title"], info["edit_title"])
            for field in info["add_columns"] + info["edit_columns"]:
                assert "Project-Id-Version" not in field["description"], (api.resource_name, field["name"])
    for (resource, language), pair in titles.items():
        if language == "zh":
            assert all(CJK.search(title) for title in pair), (resource, pair)
            assert titles[resource, "en"] != pair, resource
    assert titles["person", "zh"] == ("新增工作人员", "编辑工作人员")
    set_language(client, "zh")
    info = client.get("/api/v1/person/_info", headers=headers).json
    descriptions = {field["name"]: field["description"] for field in info["add_columns"]}
    assert descriptions["mobile"] == "11位数字。" and descriptions["name"] == ""
