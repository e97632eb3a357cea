"""Reminders two days before each appointment and each group session.

``etp-orient send-reminders`` (any scheduler, e.g. every hour) calls
:func:`queue_reminders`. It is idempotent: each reminder has a dedupe key made
of the booking (or enrollment and session), the revision *and* the start time
of the date, so

- running it again queues nothing new;
- when a date moves, the new date gets its own reminder, and a reminder of the
  old date that has not left yet is withdrawn;
- a reminder of a booking cancelled meanwhile is withdrawn before it leaves.

No reminder for a booking or an enrollment made inside the two-day window:
the confirmation just told the person. This module reads the booking tables
(lazily imported: ``booking`` itself queues its messages through ``notify``).
"""

from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.clock import now as current_now
from ..core.db import begin_write
from ..core.ical import CalEvent, build_calendar
from ..extensions import db
from .models import OutboxMessage
from .services import queue_for_person, withdraw_pending

# how long before the date the reminder leaves
REMINDER_LEAD = timedelta(days=2)
REMINDER_SLOT_KINDS = ("bep", "final", "followup")
KEY_PREFIX = "reminder:"


def booking_key(booking, slot) -> str:
    """Dedupe key of a booking's reminder, e.g. ``reminder:booking:42:r1:202611251300``."""
    return f"{KEY_PREFIX}booking:{booking.id}:r{slot.revision}:{slot.start_at:%Y%m%d%H%M}"


def session_key(enrollment, session) -> str:
    """Dedupe key of a session's reminder for one enrollment."""
    return (
        f"{KEY_PREFIX}session:{session.id}:e{enrollment.id}:"
        f"r{session.revision}:{session.start_at:%Y%m%d%H%M}"
    )


def withdraw_booking_reminders(booking_id: int) -> int:
    """Withdraw a booking's unsent reminder (cancelled, moved); in the caller's transaction."""
    return withdraw_pending(f"{KEY_PREFIX}booking:{booking_id}:")


def withdraw_session_reminders(session_id: int) -> int:
    """Withdraw every unsent reminder of a session (moved, cancelled); caller's transaction."""
    return withdraw_pending(f"{KEY_PREFIX}session:{session_id}:")


def _made_before_window(made_at: datetime | None, start: datetime) -> bool:
    return made_at is not None and made_at <= start - REMINDER_LEAD


def _reachable(participant) -> bool:
    return participant.anonymised_at is None and bool(participant.email or participant.phone)


def _due_bookings(at: datetime) -> list:
    from ..booking.models import Booking, Slot

    rows = db.session.scalars(
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.status == "confirmed",
            Slot.status == "open",
            Slot.kind.in_(REMINDER_SLOT_KINDS),
            Slot.start_at > at,
            Slot.start_at <= at + REMINDER_LEAD,
        )
        .options(joinedload(Booking.slot), joinedload(Booking.participant))
        .order_by(Slot.start_at, Booking.id)
    ).unique()
    return [
        (booking_key(b, b.slot), b.participant, "booking", b)
        for b in rows
        if _made_before_window(b.created_at, b.slot.start_at) and _reachable(b.participant)
    ]


def _due_sessions(at: datetime) -> list:
    from ..booking.models import Cohort, Enrollment, GroupSession

    rows = db.session.execute(
        select(GroupSession, Enrollment)
        .join(Cohort, GroupSession.cohort_id == Cohort.id)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(
            GroupSession.status != "cancelled",
            Cohort.status == "open",
            Enrollment.status == "confirmed",
            GroupSession.start_at > at,
            GroupSession.start_at <= at + REMINDER_LEAD,
        )
        .options(joinedload(Enrollment.participant))
        .order_by(GroupSession.start_at, GroupSession.id, Enrollment.id)
    ).unique()
    due = []
    for session, enrollment in rows:
        made_at = enrollment.confirmed_at or enrollment.created_at
        if _made_before_window(made_at, session.start_at) and _reachable(enrollment.participant):
            due.append(
                (
                    session_key(enrollment, session),
                    enrollment.participant,
                    "session",
                    (session, enrollment),
                )
            )
    return due


def _place(site) -> dict | None:
    if site is None:
        return None
    return {
        "name": site.localized("name"),
        # street, postal code and town on one line
        "address": site.address_line,
        "postal_code": site.postal_code,
        "transport": site.localized("transport"),
        "step_free_access": site.step_free_access,
    }


def _invitation(event: CalEvent, participant) -> bytes:
    """A METHOD:REQUEST calendar for one event, addressed to the participant."""
    organizer = parseaddr(current_app.config.get("MAIL_FROM") or "")[1] or None
    event = replace(event, organizer=organizer, attendees=(participant.email,))
    return build_calendar([event], name="etp-orient", method="REQUEST")


