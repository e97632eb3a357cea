"""Waiting-list offers: a freed place is offered to the first person waiting, who has a
deadline to accept it; on a refusal or at the deadline it goes to the next one.

This replaces the automatic promotion of DESIGN §5 (the design's "Qualities" now ask
for offers). An offer is the enrollment status ``offered``: it **holds the seat** (it
counts in ``cohorts.seats_taken``) until the person accepts (``confirmed``), declines
or lets the deadline pass (``cancelled``). A seat is held by one enrollment at a time,
so exactly one person holds a given seat's offer.

Every transition has its own function, each auditing and queuing its message in the
caller's transaction (a later change hooks the webhooks ``enrollment.offered``,
``enrollment.confirmed``… here):

- :func:`make_offer` (waitlisted → offered), called by :func:`offer_free_seats`
- :func:`accept_offer` (offered → confirmed), the person, from their manage link
- :func:`decline_offer` (offered → cancelled), the person, from their manage link
- :func:`expire_offer` (offered → cancelled at the deadline), by :func:`expire_offers`
  (``etp-orient send-reminders`` and the worker)
- :func:`confirm_by_staff` (waitlisted or offered → confirmed), a coordinator by hand

Locking is the one of ``services.py``: the cohort row is locked (SQLite: the write
lock; PostgreSQL: ``SELECT … FOR UPDATE``) before anything is read, and every status
change is a conditional ``UPDATE … WHERE status = 'offered'``.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from . import messages
from .models import Cohort, Enrollment, Participant
from .rules import BookingError, actor, locking_enabled, start

DEFAULT_OFFER_HOURS = 48


def offer_hours() -> float:
    """How long a person has to accept an offer (``WAITLIST_OFFER_HOURS``, default 48)."""
    value = current_app.config.get("WAITLIST_OFFER_HOURS")
    return float(value) if value else float(DEFAULT_OFFER_HOURS)


def _still_running(cohort: Cohort, at: datetime) -> bool:
    """Whether a place in the group is still worth something: a session still to come.

    An offer made after registration closed still runs to its deadline; a group whose
    every session has ended offers nothing."""
    live = [s for s in cohort.sessions if s.status != "cancelled"]
    return not live or any(s.end_at > at for s in live)


def _set_status(enrollment: Enrollment, old: str, **values) -> bool:
    """The conditional update: the row changes only if it still has ``old``."""
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == old)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(enrollment)
    return result.rowcount == 1


def _free_seat(cohort: Cohort) -> None:
    db.session.execute(
        update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.seats_taken > 0)
        .values(seats_taken=Cohort.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(cohort, ["seats_taken"])


def _event(name: str, enrollment: Enrollment, acting_user=None, **detail) -> None:
    audit(
        name,
        actor_id=actor(acting_user),
        obj_type="enrollment",
        obj_id=enrollment.id,
        cohort=enrollment.cohort.code,
        **detail,
    )


# ---------------------------------------------------------------- making offers


def make_offer(enrollment: Enrollment, *, acting_user=None) -> None:
    """waitlisted → offered, for a seat the caller has just taken for this person."""
    at = now()
    deadline = at + timedelta(hours=offer_hours())
    if not _set_status(
        enrollment, "waitlisted", status="offered", offered_at=at, offer_expires_at=deadline
    ):
        raise BookingError("not_found")
    _event("enrollment.offer", enrollment, acting_user, expires_at=deadline.isoformat())
    messages.enrollment_message(
        enrollment, "enrollment_offered", None, invite=False, deadline=deadline
    )


def offer_free_seats(cohort: Cohort, *, acting_user=None) -> list[Enrollment]:
    """Offer every free seat to the first people waiting, in rank order.

    Call with the cohort locked (inside a leave, a decline, an expiry, or after
    ``begin_write()``/``FOR UPDATE`` in a back-office action). Returns the offers made.
    """
    from .cohorts import _take_seat

    offered: list[Enrollment] = []
    if cohort.status != "open" or not _still_running(cohort, now()):
        return offered
    while True:
        first = db.session.scalar(
            select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.status == "waitlisted")
            .order_by(Enrollment.waitlist_rank, Enrollment.id)
            .limit(1)
            .execution_options(populate_existing=True)
        )
        if first is None or not _take_seat(cohort):
            break
        make_offer(first, acting_user=acting_user)
        offered.append(first)
    db.session.flush()
    return offered


# ---------------------------------------------------------------- the person's answer


def _locked_offer(participant_id: int, cohort_code: str, lock: bool) -> tuple[Cohort, Enrollment]:
    """The cohort (locked) and the person's live enrollment in it, read again."""
    from .cohorts import lock_cohort

    cohort = lock_cohort(cohort_code, lock)
    if cohort is None:
        raise BookingError("not_found")
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.participant_id == participant_id,
            Enrollment.status != "cancelled",
        )
        .execution_options(populate_existing=True)
    )
    if enrollment is None:
        raise BookingError("not_found")
    return cohort, enrollment


