"""Model helpers shared by every domain: timestamps, enum checks, the audit trail."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from ..extensions import db
from .clock import now
from .types import UTCDateTime


def enum_check(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint that keeps a string column inside a closed list."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid")


class TimestampMixin:
    """``created_at`` and ``updated_at``, set from the injected clock."""

    # when the row was created
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    # last change of the row; feeds use it for DTSTAMP / LAST-MODIFIED
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now, onupdate=now, nullable=False
    )


class AuditEvent(db.Model):
    """Who did what, when, to which object. Never the condition's name nor free text."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # when it happened (UTC)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False, index=True)
    # the staff account that acted; NULL for a participant or the system
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # e.g. "booking.create", "enrollment.cancel", "export.cohort", "login.success"
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    # the kind of object ("booking", "cohort", "user", …) and its id or code
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    # small structured detail (counts, codes); no health data, no free text
    detail: Mapped[dict | None] = mapped_column(JSON)


# called with each new audit event, in its transaction (the webhooks register here)
AUDIT_HOOKS: list = []


def audit(
    action: str,
    *,
    actor_id: int | None = None,
    obj_type: str | None = None,
    obj_id: object = None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        actor_user_id=actor_id,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        detail=detail or None,
    )
    db.session.add(event)
    for hook in AUDIT_HOOKS:
        hook(event)
    return event


class Throttle(db.Model):
    """A counter per thing typed (a login, an e-mail address), whatever the client IP.

    Read on the injected clock and shared by every app process. The key is an
    HMAC of the value: the table holds no address.
    """

    __tablename__ = "throttles"
    __table_args__ = (UniqueConstraint("scope", "key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # what is counted: "login" (failed logins), "reset", "relink" (e-mails asked for)
    scope: Mapped[str] = mapped_column(String(20), nullable=False)
    # HMAC-SHA256 of the normalised value, keyed by SECRET_KEY
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # events counted since first_at
    count: Mapped[int] = mapped_column(nullable=False)
    # start of the counting window
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # latest event counted; rows quiet for a day are purged
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
