"""The application the browser talks to, in a process of its own.

The app factory binds one global Flask-AppBuilder instance, so a second app cannot live in the
test process next to the suite's; this script builds a fresh SQLite database (migrations, roles,
demo data) and serves a production-like app (CSRF on, sign-in rate limits on) with
``werkzeug.serving.make_server`` on 127.0.0.1 and a free port, which it prints as ``READY <port>``.

    python -m tests.e2e.server <database file>
"""

import os
import sys
import threading
import time

from werkzeug.serving import make_server

from app import create_app
from app.extensions import appbuilder, db
from app.schema_migrations import upgrade
from app.services.demo_data import load_demo_data


def build_app(database_path: str):
    """A production-like app on a new SQLite database holding the demo data."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
            "SECRET_KEY": "e2e-secret-key-of-a-sensible-length-for-the-browser",
            "WTF_CSRF_ENABLED": True,
            "LOGIN_RATE_LIMITED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
            "ATTACHMENT_DIR": database_path + "-attachments",
        }
    )
    with app.app_context():
        upgrade()
        appbuilder.sm.sync_roles()
        load_demo_data()
        db.session.remove()
    return app


def exit_with_parent() -> None:
    """Stop when the test run that started this server is gone, even if it could not say so."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main() -> None:
    threading.Thread(target=exit_with_parent, daemon=True).start()
    app = build_app(sys.argv[1])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
