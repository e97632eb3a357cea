"""Cohorts: joining (a confirmed place or the waiting list), leaving; a freed seat is
offered to the next person waiting (``offers.py``).

A confirmed enrollment (or an offer, which holds its seat) counts in ``cohorts.seats_taken``, which only changes
by conditional updates under the cohort's lock (see ``services.py``); the
waiting list is ranked in the order joins take that lock.
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from . import messages
from .models import Booking, Cohort, Enrollment, Participant, Slot
from .participants import ParticipantData, create_participant, touch
from .rules import (
    BookingError,
    actor,
    age_fits,
    is_sqlite,
    locking_enabled,
    start,
    withdraw_reminders,
)


@dataclass
class JoinResult:
    enrollment: Enrollment
    participant: Participant
    token: str | None
    # 1 for the first on the waiting list; None when confirmed
    position: int | None


def withdraw_enrollment_reminders(enrollment: Enrollment) -> None:
    """Stop the unsent reminders of a place given up (keys of ``notify.reminders``)."""
    for session in enrollment.cohort.sessions:
        withdraw_reminders(f"reminder:session:{session.id}:e{enrollment.id}:")


def registration_closes_at(cohort: Cohort):
    """When joining stops: the cohort's own date, else the start of its first session."""
    if cohort.registration_closes_at is not None:
        return cohort.registration_closes_at
    live = [s for s in cohort.sessions if s.status != "cancelled"]
    return live[0].start_at if live else None


def registration_open(cohort: Cohort) -> bool:
    if cohort.status != "open" or cohort.programme.status != "published":
        return False
    closes = registration_closes_at(cohort)
    return closes is None or now() < closes


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the first person waiting; None when not on the waiting list."""
    if enrollment.status != "waitlisted":
        return None
    ahead = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == enrollment.cohort_id,
            Enrollment.status == "waitlisted",
            Enrollment.waitlist_rank < enrollment.waitlist_rank,
        )
    )
    return ahead + 1


def waitlist_length(cohort_id: int) -> int:
    return db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == "waitlisted"
        )
    )


def lock_cohort(cohort_code: str, lock: bool) -> Cohort | None:
    query = select(Cohort).where(Cohort.code == cohort_code)
    if lock and not is_sqlite():
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _take_seat(cohort: Cohort) -> bool:
    """The conditional update: a seat is taken only if one is left."""
    result = db.session.execute(
        update(Cohort)
        .where(Cohort.id == cohort.id, Cohort.seats_taken < Cohort.capacity)
        .values(seats_taken=Cohort.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(cohort, ["seats_taken"])
    return result.rowcount == 1


def _next_rank(cohort_id: int) -> int:
    highest = db.session.scalar(
        select(func.max(Enrollment.waitlist_rank)).where(Enrollment.cohort_id == cohort_id)
    )
    return (highest or 0) + 1


def _naive_seat(cohort: Cohort) -> bool:
    """Control run only (``BOOKING_LOCKING=0``): count, end the read, then write the count.

    This is the classic check-then-write race the locking prevents; it exists so
    the concurrency tests can prove they would catch it.
    """
    cohort_id, capacity = cohort.id, cohort.capacity
    confirmed = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == "confirmed"
        )
    )
    if confirmed >= capacity:
        return False
    db.session.rollback()
    db.session.execute(
        update(Cohort)
        .where(Cohort.id == cohort_id)
        .values(seats_taken=min(confirmed + 1, capacity))
        .execution_options(synchronize_session=False)
    )
    return True


def join_cohort(
    cohort_code: str,
    *,
    data: ParticipantData | None = None,
    participant: Participant | None = None,
    acting_user=None,
    token: str | None = None,
    staff_override: bool = False,
) -> JoinResult:
    """Enroll a person in a cohort: a confirmed place for every session, or the waiting list.

    Either ``data`` (a new participant is created and their token returned) or
    an existing ``participant`` (from their manage page, ``token`` being theirs).
    Raises :class:`BookingError`: ``cohort_unavailable``, ``registration_closed``,
    ``not_eligible``, ``bep_first`` (the programme's groups are for people whose
    BEP is booked or held, ``group_access: after_bep``; staff adding someone from
    the back office pass ``staff_override``), ``already_enrolled``, ``cohort_full``
    (full, no waiting list). Waiting-list ranks follow the order in which joins
    take the lock.
    """
    participant_id = participant.id if participant is not None else None
    lock = locking_enabled()
    start(lock)
    return _join(cohort_code, data, participant_id, acting_user, token, lock, staff_override)


def with_bep(participant_ids: set[int], programme_id: int) -> set[int]:
    """Those of the people whose BEP for the programme is booked (to come) or held."""
    if not participant_ids:
        return set()
    return set(
        db.session.scalars(
            select(Booking.participant_id)
            .join(Slot, Booking.slot_id == Slot.id)
            .where(
                Booking.participant_id.in_(participant_ids),
                Booking.status == "confirmed",
                Slot.programme_id == programme_id,
                Slot.kind == "bep",
                or_(Booking.outcome.is_(None), Booking.outcome == "held"),
            )
        )
    )


def has_bep(participant_id: int | None, programme_id: int) -> bool:
    """Whether the person's BEP for the programme is booked (to come) or held."""
    return participant_id is not None and bool(with_bep({participant_id}, programme_id))


