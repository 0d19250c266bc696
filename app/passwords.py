"""The password policy (OWASP ASVS 2.1): a length, a list of common passwords, no composition rules.

A password needs at least ``PASSWORD_MIN_LENGTH`` characters (12; runs of spaces count as one)
and at most ``PASSWORD_MAX_LENGTH`` (128), and must not be a common password: not one of
``common_passwords.txt``, nor such a word with only digits or punctuation around it
("Password2026!"), nor a keyboard or alphabet run or a few characters repeated. There are deliberately no rules on upper case, digits or symbols (ASVS 2.1.9).
The same check serves the user forms (Flask-AppBuilder's ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``),
the security manager (``add_user``, ``reset_password``) and the command line.
"""

import os
import re
import string
from functools import cache

from flask import current_app, has_app_context
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _

MIN_LENGTH, MAX_LENGTH = 12, 128
LIST_FILE = os.path.join(os.path.dirname(__file__), "common_passwords.txt")
_SPACES = re.compile(r"\s+")
_DECORATION = string.digits + string.punctuation + " "
_RUNS = (
    "0123456789" * 13,
    string.ascii_lowercase * 5,
    "qwertyuiopasdfghjklzxcvbnm" * 5,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p" * 4,
)


class PasswordPolicyError(PasswordComplexityValidationError):
    """A password the policy refuses; the message says why, in the user's language."""


@cache
def common_passwords() -> frozenset:
    """The bundled list of common passwords, lower case."""
    with open(LIST_FILE, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip() and not line.startswith("#"))


def password_limits() -> tuple[int, int]:
    """The configured minimum and maximum password lengths."""
    config = current_app.config if has_app_context() else {}
    return int(config.get("PASSWORD_MIN_LENGTH", MIN_LENGTH)), int(config.get("PASSWORD_MAX_LENGTH", MAX_LENGTH))


def is_predictable(lowered: str) -> bool:
    """A run along a keyboard row or the alphabet ("123456789012", "abcdefghijkl"), or a few
    characters repeated ("zzzzzzzzzzzz", "abababababab")."""
    if len(set(lowered)) <= 3:
        return True
    return any(lowered in run or lowered in run[::-1] for run in _RUNS)


def is_common(password: str) -> bool:
    """Whether the password, or its core without surrounding digits and punctuation, is a common
    or predictable one."""
    lowered = password.strip().lower()
    core = lowered.strip(_DECORATION)
    listed = common_passwords()
    return lowered in listed or (len(core) >= 4 and core in listed) or is_predictable(lowered)


def password_problem(password) -> str | None:
    """Why the policy refuses this password (translated), or None when it is acceptable."""
    minimum, maximum = password_limits()
    text = password if isinstance(password, str) else ""
    length = len(_SPACES.sub(" ", text))
    if length < minimum:
        return _("The password must have at least %(min)d characters.", min=minimum)
    if len(text) > maximum:
        return _("The password must have at most %(max)d characters.", max=maximum)
    if is_common(text):
        return _("This password is too common and easy to guess. Choose a longer, less common one.")
    return None


def validate_password(password) -> None:
    """Raise ``PasswordPolicyError`` when the policy refuses the password (the forms' validator)."""
    problem = password_problem(password)
    if problem:
        raise PasswordPolicyError(problem)


# ----- the command line ------------------------------------------------------------------
#: Flask-AppBuilder's commands that set a password
PASSWORD_COMMANDS = ("create-admin", "create-user", "reset-password")


def _policy_checked(command):
    """The same command, refusing a password the policy rejects before anything is written."""
    import functools

    import click
    from flask.cli import with_appcontext

    callback = command.callback

    @functools.wraps(callback)
    @with_appcontext
    def checked(*args, **kwargs):
        problem = password_problem(kwargs.get("password"))
        if problem:
            raise click.BadParameter(problem, param_hint="'--password'")
        return callback(*args, **kwargs)

    return click.Command(
        command.name, params=command.params, callback=checked, help=command.help, short_help=command.short_help
    )


def policy_checked_group(group):
    """A copy of Flask-AppBuilder's ``fab`` command group whose password-setting commands follow the policy."""
    import click

    checked = click.Group(group.name, help=group.help)
    for name, command in group.commands.items():
        checked.add_command(_policy_checked(command) if name in PASSWORD_COMMANDS else command, name)
    return checked