def _slot_invitation(booking, participant) -> bytes:
    from ..booking.calendar import slot_event

    event = slot_event(
        booking.slot,
        personal=True,
        explicit_titles=participant.feed_explicit_titles,
        language=participant.language,
    )
    return _invitation(event, participant)


def _session_invitation(session, participant) -> bytes:
    from ..booking.calendar import session_event

    event = session_event(
        session,
        personal=True,
        explicit_titles=participant.feed_explicit_titles,
        language=participant.language,
    )
    return _invitation(event, participant)


def _relink_url() -> str:
    """Where to ask for the manage link again: only its hash is stored, not the link."""
    from ..booking.messages import manage_url

    return manage_url(None)


def _queue_booking(key: str, participant, booking) -> OutboxMessage | None:
    slot = booking.slot
    context = {
        "relink_url": _relink_url(),
        "participant": participant,
        "first_name": participant.first_name,
        "kind": slot.kind,
        "start": slot.start_at,
        "end": slot.end_at,
        "tz": slot.timezone,
        "remote": slot.remote,
        "place": _place(slot.site),
        "professional": slot.professional,
        "programme_title": slot.programme.localized("display_title")
        if participant.feed_explicit_titles
        else None,
        "contact_phone": slot.programme.contact_phone,
        "needs": participant.needs,
    }
    return queue_for_person(
        email=participant.email,
        phone=participant.phone,
        template="reminder_booking",
        language=participant.language,
        context=context,
        ics=_slot_invitation(booking, participant) if participant.email else None,
        ics_method="REQUEST",
        dedupe_key=key,
        owner=f"participant:{participant.id}",
    )


def _queue_session(key: str, participant, session, enrollment) -> OutboxMessage | None:
    cohort = session.cohort
    site = session.site or cohort.site
    context = {
        "relink_url": _relink_url(),
        "participant": participant,
        "first_name": participant.first_name,
        "start": session.start_at,
        "end": session.end_at,
        "tz": session.timezone,
        "place": _place(site),
        "room": session.room,
        "video_url": session.video_url or cohort.video_url,
        "workshop_title": session.workshop.localized("title")
        if participant.feed_explicit_titles
        else None,
        "programme_title": cohort.programme.localized("display_title")
        if participant.feed_explicit_titles
        else None,
        "contact_phone": cohort.programme.contact_phone,
    }
    return queue_for_person(
        email=participant.email,
        phone=participant.phone,
        template="reminder_session",
        language=participant.language,
        context=context,
        ics=_session_invitation(session, participant) if participant.email else None,
        ics_method="REQUEST",
        dedupe_key=key,
        owner=f"participant:{participant.id}",
    )


def _withdraw_obsolete(valid_keys: set[str]) -> int:
    """Withdraw unsent reminders whose date moved, was cancelled or has passed."""
    pending = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "pending",
            OutboxMessage.dedupe_key.startswith(KEY_PREFIX, autoescape=True),
        )
    )
    withdrawn = 0
    for message in pending:
        if message.dedupe_key not in valid_keys:
            message.status = "failed"
            message.last_error = "withdrawn: the date changed or was cancelled"
            withdrawn += 1
    db.session.flush()
    return withdrawn


def queue_reminders(now: datetime) -> int:
    """Queue the reminders due at ``now``; returns how many were queued (flushes only).

    One reminder per confirmed booking of a BEP, final or follow-up slot, and per
    confirmed enrollment for each session of its cohort, once the date is less
    than :data:`REMINDER_LEAD` away; by e-mail with the event's invitation
    (``.ics``, METHOD:REQUEST) or, without an e-mail address, by SMS. In the
    person's language.
    """
    due = _due_bookings(now) + _due_sessions(now)
    keys = {key for key, *_ in due}
    _withdraw_obsolete(keys)
    if not due:
        return 0
    existing: set[str] = set()
    ordered = sorted(keys)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        existing.update(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
            )
        )
    queued = 0
    for key, participant, kind, item in due:
        if key in existing:
            continue
        if kind == "booking":
            message = _queue_booking(key, participant, item)
        else:
            session, enrollment = item
            message = _queue_session(key, participant, session, enrollment)
        if message is not None:
            queued += 1
    return queued


def run_reminders() -> int:
    """What ``etp-orient send-reminders`` does: expire the waiting-list offers whose
    deadline has passed (the next person gets the offer), queue the due reminders and the
    follow-up invitations (six months after a final assessment), and commit.

    On SQLite the write lock is held from the first read, so two runs at once
    queue one after the other; on PostgreSQL the unique dedupe key decides.
    """
    from ..booking.offers import expire_offers
    from ..booking.path import queue_followup_invitations

    begin_write()
    at = current_now()
    # waiting-list offers past their deadline: the seat goes to the next person
    expire_offers(at)
    count = queue_reminders(at)
    count += queue_followup_invitations(at)
    db.session.commit()
    return count
