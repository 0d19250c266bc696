"""Configuration classes: Base / Dev / Test / Prod.

Secrets and the database URL come from the environment. ``ProdConfig``
refuses to start without a real ``SECRET_KEY`` and ``DATABASE_URL``.
"""

import os

from flask_appbuilder.const import AUTH_DB
from flask_babel import lazy_gettext

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused by ProdConfig


def _sqlite_url(filename: str) -> str:
    return "sqlite:///" + os.path.join(INSTANCE_DIR, filename)


def _password_policy(password: str) -> None:
    """The user forms' password check (app.passwords; imported late, the app package imports this module)."""
    from app.passwords import validate_password

    validate_password(password)


class BaseConfig:
    """Settings shared by every environment."""

    APP_NAME = lazy_gettext("Grassroots Public Service Administration Platform")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _sqlite_url("platform.db")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL")
    #: reverse proxies in front of the app (nginx: 1); their X-Forwarded-For gives the client IP
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = False
    FAB_UPDATE_PERMS = False  # permissions are synced by `flask sync-roles`, not at import time
    FAB_SECURITY_MANAGER_CLASS = "app.security.PlatformSecurityManager"
    FAB_INDEX_VIEW = "views.home.HomeView"
    FAB_BASE_TEMPLATE = "platform_base.html"
    FAB_API_MAX_PAGE_SIZE = 100
    #: the host names the app is served under (APP_HOSTS="admin.example.gov.cn,10.0.0.5"): redirects
    #: go only there, and when set, a request naming any other Host gets a 400 (app.auth_views)
    APP_HOSTS = [host.strip() for host in os.environ.get("APP_HOSTS", "").split(",") if host.strip()]
    FAB_SAFE_REDIRECT_HOSTS = ["127.0.0.1", "localhost", *APP_HOSTS]
    APP_THEME = ""

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASE_DIR, "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "en": {"flag": "gb", "name": "English"},
    }

    #: list pages count matching rows up to this many, then say "more than …" (0: always count all)
    LIST_COUNT_LIMIT = int(os.environ.get("LIST_COUNT_LIMIT", 10_000))
    #: uploads: imports up to IMPORT_MAX_BYTES; anything larger than MAX_CONTENT_LENGTH gets a clear 413
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 32 * 1024 * 1024))
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    WTF_CSRF_ENABLED = True
    #: redirect plain-HTTP requests to HTTPS in the app (normally the reverse proxy does it)
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "0") == "1"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: cookies only over HTTPS when served by HTTPS (ProdConfig: on unless SESSION_COOKIE_SECURE=0)
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    #: a signed-in session ends after this many minutes without a request
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))

    # ----- sign-in protection (app.login_guard, app.rate_limits, app.passwords) ------------
    #: an account locks after LOGIN_LOCKOUT_THRESHOLD failures within LOGIN_LOCKOUT_WINDOW_MINUTES,
    #: for LOGIN_LOCKOUT_MINUTES (or until an admin unlocks it); a threshold of 0 turns lockout off
    LOGIN_LOCKOUT_THRESHOLD = int(os.environ.get("LOGIN_LOCKOUT_THRESHOLD", "5"))
    LOGIN_LOCKOUT_WINDOW_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_WINDOW_MINUTES", "15"))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
    #: sign-in attempts per client IP on /login/ and /api/v1/security/login (a successful one is free)
    LOGIN_RATE_LIMITED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;100 per hour")
    #: the counters live in Redis when REDIS_URL is set (shared by every worker), else in memory
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_KEY_PREFIX = "platform"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    AUTH_RATE_LIMITED = False  # Flask-AppBuilder's own limiter (HTML form only): app.rate_limits does both
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 128
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(_password_policy)
    JSON_AS_ASCII = False


class DevConfig(BaseConfig):
    """Local development: SQLite in the instance folder."""

    DEBUG = False


class TestConfig(BaseConfig):
    """The test suite: a throwaway database given by the fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key-of-a-sensible-length-for-jwt"  # noqa: S105 - test suite only
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    #: the suite signs in hundreds of times from one address: tests/test_auth_hardening.py turns it on
    LOGIN_RATE_LIMITED = False
    RATELIMIT_STORAGE_URI = "memory://"
    #: off: some tests sign in and then jump weeks ahead (freezegun); the idle timeout's tests turn it on
    SESSION_IDLE_MINUTES = 0


class ProdConfig(BaseConfig):
    """Production: PostgreSQL and a real secret, or refuse to start."""

    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def check(cls) -> None:
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET or len(secret) < 32:
            raise RuntimeError("ProdConfig: set SECRET_KEY to a random value of at least 32 characters.")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("ProdConfig: set DATABASE_URL (postgresql+psycopg://...).")


CONFIGS = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig}
