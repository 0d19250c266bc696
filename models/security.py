"""Platform users (with their department) and each role's data scope."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer, String
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


class RoleDataScope(Model):
    """Which rows a role's users may see: all, own department and below, own department, or own records."""

    __tablename__ = "role_data_scope"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ab_role.id", ondelete="CASCADE"), unique=True, nullable=False)
    role = relationship("Role")
    scope: Mapped[str] = mapped_column(String(20), nullable=False)

    def __str__(self) -> str:
        return f"{self.role}: {self.scope}"