def accept_offer(
    participant: Participant, cohort_code: str, *, token: str | None = None
) -> Enrollment:
    """offered → confirmed. Raises ``BookingError``: ``already_confirmed`` (a second
    click), ``offer_expired`` (the deadline has passed, even if the expiry has not run
    yet), ``not_found`` (no offer)."""
    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    _cohort, enrollment = _locked_offer(participant_id, cohort_code, lock)
    if enrollment.status in ("confirmed", "completed"):
        raise BookingError("already_confirmed")
    if enrollment.status != "offered":
        raise BookingError("not_found")
    if enrollment.offer_expires_at <= now():
        raise BookingError("offer_expired")
    if not _set_status(enrollment, "offered", status="confirmed", confirmed_at=now()):
        raise BookingError("already_confirmed")
    _event("enrollment.accept", enrollment)
    messages.enrollment_message(enrollment, "enrollment_confirmed", token)
    db.session.flush()
    return enrollment


def decline_offer(
    participant: Participant, cohort_code: str, *, token: str | None = None
) -> Enrollment:
    """offered → cancelled; the seat is offered to the next person waiting."""
    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    cohort, enrollment = _locked_offer(participant_id, cohort_code, lock)
    if enrollment.status != "offered":
        raise BookingError("not_found")
    if not _set_status(enrollment, "offered", status="cancelled", cancelled_at=now()):
        raise BookingError("not_found")
    _free_seat(cohort)
    _event("enrollment.decline", enrollment)
    messages.enrollment_message(enrollment, "enrollment_cancelled", token, invite=False)
    offer_free_seats(cohort)
    db.session.flush()
    return enrollment


# ---------------------------------------------------------------- the deadline


def expire_offer(enrollment: Enrollment, cohort: Cohort) -> bool:
    """offered → cancelled once its deadline has passed (the cohort locked); the person
    is told. Returns whether it expired (False when it changed meanwhile)."""
    if not _set_status(enrollment, "offered", status="cancelled", cancelled_at=now()):
        return False
    _free_seat(cohort)
    _event("enrollment.offer_expired", enrollment)
    messages.enrollment_message(enrollment, "enrollment_offer_expired", None, invite=False)
    return True


def expire_offers(at: datetime | None = None) -> int:
    """Every offer whose deadline has passed expires, and its seat is offered to the
    next person. Run inside ``run_reminders``' transaction (the write lock held on
    SQLite); on PostgreSQL each cohort is locked, in code order. Returns the count."""
    from .cohorts import lock_cohort

    at = at or now()
    lock = locking_enabled()
    codes = sorted(
        set(
            db.session.scalars(
                select(Cohort.code)
                .join(Enrollment, Enrollment.cohort_id == Cohort.id)
                .where(Enrollment.status == "offered", Enrollment.offer_expires_at <= at)
            )
        )
    )
    expired = 0
    for code in codes:
        cohort = lock_cohort(code, lock)
        due = list(
            db.session.scalars(
                select(Enrollment)
                .where(
                    Enrollment.cohort_id == cohort.id,
                    Enrollment.status == "offered",
                    Enrollment.offer_expires_at <= at,
                )
                .order_by(Enrollment.id)
                .execution_options(populate_existing=True)
            )
        )
        expired += sum(expire_offer(e, cohort) for e in due)
        offer_free_seats(cohort)
    db.session.flush()
    return expired


# ---------------------------------------------------------------- staff


def confirm_by_staff(enrollment: Enrollment, *, acting_user) -> None:
    """A coordinator gives the place by hand, straight to confirmed: to someone waiting
    (a seat must be free) or to someone holding an offer (they keep its seat). Call
    with the cohort locked. Raises ``BookingError``: ``cohort_full``, ``not_found``."""
    from .cohorts import _take_seat

    status = enrollment.status
    if status == "waitlisted":
        if not _take_seat(enrollment.cohort):
            raise BookingError("cohort_full")
    elif status != "offered":
        raise BookingError("not_found")
    if not _set_status(enrollment, status, status="confirmed", confirmed_at=now()):
        raise BookingError("not_found")
    _event("enrollment.promote", enrollment, acting_user, was=status)
    messages.enrollment_message(enrollment, "enrollment_promoted", None)
    db.session.flush()
