"""Live-row tallies (models.tally): kept true by the database on every change, whatever makes it,
and a plain list counts its records exactly from them, within the user's data scope."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.scope import NOT_BY_DEPARTMENT, DataScope
from models import Department, Person, Rectification, Transfer, category_tally, record_tally, tally
from tests.conftest import api_token, login
from tests.helpers import dept, live_count, one

RECORD_COUNT = re.compile(r"(?:记录数目|Record Count)\s*:?\s*</strong>\s*([^<]+?)\s*<")


def tallied(table: str = "person") -> dict:
    rows = db.session.execute(
        select(record_tally.c.department_id, record_tally.c.live).where(record_tally.c.table_name == table)
    )
    return {department: live for department, live in rows if live}


def counted(table: str = "person") -> dict:
    return dict(db.session.execute(text(tally.actual_counts(table))).all())


def assert_tallies_true() -> None:
    db.session.flush()
    assert tallied() == counted()
    assert tally.differences(db.session.connection()) == {}


def shown_count(page: str) -> str:
    match = RECORD_COUNT.search(page)
    assert match, page[-2000:]
    return match.group(1)


def test_every_tallied_table_has_its_triggers(session):
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'record_tally_%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'record_tally_%'"
    names = {row[0] for row in connection.execute(text(query))}
    assert names == {name for table in tally.TALLIED_TABLES for name in tally.trigger_names(table)}
    query = query.replace("record_tally_%", "category_tally_%")
    names = {row[0] for row in connection.execute(text(query))}
    assert names == {name for table in tally.CATEGORY_TALLIED for name in tally.trigger_names(table, "category_tally")}


def by_category(department_ids=None) -> dict:
    """The category tallies' sums, and the same counted row by row, for the departments given."""
    summed = dict(db.session.execute(tally.category_sums("person", department_ids)).all())
    query = select(Person.category, func.count()).where(Person.deleted_at.is_(None))
    if department_ids is not None:
        query = query.where(Person.department_id.in_(department_ids))
    return {category: live for category, live in summed.items() if live}, dict(
        db.session.execute(query.group_by(Person.category)).all()
    )


def test_the_tallies_follow_every_change_to_the_rows(session):
    assert counted() and tallied() == counted()  # filled by the migration, kept by the demo data's inserts
    jinjiang, longquanyi = dept("锦江区民政局"), dept("龙泉驿区政务服务中心")
    person = one(Person, name="周敏")
    person.position = "科长"  # an ordinary edit leaves the tallies alone
    assert_tallies_true()
    person.category = "volunteer" if person.category != "volunteer" else "contract"  # another category
    assert_tallies_true()
    summed, counted_by_category = by_category([jinjiang.id, longquanyi.id])
    assert summed == counted_by_category and summed
    person.department = longquanyi  # moved
    assert_tallies_true()
    person.deleted_at = person.updated_at  # soft-deleted
    assert_tallies_true()
    person.department = jinjiang  # moved while deleted: no tally changes
    assert_tallies_true()
    person.deleted_at = None  # restored
    assert_tallies_true()
    added = Person(name="王新", id_number="510104199001011230", department=jinjiang, category="volunteer")
    db.session.add(added)
    assert_tallies_true()
    db.session.delete(added)  # a live row removed for good
    assert_tallies_true()
    purged = Person(name="王旧", id_number="510104199001012313", department=jinjiang, category="volunteer")
    db.session.add(purged)
    db.session.flush()
    purged.deleted_at = purged.updated_at
    assert_tallies_true()
    db.session.delete(purged)  # a deleted row purged: no tally changes
    assert_tallies_true()


def test_plain_sql_keeps_the_tallies_true(session):
    """Triggers, not the application, keep the tallies: a change made in plain SQL counts too."""
    jinjiang = dept("锦江区民政局")
    before = tallied().get(jinjiang.id, 0)
    db.session.execute(
        text(
            "INSERT INTO person (name, id_number, department_id, category, status, version, created_at, updated_at) "
            "VALUES ('赵新', '510104199001012313', :d, 'volunteer', 'on_duty', 1, :t, :t)"
        ),
        {"d": jinjiang.id, "t": date(2026, 1, 1)},
    )
    assert tallied()[jinjiang.id] == before + 1
    db.session.execute(text("UPDATE person SET deleted_at = updated_at WHERE department_id = :d"), {"d": jinjiang.id})
    assert jinjiang.id not in tallied()
    db.session.execute(text("UPDATE person SET deleted_at = NULL WHERE department_id = :d"), {"d": jinjiang.id})
    assert tallied()[jinjiang.id] == before + 1
    db.session.execute(text("UPDATE person SET category = 'contract' WHERE name = '赵新'"))
    assert_tallies_true()
    db.session.execute(text("DELETE FROM person WHERE name = '赵新'"))
    assert_tallies_true()
    assert by_category()[0] == by_category()[1]


def test_rebuild_sets_wrong_tallies_right(session):
    department = dept("锦江区民政局")
    db.session.execute(record_tally.update().values(live=record_tally.c.live + 5))
    db.session.execute(record_tally.insert().values(table_name="person", department_id=-1, live=2))
    found = tally.differences(db.session.connection())
    assert found[("person", department.id)][0] == found[("person", department.id)][1] + 5
    assert found[("person", -1)] == (2, 0)
    db.session.execute(category_tally.insert().values(table_name="person", department_id=-1, category="x", live=4))
    assert tally.differences(db.session.connection())[("person", -1, "x")] == (4, 0)
    tally.rebuild(db.session.connection())
    assert_tallies_true()


