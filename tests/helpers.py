"""Shared test helpers: finding demo records and snapshotting rows."""

from sqlalchemy import func, select

from app.extensions import db
from models import Booking, Department, Facility, Person


def one(model, **criteria):
    return db.session.scalars(select(model).filter_by(**criteria)).one()


def dept(name: str) -> Department:
    return one(Department, name=name)


def snapshot(item) -> dict:
    """All column values of a row, read fresh from the database."""
    db.session.expire_all()
    fresh = db.session.get(type(item), item.id)
    return {c.key: getattr(fresh, c.key) for c in type(item).__table__.columns}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def live_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None)))


def jinjiang_records() -> dict:
    """One record of each scoped model that lies in Jinjiang, outside the Longquanyi staff's scope."""
    civil_affairs = dept("锦江区民政局")
    return {
        "department": civil_affairs,
        "person": one(Person, name="周敏"),
        "facility": one(Facility, name="锦江区社会组织孵化基地"),
        "booking": db.session.scalars(select(Booking).where(Booking.department_id == civil_affairs.id)).first(),
    }
