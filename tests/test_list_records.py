"""A list page's records read as plain rows (``app.list_records``), and a record page's and an edit
form's record: the same pages and answers as records loaded through the ORM, related records
shared, the session's pending changes seen, and the ORM kept wherever the rows would not hold
what the page reads."""

import re

import pytest
from flask_appbuilder import ModelRestApi
from sqlalchemy import inspect
from sqlalchemy.orm.exc import UnmappedInstanceError

import app.datamodel as datamodel_module
from app import list_records
from app.datamodel import ScopedSQLAInterface
from app.extensions import appbuilder, db
from app.list_records import RowShape, reading
from app.scope import current_scope
from models import Department, Person
from tests.conftest import api_token, login
from tests.helpers import dept

#: what differs between two drawings of one page: the CSP nonce (the signed CSRF token is kept
#: for a minute, ``app.csrf_tokens``)
PER_REQUEST = re.compile(r'nonce="[^"]*"')


def _list_urls():
    """The URL of every list screen and REST list over a scoped datamodel."""
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if not isinstance(datamodel, ScopedSQLAInterface):
            continue
        if isinstance(view, ModelRestApi):
            yield f"/api/v1/{view.resource_name}/"
        elif "list" in getattr(view, "_urls", ()) or hasattr(view, "list"):
            yield f"{view.route_base}/list/"


@pytest.fixture()
def rows_read(monkeypatch):
    """The number of pages made from rows, and a switch to make them through the ORM instead."""
    counted = {"pages": 0}
    made = RowShape.records

    def counting(shape, rows):
        counted["pages"] += 1
        return made(shape, rows)

    monkeypatch.setattr(RowShape, "records", counting)

    def orm_only(off: bool):
        monkeypatch.setattr(
            datamodel_module, "read_columns", (lambda _datamodel: None) if off else list_records.read_columns
        )

    counted["orm_only"] = orm_only
    return counted


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_list_draws_the_same_page_from_rows_as_from_orm_records(app, client, session, rows_read, lang):
    login(client, "admin")
    client.get(f"/lang/{lang}")
    headers = api_token(client, "admin")
    compared, from_rows = 0, 0
    for url in _list_urls():
        before = rows_read["pages"]
        rows_read["orm_only"](False)
        fast = client.get(url, headers=headers if url.startswith("/api/") else None)
        used_rows = rows_read["pages"] > before
        rows_read["orm_only"](True)
        slow = client.get(url, headers=headers if url.startswith("/api/") else None)
        assert fast.status_code == slow.status_code == 200, (url, fast.status_code, slow.status_code)
        if url.startswith("/api/"):
            assert fast.json == slow.json, url
        else:
            assert PER_REQUEST.sub("", fast.get_data(as_text=True)) == PER_REQUEST.sub(
                "", slow.get_data(as_text=True)
            ), url
        compared += 1
        from_rows += used_rows
    assert compared >= 25
    # every register's list columns are plain columns and loaded relations today
    assert from_rows == compared


def test_the_person_list_and_api_are_read_as_rows_with_the_departments_shared(app, client, session, rows_read):
    login(client, "admin")
    jinjiang = dept("锦江区民政局")
    for name, id_number in (("王新", "510104199001011230"), ("王旧", "510104199001012313")):
        session.add(Person(name=name, id_number=id_number, department=jinjiang, category="volunteer"))
    session.flush()
    page = client.get("/personview/list/")
    assert page.status_code == 200 and rows_read["pages"] == 1
    answer = client.get("/api/v1/person/", headers=api_token(client, "admin"))
    assert answer.status_code == 200 and rows_read["pages"] == 2
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    with app.test_request_context("/"), reading(view.datamodel, ["name", "department"]):
        login_as_admin_scope(app)
        _count, records = view.datamodel.query(page=0, page_size=100)
    assert rows_read["pages"] == 3
    by_department = [r.department for r in records if r.department is not None and r.department.id == jinjiang.id]
    assert len(by_department) >= 2 and all(d is by_department[0] for d in by_department)
    assert str(by_department[0]) == "锦江区民政局"
    assert all(inspect(record, raiseerr=False) is None for record in records)  # in no session
    # a list reads a read-only record's values from the record itself, an ORM record's one by one
    values = list(view.datamodel.get_values(records, ["name", "department"]))
    assert values[0] is vars(records[0]) and values[0]["department"] is records[0].department
    orm_record = session.get(Person, records[0].id)
    assert next(view.datamodel.get_values([orm_record], ["name", "department"])) == {
        "name": orm_record.name,
        "department": orm_record.department,
    }
    with pytest.raises(UnmappedInstanceError):
        _ = by_department[0].parent  # not loaded with the row: never loaded row by row


def test_rows_hold_only_the_columns_the_page_reads(app, client, session, rows_read):
    """The list's rows select the list's columns, the key and the relations' foreign keys, not
    the person's other columns; reading one of those raises instead of answering a wrong value."""
    login(client, "admin")
    session.add(
        Person(
            name="王窄",
            id_number="510104199001011230",
            mobile="13800000000",
            department=dept("锦江区民政局"),
            category="volunteer",
        )
    )
    session.flush()
    statements = []
    from sqlalchemy import event

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/personview/list/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    page = next(s for s in statements if "FROM person" in s and "LIMIT" in s)
    selected = page.split("FROM person")[0]
    assert "person.name," in selected and "person.department_id" in selected and "person.id," in selected
    assert "person.mobile" not in selected and "person.created_at" not in selected
    # of each department, what its name reads (``__str_columns__``) and its key
    assert ".name_en" in selected and ".phone" not in selected and ".created_at" not in selected
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    with app.test_request_context("/"), reading(view.datamodel, ["name", "department"]):
        login_as_admin_scope(app)
        _count, records = view.datamodel.query(page=0, page_size=100)
    record = next(r for r in records if r.name == "王窄")
    assert record.department.name == "锦江区民政局" and record.department_id == record.department.id
    with pytest.raises(UnmappedInstanceError):
        _ = record.mobile  # not selected: never answered as None
    with pytest.raises(UnmappedInstanceError):
        _ = record.department.phone


