"""SQL statements per request: a list page costs at most five, whatever its size and whoever asks.

The five: the security stamp, the user with their roles and the user's permissions (both kept
between requests while the stamp holds, app.security_cache; read once per request at most, however
many menu entries and buttons are checked), the count, the rows with their many-to-one columns
joined. A REST list right after a security change reads one more: the Public role's permissions
(kept like the grants), which Flask-AppBuilder's API asks about before it knows the token's user; a
signed-in page never asks. Transaction control (BEGIN, SAVEPOINT, RELEASE) is not counted. Counts are
deterministic, so they are tested here; timings are measured in bench/, not asserted.
"""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.extensions import appbuilder, db
from tests.conftest import api_token, login
from views.base import PlatformModelView, PlatformRestApi

LIST_PAGE_BUDGET = 5
#: a REST list right after a security change: the Public role's permissions, then the five
REST_COLD_BUDGET = 6
TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.IGNORECASE)


@contextmanager
def statements():
    """Collect the SQL statements executed inside the block (transaction control left out)."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not TRANSACTION_CONTROL.match(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def list_views():
    return sorted(
        (view for view in appbuilder.baseviews if isinstance(view, PlatformModelView)),
        key=lambda view: view.__class__.__name__,
    )


def rest_apis():
    return sorted(
        (api for api in appbuilder.baseviews if isinstance(api, PlatformRestApi)),
        key=lambda api: api.resource_name,
    )


def list_url(view, page_size: int | None = None) -> str:
    url = f"{view.route_base}/list/"
    if page_size:
        url += f"?psize_{view.__class__.__name__}={page_size}"
    return url


def renew_security_stamp() -> None:
    """A write to a security table: workers read their users and grants afresh."""
    db.session.execute(text("UPDATE ab_role SET name = name"))
    db.session.commit()


def measured(client, url: str, cold: bool = False, **kwargs) -> list:
    """The statements of a request after a first one; ``cold``: right after a security change,
    when the user and their grants are read again (app.security_cache)."""
    client.get(url, **kwargs)  # warm: the first request of a worker may load caches
    if cold:
        renew_security_stamp()
    # as in production, where each request starts with an empty session (the tests keep one
    # application context, and so one session, across requests)
    db.session.expunge_all()
    with statements() as seen:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return seen


@pytest.mark.parametrize("username", ["admin", "staff", "supervisor"])
def test_every_list_page_costs_at_most_five_statements(client, session, username):
    login(client, username)
    over = {}
    for view in list_views():
        if client.get(list_url(view)).status_code != 200:
            continue  # not this role's register
        for page_size, cold in ((None, False), (100, False), (None, True)):
            seen = measured(client, list_url(view, page_size), cold=cold)
            if len(seen) > LIST_PAGE_BUDGET:
                over[list_url(view, page_size) + (" (cold)" if cold else "")] = seen
    assert not over, "\n".join(
        f"{url}: {len(seen)}\n  " + "\n  ".join(s[:160] for s in seen) for url, seen in over.items()
    )


def test_every_rest_list_costs_at_most_five_statements(client, session):
    """Five, and six right after a security change (the Public role's permissions read again)."""
    headers = api_token(client, "admin")
    over = {}
    for api in rest_apis():
        for cold in (False, True):
            seen = measured(client, f"/api/v1/{api.resource_name}/", cold=cold, headers=headers)
            if len(seen) > (REST_COLD_BUDGET if cold else LIST_PAGE_BUDGET):
                over[api.resource_name + (" (cold)" if cold else "")] = seen
    assert not over, "\n".join(
        f"{name}: {len(seen)}\n  " + "\n  ".join(s[:160] for s in seen) for name, seen in over.items()
    )


def test_a_rest_list_answers_the_same_with_or_without_named_columns(client, session):
    """By default the REST list reads whole records with their relations joined; naming every
    list column (Flask-AppBuilder's column-by-column load) gives the same answer."""
    headers = api_token(client, "admin")
    for api in rest_apis():
        url = f"/api/v1/{api.resource_name}/"
        columns = ",".join(api.list_columns)
        default = client.get(url + "?q=(page_size:100)", headers=headers)
        named = client.get(url + f"?q=(columns:!({columns}),page_size:100)", headers=headers)
        assert default.status_code == named.status_code == 200, api.resource_name
        assert default.json["result"] == named.json["result"], api.resource_name
        assert default.json["ids"] == named.json["ids"] and default.json["count"] == named.json["count"]
        pk = default.json["ids"][0]
        one = client.get(f"{url}{pk}", headers=headers)
        one_named = client.get(f"{url}{pk}?q=(columns:!({','.join(api.show_columns)}))", headers=headers)
        assert one.status_code == one_named.status_code == 200, api.resource_name
        assert one.json["result"] == one_named.json["result"], api.resource_name


def test_permission_checks_cost_one_statement_per_request(client, session):
    """However many menu entries and buttons a page checks, the permissions are read once, with
    the user's department subtree, and only after a security change; otherwise the security stamp
    is all a request reads of them."""
    login(client, "staff")
    seen = measured(client, "/personview/list/", cold=True)
    stamp = [statement for statement in seen if "security_stamp" in statement]
    rest = [statement for statement in seen if statement not in stamp]
    assert len(stamp) == 1
    assert sum("ab_permission" in statement for statement in rest) == 1  # with the department subtree
    assert sum("FROM ab_user" in statement for statement in rest) == 1
    assert not [statement for statement in rest if "FROM department" in statement and "tree" not in statement]
    seen = measured(client, "/personview/list/")
    assert len(seen) == 2, seen  # the stamp, the rows with their count (models.tally)
    assert sum("security_stamp" in statement for statement in seen) == 1


def test_a_bigger_page_costs_no_more_statements(client, session):
    login(client, "admin")
    view = next(v for v in list_views() if v.__class__.__name__ == "PersonView")
    assert len(measured(client, list_url(view, 100))) == len(measured(client, list_url(view, 10)))


def test_every_rest_list_writes_its_records_as_marshmallow_does(app, session):
    """``views.rest_rows``: each API's list records, written row by row, are marshmallow's own
    ``dump`` of them, value for value and type for type (dates, decimals, booleans, nested)."""
    from marshmallow import Schema

    from app.extensions import db

    written = 0
    with app.test_request_context("/"):
        for api in rest_apis():
            schema = api.list_model_schema
            assert "dump" in vars(schema), api.resource_name  # the writer is in place
            items = db.session.query(api.datamodel.obj).limit(40).all()
            ours, theirs = schema.dump(items, many=True), Schema.dump(schema, items, many=True)
            assert ours == theirs, api.resource_name
            for row, reference in zip(ours, theirs, strict=True):
                assert list(row) == list(reference)
                assert [type(v) for v in row.values()] == [type(v) for v in reference.values()], api.resource_name
            assert schema.dump(items[0]) == Schema.dump(schema, items[0])
            written += len(items)
    assert written > 50


def test_a_schema_with_dump_hooks_is_left_to_marshmallow():
    from marshmallow import Schema, fields, post_dump

    from views.rest_rows import RowWriter

    class Hooked(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data, **kwargs):
            return {key: value.upper() for key, value in data.items()}

    class Dotted(Schema):
        head = fields.String(attribute="department.head")

    class Plain(Schema):
        name = fields.String()
        size = fields.Integer(data_key="count")

    assert not RowWriter.install(Hooked()) and not RowWriter.install(Dotted())
    plain = Plain()
    assert RowWriter.install(plain)

    class Row:
        name, size = "王伟", 3

    assert plain.dump([Row()], many=True) == [{"name": "王伟", "count": 3}]


@pytest.mark.parametrize("username", ["admin", "staff_jj"])
def test_a_plain_list_reads_what_flask_appbuilder_reads(app, session, username):
    """A list page without filters reads its count and its rows with two directly built statements
    (``ScopedSQLAInterface.query``): for every register, sortable column, direction and page, the
    same count and the same records in the same order as Flask-AppBuilder's query, in the user's
    scope, deleted records left out."""
    from flask import g
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app.scope import build_scope
    from models import Person
    from models.mixins import utcnow

    hidden = db.session.query(Person).filter(Person.deleted_at.is_(None)).order_by(Person.name).first()
    hidden.deleted_at = utcnow()
    db.session.commit()
    user = appbuilder.sm.find_user(username=username)
    compared = 0
    with app.test_request_context():
        g._data_scope = build_scope(db.session, user)
        for view in list_views():
            datamodel = view.datamodel
            orders = [("", "")] + [(c, d) for c in view.order_columns if "." not in c for d in ("asc", "desc")]
            for order_column, direction in orders:
                for page in (None, 1):
                    arguments = (None, order_column, direction, page, 4)
                    count, rows = datamodel.query(*arguments)
                    expected_count, expected_rows = SQLAInterface.query(datamodel, *arguments)
                    assert count == expected_count, (view.__class__.__name__, arguments)
                    assert [r.id for r in rows] == [r.id for r in expected_rows], (view.__class__.__name__, arguments)
                    compared += 1
                    if datamodel.obj is Person:
                        assert hidden.id not in {r.id for r in rows}
    assert compared > 100


def test_statements_built_once_are_kept_per_data_scope(app, session, monkeypatch):
    """A record's SELECT and a list's statements are built once per data scope: one built for
    the Admin never answers a department's staff, nor the other way round, and a datamodel keeps
    a bounded number of them."""
    from flask import g

    import app.datamodel as datamodel_module
    from app.scope import build_scope
    from models import Department, Person

    jinjiang = db.session.query(Department).filter(Department.name == "锦江区民政局").one()
    outside = (
        db.session.query(Person)
        .filter(Person.deleted_at.is_(None), Person.department_id != jinjiang.id, Person.department_id.isnot(None))
        .first()
    )
    view = next(v for v in list_views() if v.__class__.__name__ == "PersonView")
    scopes = {name: build_scope(db.session, appbuilder.sm.find_user(username=name)) for name in ("admin", "staff_jj")}
    assert outside.department_id not in scopes["staff_jj"].department_ids
    for limit in (datamodel_module.MAX_BUILT_STATEMENTS, 1):
        monkeypatch.setattr(datamodel_module, "MAX_BUILT_STATEMENTS", limit)
        monkeypatch.setattr(view.datamodel, "built_statements", {})
        for name in ("admin", "staff_jj", "admin", "staff_jj"):
            with app.test_request_context():
                g._data_scope = scopes[name]
                found = view.datamodel.get(outside.id)
                count, rows = view.datamodel.query(None, "name", "asc", None, 100)
                assert (found is not None) == (name == "admin"), name
                assert (outside.id in {row.id for row in rows}) == (name == "admin") or count > 100, name
                if name == "staff_jj":
                    assert all(row.department_id in scopes[name].department_ids for row in rows)
        assert len(view.datamodel.built_statements) == min(limit, 6)  # 3 statements × 2 scopes
