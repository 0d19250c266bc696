"""Fixtures: one migrated database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL),
demo data loaded once, each test inside a transaction that is rolled back."""

import os
import tempfile

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.schema_migrations import upgrade
from config import TestConfig

DEMO_PASSWORD = "demo-Pass-2026"


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    handle, path = tempfile.mkstemp(prefix="platform-test-", suffix=".db")
    os.close(handle)
    return f"sqlite:///{path}"


class _Config(TestConfig):
    pass


@pytest.fixture(scope="session")
def app():
    _Config.SQLALCHEMY_DATABASE_URI = _database_url()
    application = create_app(_Config)
    with application.app_context():
        upgrade()
        from app.extensions import appbuilder
        from app.services.demo_data import load_demo_data

        appbuilder.sm.sync_roles()
        load_demo_data()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()
    if application.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.unlink(application.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :])


@pytest.fixture()
def session(app):
    """Each test runs in an outer transaction; commits inside become savepoints and everything is rolled back."""
    with app.app_context():
        # Flask-SQLAlchemy picks its engine from db.engines (ignoring a session bind), so the
        # test connection stands in for the engine there while the test runs.
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        connection.name = engine.name  # Flask-AppBuilder asks the bind for its dialect name
        outer = connection.begin()
        if connection.dialect.name == "postgresql":
            # the security stamp's triggers run at commit, which the rolled-back test transaction
            # never reaches: run them with each statement instead (test_security_cache checks the
            # deferred run on a connection of its own)
            connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        db.session.remove()
        engines[None] = connection
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            engines[None] = engine
            db.session.configure(join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()


@pytest.fixture()
def client(app, session):
    return app.test_client()


def login(client, username: str, password: str = DEMO_PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 302, response.data[:500]
    return client


@pytest.fixture()
def as_admin(client):
    return login(client, "admin")


@pytest.fixture()
def as_staff(client):
    return login(client, "staff")


@pytest.fixture()
def as_staff_jj(client):
    return login(client, "staff_jj")


@pytest.fixture()
def as_supervisor(client):
    return login(client, "supervisor")


def api_token(client, username: str, password: str = DEMO_PASSWORD) -> dict:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.data
    return {"Authorization": f"Bearer {response.json['access_token']}"}
