"""Stock Flask-AppBuilder over the benchmark database: what the issue's "stock" figures measure.

A plain Flask-AppBuilder 5 app, as its documentation builds one: FAB's own security manager
(database logins), ``SQLAInterface``, a ``ModelView`` and a ``ModelRestApi`` of persons with FAB's
default templates, none of this platform's code. It maps the person and department tables of the
benchmark database and signs in the same ``admin``, whose role holds ``can_read``/``can_write`` on
``Person`` (FAB's ``class_permission_name`` and ``method_permission_name``, the same permission
names the platform uses). It never writes permissions (``FAB_UPDATE_PERMS`` and ``FAB_CREATE_DB``
off), so the benchmark database is left as it was.

Run in its own process, because Flask-AppBuilder's model base and its security models are shared
by every app in a process: ``bench/stock.py`` times it in-process, and gunicorn serves it with
``bench.stock_app:create_app()``. ``STOCK_DATABASE_URL`` names the database.
"""

import os
import secrets
from datetime import date

from flask import Flask
from flask_appbuilder import AppBuilder, Model, ModelRestApi, ModelView
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

#: the platform's permission names (views.base.VIEW_PERMISSIONS), in Flask-AppBuilder's own setting
READ_WRITE = {
    **dict.fromkeys(("list", "show", "download", "api_read", "api_column_add", "api_get"), "read"),
    **dict.fromkeys(("add", "edit", "delete", "api_create", "api_update", "api_delete"), "write"),
    **dict.fromkeys(("get", "get_list", "info"), "read"),
    **dict.fromkeys(("post", "put", "delete"), "write"),
}


class StockDepartment(Model):
    """The department table, as a stock model maps it."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)

    def __str__(self) -> str:
        return self.name


class StockPerson(Model):
    """The person table, as a stock model maps it: its columns and the department relation."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    gender: Mapped[str | None] = mapped_column(String(10))
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    mobile: Mapped[str | None] = mapped_column(String(11))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), nullable=False)
    department: Mapped[StockDepartment] = relationship()
    position: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30), nullable=False)
    political_status: Mapped[str | None] = mapped_column(String(20))
    education: Mapped[str | None] = mapped_column(String(20))
    hired_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    social_work_qualification: Mapped[str | None] = mapped_column(String(20))

    def __str__(self) -> str:
        return self.name


LIST_COLUMNS = ["name", "gender", "id_number", "department", "position", "category", "status"]
RECORD_COLUMNS = [
    "name",
    "gender",
    "id_number",
    "mobile",
    "department",
    "position",
    "category",
    "political_status",
    "education",
    "hired_on",
    "left_on",
    "status",
    "social_work_qualification",
]


class PersonView(ModelView):
    """The person register with Flask-AppBuilder's defaults: its list, show and edit pages."""

    datamodel = SQLAInterface(StockPerson)
    class_permission_name = "Person"
    method_permission_name = READ_WRITE
    list_columns = LIST_COLUMNS
    show_columns = edit_columns = add_columns = RECORD_COLUMNS
    search_columns = ["name", "id_number", "department", "category", "status"]
    base_order = ("name", "asc")


class PersonApi(ModelRestApi):
    """The person REST API with Flask-AppBuilder's defaults."""

    datamodel = SQLAInterface(StockPerson)
    resource_name = "person"
    class_permission_name = "Person"
    method_permission_name = READ_WRITE
    list_columns = show_columns = ["id", *RECORD_COLUMNS]
    page_size = 25  # the rows of the platform's REST list (Flask-AppBuilder's default is 20)


def create_app() -> Flask:
    """The stock app on ``STOCK_DATABASE_URL``."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32),  # one key for all workers
        SQLALCHEMY_DATABASE_URI=os.environ["STOCK_DATABASE_URL"],
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        AUTH_ROLE_ADMIN="Admin",
        AUTH_ROLE_PUBLIC="Public",
        FAB_UPDATE_PERMS=False,
        FAB_CREATE_DB=False,
        FAB_API_MAX_PAGE_SIZE=100,
        WTF_CSRF_ENABLED=True,
    )
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder()
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(PersonView, "Persons", category="People")
        appbuilder.add_api(PersonApi)
    return app