def test_the_tallies_command_reports_and_rebuilds(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tallies"])
    assert result.exit_code == 0 and result.output.startswith("OK:"), result.output
    department = dept("锦江区民政局")
    db.session.execute(
        record_tally.update().where(record_tally.c.department_id == department.id).values(live=record_tally.c.live + 3)
    )
    result = runner.invoke(args=["tallies"])
    assert result.exit_code == 1
    assert f"person\tdepartment {department.id}\ttallied" in result.output
    assert "flask tallies --rebuild" in result.output
    db.session.execute(
        category_tally.update()
        .where(category_tally.c.department_id == department.id)
        .values(live=category_tally.c.live + 1)
    )
    result = runner.invoke(args=["tallies"])
    assert result.exit_code == 1 and f"person\tdepartment {department.id}\tcategory " in result.output
    result = runner.invoke(args=["tallies", "--rebuild"])
    assert result.exit_code == 0 and "Rebuilt:" in result.output and "tallies differed." in result.output
    assert_tallies_true()


def test_a_plain_list_counts_exactly_beyond_the_limit(app, client, session, monkeypatch):
    """Past LIST_COUNT_LIMIT a plain person list still shows its exact count (from the tallies),
    in the user's scope; a filtered list, and a register without tallies, count up to the limit."""
    monkeypatch.setitem(app.config, "LIST_COUNT_LIMIT", 3)
    everyone = live_count(Person)
    assert everyone > 3
    login(client, "admin")
    page = client.get("/personview/list/?psize_PersonView=1").get_data(as_text=True)
    assert shown_count(page) == f"{everyone:,}"
    assert f'page_PersonView={everyone - 1}"' in page  # the last page, one person a page
    headers = api_token(client, "admin")
    assert client.get("/api/v1/person/", headers=headers).json["count"] == everyone
    past_the_end = client.get(f"/api/v1/person/?q=(page:{everyone},page_size:1)", headers=headers).json
    assert past_the_end["count"] == everyone and past_the_end["ids"] == []  # no row to bring the count along
    filtered = client.get("/api/v1/person/?q=(filters:!((col:status,opr:eq,value:on_duty)))", headers=headers)
    on_duty = db.session.scalar(
        select(func.count()).select_from(Person).where(Person.deleted_at.is_(None), Person.status == "on_duty")
    )
    assert on_duty > 3 and filtered.json["count"] == 4  # counted up to the limit
    assert live_count(Department) > 3
    assert shown_count(client.get("/departmentview/list/").get_data(as_text=True)) == "超过 3"
    client.post("/logout/")
    login(client, "staff")  # 龙泉驿区政务服务中心 and the departments under it
    from app.extensions import appbuilder

    subtree = appbuilder.sm.department_subtree(dept("龙泉驿区政务服务中心").id)
    in_scope = db.session.scalar(
        select(func.count()).select_from(Person).where(Person.deleted_at.is_(None), Person.department_id.in_(subtree))
    )
    assert 0 < in_scope < everyone
    assert shown_count(client.get("/personview/list/").get_data(as_text=True)) == f"{in_scope:,}"


def test_deleting_and_restoring_through_the_screens_moves_the_count(client, session):
    login(client, "staff")
    before = shown_count(client.get("/personview/list/").get_data(as_text=True))
    person = one(Person, name="李娜")
    assert client.post(f"/personview/delete/{person.id}").status_code == 302
    after = shown_count(client.get("/personview/list/").get_data(as_text=True))
    assert int(after) == int(before) - 1
    assert client.post(f"/recyclebin/restore/Person/{person.id}").status_code == 302
    assert shown_count(client.get("/personview/list/").get_data(as_text=True)) == before


@pytest.mark.parametrize(
    ("kind", "ids", "expected"),
    [
        ("all", (), None),
        ("dept", {7}, {7}),
        ("dept_and_below", {7, 8}, {7, 8}),
        ("self", (), NOT_BY_DEPARTMENT),
        ("none", (), NOT_BY_DEPARTMENT),
    ],
)
def test_the_tallies_answer_only_department_scopes(kind, ids, expected):
    scope = DataScope(kind=kind, user_id=1, department_id=7, department_ids=frozenset(ids))
    limit = scope.department_limit(Person, "department_id")
    if expected is None or expected is NOT_BY_DEPARTMENT:
        assert limit is expected
    else:
        assert limit == frozenset(expected)
    # a transfer lies in two departments, a rectification where its inspection lies: never a tally's
    if kind != "all":
        assert scope.department_limit(Transfer, "department_id") is NOT_BY_DEPARTMENT
        assert scope.department_limit(Rectification, "department_id") is NOT_BY_DEPARTMENT


def test_the_recycle_bin_counts_its_deleted_rows_itself(app, session):
    from app.datamodel import ScopedSQLAInterface

    with app.test_request_context("/"):
        assert ScopedSQLAInterface(Person, db.session, apply_scope=False)._tally_statement() is not None
        assert ScopedSQLAInterface(Person, db.session, apply_scope=False, deleted_only=True)._tally_statement() is None
        assert ScopedSQLAInterface(Transfer, db.session, apply_scope=False)._tally_statement() is None
        assert ScopedSQLAInterface(Person, db.session)._tally_statement() is None  # anonymous: no scope at all
