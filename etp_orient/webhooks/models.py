"""A partner's endpoint that receives a structure's events."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import Structure
from ..core.clock import now
from ..core.types import UTCDateTime
from ..extensions import db


class WebhookEndpoint(db.Model):
    """An HTTPS address that gets the structure's events, signed with ``secret``."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), nullable=False, index=True
    )
    url: Mapped[str] = mapped_column(String(254), nullable=False)
    # the HMAC key; shown once to the coordinator, kept to sign every delivery
    secret: Mapped[str] = mapped_column(String(64), nullable=False)
    # a person's name and contact in the payload: only when the structure turns it on
    # (it needs a processing agreement with the receiver, docs/privacy.md)
    include_personal: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )

    structure: Mapped[Structure] = relationship()
