"""The signed session cookie, its signature checked once per cookie value rather than per request.

Flask builds a new signing serializer for every request and checks the cookie's HMAC signature,
decodes it and parses its JSON each time: about a tenth of a signed-in request that draws nothing.
A browser sends the same cookie value until the session changes, so ``KeptCookieSessionInterface``
keeps, per worker, the values whose signature it has checked, each with its time of signing and
its content as JSON text. A kept value is still refused once older than the session's lifetime,
as itsdangerous refuses it, and each request gets its own session object, parsed from the text.
A value never seen, or signed with another key, is checked as Flask checks it.
"""

import time
from threading import Lock

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: cookie values kept per worker (a value per signed-in browser, renewed when its session changes)
MAX_KEPT = 4096


class KeptCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the serializer made once per key and each cookie
    value's signature checked once."""

    def __init__(self):
        self._serializers: dict = {}
        #: cookie value → (signed at, in POSIX seconds, its content as tagged JSON text)
        self._checked: dict = {}
        self._keys = None
        self._lock = Lock()

    def _signing_keys(self, app: Flask) -> tuple:
        return (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        keys = self._signing_keys(app)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            with self._lock:
                self._serializers = {keys: serializer}  # only the present keys' serializer is kept
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        keys = self._signing_keys(app)
        checked = self._checked.get(value) if self._keys == keys else None
        if checked is not None:
            age = int(time.time()) - checked[0]  # in whole seconds, as itsdangerous counts it
            if 0 <= age <= max_age:
                return self.session_class(self.serializer.loads(checked[1]))
            return self.session_class()  # expired, as itsdangerous would refuse it
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._keep(keys, value, int(signed_at.timestamp()), self.serializer.dumps(data))
        return self.session_class(data)

    def _keep(self, keys: tuple, value: str, signed_at: int, text: str) -> None:
        with self._lock:
            if self._keys != keys or len(self._checked) >= MAX_KEPT:
                self._checked = {}
                self._keys = keys
            self._checked[value] = (signed_at, text)


def install(app: Flask) -> None:
    """Serve the app's sessions through ``KeptCookieSessionInterface``."""
    app.session_interface = KeptCookieSessionInterface()
