"""Platform users (with their department) and each role's data scope."""

from datetime import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .org import Department


class PlatformUser(User):
    """A login account; each user belongs to one department, which bounds their data scope."""

    __tablename__ = "ab_user"

    #: department and ab_user refer to each other, so this key is added after both tables exist
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", name="fk_ab_user_department_id", use_alter=True), nullable=True, index=True
    )
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    #: the user's own staff record, e.g. to recognise the chair of a meeting
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", name="fk_ab_user_person_id", use_alter=True), nullable=True
    )
    person = relationship("Person", foreign_keys=[person_id])

    # ----- sign-in protection (app.login_guard, app.sessions); times are naive UTC ------------
    #: failed sign-ins since ``failed_logins_since`` (the start of the current lockout window)
    recent_failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    failed_logins_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: the account refuses every sign-in until then (an admin may unlock it earlier)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: bumped by a password change or a deactivation: sessions and tokens of an older generation end
    session_generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class RoleDataScope(Model):
    """Which rows a role's users may see: all, own department and below, own department, or own records."""

    __tablename__ = "role_data_scope"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ab_role.id", ondelete="CASCADE"), unique=True, nullable=False)
    role = relationship("Role")
    scope: Mapped[str] = mapped_column(String(20), nullable=False)

    def __str__(self) -> str:
        return f"{self.role}: {self.scope}"


#: one row whose token database triggers renew on every write to the security tables
#: (app.security_cache keeps users and grants between requests while it holds)
security_stamp = Table(
    "security_stamp",
    Model.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("token", String(32), nullable=False),
)
