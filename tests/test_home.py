"""The home dashboard (工作台) by role: figures against hand counts, in scope, linked to the filtered
lists behind them, in both languages, with a bounded number of SQL statements."""

import re
from datetime import date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.services.demo_data import make_id_number
from models import (
    Booking,
    Department,
    PartyOrganization,
    Person,
    PlatformUser,
    Rectification,
    Resolution,
    ServiceItem,
    SocialOrganization,
)
from models.mixins import utcnow
from tests.conftest import login
from tests.helpers import dept, jinjiang_records, one
from tests.test_query_counts import statements

TILE = re.compile(
    r'<a class="home-tile" href="([^"]+)">\s*<span class="home-tile-count">([^<]*)</span>\s*<span class="home-tile-label">([^<]*)</span>'
)


def tiles(page: str) -> dict:
    """Each linked tile of the page: label → (figure, address)."""
    return {label.strip(): (value.strip(), url.replace("&amp;", "&")) for url, value, label in TILE.findall(page)}


def home(client, language: str = "zh") -> str:
    client.get(f"/lang/{language}")
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def subtree(root_id: int) -> set[int]:
    """The department and everything under it, walked by hand."""
    children = {}
    for pk, parent in db.session.execute(select(Department.id, Department.parent_id)):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [root_id]
    while todo:
        pk = todo.pop()
        found.add(pk)
        todo.extend(children.get(pk, []))
    return found


def live(model):
    return select(func.count(model.id)).where(model.deleted_at.is_(None))


def shown_ids(page: str, endpoint: str) -> set[str]:
    return set(re.findall(rf'href="/{endpoint}/show/(\d+)"', page))


def test_anonymous_visitors_are_invited_to_sign_in(client, session):
    page = home(client)
    assert "请登录" in page and "dashboard-panel" not in page


def test_admin_sees_platform_counts_the_rate_events_and_locked_accounts(client, session):
    locked = one(PlatformUser, username="staff_jj")
    locked.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    login(client, "admin")
    page = home(client, "en")
    figures = tiles(page)
    assert figures["Departments"] == (str(db.session.scalar(live(Department))), "/departmentview/list/")
    assert figures["Persons"][0] == str(db.session.scalar(live(Person)))
    assert figures["Social organizations"][0] == str(db.session.scalar(live(SocialOrganization)))
    items = db.session.scalars(select(ServiceItem).where(ServiceItem.deleted_at.is_(None))).all()
    rate = round(100.0 * sum(1 for item in items if item.centralized) / len(items), 1)
    assert figures["Centralization rate"] == (f"{rate}%", "/serviceitemview/overview")
    assert "Recent audit events" in page and ">Login<" in page  # this very sign-in
    locked_list = page[page.index('id="locked-accounts"') :]
    assert ">staff_jj</a>" in locked_list[: locked_list.index("</ul>")]
    assert 'id="chart-registers"' in page and "vendor/echarts/echarts.min.js" in page
    assert "dashboard-department" not in page and "dashboard-supervisor" not in page


def test_an_expired_lock_is_not_listed(client, session):
    user = one(PlatformUser, username="staff_jj")
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login(client, "admin")
    page = home(client, "en")
    assert "No account is locked." in page and ">staff_jj</a>" not in page


def test_staff_see_their_departments_figures_only(client, session):
    login(client, "staff")
    with statements() as seen:
        page = home(client, "en")
    # persons by category come from the category tallies of the departments in scope, not a count
    assert any("category_tally" in statement for statement in seen)
    assert not any("FROM person" in statement and "GROUP BY" in statement for statement in seen), seen
    scope = subtree(dept("龙泉驿区政务服务中心").id)
    by_category = dict(
        db.session.execute(
            select(Person.category, func.count(Person.id))
            .where(Person.deleted_at.is_(None), Person.department_id.in_(scope))
            .group_by(Person.category)
        ).all()
    )
    table = page[page.index('id="persons-by-category"') :]
    rows = re.findall(r'<td><a href="([^"]+)">([^<]+)</a></td><td class="text-right">(\d+)</td>', table)
    assert len(rows) == 6
    assert {label: int(n) for _url, label, n in rows} == {
        "Civil servant": by_category.get("civil_servant", 0),
        "Institution staff": by_category.get("institution_staff", 0),
        "Community worker": by_category.get("community_worker", 0),
        "Social worker": by_category.get("social_worker", 0),
        "Contract staff": by_category.get("contract", 0),
        "Volunteer": by_category.get("volunteer", 0),
    }
    for url, _label, n in rows:  # each figure leads to the list of exactly those persons
        listed = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        assert len(shown_ids(listed, "personview")) == int(n), url
    outside = jinjiang_records()
    changes = page[page.index('id="recent-changes"') :]
    assert str(outside["person"]) not in changes and f"/personview/show/{outside['person'].id}" not in page
    assert "dashboard-admin" not in page and "Locked accounts" not in page


