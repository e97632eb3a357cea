"""Every message to send, written in the same transaction as the change that causes it."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import now
from ..core.models import enum_check
from ..core.types import UTCDateTime
from ..extensions import db

CHANNELS = ("email", "sms", "webhook")
STATUSES = ("pending", "sending", "sent", "failed")


class OutboxMessage(db.Model):
    """An e-mail, SMS or webhook event waiting to be sent by ``etp-orient send-outbox``.

    A webhook event: ``recipient`` is the endpoint's URL, ``template`` the event's type,
    ``subject`` its id and ``body_text`` the JSON body (see ``etp_orient.webhooks``).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("channel", CHANNELS),
        enum_check("status", STATUSES),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    channel: Mapped[str] = mapped_column(String(7), nullable=False)
    # e-mail address or E.164 phone number
    recipient: Mapped[str] = mapped_column(String(254), nullable=False)
    language: Mapped[str] = mapped_column(String(2), default="fr", nullable=False)
    # e.g. "booking_confirmed", "session_moved", "reminder"
    template: Mapped[str] = mapped_column(String(40), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    # iCalendar attachment and its METHOD (REQUEST or CANCEL)
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(10))
    # whose message it is, as an opaque key ("participant:42", "user:7"): erasing a
    # person deletes their messages, not those of someone who shares their address
    owner: Mapped[str | None] = mapped_column(String(40), index=True)
    # makes a message unique (e.g. "reminder:booking:42"): never queued twice
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(8), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    # who claimed it for sending, and when (a crashed sender's claim expires)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # a webhook event's endpoint (removing the endpoint removes what it did not get)
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
