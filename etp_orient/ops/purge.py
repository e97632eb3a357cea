"""The retention purge (DESIGN §5, GDPR): what is past its retention is anonymised or deleted.

- Participants whose last activity (``last_activity_at``, their last booked date
  or group session) is older than ``RETENTION_DAYS`` (default 730) are anonymised:
  their bookings, enrollments and attendance rows stay for the anonymous counts,
  only the identity goes. Their messages leave the outbox.
- Sent or given-up outbox messages older than ``OUTBOX_RETENTION_DAYS`` (default 90)
  are deleted (their bodies hold names and dates).
- Issued referrals past their expiry become ``expired``.
- Audit events older than ``AUDIT_RETENTION_DAYS`` (default 1826, five years) are
  deleted: the audit trail has its own, longer retention.
- Counters of failed logins and of e-mails asked for per address (``throttles``)
  with nothing counted for a day are deleted: they only matter for an hour.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from ..booking.models import Booking, Cohort, Enrollment, GroupSession, Participant, Slot
from ..booking.participants import anonymise
from ..core import throttle
from ..core.clock import now
from ..core.db import begin_write
from ..core.models import AuditEvent, audit
from ..extensions import db
from ..notify.services import forget_messages, purge_outbox
from ..orientation.models import Referral

DEFAULT_RETENTION_DAYS = 730
DEFAULT_OUTBOX_RETENTION_DAYS = 90
DEFAULT_AUDIT_RETENTION_DAYS = 1826
# the counters of core.throttle look back an hour at most
COUNTER_RETENTION = timedelta(days=1)


@dataclass
class PurgeReport:
    participants_anonymised: int = 0
    outbox_deleted: int = 0
    referrals_expired: int = 0
    audit_events_deleted: int = 0
    counters_deleted: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in asdict(self).items())


def _days(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def _last_dates() -> dict[int, datetime]:
    """Per participant, the end of their latest booked slot or group session."""
    latest: dict[int, datetime] = {}
    booked = (
        select(Booking.participant_id, func.max(Slot.end_at))
        .join(Slot, Booking.slot_id == Slot.id)
        .group_by(Booking.participant_id)
    )
    grouped = (
        select(Enrollment.participant_id, func.max(GroupSession.end_at))
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .join(GroupSession, GroupSession.cohort_id == Cohort.id)
        .where(Enrollment.status != "cancelled")
        .group_by(Enrollment.participant_id)
    )
    for query in (booked, grouped):
        for participant_id, at in db.session.execute(query):
            if at is not None and (participant_id not in latest or at > latest[participant_id]):
                latest[participant_id] = at
    return latest


def stale_participants(cutoff: datetime) -> list[Participant]:
    """Live participants with no activity and no date since ``cutoff``."""
    candidates = db.session.scalars(
        select(Participant)
        .where(
            Participant.anonymised_at.is_(None),
            func.coalesce(Participant.last_activity_at, Participant.created_at) < cutoff,
        )
        .order_by(Participant.id)
    ).all()
    if not candidates:
        return []
    latest = _last_dates()
    return [p for p in candidates if latest.get(p.id) is None or latest[p.id] < cutoff]


def forget_person(participant: Participant) -> None:
    """Delete the person's messages from the outbox, then replace their identity."""
    forget_messages(f"participant:{participant.id}", [participant.email, participant.phone])
    anonymise(participant)


def purge(at: datetime | None = None) -> PurgeReport:
    """Apply every retention rule at ``at`` (default: now); flushes, the caller commits.

    Takes the write lock first (SQLite), so a booking cannot slip in between.
    """
    at = at or now()
    begin_write()
    report = PurgeReport()
    cutoff = at - timedelta(days=_days("RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    for participant in stale_participants(cutoff):
        forget_person(participant)
        # waiting lists of groups long gone: the place is no longer wanted
        for enrollment in participant.enrollments:
            if enrollment.status == "waitlisted":
                enrollment.status = "cancelled"
                enrollment.cancelled_at = at
        report.participants_anonymised += 1
    db.session.flush()
    outbox_days = _days("OUTBOX_RETENTION_DAYS", DEFAULT_OUTBOX_RETENTION_DAYS)
    report.outbox_deleted = purge_outbox(at - timedelta(days=outbox_days))
    expired = db.session.execute(
        update(Referral)
        .where(Referral.status == "issued", Referral.expires_at < at)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    report.referrals_expired = expired.rowcount or 0
    audit_days = _days("AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS)
    deleted = db.session.execute(
        delete(AuditEvent)
        .where(AuditEvent.at < at - timedelta(days=audit_days))
        .execution_options(synchronize_session=False)
    )
    report.audit_events_deleted = deleted.rowcount or 0
    report.counters_deleted = throttle.purge(at - COUNTER_RETENTION)
    audit("purge.run", obj_type="system", **asdict(report))
    db.session.flush()
    return report


def find_people(address: str) -> list[Participant]:
    """Live participants with this e-mail address or phone number (E.164 or as stored)."""
    text = address.strip()
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.anonymised_at.is_(None),
                (func.lower(Participant.email) == text.lower()) | (Participant.phone == text),
            )
            .order_by(Participant.id)
        )
    )
