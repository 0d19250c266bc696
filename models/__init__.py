"""All domain models, imported here so that Alembic sees every table."""

from flask_appbuilder import Model

from .audit import AuditChainHead, AuditEvent
from .facilities import Booking, Facility
from .meetings import AgendaItem, JointMeeting, Resolution, ResolutionFollowUp
from .org import Department, Region
from .party import OversightAttachment, OversightRecord, PartyOrganization, Rectification
from .people import Person, Transfer
from .resources import Resource, ServiceItem, ServiceItemMaterial, ServiceItemStep
from .security import PlatformUser, RoleDataScope
from .social import Funding, PurchasedService, SocialOrganization
from .tally import category_tally, record_tally

__all__ = [
    "Funding",
    "PurchasedService",
    "Resource",
    "ServiceItem",
    "ServiceItemMaterial",
    "ServiceItemStep",
    "OversightAttachment",
    "OversightRecord",
    "PartyOrganization",
    "Rectification",
    "SocialOrganization",
    "AgendaItem",
    "JointMeeting",
    "Resolution",
    "ResolutionFollowUp",
    "AuditChainHead",
    "AuditEvent",
    "Booking",
    "Department",
    "Facility",
    "Model",
    "Person",
    "PlatformUser",
    "Region",
    "RoleDataScope",
    "Transfer",
    "category_tally",
    "record_tally",
]
