"""Users and grants kept between requests (app.security_cache): kept only while the security stamp
holds, and the stamp is renewed by every write to the security tables, plain SQL included."""

import pytest
from flask import g
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import class_mapper

from app.extensions import appbuilder, db
from app.scope import SYSTEM_SCOPE
from app.security_cache import SecurityCache
from models import Department, Region, RoleDataScope
from tests.conftest import login
from tests.test_query_counts import statements

STAMP = text("SELECT token FROM security_stamp WHERE id = 1")


def token() -> str:
    return db.session.execute(STAMP).scalar()


def security_tables() -> set[str]:
    """The tables that decide who a user is and what they may do: the security models' own tables,
    their link tables and the departments."""
    sm = appbuilder.sm
    models = (
        sm.user_model,
        sm.role_model,
        sm.group_model,
        sm.permission_model,
        sm.viewmenu_model,
        sm.permissionview_model,
        RoleDataScope,
    )
    tables = set()
    for model in models:
        mapper = class_mapper(model)
        tables.update(table.name for table in mapper.tables)
        tables.update(rel.secondary.name for rel in mapper.relationships if rel.secondary is not None)
    return tables | {"department"}  # the department tree bounds data scopes


def triggered_tables() -> set[str]:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        query = "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'security_stamp_%'"
    else:
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'security_stamp_%'"
    return {row[0] for row in connection.execute(text(query))}


def fresh_session(session) -> None:
    """End the test's session as a request ends its own: the test client's requests share the
    test's app context, and with it a session whose identity map would answer for the database."""
    session.commit()
    session.remove()


def test_every_security_table_renews_the_stamp(session):
    assert security_tables() == triggered_tables()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ab_user SET first_name = first_name WHERE username = 'staff'",
        "UPDATE ab_role SET name = name WHERE name = 'DeptStaff'",
        "DELETE FROM ab_user_role WHERE user_id = (SELECT id FROM ab_user WHERE username = 'staff')",
        "DELETE FROM ab_permission_view_role WHERE role_id = (SELECT id FROM ab_role WHERE name = 'Supervisor')",
        "UPDATE role_data_scope SET scope = 'all'",
        "INSERT INTO ab_view_menu (id, name) VALUES (99001, 'StampCheck')",
        "UPDATE department SET parent_id = parent_id",
    ],
)
def test_a_write_to_a_security_table_renews_the_stamp(session, statement):
    before = token()
    session.execute(text(statement))
    assert token() != before


def test_a_rolled_back_change_never_brings_back_a_token_of_another_state(session):
    start = token()
    with session.begin_nested() as nested:
        session.execute(text("UPDATE ab_role SET name = name"))
        changed = token()
        nested.rollback()
    assert token() == start
    session.execute(text("UPDATE ab_role SET name = name"))
    assert token() not in (start, changed)


def test_a_write_elsewhere_keeps_the_stamp(session):
    before = token()
    session.execute(text("UPDATE person SET mobile = mobile"))
    session.execute(text("UPDATE region SET name = name"))
    assert token() == before


def test_the_signed_in_user_and_their_grants_are_read_once(client, session):
    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200
    with statements() as seen:
        assert client.get("/personview/list/").status_code == 200
    stamp = [s for s in seen if "security_stamp" in s]
    assert len(stamp) == 1
    assert not [s for s in seen if s not in stamp and ("ab_user" in s or "ab_permission_view_role" in s)], seen


def test_a_permission_removed_by_plain_sql_applies_at_the_next_request(client, session):
    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200
    session.execute(
        text(
            "DELETE FROM ab_permission_view_role WHERE role_id = (SELECT id FROM ab_role WHERE name = 'DeptStaff') "
            "AND permission_view_id IN (SELECT pv.id FROM ab_permission_view pv "
            "JOIN ab_permission p ON p.id = pv.permission_id JOIN ab_view_menu v ON v.id = pv.view_menu_id "
            "WHERE p.name = 'can_read' AND v.name = 'Person')"
        )
    )
    fresh_session(session)
    assert client.get("/personview/list/").status_code != 200


