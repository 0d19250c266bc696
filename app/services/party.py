"""Party-building oversight figures, from SQL aggregates within the user's scope."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func

from app.datamodel import ScopedSQLAInterface
from app.extensions import db
from models import PartyOrganization, Rectification, Region, SocialOrganization
from models.party import FORMED_MODES, party_organization_coverage
from models.social import SOCIAL_CATEGORIES


@dataclass
class CoverageRow:
    """One line of the coverage table: how many organizations, how many with a formed party organization."""

    key: str
    label: str
    total: int
    covered: int

    @property
    def share(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0


def covered_expression():
    """1 when a social organization has a live party organization formed standalone or jointly."""
    formed = exists().where(
        party_organization_coverage.c.social_organization_id == SocialOrganization.id,
        party_organization_coverage.c.party_organization_id == PartyOrganization.id,
        PartyOrganization.formation_mode.in_(FORMED_MODES),
        PartyOrganization.deleted_at.is_(None),
    )
    return case((formed, 1), else_=0)


def _organizations(*columns):
    query = db.session.query(*columns).select_from(SocialOrganization)
    return ScopedSQLAInterface(SocialOrganization).restrict(query).filter(SocialOrganization.status != "deregistered")


def coverage_overall() -> CoverageRow:
    covered = covered_expression()
    total, formed = _organizations(func.count(SocialOrganization.id), func.coalesce(func.sum(covered), 0)).one()
    return CoverageRow("all", "", int(total or 0), int(formed or 0))


def coverage_by_category() -> list[CoverageRow]:
    covered = covered_expression()
    rows = dict(
        (category, (int(total), int(formed or 0)))
        for category, total, formed in _organizations(
            SocialOrganization.category, func.count(SocialOrganization.id), func.sum(covered)
        ).group_by(SocialOrganization.category)
    )
    return [CoverageRow(code, str(label), *rows.get(code, (0, 0))) for code, label in SOCIAL_CATEGORIES]


def coverage_by_district() -> list[CoverageRow]:
    """By district/county: an organization's region code starts with its district's 6-digit code."""
    district = db.aliased(Region)
    covered = covered_expression()
    query = (
        _organizations(
            district.code, district.name, district.name_en, func.count(SocialOrganization.id), func.sum(covered)
        )
        .join(Region, Region.id == SocialOrganization.region_id)
        .join(district, district.code == func.substr(Region.code, 1, 6))
        .group_by(district.code, district.name, district.name_en)
        .order_by(district.code)
    )
    from models.mixins import localized

    return [
        CoverageRow(code, localized(name, name_en), int(total), int(formed or 0))
        for code, name, name_en, total, formed in query
    ]


def overdue_rectifications(today: date):
    """The overdue rectifications in scope, the longest overdue first."""
    query = ScopedSQLAInterface(Rectification).restrict(db.session.query(Rectification))
    return query.filter(Rectification.overdue_expression(today) == 1).order_by(Rectification.deadline).all()


def overdue_rectification_count(today: date) -> int:
    query = ScopedSQLAInterface(Rectification).restrict(db.session.query(func.count(Rectification.id)))
    return int(query.filter(Rectification.overdue_expression(today) == 1).scalar() or 0)


def expired_terms(today: date):
    """Party organizations whose term has ended (换届 overdue)."""
    query = ScopedSQLAInterface(PartyOrganization).restrict(db.session.query(PartyOrganization))
    return query.filter(PartyOrganization.term_ends_on < today).order_by(PartyOrganization.term_ends_on).all()
