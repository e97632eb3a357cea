"""Orientation side effects: the anonymous log, referrals and sending a referral link.

Plain functions; the acting user is a parameter; they flush, never commit.
"""

import atexit
import threading
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..booking.models import Booking, Enrollment, Participant
from ..catalogue.models import Programme
from ..core.clock import now
from ..core.tokens import short_code
from ..extensions import db
from .matching import Orientation
from .models import CHANNELS, OrientationLog, Referral

REFERRAL_VALID_DAYS = 90


def _log_values(orientation: Orientation, channel: str) -> dict:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return {
        "made_on": now().date(),
        "condition_codes": sorted(set(orientation.conditions)),
        "departement": orientation.place.departement if orientation.place else None,
        "channel": channel,
        "result_count": orientation.shown_count,
        # a condition understood and nothing on site within reach: the unmet demand
        # the indicators count (a search for remote programmes only is not one)
        "nothing_nearby": bool(orientation.nothing_nearby and orientation.conditions),
    }


def log_orientation(orientation: Orientation, channel: str) -> None:
    """Add one anonymous log row for an orientation shown, in the current transaction:
    the condition codes, the département, the channel, how many programmes were
    shown and whether nothing was on site within reach. Never the free text, never an identity."""
    db.session.execute(insert(OrientationLog).values(**_log_values(orientation, channel)))


# Rows waiting to be written by this process (see record_orientation).
_pending: list[dict] = []
_pending_since = [0.0]
_pending_lock = threading.Lock()
_flush_at_exit: set[int] = set()


def record_orientation(orientation: Orientation, channel: str) -> None:
    """Log an orientation made by a view or the API, then commit.

    Every search writes a row, and on SQLite one write per request from several
    processes makes them queue for the write lock. So rows are written in small
    batches: when ``ORIENTATION_LOG_BATCH`` rows (default 50; 1 when testing,
    i.e. at once) are waiting or the oldest has waited ``ORIENTATION_LOG_DELAY``
    seconds (default 2; a timer thread writes them then if no search does), and when
    the process exits. The row keeps the day the
    orientation was made. Call it once the answer is computed: it ends the read
    transaction and takes the write lock up front (``begin_write``).
    """
    app = current_app._get_current_object()
    batch = app.config.get("ORIENTATION_LOG_BATCH", 1 if app.testing else 50)
    delay = app.config.get("ORIENTATION_LOG_DELAY", 2.0)
    values = _log_values(orientation, channel)
    if batch <= 1:
        _write([values])
        return
    with _pending_lock:
        if not _pending:
            _pending_since[0] = time.monotonic()
            # a quiet site still writes the row within the delay
            timer = threading.Timer(delay, _flush_in, args=(app,))
            timer.daemon = True
            timer.start()
        _pending.append(values)
        due = len(_pending) >= batch or time.monotonic() - _pending_since[0] >= delay
        if id(app) not in _flush_at_exit:
            _flush_at_exit.add(id(app))
            atexit.register(_flush_in, app)
    if due:
        flush_orientation_log()


def flush_orientation_log() -> int:
    """Write the rows waiting in this process; returns how many."""
    with _pending_lock:
        rows = list(_pending)
        _pending.clear()
    if rows:
        _write(rows)
    return len(rows)


def _write(rows: list[dict]) -> None:
    from ..core.db import begin_write

    begin_write()
    db.session.execute(insert(OrientationLog), rows)
    db.session.commit()


def _flush_in(app) -> None:
    """Flush from outside a request (timer thread, process exit), in its own context."""
    with app.app_context():
        try:
            flush_orientation_log()
        finally:
            db.session.remove()


def published_programme(code: str, *options) -> Programme | None:
    """The published programme with this code, or None (drafts and suspended are hidden).
    ``options``: loader options (relationships the caller will read)."""
    return db.session.scalar(
        select(Programme)
        .where(Programme.code == code, Programme.status == "published")
        .options(*options)
    )


