"""Data scope: which rows the current user may see and where they may place records.

One ``DataScope`` is computed per request and cached on ``flask.g``. The data
layer (``app.datamodel``) filters every query with it, and the session hook
(``app.session_rules``) refuses any flush that would create or move a record
outside it. Views and APIs never filter by department themselves.
"""

from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import false, inspect, or_, select
from sqlalchemy.orm import object_session

from models import Department
from models.mixins import fk_value

#: the scope of the three built-in roles; custom roles get theirs in the UI
BUILTIN_ROLE_SCOPES = {"Admin": "all", "Supervisor": "all", "DeptStaff": "dept_and_below"}
DEFAULT_CUSTOM_ROLE_SCOPE = "dept"
SCOPE_BREADTH = {"none": 0, "self": 1, "dept": 2, "dept_and_below": 3, "all": 4}


class ScopeViolation(Exception):
    """A record would be read, created or moved outside the user's data scope."""


@dataclass(frozen=True)
class DataScope:
    """The rows one user may reach: ``kind`` plus the department ids it covers."""

    kind: str
    user_id: int | None = None
    department_id: int | None = None
    department_ids: frozenset = field(default_factory=frozenset)
    #: the user's role names, for rules that depend on the role as well as on the scope
    role_names: frozenset = field(default_factory=frozenset)
    #: the CLI and other code running outside a request
    is_system: bool = False

    @property
    def is_unrestricted(self) -> bool:
        return self.kind == "all"

    def clause(self, model):
        """A WHERE clause limiting ``model`` to this scope, or None for no limit."""
        attrs = scope_attrs(model)
        if self.kind == "all" or not attrs:
            return None
        if self.kind == "none":
            return false()
        if self.kind == "self":
            return model.created_by_id == self.user_id
        ids = sorted(self.department_ids)
        custom = getattr(model, "scope_clause", None)
        if custom is not None:
            return custom(ids)
        parent = getattr(model, "__parent_attr__", None)
        if parent is not None:
            rel = inspect(model).relationships[parent]
            parent_model = rel.mapper.class_
            visible = select(parent_model.id).where(self.clause(parent_model))
            return list(rel.local_columns)[0].in_(visible)
        return or_(*[getattr(model, attr).in_(ids) for attr in attrs])

    def department_limit(self, model, column: str):
        """The departments whose rows of ``model`` this scope reaches, when it limits ``model`` by
        its department ``column`` alone (``clause`` is then ``column IN (…)``): None when it reaches
        every row, else the department ids. ``NOT_BY_DEPARTMENT`` when it limits ``model`` some other
        way (own records only, none, through a parent record, a clause of the model's own)."""
        attrs = scope_attrs(model)
        if self.kind == "all" or not attrs:
            return None
        simple = attrs == (column,) and not hasattr(model, "scope_clause") and not hasattr(model, "__parent_attr__")
        if simple and self.kind in ("dept", "dept_and_below"):
            return self.department_ids
        return NOT_BY_DEPARTMENT

    def allows(self, item) -> bool:
        """Whether ``item`` (new or changed, not yet flushed) lies inside this scope."""
        attrs = scope_attrs(type(item))
        if self.kind == "all" or not attrs:
            return True
        if self.kind == "none":
            return False
        if self.kind == "self":
            return item.created_by_id in (None, self.user_id)
        if isinstance(item, Department):
            return self._allows_department(item)
        parent = getattr(type(item), "__parent_attr__", None)
        if parent is not None and not hasattr(item, "scope_owner_ids"):
            return self._allows_child(item, parent)
        owners = item.scope_owner_ids() if hasattr(item, "scope_owner_ids") else [fk_value(item, a) for a in attrs]
        return any(v in self.department_ids for v in owners if v is not None)

    def _allows_child(self, item, parent: str) -> bool:
        """A document part (agenda item, follow-up) lies where its parent lies; a part just removed
        from its parent still knows the parent's key."""
        owner = getattr(item, parent)
        if owner is None:
            rel = inspect(type(item)).relationships[parent]
            key = getattr(item, list(rel.local_columns)[0].key)
            session = object_session(item)
            owner = session.get(rel.mapper.class_, key) if key is not None and session is not None else None
        return owner is not None and self.allows(owner)

    def _allows_department(self, dept) -> bool:
        parent_id = fk_value(dept, "parent_id")
        state = inspect(dept)
        if state.pending or state.transient:
            return parent_id in self.department_ids
        if dept.id not in self.department_ids:
            return False
        history = state.attrs.parent.history if "parent" in state.attrs else None
        moved = bool(history and history.has_changes()) or state.attrs.parent_id.history.has_changes()
        if not moved:
            return True
        return dept.id != self.department_id and parent_id in self.department_ids


#: ``DataScope.department_limit``: the scope does not limit the model by its department alone
NOT_BY_DEPARTMENT = object()
SYSTEM_SCOPE = DataScope(kind="all", is_system=True)
NO_SCOPE = DataScope(kind="none")


def scope_attrs(model) -> tuple:
    attr = getattr(model, "__scope_attr__", None) or getattr(model, "__parent_attr__", None)
    if not attr:
        return ()
    return attr if isinstance(attr, tuple) else (attr,)


def current_user():
    """The authenticated user of this request, or None (CLI, anonymous)."""
    if not has_request_context():
        return None
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "is_anonymous", True):
        return None
    return user


def current_user_id() -> int | None:
    user = current_user()
    return user.id if user is not None else None


def scope_kind_for_roles(session, roles) -> str:
    """The broadest scope of a user's roles (read with their permissions, in the same query)."""
    from app.extensions import appbuilder

    configured = appbuilder.sm.role_grants([r.id for r in roles]).data_scopes
    best = "none"
    for role in roles:
        kind = configured.get(role.id) or BUILTIN_ROLE_SCOPES.get(role.name, DEFAULT_CUSTOM_ROLE_SCOPE)
        if SCOPE_BREADTH.get(kind, 0) > SCOPE_BREADTH[best]:
            best = kind
    return best


def build_scope(session, user) -> DataScope:
    kind = scope_kind_for_roles(session, list(user.roles))
    department_id = getattr(user, "department_id", None)
    if kind in ("dept_and_below", "dept") and department_id is None:
        kind = "self"
    if kind == "dept_and_below":
        from app.extensions import appbuilder

        ids = appbuilder.sm.department_subtree(department_id)
    elif kind == "dept":
        ids = frozenset({department_id})
    else:
        ids = frozenset()
    roles = frozenset(role.name for role in user.roles)
    return DataScope(kind=kind, user_id=user.id, department_id=department_id, department_ids=ids, role_names=roles)


def current_scope() -> DataScope:
    """The data scope of this request (cached), or the unrestricted system scope outside requests."""
    if not has_request_context():
        return SYSTEM_SCOPE
    cached = getattr(g, "_data_scope", None)
    if cached is not None:
        return cached
    user = current_user()
    if user is None:
        scope = getattr(g, "_system_scope", None) or NO_SCOPE
    else:
        from app.extensions import appbuilder, db

        # what it depends on (the user, their roles, the roles' scopes, the departments) renews the
        # security stamp, so it is kept under the stamp with the user (``app.security_cache``)
        scope = appbuilder.sm.kept.value(db.session, ("data scope", user.id), lambda: build_scope(db.session, user))
    g._data_scope = scope
    return scope