def login_as_admin_scope(app):
    """The signed-in user of a bare request context (Flask-Login's and Flask-AppBuilder's): the
    admin, whose scope is everything."""
    from flask import g

    from app.security import PlatformUser

    with db.session.no_autoflush:
        g._login_user = g.user = db.session.query(PlatformUser).filter_by(username="admin").one()
    for kept in ("_data_scope", "audit_context"):  # the test's app context outlives each request context
        g.pop(kept, None)


def test_pending_changes_are_flushed_before_the_rows_are_read(app, session, rows_read):
    department = dept("锦江区民政局")
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    with app.test_request_context("/"), reading(view.datamodel, ["name"]):
        login_as_admin_scope(app)
        current_scope()  # read before the change, so nothing but the list's own read flushes it
        person = Person(name="未提交的人", id_number="510104199001011230", department=department, category="volunteer")
        session.add(person)
        count, records = view.datamodel.query(order_column="id", order_direction="desc", page=0, page_size=5)
    assert rows_read["pages"] == 1
    assert records[0].id == person.id and records[0].name == "未提交的人"
    assert count == session.query(Person).filter_by(deleted_at=None).count()


def test_a_column_the_rows_do_not_hold_keeps_the_orm(app, session, rows_read):
    view = next(v for v in appbuilder.baseviews if type(v).__name__ == "PersonView")
    with app.test_request_context("/"), reading(view.datamodel, ["name", "department.region"]):
        login_as_admin_scope(app)
        _count, records = view.datamodel.query(page=0, page_size=5)
    assert rows_read["pages"] == 0
    assert records and all(record in session for record in records)


def test_another_datamodels_reads_are_not_concerned(app, session, rows_read):
    """A page declares what it reads of its own records: a query of another register's
    datamodel within it (a related list, a lookup) still loads records through the ORM."""
    views = {type(v).__name__: v for v in appbuilder.baseviews}
    person_model, department_model = views["PersonView"].datamodel, views["DepartmentView"].datamodel
    with app.test_request_context("/"), reading(person_model, ["name"]):
        login_as_admin_scope(app)
        _count, departments = department_model.query(page=0, page_size=5)
    assert rows_read["pages"] == 0
    assert departments and all(department in session for department in departments)


def test_a_shape_names_what_its_rows_hold():
    shape = RowShape.of(Person, ("department",))
    assert shape.reads(["name", "department", "department.name", "department.name_en"])
    assert not shape.reads(["department.region"])  # a relation of the relation: not loaded
    assert shape.reads(["transfer_reason"])  # a plain class value: no record sets it when loaded
    assert not shape.reads(["delete_blockers"])  # a method may read anything
    # a relation that is not many-to-one on one key can't be read as part of a row
    assert RowShape.of(Department, ("children",)) is None


def _record_urls(session):
    """The show page and edit form of one live record of every register screen."""
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if not isinstance(datamodel, ScopedSQLAInterface) or isinstance(view, ModelRestApi):
            continue
        if datamodel.deleted_only or not hasattr(view, "show"):
            continue
        model = datamodel.obj
        query = session.query(model)
        if hasattr(model, "deleted_at"):
            query = query.filter(model.deleted_at.is_(None))
        record = query.order_by(model.id).first()
        if record is None:
            continue
        yield f"{view.route_base}/show/{record.id}"
        if view.edit_columns:
            yield f"{view.route_base}/edit/{record.id}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_record_page_and_edit_form_is_the_same_from_a_row(app, client, session, rows_read, lang):
    login(client, "admin")
    client.get(f"/lang/{lang}")
    compared, from_rows = set(), set()
    for url in _record_urls(session):
        before = rows_read["pages"]
        rows_read["orm_only"](False)
        fast = client.get(url)
        used_rows = rows_read["pages"] > before
        rows_read["orm_only"](True)
        slow = client.get(url)
        assert fast.status_code == slow.status_code, (url, fast.status_code, slow.status_code)
        if fast.status_code != 200:
            continue  # a read-only register has no edit form
        assert PER_REQUEST.sub("", fast.get_data(as_text=True)) == PER_REQUEST.sub("", slow.get_data(as_text=True)), url
        kind = url.split("/")[2]
        compared.add((kind, url))
        if used_rows:
            from_rows.add((kind, url.split("/")[1]))
    assert len(compared) >= 25
    assert ("show", "personview") in from_rows and ("edit", "personview") in from_rows
    # a register with an extra template (the oversight's findings) or the region chooser keeps the ORM
    assert len(from_rows) < len(compared)


def test_a_class_in_an_inheritance_is_left_to_the_orm():
    """Rows of an inheriting class need the discriminator's filter the ORM adds: not read as rows."""
    from sqlalchemy import Integer, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Entry(Base):
        __tablename__ = "entry"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        kind: Mapped[str] = mapped_column(String(10))
        __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "entry"}

    class Note(Entry):
        __mapper_args__ = {"polymorphic_identity": "note"}

    class Plain(Base):
        __tablename__ = "plain"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    assert RowShape.of(Plain, ()) is not None
    assert RowShape.of(Entry, ()) is None and RowShape.of(Note, ()) is None
