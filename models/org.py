"""Regions (行政区划) and departments (部门/单位): the organization registers."""

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .choices import DEPARTMENT_KINDS, REFORM_STATUSES, REGION_LEVELS
from .mixins import RecordMixin, live_unique, localized
from .validation import check_credit_code, check_phone, check_region_code


class Region(RecordMixin, Model):
    """An administrative division: district/county, township/street or village/community."""

    __tablename__ = "region"
    __table_args__ = (live_unique("uq_region_code_live", "code"),)
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_pinyin: Mapped[str | None] = mapped_column(String(400))
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    parent: Mapped["Region | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent")

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name", "name_en")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def level_label(self) -> str:
        return REGION_LEVELS.label(self.level)

    def validate(self, session) -> dict:
        errors = {}
        if self.level not in REGION_LEVELS:
            errors["level"] = _l("Choose a level from the list.")
        parent = self.parent
        if parent is None and self.parent_id:
            parent = session.get(Region, self.parent_id)
        expected_parent = {"district": None, "township": "district", "village": "township"}.get(self.level)
        if expected_parent is None and parent is not None:
            errors["parent"] = _l("A district/county has no parent region.")
        elif expected_parent and (parent is None or parent.level != expected_parent):
            errors["parent"] = _l("Choose a parent region one level up.")
        message = check_region_code(self.code, self.level, parent.code if parent else None)
        if message:
            errors["code"] = message
        elif self.value_taken(session, "code"):
            errors["code"] = _l("Another region already has this code.")
        return errors

    def delete_blockers(self, session) -> list:
        from .facilities import Facility

        blockers = []
        if session.scalar(select(Region.id).where(Region.parent_id == self.id, Region.deleted_at.is_(None)).limit(1)):
            blockers.append(_l("It still has sub-regions."))
        for model, label in ((Department, _l("departments")), (Facility, _l("facilities"))):
            if session.scalar(select(model.id).where(model.region_id == self.id, model.deleted_at.is_(None)).limit(1)):
                blockers.append(_l("It is still the region of some %(what)s.", what=label))
        return blockers


class Department(RecordMixin, Model):
    """A department or unit: a tree of government organs, institutions and stationed agencies."""

    __tablename__ = "department"
    __table_args__ = (live_unique("uq_department_code_live", "code", optional=True),)
    __scope_attr__ = "id"
    __pinyin_columns__ = ("name",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(300))
    name_pinyin: Mapped[str | None] = mapped_column(String(600))
    code: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Region | None] = relationship()
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    parent: Mapped["Department | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Department"]] = relationship(back_populates="parent")
    reform_status: Mapped[str | None] = mapped_column(String(20))
    head: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    #: what its name reads: a page showing it as a related record selects only these (``app.list_records``)
    __str_columns__ = ("name", "name_en")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def validate(self, session) -> dict:
        errors = {}
        if self.kind not in DEPARTMENT_KINDS:
            errors["kind"] = _l("Choose a kind from the list.")
        if self.kind == "institution":
            if self.reform_status not in REFORM_STATUSES:
                errors["reform_status"] = _l("Choose the reform status of this public institution.")
        else:
            self.reform_status = None
        if self.code:
            self.code = self.code.strip().upper()
            message = check_credit_code(self.code)
            if message:
                errors["code"] = message
            elif self.value_taken(session, "code"):
                errors["code"] = _l("Another department already has this unified social credit code.")
        message = check_phone(self.phone)
        if message:
            errors["phone"] = message
        if self.id and self._parent_is_descendant(session):
            errors["parent"] = _l("A department can't be placed under itself or its own sub-department.")
        return errors

    def _parent_is_descendant(self, session) -> bool:
        parent_id = self.parent.id if self.parent is not None else self.parent_id
        seen = set()
        while parent_id and parent_id not in seen:
            if parent_id == self.id:
                return True
            seen.add(parent_id)
            parent_id = session.scalar(select(Department.parent_id).where(Department.id == parent_id))
        return False

    def delete_blockers(self, session) -> list:
        from .people import Person

        blockers = []
        live_child = select(Department.id).where(Department.parent_id == self.id, Department.deleted_at.is_(None))
        if session.scalar(live_child.limit(1)):
            blockers.append(_l("It still has sub-departments."))
        live_person = select(Person.id).where(Person.department_id == self.id, Person.deleted_at.is_(None))
        if session.scalar(live_person.limit(1)):
            blockers.append(_l("It still has persons on its staff."))
        return blockers


def subtree_ids(session, root_id: int) -> set[int]:
    """The ids of a department and all its descendants (one recursive query).

    Deleted sub-departments are included: their records still belong to this
    department's staff, who may restore them from the recycle bin.
    """
    tree = subtree_query(root_id)
    return set(session.scalars(select(tree.c.id)))


def subtree_query(root_id):
    """The recursive CTE ``tree(id)`` of a department (``root_id``, a value or a bound parameter)
    and all its descendants."""
    tree = select(Department.id).where(Department.id == root_id).cte("tree", recursive=True)
    return tree.union_all(select(Department.id).where(Department.parent_id == tree.c.id))