def record_refused_join(cohort_code: str, reason: str, participant_id: int | None = None) -> None:
    """Keep why a join was refused (the audit trail), after the refused change was
    rolled back; the caller commits."""
    cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.code == cohort_code))
    detail = {"cohort": cohort_code, "reason": reason}
    if participant_id is not None:
        detail["participant"] = participant_id
    audit("enrollment.refused", obj_type="cohort", obj_id=cohort_id, **detail)


def _join(
    cohort_code: str,
    data: ParticipantData | None,
    participant_id: int | None,
    acting_user,
    token: str | None,
    lock: bool,
    staff_override: bool = False,
) -> JoinResult:
    """``join_cohort`` once the transaction holds the write lock (``start``)."""
    cohort = lock_cohort(cohort_code, lock)
    if cohort is None or cohort.status != "open":
        raise BookingError("cohort_unavailable")
    if not registration_open(cohort):
        raise BookingError("registration_closed")
    if participant_id is not None:
        participant = db.session.get(Participant, participant_id)
        birth_year = participant.birth_year
    else:
        birth_year = data.birth_year
    if not age_fits(cohort.programme, birth_year, now().year):
        raise BookingError("not_eligible")
    if (
        cohort.programme.group_access == "after_bep"
        and not staff_override
        and not has_bep(participant_id, cohort.programme_id)
    ):
        raise BookingError("bep_first")
    if participant_id is not None and not staff_override:
        from .transversal import first_clash

        clash = first_clash(participant_id, cohort)
        if clash is not None:
            raise BookingError("clash", detail=clash)
    if participant_id is not None:
        live = db.session.scalar(
            select(Enrollment.id).where(
                Enrollment.cohort_id == cohort.id,
                Enrollment.participant_id == participant_id,
                Enrollment.status != "cancelled",
            )
        )
        if live is not None:
            raise BookingError("already_enrolled")
    cohort_id, waitlist_enabled = cohort.id, cohort.waitlist_enabled
    seated = _take_seat(cohort) if lock else _naive_seat(cohort)
    if not seated and not waitlist_enabled:
        raise BookingError("cohort_full")
    rank = None if seated else _next_rank(cohort_id)
    if participant_id is None:
        participant, token = create_participant(data)
    else:
        participant = db.session.get(Participant, participant_id)
        token = token or None
    enrollment = Enrollment(
        participant_id=participant.id,
        cohort_id=cohort_id,
        status="confirmed" if seated else "waitlisted",
        waitlist_rank=rank,
        confirmed_at=now() if seated else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError as error:
        raise BookingError("already_enrolled") from error
    touch(participant)
    audit(
        "enrollment.create",
        actor_id=actor(acting_user),
        obj_type="enrollment",
        obj_id=enrollment.id,
        cohort=cohort_code,
        status=enrollment.status,
    )
    position = None if seated else waitlist_position(enrollment)
    template = "enrollment_confirmed" if seated else "enrollment_waitlisted"
    messages.enrollment_message(enrollment, template, token, position=position)
    db.session.flush()
    return JoinResult(enrollment, participant, token, position)


def promote_waitlisted(cohort: Cohort, *, acting_user=None) -> list[Enrollment]:
    """Offer the free seats to the first people waiting (``offers.offer_free_seats``:
    an offer with a deadline, no longer a place given outright). The name stays for
    the callers; call with the cohort locked."""
    from .offers import offer_free_seats

    return offer_free_seats(cohort, acting_user=acting_user)


def leave_cohort(
    participant: Participant,
    cohort_code: str,
    *,
    acting_user=None,
    token: str | None = None,
) -> Enrollment:
    """Leave a cohort (or its waiting list); a freed seat goes to the first person waiting.

    Queues ``enrollment_cancelled`` (with a ``METHOD:CANCEL`` invitation for a
    confirmed place) and ``enrollment_promoted`` for whoever gets the seat.
    """
    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    return _leave(participant_id, cohort_code, acting_user, token, lock)


def _leave(
    participant_id: int, cohort_code: str, acting_user, token: str | None, lock: bool
) -> Enrollment:
    """``leave_cohort`` once the transaction holds the write lock (``start``)."""
    cohort = lock_cohort(cohort_code, lock)
    if cohort is None:
        raise BookingError("not_found")
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(
            Enrollment.cohort_id == cohort.id,
            Enrollment.participant_id == participant_id,
            Enrollment.status.in_(("confirmed", "offered", "waitlisted")),
        )
        .execution_options(populate_existing=True)
    )
    if enrollment is None:
        raise BookingError("not_found")
    # an offer holds its seat too: leaving frees it
    was_confirmed = enrollment.status == "confirmed"
    held_seat = enrollment.status in ("confirmed", "offered")
    enrollment.status = "cancelled"
    enrollment.cancelled_at = now()
    enrollment.cancelled_by_user_id = actor(acting_user)
    db.session.flush()
    if held_seat:
        db.session.execute(
            update(Cohort)
            .where(Cohort.id == cohort.id, Cohort.seats_taken > 0)
            .values(seats_taken=Cohort.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
    messages.enrollment_message(enrollment, "enrollment_cancelled", token, invite=was_confirmed)
    touch(enrollment.participant)
    audit(
        "enrollment.cancel",
        actor_id=actor(acting_user),
        obj_type="enrollment",
        obj_id=enrollment.id,
        cohort=cohort_code,
    )
    if was_confirmed:
        withdraw_enrollment_reminders(enrollment)
    if held_seat:
        promote_waitlisted(cohort, acting_user=acting_user)
    db.session.flush()
    return enrollment


def move_enrollment(
    participant: Participant, from_code: str, to_code: str, *, acting_user=None
) -> JoinResult:
    """Move a person from one group to another, all in one transaction: a place in
    the new group (or its waiting list), then out of the old one; a freed seat goes
    to the first person waiting there. Raises :class:`BookingError` as
    :func:`join_cohort` and :func:`leave_cohort` do; the caller then rolls back and
    nothing has changed (never in both groups, never in neither)."""
    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    for code in sorted({from_code, to_code}):  # always the same order: no deadlock
        lock_cohort(code, lock)
    result = _join(to_code, None, participant_id, acting_user, None, lock, staff_override=True)
    _leave(participant_id, from_code, acting_user, None, lock)
    return result