def test_staff_see_their_open_work_overdue_first(client, session):
    scope = subtree(dept("龙泉驿区政务服务中心").id)
    first = db.session.scalars(
        select(Resolution).where(Resolution.lead_department_id.in_(scope), Resolution.status != "done")
    ).first()
    later = Resolution(
        meeting_id=first.meeting_id,
        content="晚到期的议定事项",
        lead_department_id=first.lead_department_id,
        due_on=first.due_on + timedelta(days=30),
        status="open",
    )
    db.session.add(later)
    db.session.commit()
    open_count = db.session.scalar(
        select(func.count(Resolution.id)).where(
            Resolution.deleted_at.is_(None), Resolution.lead_department_id.in_(scope), Resolution.status != "done"
        )
    )
    with freeze_time(first.due_on + timedelta(days=1)):  # the first is overdue, the later one not yet
        login(client, "staff")
        page = home(client, "en")
    assert tiles(page)["Open resolutions"] == (str(open_count), "/resolutions/")
    listed = page[page.index('id="open-resolutions"') :]
    listed = listed[: listed.index("</ul>")]
    assert listed.index(first.content[:20]) < listed.index("晚到期的议定事项")
    overdue_item = listed[: listed.index(first.content[:20])]
    assert overdue_item.rstrip().endswith("Overdue ·") and 'class="text-danger"' in overdue_item[-300:]
    assert "1 overdue" in page


def test_the_bookings_tile_counts_the_week_of_today(client, session):
    scope = subtree(dept("龙泉驿区政务服务中心").id)
    booking = db.session.scalars(select(Booking).where(Booking.department_id.in_(scope))).first()
    day = booking.starts_at.date()
    monday = day - timedelta(days=day.weekday())
    expected = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.deleted_at.is_(None),
            Booking.department_id.in_(scope),
            Booking.starts_at >= datetime.combine(monday, datetime.min.time()),
            Booking.starts_at < datetime.combine(monday + timedelta(days=7), datetime.min.time()),
        )
    )
    assert expected >= 1
    with freeze_time(day):
        login(client, "staff")
        figure, url = tiles(home(client, "en"))["Bookings this week"]
        listed = client.get(url).get_data(as_text=True)
    assert figure == str(expected)
    assert len(shown_ids(listed, "bookingview")) == expected
    with freeze_time(monday - timedelta(days=14)):
        login(client, "staff")
        assert tiles(home(client, "en"))["Bookings this week"][0] == "0"


def test_supervisors_see_coverage_and_what_is_overdue_everywhere(client, session):
    on = date(2030, 1, 1)
    overdue_resolutions = db.session.scalar(
        select(func.count(Resolution.id)).where(
            Resolution.deleted_at.is_(None), Resolution.status != "done", Resolution.due_on < on
        )
    )
    overdue_rectifications = db.session.scalar(
        select(func.count(Rectification.id)).where(
            Rectification.deleted_at.is_(None),
            Rectification.status.in_(("pending", "in_progress")),
            Rectification.deadline < on,
        )
    )
    expired = db.session.scalar(
        select(func.count(PartyOrganization.id)).where(
            PartyOrganization.deleted_at.is_(None), PartyOrganization.term_ends_on < on
        )
    )
    with freeze_time(on):
        login(client, "supervisor")
        page = home(client, "en")
        figures = tiles(page)
        expired_list = client.get(figures["Party organizations whose term has expired"][1]).get_data(as_text=True)
    assert figures["Overdue resolutions"] == (str(overdue_resolutions), "/resolutions/?status=overdue")
    assert figures["Overdue rectifications"] == (str(overdue_rectifications), "/partyoversight/overdue")
    assert figures["Party organizations whose term has expired"][0] == str(expired)
    assert len(shown_ids(expired_list, "partyorganizationview")) == expired
    assert figures["Party-organization coverage"][1] == "/partyoversight/coverage"
    assert 'id="chart-coverage"' in page
    assert "dashboard-admin" not in page and "dashboard-department" not in page


def test_the_dashboard_speaks_the_users_language(client, session):
    login(client, "staff")
    zh, en = home(client, "zh"), home(client, "en")
    assert "本周场地预约" in zh and "未办结的议定事项" in zh and "Bookings this week" not in zh
    assert "Bookings this week" in en and "本周场地预约" not in en


@pytest.mark.parametrize("username", ["admin", "staff", "supervisor"])
def test_the_dashboard_costs_the_same_statements_however_many_rows(client, session, username):
    login(client, username)
    client.get("/")
    with statements() as before:
        client.get("/")
    department = dept("龙泉驿区政务服务中心")
    for index in range(30):
        db.session.add(
            Person(
                name=f"加{index}",
                id_number=make_id_number("510112", "19900101", f"{index:02d}", "male"),
                department_id=department.id,
                category="volunteer",
            )
        )
    db.session.commit()
    client.get("/")
    with statements() as after:
        client.get("/")
    assert len(after) == len(before) <= 30


def test_newest_reads_department_by_department_and_agrees_with_a_plain_query(app, session):
    """The department-by-department read of the latest changes gives exactly the rows, in the order,
    of ORDER BY … LIMIT over the whole scope."""
    from flask import g

    from app.datamodel import ScopedSQLAInterface

    for index, person in enumerate(db.session.scalars(select(Person).order_by(Person.id))):
        person.updated_at = datetime(2026, 1, 1) + timedelta(minutes=(index * 7) % 23)  # ties included
    db.session.commit()
    with app.test_request_context("/"):
        g.user = one(PlatformUser, username="staff")
        interface = ScopedSQLAInterface(Person)
        plain = interface.restrict(db.session.query(Person)).order_by(Person.updated_at.desc(), Person.id.desc())
        with statements() as seen:
            newest = interface.newest(Person.updated_at, 5)
        assert [p.id for p in newest] == [p.id for p in plain.limit(5)]
        assert any("UNION ALL" in statement for statement in seen)
        assert all(p.department_id in subtree(dept("龙泉驿区政务服务中心").id) for p in newest)
