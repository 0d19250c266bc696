"""The top bar is rendered once per user, permission set and language, and still shows each user
their own menu in their own language, at once after a change of role or permission."""

from app.extensions import appbuilder, db
from tests.conftest import login


def top_bar(client) -> str:
    page = client.get("/personview/list/").get_data(as_text=True)
    return page[page.index('role="navigation"') : page.index('<div class="container">', page.index("navbar-collapse"))]


def test_each_language_gets_its_own_bar(client, session):
    login(client, "staff")
    assert "工作人员" in top_bar(client)
    client.get("/lang/en")
    english = top_bar(client)
    assert "Persons" in english and "工作人员" not in english
    client.get("/lang/zh")
    assert "Persons" not in top_bar(client)


def test_each_role_gets_its_own_menu(client, session):
    login(client, "staff")
    staff = top_bar(client)
    client.post("/logout/")
    login(client, "supervisor")
    supervisor = top_bar(client)
    assert "/import/" in staff and "/import/" not in supervisor
    assert "/auditeventview/" in supervisor and "/auditeventview/" not in staff


def test_a_permission_change_shows_at_the_next_request(client, session):
    login(client, "staff")
    assert "/import/" in top_bar(client)
    role = appbuilder.sm.find_role("DeptStaff")
    menu = appbuilder.sm.find_permission_view_menu("menu_access", "Import")
    role.permissions = [p for p in role.permissions if p.id != menu.id]
    db.session.commit()
    assert "/import/" not in top_bar(client)


def test_the_users_own_name_is_shown(client, session):
    login(client, "staff")
    user = appbuilder.sm.find_user(username="staff")
    user.first_name = "临时"
    db.session.commit()
    assert "临时" in top_bar(client)
