"""The sign-in and password screens, hardened: safe ``?next=`` redirects, one message for every
failed sign-in, and password fields that state (and enforce) the password policy.

The classes keep Flask-AppBuilder's names, so endpoints and permission names stay the same.
"""

import unicodedata
from fnmatch import fnmatch
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security import views as fab_views
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from .passwords import password_limits


def _policy_hint() -> str:
    return gettext(
        "At least %(count)d characters. Common passwords are refused. A long phrase is easy to remember.",
        count=password_limits()[0],
    )


#: the password policy in a sentence, with the minimum length this deployment configured
POLICY_HINT = LazyString(_policy_hint)


def _host_allowed(netloc: str, hostname: str) -> bool:
    patterns = current_app.config.get("FAB_SAFE_REDIRECT_HOSTS") or []
    return any(fnmatch(hostname, pattern) or fnmatch(netloc, pattern) for pattern in patterns)


def refuse_unknown_hosts() -> None:
    """before_request: with ``APP_HOSTS`` set, a request for any other host name gets a 400, so
    a forged Host header can't reach links, redirects or caches."""
    if not current_app.config.get("APP_HOSTS"):
        return
    netloc = request.host
    try:
        hostname = urlsplit("//" + netloc).hostname or ""
    except ValueError:
        hostname = ""
    if not hostname or not _host_allowed(netloc, hostname):
        abort(400)


def safe_redirect_target(url) -> str:
    """``url`` when it stays on this site (a local path, or an allowed host), else the home page.

    Refused: other hosts (``https://evil.example``, ``//evil.example``), backslashes that browsers
    read as slashes (``/\\evil.example``), control characters and any scheme but http(s)."""
    index = current_app.appbuilder.get_url_for_index
    if not isinstance(url, str) or not url or "\\" in url:
        return index
    if any(unicodedata.category(char)[0] == "C" for char in url):
        return index
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
    except ValueError:
        return index
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not hostname or not _host_allowed(parts.netloc, hostname):
            return index
        return url
    return url if url.startswith("/") and not url.startswith("//") else index


class AuthDBView(fab_views.AuthDBView):
    """The sign-in form: one message for a wrong password, an unknown user and a locked account,
    and ``?next=`` only to this site."""

    invalid_login_message = _l(
        "Wrong user name or password, or the account is locked for a while after repeated failed"
        " sign-ins. Please try again later or ask an administrator."
    )

    def _get_safe_next_url(self) -> str:
        return safe_redirect_target(request.args.get("next"))

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        """Sign in (Flask-AppBuilder's flow with the stricter redirect check)."""
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = self._get_safe_next_url()
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form, appbuilder=self.appbuilder)

    @expose("/logout/", methods=["POST"])
    def logout(self):
        """Sign out: a POST with the CSRF token (the navbar's form), since it changes state; GET
        answers 405."""
        user = self._get_authenticated_user()
        logout_user()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(current_app.config.get("LOGOUT_REDIRECT_URL", self.appbuilder.get_url_for_index))


def policy_password_field() -> PasswordField:
    """A new password, checked against the password policy."""
    return PasswordField(
        _l("Password"),
        description=POLICY_HINT,
        validators=[DataRequired(), PasswordComplexityValidator()],
        widget=BS3PasswordFieldWidget(),
    )


class PolicyResetPasswordForm(DynamicForm):
    """A new password and its confirmation, with the policy stated."""

    password = policy_password_field()
    conf_password = PasswordField(
        _l("Confirm Password"),
        description=_l("Please rewrite the password to confirm"),
        validators=[EqualTo("password", message=_l("Passwords must match"))],
        widget=BS3PasswordFieldWidget(),
    )


class ResetMyPasswordView(fab_views.ResetMyPasswordView):
    """Change one's own password (the policy applies; this session stays signed in, others end)."""

    form = PolicyResetPasswordForm


class ResetPasswordView(fab_views.ResetPasswordView):
    """An admin sets a user's password (the policy applies; the user's sessions end)."""

    form = PolicyResetPasswordForm
