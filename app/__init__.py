"""The application factory: ``create_app`` only runs one init phase per concern."""

import os

from flask import Flask

from config import BASE_DIR, CONFIGS


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.path.join(BASE_DIR, "instance"),
        template_folder=os.path.join(BASE_DIR, "templates"),
        static_folder=os.path.join(BASE_DIR, "static"),
    )
    load_config(app, config)
    init_proxy(app)
    setup_db(app)
    configure_fab(app)
    init_views(app)
    init_i18n(app)
    init_navbar(app)
    init_assets(app)
    init_page_chrome(app)
    init_request_state(app)
    init_http_security(app)
    init_auth_hardening(app)
    init_errors(app)
    init_cli(app)
    return app


def load_config(app: Flask, config) -> None:
    if config is None:
        config = CONFIGS[os.environ.get("APP_ENV", "dev")]
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["dev"])
        app.config.update(config)
    else:
        if hasattr(config, "check"):
            config.check()
        app.config.from_object(config)
    app.config["FAB_CREATE_DB"] = False
    os.makedirs(app.instance_path, exist_ok=True)


def init_proxy(app: Flask) -> None:
    """Behind N reverse proxies (PROXY_COUNT), trust exactly N X-Forwarded-* hops for the client IP."""
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def setup_db(app: Flask) -> None:
    from . import audit, schema_migrations, security_cache, session_rules
    from .extensions import db

    db.init_app(app)
    app.cli.add_command(schema_migrations.MigrationCommands())
    session_rules.install()  # business rules first: only valid changes reach the audit log
    audit.install()
    security_cache.install()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)


def configure_sqlite(engine) -> None:
    """Foreign keys on, WAL, real transactions (SAVEPOINT included) from pysqlite, and
    writing requests serialised (BEGIN IMMEDIATE), so a racing edit reads the winner's
    version and gets the stale-edit message instead of a "database is locked" error."""
    from flask import has_request_context, request
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        # straight to the driver: transaction control needs none of SQLAlchemy's statement work
        # (a twentieth of a signed-in request), as SQLAlchemy's own BEGIN goes to the driver
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")


def configure_fab(app: Flask) -> None:
    from . import csrf_tokens, rison_schemas
    from .extensions import appbuilder, csrf, db

    rison_schemas.install()
    csrf.init_app(app)
    csrf_tokens.install(app)
    with app.app_context():
        appbuilder.init_app(app, db.session)


def init_views(app: Flask) -> None:
    from views import field_html, form_binding, form_panel, list_panel
    from views.registry import register_views

    field_html.install()
    form_binding.install()
    list_panel.install(app)
    form_panel.install(app)
    with app.app_context():
        register_views()


def init_navbar(app: Flask) -> None:
    from .navbar import init_navbar as install

    install(app)


def init_assets(app: Flask) -> None:
    from .assets import init_assets as install

    install(app)


def init_page_chrome(app: Flask) -> None:
    """The fixed parts of every page kept per language, and templates whose imports cost less."""
    from . import jinja_templates
    from .page_chrome import init_page_chrome as install

    jinja_templates.install(app)
    install(app)


def init_i18n(app: Flask) -> None:
    from flask_babel import get_locale

    from .translations import init_translations

    init_translations(app)

    @app.context_processor
    def html_language():
        locale = get_locale()
        return {"html_lang": locale.language if locale is not None else app.config["BABEL_DEFAULT_LOCALE"]}


def init_request_state(app: Flask) -> None:
    """Per-request caches (data scope, audit actor, request id, permissions, security token) start empty
    on every request; Flask's check that each hook is synchronous is asked once per hook."""
    from flask import g

    from . import sync_hooks

    sync_hooks.install(app)

    @app.before_request
    def _fresh_request_state():
        for key in (
            "_data_scope",
            "audit_context",
            "request_id",
            "_role_grants",
            "_public_permissions",
            "_requester_permissions",
            "_security_token",
            "_subtrees",
            "_login_user",  # Flask-Login's user of the request (tests reuse one app context)
            "csrf_token",  # Flask-WTF's signed token of the request (likewise)
        ):
            g.pop(key, None)


def init_http_security(app: Flask) -> None:
    """Security headers (CSP with nonces), bearer-only API writes, POST-only mutations, checked list parameters."""
    from .http_security import install

    install(app)


def init_auth_hardening(app: Flask) -> None:
    """Host check, sign-in rate limits, session idle timeout and generations, no-store when signed in,
    the session cookie's signature checked once per value."""
    from . import session_cookie, sessions
    from .auth_views import refuse_unknown_hosts
    from .rate_limits import init_login_rate_limits

    app.before_request(refuse_unknown_hosts)
    init_login_rate_limits(app)
    sessions.install(app)
    session_cookie.install(app)


def init_errors(app: Flask) -> None:
    """Error pages in the user's language, and the REST APIs' error answers too."""
    from . import api_errors
    from .errors import register_error_handlers

    register_error_handlers(app)
    api_errors.install(app)


def init_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
