"""Signed-in users, their roles' grants, department subtrees and data scopes, kept between requests
while the security stamp holds.

Every request of a signed-in user needs the user with their roles and groups, what those roles
grant, and the departments under the user's own (their data scope). All change rarely, so each
worker keeps them, and each request reads one token instead: ``security_stamp.token``, which
database triggers renew on every write to the security tables and to the departments (migration
``a8f3d6c2b194``), whatever makes the write. A new token empties the cache.

What keeps the cache honest:
- the token is read before the data, so data kept under a token is never older than the token;
- the token is random, so a rolled-back change cannot bring back a token of another state;
- a request uses the cache only until its session first flushes: what it reads after its own
  writes may be uncommitted, and is neither kept nor answered from the cache;
- outside a request (CLI, tests without a request) nothing is cached.

A kept user is a detached copy; each request merges it into its own session without SQL, so the
request gets an ordinary persistent user whose other relations load as usual.
"""

from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models.security import security_stamp

STAMP_QUERY = select(security_stamp.c.token).where(security_stamp.c.id == 1)
#: a worker keeps at most this many users; the next one empties the cache
MAX_USERS = 1000
#: what ``g`` holds when this request no longer uses the cache
CLOSED = ""


@dataclass
class _Kept:
    """What was read under one token."""

    token: str
    users: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


class SecurityCache:
    """One worker's users and grants, under the token they were read with."""

    def __init__(self):
        self._kept = _Kept(CLOSED)

    def request_token(self, session) -> str | None:
        """This request's token (read once), or None when the cache is not to be used."""
        if not has_request_context():
            return None
        token = g.get("_security_token")
        if token is None:
            token = g._security_token = session.connection().execute(STAMP_QUERY).scalar() or CLOSED
        return token or None

    def _kept_under(self, token: str) -> _Kept:
        kept = self._kept
        if kept.token != token:
            kept = self._kept = _Kept(token)
        return kept

    def user(self, session, pk: int, load):
        """The user ``pk`` in ``session``: merged from the kept copy, else ``load(pk)`` (then kept)."""
        token = self.request_token(session)
        if token is None:
            return load(pk)
        kept = self._kept_under(token)
        copy = kept.users.get(pk)
        if copy is None:
            user = load(pk)
            if user is not None and not session.is_modified(user) and self.request_token(session) == token:
                if len(kept.users) >= MAX_USERS:
                    kept = self._kept = _Kept(token)
                kept.users[pk] = detached_copy(user)
            return user
        present = session.identity_map.get(session.identity_key(instance=copy))
        return present if present is not None else session.merge(copy, load=False)

    def value(self, session, key, compute):
        """The value kept under ``key`` (role grants, a department's subtree), else ``compute()``
        (then kept)."""
        token = self.request_token(session)
        if token is None:
            return compute()
        kept = self._kept_under(token)
        found = kept.values.get(key)
        if found is None:
            found = compute()
            if self.request_token(session) == token:
                kept.values[key] = found
        return found

    def peek(self, session, key):
        """The value kept under ``key``, or None."""
        token = self.request_token(session)
        return None if token is None else self._kept_under(token).values.get(key)

    def keep(self, session, key, value) -> None:
        """Keep a value that was read along with another one."""
        token = self.request_token(session)
        if token is not None:
            self._kept_under(token).values.setdefault(key, value)


def detached_copy(user):
    """A copy of a freshly loaded user, with what is loaded of it (roles, groups and their roles),
    outside any session."""
    holder = Session()
    try:
        return holder.merge(user, load=False)
    finally:
        holder.expunge_all()
        holder.close()


def _close_for_request(_session, _flush_context, _instances) -> None:
    if has_request_context():
        g._security_token = CLOSED


def install() -> None:
    """A request's first flush ends its use of the cache."""
    if not event.contains(Session, "before_flush", _close_for_request):
        event.listen(Session, "before_flush", _close_for_request)
