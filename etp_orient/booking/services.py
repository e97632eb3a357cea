"""Booking a slot, joining a cohort, and undoing both, without ever overbooking.

Plain functions: the acting staff user (or None for the person themselves) is
a parameter; they flush, never commit; the caller commits or rolls back.
Every change queues its message in the same transaction (``messages.py``).

How capacity holds under concurrency (DESIGN §5), with ``BOOKING_LOCKING`` on:

* SQLite: ``core.db.begin_write()`` opens the transaction with ``BEGIN
  IMMEDIATE`` before anything is read, so writers queue one after the other.
* PostgreSQL: the slot or cohort row is locked (``SELECT … FOR UPDATE``)
  before checking it, and a cohort's seat is taken by a conditional update
  (``seats_taken = seats_taken + 1 WHERE seats_taken < capacity``).
* Both: the partial unique index ``uq_bookings_confirmed_slot`` refuses a
  second confirmed booking of a slot, and ``uq_enrollments_live`` a second live
  enrollment of a person in a cohort.

Functions that change capacity must be called first in their transaction:
``begin_write()`` ends whatever was open. ``BOOKING_LOCKING=0`` switches to a
naive check-then-write, kept only so the concurrency tests can show that they
detect overbooking (the control run).
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from ..orientation.models import Referral
from . import messages
from .cohorts import (  # noqa: F401  (one import surface for views and other packages)
    JoinResult,
    has_bep,
    join_cohort,
    leave_cohort,
    lock_cohort,
    move_enrollment,
    promote_waitlisted,
    record_refused_join,
    registration_closes_at,
    registration_open,
    waitlist_length,
    waitlist_position,
    withdraw_enrollment_reminders,
)
from .models import Booking, Cohort, Enrollment, Participant, Slot
from .offers import (  # noqa: F401
    accept_offer,
    confirm_by_staff,
    decline_offer,
    expire_offers,
    offer_free_seats,
)
from .participants import (  # noqa: F401
    ParticipantData,
    confirm_reissue,
    create_participant,
    export_data,
    find_by_token,
    reissue_links,
    reissue_target,
    touch,
    update_choices,
)
from .rules import (  # noqa: F401
    BookingError,
    actor,
    age_fits,
    is_sqlite,
    locking_enabled,
    start,
    withdraw_reminders,
)


@dataclass
class BookingResult:
    booking: Booking
    participant: Participant
    # raw manage token, when the participant was created by this call
    token: str | None


def slot_bookable(slot: Slot | None) -> bool:
    """Open, in the future, of a published programme, with no confirmed booking."""
    if slot is None or slot.status != "open" or slot.programme.status != "published":
        return False
    if slot.start_at <= now():
        return False
    taken = db.session.scalar(
        select(Booking.id).where(Booking.slot_id == slot.id, Booking.status == "confirmed")
    )
    return taken is None


def _free_slots_query(programme_id: int, kind: str):
    booked = (
        select(Booking.id).where(Booking.slot_id == Slot.id, Booking.status == "confirmed").exists()
    )
    return select(Slot).where(
        Slot.programme_id == programme_id,
        Slot.kind == kind,
        Slot.status == "open",
        Slot.start_at > now(),
        ~booked,
    )


def free_slots(
    programme_id: int, *, kind: str = "bep", limit: int | None = None, after: Slot | None = None
) -> list[Slot]:
    """The programme's open future slots with no confirmed booking, soonest first;
    at most ``limit``, and only those coming after ``after`` (the next page)."""
    query = _free_slots_query(programme_id, kind)
    if after is not None:
        query = query.where(
            or_(
                Slot.start_at > after.start_at,
                and_(Slot.start_at == after.start_at, Slot.id > after.id),
            )
        )
    query = query.order_by(Slot.start_at, Slot.id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def nearest_free_slots(slot: Slot, limit: int = 5) -> list[Slot]:
    """Free slots of the same programme closest in time to ``slot`` (for the "taken" page):
    the ``limit`` nearest before and after it, the closest first."""
    around = _free_slots_query(slot.programme_id, slot.kind).where(Slot.id != slot.id)
    before = around.where(Slot.start_at <= slot.start_at).order_by(
        Slot.start_at.desc(), Slot.id.desc()
    )
    later = around.where(Slot.start_at > slot.start_at).order_by(Slot.start_at, Slot.id)
    candidates = list(db.session.scalars(before.limit(limit)))
    candidates += db.session.scalars(later.limit(limit))
    candidates.sort(key=lambda s: (abs((s.start_at - slot.start_at).total_seconds()), s.id))
    return sorted(candidates[:limit], key=lambda s: s.start_at)


def usable_referral(code: str | None, programme_id: int) -> Referral | None:
    """The issued, unexpired referral of this code for this programme; raises if it is not."""
    if not code:
        return None
    referral = db.session.scalar(
        select(Referral).where(func.lower(Referral.code) == code.strip().lower())
    )
    if (
        referral is None
        or referral.status != "issued"
        or referral.expires_at <= now()
        or referral.programme_id != programme_id
    ):
        raise BookingError("referral_invalid")
    return referral


def _lock_slot(slot_code: str, lock: bool) -> Slot | None:
    query = select(Slot).where(Slot.code == slot_code)
    if lock and not is_sqlite():
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _insert_booking(booking: Booking) -> None:
    """Add a confirmed booking; the unique index turns a race into "slot taken"."""
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError as error:
        raise BookingError("slot_taken") from error


def book_slot(
    slot_code: str,
    data: ParticipantData,
    *,
    acting_user=None,
    oriented_by: str = "self",
    referral_code: str | None = None,
    on_behalf: bool = False,
) -> BookingResult:
    """Book a slot for a new participant; queue the confirmation with its ``.ics``.

    Raises :class:`BookingError` with ``slot_unavailable`` (unknown, cancelled,
    past), ``slot_taken``, ``not_eligible`` or ``referral_invalid``.
    ``oriented_by`` is ``self`` or ``professional`` (a professional booking
    during the consultation; ``acting_user`` when logged in, ``on_behalf`` once
    the patient's consent was ticked, kept in the audit trail); a referral code
    overrides it with the referrer's kind and is marked used.
    """
    lock = locking_enabled()
    start(lock)
    slot = _lock_slot(slot_code, lock)
    if slot is None or slot.status != "open" or slot.start_at <= now():
        raise BookingError("slot_unavailable")
    if slot.programme.status != "published":
        raise BookingError("slot_unavailable")
    if not age_fits(slot.programme, data.birth_year, now().year):
        raise BookingError("not_eligible")
    referral = usable_referral(referral_code, slot.programme_id)
    if not slot_bookable(slot):
        raise BookingError("slot_taken")
    participant, token = create_participant(data)
    booking = Booking(
        participant_id=participant.id,
        slot_id=slot.id,
        status="confirmed",
        oriented_by=referral.referrer_kind if referral else oriented_by,
        referral_id=referral.id if referral else None,
        booked_by_user_id=actor(acting_user),
    )
    _insert_booking(booking)
    if referral is not None:
        referral.status = "used"
        referral.used_at = now()
        referral.participant_id = participant.id
    detail = {"slot": slot.code}
    if on_behalf:
        detail["on_behalf_with_patient_consent"] = True
    audit(
        "booking.create",
        actor_id=actor(acting_user),
        obj_type="booking",
        obj_id=booking.id,
        **detail,
    )
    messages.booking_confirmed(booking, token)
    db.session.flush()
    return BookingResult(booking, participant, token)


def _own_booking(participant_id: int, booking_id: int) -> Booking:
    """The person's confirmed future booking, read again and locked (PostgreSQL): of two
    simultaneous cancels or moves, the second one sees the first one's result."""
    query = select(Booking).where(Booking.id == booking_id)
    if locking_enabled() and not is_sqlite():
        query = query.with_for_update()
    booking = db.session.scalar(query.execution_options(populate_existing=True))
    if booking is None or booking.participant_id != participant_id:
        raise BookingError("not_found")
    if booking.status != "confirmed":
        raise BookingError("already_cancelled")
    if booking.slot.start_at <= now():
        raise BookingError("past")
    return booking


def cancel_booking(
    participant: Participant, booking_id: int, *, acting_user=None, token: str | None = None
) -> Booking:
    """Cancel one of the participant's bookings; the slot is free again at once.

    Queues ``booking_cancelled`` with a ``METHOD:CANCEL`` invitation and
    withdraws the booking's reminder if it had not left yet.
    """
    participant_id = participant.id
    start(locking_enabled())
    booking = _own_booking(participant_id, booking_id)
    booking.status = "cancelled"
    booking.cancelled_at = now()
    touch(booking.participant)
    withdraw_reminders(f"reminder:booking:{booking.id}:")
    audit("booking.cancel", actor_id=actor(acting_user), obj_type="booking", obj_id=booking.id)
    messages.booking_cancelled(booking, token)
    db.session.flush()
    return booking


def move_booking(
    participant: Participant,
    booking_id: int,
    new_slot_code: str,
    *,
    acting_user=None,
    token: str | None = None,
) -> Booking:
    """Move a booking to another free slot of the same programme, in one step.

    The old booking is cancelled and the new one confirmed in the same
    transaction: if the new slot was taken meanwhile, nothing changes.
    """
    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    old = _own_booking(participant_id, booking_id)
    slot = _lock_slot(new_slot_code, lock)
    if (
        slot is None
        or slot.id == old.slot_id
        or slot.programme_id != old.slot.programme_id
        or slot.kind != old.slot.kind
        or slot.status != "open"
        or slot.start_at <= now()
    ):
        raise BookingError("slot_unavailable")
    if not slot_bookable(slot):
        raise BookingError("slot_taken")
    old.status = "cancelled"
    old.cancelled_at = now()
    db.session.flush()
    new = Booking(
        participant_id=participant_id,
        slot_id=slot.id,
        status="confirmed",
        oriented_by=old.oriented_by,
        referral_id=old.referral_id,
        booked_by_user_id=old.booked_by_user_id,
    )
    _insert_booking(new)
    touch(old.participant)
    withdraw_reminders(f"reminder:booking:{old.id}:")
    audit(
        "booking.move",
        actor_id=actor(acting_user),
        obj_type="booking",
        obj_id=new.id,
        previous=old.id,
        slot=slot.code,
    )
    messages.booking_moved(old, new, token)
    db.session.flush()
    return new


def delete_my_data(participant: Participant, *, token: str | None = None) -> None:
    """The right to erasure: cancel future places (freeing seats), then anonymise.

    Past bookings and attendance stay as anonymous rows for the yearly counts.
    No message is sent: the address is gone. Raises ``BookingError("already_deleted")``
    when another request erased the person first (two clicks, two tabs).

    Locks, in the order every other change takes them: the person's groups (in code
    order), then the person's row; then everything is read again, and a seat is
    freed only for an enrollment this call really moved from confirmed to cancelled.
    """
    from ..notify.services import forget_messages
    from .participants import anonymise

    participant_id = participant.id
    lock = locking_enabled()
    start(lock)
    codes = db.session.scalars(
        select(Cohort.code)
        .join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(
            Enrollment.participant_id == participant_id,
            Enrollment.status.in_(("confirmed", "offered", "waitlisted")),
        )
        .distinct()
    )
    cohorts = {code: lock_cohort(code, lock) for code in sorted(codes)}
    person = _lock_participant(participant_id, lock)
    if person is None or person.anonymised_at is not None:
        raise BookingError("already_deleted")
    at = now()
    for booking in _live_rows(Booking, participant_id, ("confirmed",)):
        if booking.slot.start_at > at:
            booking.status = "cancelled"
            booking.cancelled_at = at
            withdraw_reminders(f"reminder:booking:{booking.id}:")
    db.session.flush()
    for enrollment in _live_rows(
        Enrollment, participant_id, ("confirmed", "offered", "waitlisted")
    ):
        code = enrollment.cohort.code
        if code not in cohorts:  # joined since the first read: lock it too
            cohorts[code] = lock_cohort(code, lock)
        # the status changes only if nobody changed it since the read above
        changed = db.session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment.id, Enrollment.status == enrollment.status)
            .values(status="cancelled", cancelled_at=at)
            .execution_options(synchronize_session=False)
        )
        # an offer holds its seat as a place does
        was_confirmed = enrollment.status in ("confirmed", "offered")
        db.session.expire(enrollment, ["status", "cancelled_at"])
        if changed.rowcount != 1 or not was_confirmed:
            continue
        cohort = cohorts[code]
        db.session.execute(
            update(Cohort)
            .where(Cohort.id == cohort.id, Cohort.seats_taken > 0)
            .values(seats_taken=Cohort.seats_taken - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(cohort, ["seats_taken"])
        withdraw_enrollment_reminders(enrollment)
        promote_waitlisted(cohort)
    # the messages already sent or queued hold the name and dates: they go too
    # (not those of a relative who shares the address)
    forget_messages(f"participant:{participant_id}", [person.email, person.phone])
    anonymise(person)
    audit("participant.delete", obj_type="participant", obj_id=participant_id)
    db.session.flush()


def _lock_participant(participant_id: int, lock: bool) -> Participant | None:
    """The person's row read again, locked on PostgreSQL (SQLite holds the write lock)."""
    query = select(Participant).where(Participant.id == participant_id)
    if lock and not is_sqlite():
        query = query.with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _live_rows(model, participant_id: int, statuses: tuple[str, ...]) -> list:
    """The person's bookings or enrollments in ``statuses``, read again from the database."""
    return list(
        db.session.scalars(
            select(model)
            .where(model.participant_id == participant_id, model.status.in_(statuses))
            .order_by(model.id)
            .execution_options(populate_existing=True)
        )
    )