def test_the_public_roles_permissions_are_kept_until_they_change(client, session):
    """Anonymous requests read the Public role's permissions once per security stamp; a permission
    given to the Public role applies at the next request."""
    sm = appbuilder.sm
    api = next(view for view in appbuilder.baseviews if getattr(view, "resource_name", None) == "person")
    permission = f"can_{api.method_permission_name['get_list']}"
    assert client.get("/api/v1/person/").status_code == 401
    with statements() as seen:
        assert client.get("/api/v1/person/").status_code == 401
    assert [s for s in seen if "ab_permission_view_role" in s] == []  # kept
    public = sm.find_role(sm.auth_role_public)
    public.permissions.append(sm.find_permission_view_menu(permission, api.class_permission_name))
    fresh_session(session)
    answer = client.get("/api/v1/person/")
    assert answer.status_code == 200
    assert answer.json["count"] == 0  # public, yet an anonymous requester's data scope reaches nothing


def test_a_user_deactivated_by_plain_sql_is_signed_out_at_the_next_request(client, session):
    login(client, "staff")
    assert client.get("/personview/list/").status_code == 200
    session.execute(text("UPDATE ab_user SET active = :off WHERE username = 'staff'"), {"off": False})
    fresh_session(session)
    response = client.get("/personview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def move_staff_by_plain_sql(client, session) -> None:
    """Move ``staff`` to another department with plain SQL; the next request's scope is there."""
    staff = appbuilder.sm.find_user("staff")
    other = session.query(Department).filter(Department.id != staff.department_id).first().id
    session.execute(text("UPDATE ab_user SET department_id = :dept WHERE username = 'staff'"), {"dept": other})
    fresh_session(session)
    with client:
        assert client.get("/personview/list/").status_code == 200
        assert g._data_scope.department_id == other


def test_a_department_moved_by_plain_sql_moves_the_users_scope(client, session):
    """The user's department is a column of ab_user: a kept user follows it."""
    login(client, "staff")
    move_staff_by_plain_sql(client, session)


def test_the_data_scope_is_worked_out_once_while_the_stamp_holds(client, session, monkeypatch):
    """A user's data scope (their roles' broadest scope, their department's subtree) is kept with
    the user; a change to what it depends on renews the stamp, and it is worked out again."""
    import app.scope as scope_module

    built = []
    build = scope_module.build_scope
    monkeypatch.setattr(scope_module, "build_scope", lambda *args: built.append(1) or build(*args))
    login(client, "staff")
    for _ in range(3):
        assert client.get("/personview/list/").status_code == 200
    assert len(built) == 1
    move_staff_by_plain_sql(client, session)
    assert len(built) == 2


def test_a_request_that_has_written_reads_its_grants_again(app, session):
    """After its first flush a request neither answers from the cache nor fills it: what it reads
    then may be its own uncommitted change."""
    cache, reads = SecurityCache(), []

    def read(key):
        def compute():
            reads.append(key)
            return frozenset({("can_read", f"View{len(reads)}")})

        return compute

    with app.test_request_context():
        g._system_scope = SYSTEM_SCOPE  # the change below is the system's own
        first = cache.value(session, "one", read("one"))
        assert cache.value(session, "one", read("one")) is first and len(reads) == 1
        session.query(Region).first().name_en = "Cache check"
        session.flush()
        assert cache.value(session, "one", read("one")) is not first and len(reads) == 2
        assert cache.value(session, "two", read("two")) and len(reads) == 3
    with app.test_request_context():  # a new request with the same token: answered from the cache
        app.preprocess_request()  # the request hooks start its state afresh
        assert cache.value(session, "one", read("one")) is first and len(reads) == 3
        assert cache.value(session, "two", read("two")) and len(reads) == 4  # never kept: read after a write


def test_outside_a_request_nothing_is_kept(app, session):
    cache, reads = SecurityCache(), []
    cache.value(session, "one", lambda: reads.append(1) or True)
    cache.value(session, "one", lambda: reads.append(1) or True)
    assert reads == [1, 1]


def test_on_postgresql_the_stamp_is_renewed_at_commit(app):
    """The triggers are deferred: the stamp row is locked only at the commit, after the
    transaction's other locks, and the new token is seen together with the change."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite writes one transaction at a time")
    engine = create_engine(url)
    try:
        with engine.connect() as writer, engine.connect() as reader:
            before = reader.execute(STAMP).scalar()
            reader.commit()
            with writer.begin():
                writer.execute(text("UPDATE ab_role SET name = name WHERE name = 'Supervisor'"))
                assert writer.execute(STAMP).scalar() == before  # not yet: at the commit
            assert reader.execute(STAMP).scalar() != before
            assert inspect(writer).has_table("security_stamp")
    finally:
        engine.dispose()
