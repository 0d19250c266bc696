"""Account lockout: repeated failed sign-ins lock an account for a while (OWASP ASVS 2.2.1).

After ``LOGIN_LOCKOUT_THRESHOLD`` (5) failures within ``LOGIN_LOCKOUT_WINDOW_MINUTES`` (15), the
account refuses every sign-in, by form or API, for ``LOGIN_LOCKOUT_MINUTES`` (15) or until an
admin unlocks it. The state lives on the user row (so every worker sees it); the row is locked
while a failure is counted, so concurrent attempts cannot undercount. Locking and unlocking are
audited; the person signing in sees the same message as for a wrong password or an unknown user.
"""

from datetime import datetime, timedelta

from flask import current_app

from models.mixins import utcnow


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def is_locked(user, now: datetime | None = None) -> bool:
    """Whether the account refuses sign-ins right now."""
    until = getattr(user, "locked_until", None)
    return until is not None and until > (now or utcnow())


def register_failure(session, user) -> bool:
    """Count one failed sign-in of an existing account; True when this failure locks it."""
    threshold = _setting("LOGIN_LOCKOUT_THRESHOLD", 5)
    if threshold <= 0:
        return False
    if user.id is not None:
        session.refresh(user, with_for_update=True)  # serialise concurrent failures on this account
    now = utcnow()
    window = timedelta(minutes=_setting("LOGIN_LOCKOUT_WINDOW_MINUTES", 15))
    if user.failed_logins_since is None or now - user.failed_logins_since > window:
        user.failed_logins_since, user.recent_failed_logins = now, 0
    user.recent_failed_logins = (user.recent_failed_logins or 0) + 1
    if user.recent_failed_logins < threshold:
        return False
    user.locked_until = now + timedelta(minutes=_setting("LOGIN_LOCKOUT_MINUTES", 15))
    user.failed_logins_since, user.recent_failed_logins = None, 0
    return True


def clear(user) -> None:
    """Forget failures and any lock (a successful sign-in, or an admin's unlock)."""
    user.recent_failed_logins = 0
    user.failed_logins_since = None
    user.locked_until = None


def unlock(session, user) -> None:
    """An admin ends the account's lock; audited as ``account_unlocked``."""
    from .audit import record_event

    was_locked_until = user.locked_until
    clear(user)
    record_event(  # commits the unlock and its event in one transaction
        session,
        "account_unlocked",
        entity=user,
        changes={"locked_until": {"old": was_locked_until.isoformat() if was_locked_until else None, "new": None}},
    )


def record_lock(session, user) -> None:
    """Audit that repeated failures locked the account."""
    from .audit import record_event

    record_event(
        session,
        "account_locked",
        entity=user,
        changes={"locked_until": {"old": None, "new": user.locked_until.isoformat()}},
        actor_name=user.username,
    )
