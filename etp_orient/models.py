"""Imports every model so that SQLAlchemy's registry and Alembic see the whole schema."""

from .accounts.models import Membership, OidcIdentity, StaffSession, User
from .booking.models import (
    Attendance,
    Booking,
    Cohort,
    Enrollment,
    Facilitator,
    GroupSession,
    Participant,
    Slot,
)
from .catalogue.models import Condition, Programme, Site, Structure, TeamMember, Workshop
from .core.models import AuditEvent, Throttle
from .geo.models import Commune, CommunePostalCode
from .notify.models import OutboxMessage
from .orientation.models import OrientationLog, Referral
from .webhooks.models import WebhookEndpoint

__all__ = [
    "Attendance",
    "AuditEvent",
    "Booking",
    "Cohort",
    "Commune",
    "CommunePostalCode",
    "Condition",
    "Enrollment",
    "Facilitator",
    "GroupSession",
    "Membership",
    "OidcIdentity",
    "OrientationLog",
    "OutboxMessage",
    "Participant",
    "Programme",
    "Referral",
    "Site",
    "Slot",
    "StaffSession",
    "Structure",
    "TeamMember",
    "Throttle",
    "User",
    "WebhookEndpoint",
    "Workshop",
]