def create_referral(
    programme: Programme, *, referrer=None, referrer_kind: str = "professional"
) -> Referral:
    """Issue a referral to ``programme`` with a short unguessable code, valid 90 days.

    ``referrer`` is the logged-in staff user, or None for a professional without
    an account. Retries on the (unlikely) collision of codes.
    """
    expires = now() + timedelta(days=REFERRAL_VALID_DAYS)
    for _attempt in range(5):
        referral = Referral(
            code=short_code(),
            programme=programme,
            referrer_user_id=getattr(referrer, "id", None),
            referrer_kind=referrer_kind,
            status="issued",
            expires_at=expires,
        )
        savepoint = db.session.begin_nested()
        db.session.add(referral)
        try:
            savepoint.commit()
        except IntegrityError:
            savepoint.rollback()
            continue
        return referral
    raise RuntimeError("could not generate a unique referral code")


def get_referral(code: str) -> Referral | None:
    """The referral with this code (case-insensitive), or None."""
    code = (code or "").strip().lower()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Referral).where(Referral.code == code))


def referral_status(referral: Referral, at: datetime | None = None) -> str:
    """``issued``, ``used`` or ``expired`` as of ``at`` (an issued one past its date is expired)."""
    at = at or now()
    if referral.status == "issued" and referral.expires_at <= at:
        return "expired"
    return referral.status


def issued_status(referral: Referral, at: datetime | None = None) -> str:
    """``issued`` or ``expired`` (past its date), whether used or not: what a referrer
    may see of a referral whose patient did not agree to share with their GP."""
    return "expired" if referral.expires_at <= (at or now()) else "issued"


def booking_link(referral: Referral) -> str:
    """The patient's link: the programme's booking page carrying the referral code."""
    base = current_app.config["BASE_URL"]
    return f"{base}/programmes/{referral.programme.code}/rdv?referral_code={referral.code}"


def send_referral_link(
    referral: Referral, *, to: str, language: str, referrer_name: str | None = None
):
    """Queue the e-mail that gives the patient their booking link (outbox, same transaction).

    Only call it once the patient has agreed to receive it: the form asks for
    that consent and the view checks it.
    """
    from ..notify.services import queue_email

    programme = referral.programme
    return queue_email(
        to=to,
        template="referral_link",
        language=language,
        context={
            "programme_title": programme.display_title,
            "programme_code": programme.code,
            "referral_code": referral.code,
            "link": booking_link(referral),
            "programme_url": f"{current_app.config['BASE_URL']}/programmes/{programme.code}",
            "contact_phone": programme.contact_phone,
            "referrer_name": referrer_name,
            "expires_at": referral.expires_at,
        },
        dedupe_key=f"referral-link:{referral.code}:{to.strip().lower()}",
    )


def referrals_of(user) -> list[dict]:
    """The referrals a logged-in referrer made, newest first, with what they may know:
    only when the patient agreed to share with their GP, whether the code was used and
    whether the patient started the programme; otherwise the referral reads as issued
    (or expired after its date), exactly like one nobody used."""
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.referrer_user_id == user.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
    ).all()
    rows = []
    for referral in referrals:
        participant = (
            db.session.get(Participant, referral.participant_id)
            if referral.participant_id
            else None
        )
        if participant is None:
            participant = _participant_from_booking(referral)
        shared = participant is not None and participant.consent_share_gp_at is not None
        started = None
        if shared:
            started = _has_started(participant, referral.programme_id)
        rows.append(
            {
                "referral": referral,
                "status": "used" if shared else issued_status(referral),
                "shared": shared,
                "started": started,
            }
        )
    return rows


def _participant_from_booking(referral: Referral) -> Participant | None:
    return db.session.scalar(
        select(Participant)
        .join(Booking, Booking.participant_id == Participant.id)
        .where(Booking.referral_id == referral.id)
        .limit(1)
    )


def _has_started(participant: Participant, programme_id: int) -> bool:
    """Started = a BEP held, or a place confirmed in one of the programme's groups."""
    from ..booking.models import Cohort, Slot

    held = db.session.scalar(
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.participant_id == participant.id,
            Slot.programme_id == programme_id,
            Booking.outcome == "held",
        )
        .limit(1)
    )
    if held:
        return True
    joined = db.session.scalar(
        select(Enrollment.id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(
            Enrollment.participant_id == participant.id,
            Cohort.programme_id == programme_id,
            Enrollment.status.in_(("confirmed", "completed")),
        )
        .limit(1)
    )
    return bool(joined)
