"""Referrals made by professionals and the anonymous orientation log."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

from ..catalogue.models import Programme
from ..core.models import TimestampMixin, enum_check
from ..core.types import UTCDateTime
from ..extensions import db

REFERRAL_STATUSES = ("issued", "used", "expired")
CHANNELS = ("patient", "professional", "api")
# where the referring professional works (INDICATORS.md, "Entry")
REFERRER_KINDS = ("professional", "hospital_stay", "hospital_consultation", "coordinator")


class Referral(TimestampMixin, db.Model):
    """An orientation made by a professional, carried by a short unguessable code."""

    __tablename__ = "referrals"
    __table_args__ = (
        enum_check("status", REFERRAL_STATUSES),
        enum_check("referrer_kind", REFERRER_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # short code printed on the orientation sheet, e.g. "k3m9x2pq"
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # the participant who used it, once used
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    # the logged-in referrer, when any (anonymous GPs may refer too)
    referrer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    referrer_kind: Mapped[str] = mapped_column(String(24), default="professional", nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="issued", nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    programme: Mapped[Programme] = relationship()


class OrientationLog(db.Model):
    """One anonymous row per orientation made. No free text, no identity."""

    __tablename__ = "orientation_logs"
    __table_args__ = (enum_check("channel", CHANNELS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the day it was made (no time: less identifying)
    made_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    # resolved condition codes, sorted
    condition_codes: Mapped[list] = mapped_column(JSON, nullable=False)
    # département of the commune given, when any
    departement: Mapped[str | None] = mapped_column(String(3), index=True)
    channel: Mapped[str] = mapped_column(String(12), nullable=False)
    # how many programmes were shown in range (remote included)
    result_count: Mapped[int] = mapped_column(Integer, nullable=False)
    # nothing on site within reach (the unmet demand); None for rows written before
    # it was recorded (migration f6a6b6c6d6e6)
    nothing_nearby: Mapped[bool | None] = mapped_column(Boolean)
