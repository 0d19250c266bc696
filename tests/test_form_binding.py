"""Form fields bound once per field and language and copied for each form (``views.form_binding``):
every form draws, fills in and refuses input as with fields bound anew, and no form's data,
errors or flags reach another's."""

import pytest
from flask_babel import force_locale
from wtforms.csrf.core import CSRFTokenField
from wtforms.meta import DefaultMeta

from app.extensions import appbuilder, db
from models import Person
from tests.conftest import login
from tests.helpers import one
from tests.test_page_drawing import form_pages, form_views, normalized
from views import form_binding


@pytest.fixture()
def bound_anew(monkeypatch):
    """A switch: every field bound anew by WTForms (True), or kept and copied (False)."""

    def switch(anew: bool):
        kept = form_binding.KeptFieldsMeta.bind_field
        monkeypatch.setattr(
            form_binding.KeptFieldsMeta,
            "bind_field",
            (lambda self, form, unbound, options: DefaultMeta.bind_field(self, form, unbound, options))
            if anew
            else kept,
        )

    return switch


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_form_draws_the_same_with_kept_fields(client, session, bound_anew, language):
    login(client, "admin")
    client.get(f"/lang/{language}")
    compared = 0
    for _view, url in form_pages():
        kept = client.get(url)
        bound_anew(True)
        anew = client.get(url)
        bound_anew(False)
        assert kept.status_code == anew.status_code, url
        if kept.status_code == 200:
            assert normalized(kept.get_data(as_text=True)) == normalized(anew.get_data(as_text=True)), url
            compared += 1
    assert compared >= 2 * len(form_views()) - 10


def test_a_refused_form_and_the_next_one_keep_to_themselves(client, session, bound_anew):
    """A refused save shows its own input and errors; the next form shows neither, in either
    language, exactly as with fields bound anew."""
    login(client, "admin")
    refused = {"name": "", "id_number": "not-an-id", "mobile": "13800000000", "category": "volunteer"}
    pages = {}
    for anew in (False, True):
        bound_anew(anew)
        for language in ("zh", "en"):
            client.get(f"/lang/{language}")
            first = client.post("/personview/add", data=refused)
            second = client.get("/personview/add")
            pages[(anew, language)] = (
                normalized(first.get_data(as_text=True)),
                normalized(second.get_data(as_text=True)),
            )
            assert first.status_code == second.status_code == 200
            assert 'value="13800000000"' in pages[(anew, language)][0]
            assert "13800000000" not in pages[(anew, language)][1] and "alert-danger" not in pages[(anew, language)][1]
    assert pages[(False, "zh")] == pages[(True, "zh")] and pages[(False, "en")] == pages[(True, "en")]


def test_each_form_has_its_own_fields_flags_and_data(app, session, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # (the suite's configuration turns it off)
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    wang, other = one(Person, name="王伟"), db.session.query(Person).filter(Person.name != "王伟").first()
    with app.test_request_context("/"), force_locale("zh"):
        first, second = view.edit_form.refresh(obj=wang), view.edit_form.refresh(obj=other)
        assert first.name is not second.name and first.name.flags is not second.name.flags
        assert first.name.meta is first.meta and second.name.meta is second.meta
        assert (first.name.data, second.name.data) == (wang.name, other.name)
        first.name.flags.readonly = True
        first.name.errors = ["refused"]
        assert not second.name.flags.readonly and not second.name.errors
        assert view.edit_form.refresh(obj=wang).name.data == wang.name
        assert first.csrf_token is not second.csrf_token  # bound for each form, as before
        assert first.csrf_token.csrf_impl is not second.csrf_token.csrf_impl
        assert not any(isinstance(field, CSRFTokenField) for field in form_binding._KEPT_FIELDS.values())


def test_a_field_is_bound_once_per_language(app, session):
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    form_binding._KEPT_FIELDS.clear()
    with app.test_request_context("/"):
        for language in ("zh", "en", "zh"):
            with force_locale(language):
                view.edit_form.refresh()
    languages = {key[3] for key, field in form_binding._KEPT_FIELDS.items() if key[1] == "name"}
    assert languages == {"zh", "en"}
