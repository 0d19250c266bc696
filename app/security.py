"""The security manager: the user model with its department, and roles defined in code.

Permission names stay English (``can_read`` / ``can_write`` on a view name);
menus are translated. ``sync_roles`` rebuilds the three built-in roles from
``ROLE_PERMISSIONS``; roles that admins create in the UI are left alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from flask import abort, flash, g, has_request_context, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import (
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    ViewMenuModelView,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import current_user as current_user_jwt
from flask_login import current_user
from sqlalchemy import String, bindparam, cast, literal, select, union_all
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from models import PlatformUser, RoleDataScope
from models.mixins import listing
from models.org import subtree_ids, subtree_query
from views.lookup import RelationLookupMixin

from . import login_guard, passwords, sessions
from .auth_views import AuthDBView, ResetMyPasswordView, ResetPasswordView, policy_password_field
from .role_names import caption_role_options, role_captions
from .scope import BUILTIN_ROLE_SCOPES
from .security_cache import SecurityCache

READ, WRITE = "can_read", "can_write"
#: seeing ID numbers in full is its own permission (a pseudo view, so view sync leaves it alone)
FULL_ID_NUMBER = (READ, "FullIdNumber")

#: domain registers: staff write their own scope, supervisors read all
WRITABLE_REGISTERS = (
    "Department",
    "Person",
    "Facility",
    "Booking",
    "JointMeeting",
    "Resolution",
    "SocialOrganization",
    "PartyOrganization",
    "Rectification",
    "ServiceItem",
    "Resource",
    "Funding",
    "PurchasedService",
)
#: registers the supervisors write: they record inspections and verify rectifications
SUPERVISED_REGISTERS = ("OversightRecord", "Rectification")
READ_ONLY_REGISTERS = ("Region", "Transfer", "OversightRecord")
#: the recycle bin lists what each role may read; restoring needs can_write on the register
RECYCLE_BIN = ((READ, "RecycleBin"), ("menu_access", "Supervision"), ("menu_access", "Recycle bin"))
MENUS = (
    "Organization",
    "Regions",
    "Departments",
    "Personnel",
    "Persons",
    "Transfers",
    "Facilities",
    "Bookings",
    "Joint meetings",
    "Meetings",
    "Resolution board",
    "Social organizations",
    "Party building",
    "Party-building coverage",
    "Party organizations",
    "Oversight inspections",
    "Rectifications",
    "Overdue rectifications",
    "Resources",
    "Service items",
    "Service catalog overview",
    "Shared resources",
    "Resource integration",
    "Support funds",
    "Purchased services",
    "Import",
)
#: every signed-in user may see and change their own profile and password
SELF_SERVICE = (
    ("can_userinfo", "PlatformUserView"),
    ("resetmypassword", "PlatformUserView"),
    ("userinfoedit", "PlatformUserView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
)


#: menu entries that lead to writing screens only
WRITE_ONLY_MENUS = ("Import",)


def _menu_access(writer: bool = True) -> list[tuple[str, str]]:
    return [("menu_access", menu) for menu in MENUS if writer or menu not in WRITE_ONLY_MENUS]


ROLE_PERMISSIONS = {
    "DeptStaff": [
        *[(perm, view) for view in WRITABLE_REGISTERS for perm in (READ, WRITE)],
        (READ, "Import"),
        (WRITE, "Import"),
        *[(READ, view) for view in READ_ONLY_REGISTERS],
        FULL_ID_NUMBER,
        *RECYCLE_BIN,
        *_menu_access(),
        *SELF_SERVICE,
    ],
    "Supervisor": [
        *[(READ, view) for view in WRITABLE_REGISTERS + READ_ONLY_REGISTERS if view not in SUPERVISED_REGISTERS],
        *[(perm, view) for view in SUPERVISED_REGISTERS for perm in (READ, WRITE)],
        (READ, "AuditEvent"),
        ("can_export", "AuditEvent"),
        *RECYCLE_BIN,
        ("menu_access", "Audit log"),
        *_menu_access(writer=False),
        *SELF_SERVICE,
    ],
}


def _user_relation_field(model, label, description):
    """An optional relation of the user form, chosen by search through the scoped data layer."""
    from app.datamodel import ScopedSQLAInterface
    from views.fields import AjaxSelectField

    return AjaxSelectField(
        label,
        loader=ScopedSQLAInterface(model).get,
        view_endpoint="PlatformUserView",
        allow_blank=True,
        description=description,
    )


def _shown_or_blank(value):
    """Nothing for no value (not "None"); times to the second (not to the microsecond)."""
    if value is None:
        return ""
    return f"{value:%Y-%m-%d %H:%M:%S}" if isinstance(value, datetime) else value


class PlatformUserView(RelationLookupMixin, UserDBModelView):
    """The user screens, with each user's department (chosen by search, never a full list)."""

    def lookup_interface(self, column):
        from app.datamodel import ScopedSQLAInterface
        from models import Department, Person

        models = {"department": Department, "person": Person}
        return ScopedSQLAInterface(models[column]) if column in models else None

    def __init__(self, **kwargs):
        from models import Department, Person

        fields = {
            "department": _user_relation_field(
                Department,
                _l("Department"),
                _l("The user's data scope is this department (and its sub-departments, by role)."),
            ),
            "person": _user_relation_field(
                Person, _l("Staff record"), _l("The user's own staff record, e.g. to recognise the chair of a meeting.")
            ),
        }
        self.add_form_extra_fields = {
            **UserDBModelView.add_form_extra_fields,
            "password": policy_password_field(),
            **fields,
        }
        self.edit_form_extra_fields = fields
        super().__init__(**kwargs)
        caption_role_options("roles", self.add_form, self.edit_form, self.search_form)

    list_columns = ["first_name", "last_name", "username", "department", "active", "roles"]
    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "department",
        "person",
        "roles",
        "password",
        "conf_password",
    ]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "department", "person", "roles"]
    search_columns = ["first_name", "last_name", "username", "email", "department", "active", "roles"]
    label_columns = {
        **UserDBModelView.label_columns,
        "department": _l("Department"),
        "person": _l("Staff record"),
        "locked_until": _l("Locked until (UTC)"),
    }
    show_template = "platform/user_show.html"
    formatters_columns = {
        "active": lambda value: gettext("Yes") if value else gettext("No"),
        "roles": role_captions,
        **{
            column: _shown_or_blank
            for column in (
                "department",
                "person",
                "last_login",
                "login_count",
                "fail_login_count",
                "locked_until",
                "created_on",
                "changed_on",
            )
        },
    }
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "department", "person", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (
            _l("Audit Info"),
            {
                "fields": ["last_login", "fail_login_count", "locked_until", "created_on", "changed_on"],
                "expanded": False,
            },
        ),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "department"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]

    def render_template(self, template, **kwargs):
        """The show page offers "unlock" while the shown account is locked."""
        if template == self.show_template and kwargs.get("pk") is not None:
            user = self.datamodel.session.get(self.datamodel.obj, int(kwargs["pk"]))
            kwargs["locked_until"] = user.locked_until if user is not None and login_guard.is_locked(user) else None
        return super().render_template(template, **kwargs)

    @expose("/unlock/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("edit")
    def unlock(self, pk):
        """End an account's lockout now (POST only; audited as ``account_unlocked``)."""
        user = self.datamodel.get(pk, self._base_filters)
        if user is None:
            abort(404)
        login_guard.unlock(self.datamodel.session, user)
        flash(gettext("The account %(name)s is unlocked.", name=user.username), "success")
        return redirect(url_for(".show", pk=pk))


class PlatformRoleView(RoleModelView):
    """Roles, with every searchable column labelled in both languages."""

    label_columns = {**RoleModelView.label_columns, "user": _l("Users"), "groups": _l("Groups")}


class PlatformGroupView(UserGroupModelView):
    """User groups, labelled in both languages, their roles named as on the user screens."""

    label_columns = {
        "name": _l("Name"),
        "label": _l("Label"),
        "description": _l("Description"),
        "users": _l("Users"),
        "roles": _l("Roles"),
    }
    formatters_columns = {"roles": role_captions, "users": lambda users: listing(users or [])}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        caption_role_options("roles", self.add_form, self.edit_form)


def view_menu_caption(value) -> str:
    """A view/menu name stays English (it is a permission code); its translation is shown beside it."""
    name = str(value or "")
    translated = gettext(name) if name else ""
    return f"{name}（{translated}）" if translated and translated != name else name


class PlatformPermissionViewView(PermissionViewModelView):
    """Permissions on views/menus, labelled in both languages."""

    label_columns = {**PermissionViewModelView.label_columns, "role": _l("Roles")}
    formatters_columns = {"view_menu": view_menu_caption}


class PlatformViewMenuView(ViewMenuModelView):
    """Views and menus: the stable English name with its translation."""

    formatters_columns = {"name": view_menu_caption}


#: the requester is anonymous: the Public role's permissions apply
PUBLIC = object()


@dataclass(frozen=True)
class RoleGrants:
    """What a set of roles grants: (permission, view) pairs, and the data scope set for each role."""

    permissions: frozenset
    data_scopes: Mapping


class PlatformSecurityManager(SecurityManager):
    """Security manager with the department-aware user model and roles as code."""

    user_model = PlatformUser
    userdbmodelview = PlatformUserView
    rolemodelview = PlatformRoleView
    groupmodelview = PlatformGroupView
    permissionviewmodelview = PlatformPermissionViewView
    viewmenumodelview = PlatformViewMenuView
    #: Flask-AppBuilder's user chart loads Google Charts from the internet: not on an intranet
    userstatschartview = None
    authdbview = AuthDBView
    resetmypasswordview = ResetMyPasswordView
    resetpasswordview = ResetPasswordView

    # ----- the user and their permissions: kept between requests (app.security_cache) -----
    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        self.kept = SecurityCache()

    def requester_user(self, pk: int):
        """The requester's user: the kept copy while the security stamp holds, else read."""
        return self.kept.user(self.session, pk, self.get_user_by_id)

    def get_user_by_id(self, pk):
        """The user with their roles and their groups' roles, in one query."""
        user_model, group_model = self.user_model, self.group_model
        return self.session.get(
            user_model,
            pk,
            options=[
                joinedload(user_model.roles),
                joinedload(user_model.groups).joinedload(group_model.roles),
            ],
        )

    def role_grants(self, role_ids, department_id: int | None = None) -> "RoleGrants":
        """What the given roles grant: their (permission, view) pairs and their data scopes, read
        in one query, once per request, or kept between requests while the security stamp holds.
        With ``department_id``, the same query reads that department's subtree too (see
        ``department_subtree``), when it is not kept yet."""
        key = tuple(sorted(set(role_ids)))
        cache = g.setdefault("_role_grants", {}) if has_request_context() else {}
        if key not in cache:
            if not key:
                cache[key] = RoleGrants(frozenset(), {})
            else:
                if department_id is not None and self.kept.peek(self.session, ("subtree", department_id)) is not None:
                    department_id = None  # kept already
                cache[key] = self.kept.value(
                    self.session, ("grants", key), lambda: self._read_grants(key, department_id)
                )
        return cache[key]

    def department_subtree(self, department_id: int) -> frozenset:
        """The ids of a department and all its descendants (``models.org.subtree_ids``), kept
        between requests while the security stamp holds (the stamp follows the departments)."""
        read_along = g.get("_subtrees", {}).get(department_id) if has_request_context() else None
        if read_along is not None:
            return read_along
        return self.kept.value(
            self.session, ("subtree", department_id), lambda: frozenset(subtree_ids(self.session, department_id))
        )

    def _permission_pairs(self, *leading):
        """SELECT [leading…,] permission name, view name FROM the role–permission link table."""
        pv, assoc = self.permissionview_model, assoc_permissionview_role
        return (
            select(*leading, self.permission_model.name, self.viewmenu_model.name)
            .select_from(pv)
            .join(assoc, assoc.c.permission_view_id == pv.id)
            .join(self.permission_model, self.permission_model.id == pv.permission_id)
            .join(self.viewmenu_model, self.viewmenu_model.id == pv.view_menu_id)
        )

    def _grants_statement(self):
        """The permissions and data scopes of the roles bound as ``role_ids``, and the subtree of
        the department bound as ``department_id`` (none for -1), as one statement, built once (its
        compiled form is then cached by SQLAlchemy)."""
        statement = getattr(self, "_built_grants_statement", None)
        if statement is None:
            role_ids = bindparam("role_ids", expanding=True)
            permissions = (
                self._permission_pairs(literal("permission"))
                .where(assoc_permissionview_role.c.role_id.in_(role_ids))
                .distinct()
            )
            scopes = select(literal("scope"), cast(RoleDataScope.role_id, String), RoleDataScope.scope).where(
                RoleDataScope.role_id.in_(role_ids)
            )
            tree = subtree_query(bindparam("department_id"))
            departments = select(literal("department"), cast(tree.c.id, String), literal(""))
            statement = self._built_grants_statement = union_all(permissions, scopes, departments)
        return statement

    def _read_grants(self, role_ids: tuple, department_id: int | None = None) -> "RoleGrants":
        # through the session's connection, on its transaction: a Core statement needs no ORM step
        parameters = {"role_ids": list(role_ids), "department_id": -1 if department_id is None else department_id}
        rows = self.session.connection().execute(self._grants_statement(), parameters)
        pairs, data_scopes, subtree = set(), {}, set()
        for kind, first, second in rows:
            if kind == "permission":
                pairs.add((first, second))
            elif kind == "scope":
                data_scopes[int(first)] = second
            else:
                subtree.add(int(first))
        if department_id is not None:
            self.kept.keep(self.session, ("subtree", department_id), frozenset(subtree))
            if has_request_context():
                g.setdefault("_subtrees", {})[department_id] = frozenset(subtree)
        return RoleGrants(frozenset(pairs), MappingProxyType(data_scopes))

    def has_access(self, permission_name: str, view_name: str) -> bool:
        """Flask-AppBuilder's check, answered from the requester's permission set, which is worked
        out once per request (a page asks about dozens of menu entries and buttons)."""
        if not has_request_context() or self.builtin_roles:
            return super().has_access(permission_name, view_name)
        held = self._requester_held()
        if held is PUBLIC:
            return self.is_item_public(permission_name, view_name)
        return (permission_name, view_name) in held

    def _requester_held(self):
        """The requester's permission set (or PUBLIC), worked out once per request."""
        held = g.get("_requester_permissions")
        if held is None:
            held = g._requester_permissions = self._requester_permissions()
        return held

    def _requester_permissions(self):
        """The same decision as Flask-AppBuilder's ``has_access``, for every permission at once:
        an API-key user, else a signed-in user (nothing if inactive), else a JWT user, else PUBLIC."""
        if getattr(g, "_api_key_user", False) and hasattr(g, "user"):
            user = self._get_safe_user(g.user)
            if user and user.is_active:
                return self.user_permissions(user)
        if current_user.is_authenticated:
            user = self._get_safe_user(g.user)
            return self.user_permissions(user) if user and user.is_active else frozenset()
        if current_user_jwt and current_user_jwt.is_active:
            return self.user_permissions(current_user_jwt)
        return PUBLIC

    def requester_permission_key(self):
        """What the requester may do, as a hashable value ("public" for anonymous requests)."""
        if not has_request_context():
            return None
        held = self._requester_held()
        if held is PUBLIC:
            return ("public", self._public_permissions())
        return held

    def user_permissions(self, user) -> frozenset:
        """The user's permissions, read with the subtree of their department (their data scope)."""
        roles = [role.id for role in self.get_user_roles(user)]
        return self.role_grants(roles, getattr(user, "department_id", None)).permissions

    def load_user(self, pk):
        """The session's user, unless inactive or the session predates a password change or
        deactivation (then the session ends)."""
        user = self.requester_user(int(pk))
        user = user if user is not None and user.is_active else None
        if user is not None and not sessions.session_is_current(user):
            sessions.end_session()
            return None
        if user is None and has_request_context():
            sessions.end_session()
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The token's user, unless inactive or the token predates a password change or deactivation."""
        g.pop("_requester_permissions", None)  # the requester is now the token's user
        user = self.requester_user(int(jwt_data["sub"]))
        if user is None or not user.is_active or not sessions.token_is_current(user, jwt_data):
            return None
        g.user = user
        return user

    # ----- passwords follow the policy (app.passwords) -------------------------------
    def add_user(self, username, first_name, last_name, email, role=None, password="", *args, **kwargs):
        """Create a user; a plain password must pass the password policy."""
        if password:
            passwords.validate_password(password)
        return super().add_user(username, first_name, last_name, email, role, password, *args, **kwargs)

    def reset_password(self, userid, password):
        """Set a password that passes the policy; the user's other sessions and tokens end."""
        passwords.validate_password(password)
        super().reset_password(userid, password)
        user = self.get_user_by_id(userid)
        if user is not None:
            sessions.keep_own_session(user)

    def is_item_public(self, permission_name, view_name) -> bool:
        """Whether anyone, signed in or not, may use this."""
        return (permission_name, view_name) in self._public_permissions()

    def _public_permissions(self) -> frozenset:
        """The Public role's permissions: once per request, kept between requests while the
        security stamp holds (the stamp follows every write to roles and permissions)."""
        held = g.get("_public_permissions") if has_request_context() else None
        if held is None:
            held = self.kept.value(self.session, ("public",), self._read_public_permissions)
            if has_request_context():
                g._public_permissions = held
        return held

    def _read_public_permissions(self) -> frozenset:
        return frozenset(tuple(row) for row in self.session.connection().execute(self._public_pairs()))

    def _public_pairs(self, *leading):
        role = self.role_model
        return (
            self._permission_pairs(*leading)
            .join(role, role.id == assoc_permissionview_role.c.role_id)
            .where(role.name == self.auth_role_public)
        )

    def role_permissions(self, role_ids) -> frozenset:
        """Every (permission, view) pair the given roles hold."""
        return self.role_grants(role_ids).permissions

    def exist_permission_on_roles(self, view_name: str, permission_name: str, role_ids) -> bool:
        return (permission_name, view_name) in self.role_permissions(role_ids)

    def _get_user_permission_view_menus(self, user, permission_name: str, view_menus_name) -> set:
        """The menus (of ``view_menus_name``) the user may open, from the same per-request set."""
        roles = [self.get_public_role()] if user is None else self.get_user_roles(user)
        result = {
            name
            for role in roles
            if role.name in self.builtin_roles
            for name in view_menus_name
            if self._has_access_builtin_roles(role, permission_name, name)
        }
        held = self.role_permissions([role.id for role in roles if role.name not in self.builtin_roles])
        result.update(view for permission, view in held if permission == permission_name)
        return result

    # ----- sign-in events go to the audit log; repeated failures lock the account ------
    def auth_user_db(self, username, password):
        """Authenticate, then record the login or the failed attempt (with the name tried).
        A locked account is refused like a wrong password, after the same password-hash work."""
        from .audit import record_event

        account = (self.find_user(username=username) or self.find_user(email=username)) if username else None
        locked = account is not None and account.is_active and login_guard.is_locked(account)
        if locked:
            check_password_hash(account.password or "", password or "")  # same cost as a real check
            user = None
        else:
            user = super().auth_user_db(username, password)
        if user is None:
            attempted = (username or "")[:128]
            changes = {"username": attempted, **({"locked": True} if locked else {})}
            record_event(
                self.session,
                "login_failed",
                entity_type="User",
                label=attempted,
                changes=changes,
                actor_name=attempted or "anonymous",
            )
        return user

    def update_user_auth_stat(self, user, success=True):
        """Flask-AppBuilder's login counters, plus the lockout window (app.login_guard)."""
        if success:
            login_guard.clear(user)
            super().update_user_auth_stat(user, success)
            return
        if login_guard.register_failure(self.session, user):
            login_guard.record_lock(self.session, user)  # the lock and its event commit together
        super().update_user_auth_stat(user, success)

    def on_user_login(self, user) -> None:
        from .audit import record_event

        g.pop("_requester_permissions", None)
        g.login_succeeded = True  # app.rate_limits: a successful sign-in is not counted

        record_event(self.session, "login", entity=user, actor=user)

    def on_user_logout(self, user) -> None:
        from .audit import record_event

        if user is not None:
            record_event(self.session, "logout", entity=user, actor=user)

    def sync_roles(self) -> None:
        """Create missing permissions and rebuild the built-in roles from code."""
        session = self.session
        admin = self.find_role(self.auth_role_admin) or self.add_role(self.auth_role_admin)
        self.find_role(self.auth_role_public) or self.add_role(self.auth_role_public)
        self.appbuilder.add_permissions(update_perms=True)
        self.add_permission_view_menu(*FULL_ID_NUMBER)
        admin.permissions = list(session.query(self.permissionview_model).all())
        for role_name, pairs in ROLE_PERMISSIONS.items():
            role = self.find_role(role_name) or self.add_role(role_name)
            role.permissions = [self.add_permission_view_menu(perm, view) for perm, view in pairs]
        for role_name, scope in BUILTIN_ROLE_SCOPES.items():
            role = self.find_role(role_name)
            row = session.query(RoleDataScope).filter_by(role_id=role.id).one_or_none()
            if row is None:
                session.add(RoleDataScope(role=role, scope=scope))  # the role named in the audit label
            else:
                row.scope = scope
        session.commit()
