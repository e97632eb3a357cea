"""A person's path in a programme: BEP → group and its ateliers → final assessment → follow-up.

The path is computed from the records, never typed: the BEP and its outcome, the
person's group and attendance, the final and follow-up bookings. It tells the
manage page what each step is and which can be acted on, and it decides when the
final assessment and the follow-up open:

- the final assessment opens once the last session of the person's group has
  started; for a programme run without groups, once the BEP was held;
- the follow-up opens five months after the final assessment, and six months
  after it one message invites the person to book it (``queue_followup_invitations``).

Final and follow-up slots are booked here, from the manage link only; ``/rdv/<code>``
is for BEP slots.
"""

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..catalogue.models import Programme
from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from . import messages
from .models import Attendance, Booking, Cohort, Enrollment, GroupSession, Participant, Slot
from .participants import touch
from .rules import BookingError, is_sqlite, locking_enabled, start

# months after the final assessment when the follow-up can be booked, and when we invite
FOLLOWUP_OPENS_MONTHS = 5
FOLLOWUP_INVITE_MONTHS = 6
PATH_KINDS = ("final", "followup")


def add_months(at: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


@dataclass
class Path:
    """One programme's path for one person (see the module's docstring)."""

    programme: Programme
    bep: Booking | None = None
    enrollment: Enrollment | None = None
    # the group's sessions to come and past, with the person's attendance (or None)
    sessions: list[tuple[GroupSession, str | None]] = field(default_factory=list)
    final: Booking | None = None
    followup: Booking | None = None
    # whether the programme runs groups at all (else the final opens after the BEP)
    has_groups: bool = True

    @property
    def bep_held(self) -> bool:
        return self.bep is not None and self.bep.outcome == "held"

    @property
    def plan(self) -> set[str] | None:
        """The workshop codes agreed at the BEP, or None when no plan was recorded."""
        if self.bep is None or not self.bep.plan:
            return None
        return set(self.bep.plan.get("workshops", []))

    @property
    def in_group(self) -> bool:
        return self.enrollment is not None and self.enrollment.status in ("confirmed", "completed")

    @property
    def final_opens_at(self) -> datetime | None:
        """When the final assessment can be booked; None while it cannot be known."""
        if self.in_group:
            starts = [s.start_at for s, _ in self.sessions if s.status != "cancelled"]
            return max(starts) if starts else None
        if not self.has_groups and self.bep_held:
            return self.bep.slot.start_at
        return None

    @property
    def final_open(self) -> bool:
        opens = self.final_opens_at
        return self.final is None and opens is not None and opens <= now()

    @property
    def followup_opens_at(self) -> datetime | None:
        if self.final is None or self.final.outcome == "no_show":
            return None
        return add_months(self.final.slot.start_at, FOLLOWUP_OPENS_MONTHS)

    @property
    def followup_open(self) -> bool:
        opens = self.followup_opens_at
        return self.followup is None and opens is not None and opens <= now()

    @property
    def next_session(self) -> GroupSession | None:
        """The group's next session still to start, if any."""
        at = now()
        coming = [s for s, _ in self.sessions if s.status != "cancelled" and s.start_at > at]
        return min(coming, key=lambda s: s.start_at) if coming else None

    @property
    def attended(self) -> int:
        return sum(1 for _, status in self.sessions if status == "present")


def _live(booking: Booking) -> bool:
    return booking.status == "confirmed"


def paths(participant: Participant) -> list[Path]:
    """The path of every programme the person has a live booking or group place in."""
    by_programme: dict[int, Path] = {}

    def path_of(programme: Programme) -> Path:
        if programme.id not in by_programme:
            by_programme[programme.id] = Path(programme)
        return by_programme[programme.id]

    for booking in sorted(participant.bookings, key=lambda b: b.slot.start_at):
        if not _live(booking):
            continue
        path = path_of(booking.slot.programme)
        setattr(path, booking.slot.kind, booking)  # the latest live one of each kind
    for enrollment in sorted(participant.enrollments, key=lambda e: e.id):
        if enrollment.status == "cancelled":
            continue
        path_of(enrollment.cohort.programme).enrollment = enrollment
    if not by_programme:
        return []
    with_groups = set(
        db.session.scalars(
            select(Cohort.programme_id)
            .where(Cohort.programme_id.in_(list(by_programme)))
            .group_by(Cohort.programme_id)
        )
    )
    marked = {
        session_id: status
        for session_id, status in db.session.execute(
            select(Attendance.session_id, Attendance.status).where(
                Attendance.participant_id == participant.id
            )
        )
    }
    for path in by_programme.values():
        path.has_groups = path.programme.id in with_groups
        if path.enrollment is not None:
            path.sessions = [
                (s, marked.get(s.id))
                for s in path.enrollment.cohort.sessions
                if s.status != "cancelled"
            ]
    return sorted(by_programme.values(), key=lambda p: p.programme.display_title)


def path_for(participant: Participant, programme_id: int) -> Path | None:
    return next((p for p in paths(participant) if p.programme.id == programme_id), None)


def bookable_slots(path: Path, kind: str, limit: int = 60) -> list[Slot]:
    """The free ``final`` or ``followup`` slots the person may choose from now."""
    from .services import free_slots

    if kind == "final" and not path.final_open:
        return []
    if kind == "followup" and not path.followup_open:
        return []
    return free_slots(path.programme.id, kind=kind, limit=limit)


def book_path_slot(
    participant: Participant, slot_code: str, kind: str, *, token: str | None = None
) -> Booking:
    """Book a final assessment or a follow-up slot from the manage link.

    Raises :class:`BookingError`: ``slot_unavailable`` (unknown, of another kind,
    cancelled, past, of an unpublished programme), ``not_open`` (the step has not
    opened, or the person is not in the programme), ``already_booked`` (one live
    booking of each kind per programme), ``slot_taken``.
    """
    from .services import _insert_booking, _lock_slot, slot_bookable

    lock = locking_enabled()
    start(lock)
    # the person's row first: two requests of one person for two slots queue here
    query = select(Participant).where(Participant.id == participant.id)
    if lock and not is_sqlite():
        query = query.with_for_update()
    person = db.session.scalar(query.execution_options(populate_existing=True))
    slot = _lock_slot(slot_code, lock)
    if (
        slot is None
        or slot.kind != kind
        or slot.status != "open"
        or slot.start_at <= now()
        or slot.programme.status != "published"
    ):
        raise BookingError("slot_unavailable")
    db.session.expire(person, ["bookings", "enrollments"])
    path = path_for(person, slot.programme_id)
    if path is None:
        raise BookingError("not_open")
    if getattr(path, kind) is not None:
        raise BookingError("already_booked")
    if not (path.final_open if kind == "final" else path.followup_open):
        raise BookingError("not_open")
    if not slot_bookable(slot):
        raise BookingError("slot_taken")
    booking = Booking(
        participant_id=person.id,
        slot_id=slot.id,
        status="confirmed",
        oriented_by=path.bep.oriented_by if path.bep else None,
    )
    _insert_booking(booking)
    touch(person)
    audit("booking.create", obj_type="booking", obj_id=booking.id, slot=slot.code, kind=kind)
    messages.booking_confirmed(booking, token)
    db.session.flush()
    return booking


def queue_followup_invitations(at: datetime) -> int:
    """Six months after a final assessment, invite the person to book their follow-up.

    Once per final assessment (the outbox's dedupe key), only when it was not a
    no-show, no follow-up is booked in the programme, the person still has their
    data and did not leave the programme (their last group place not cancelled).
    Returns how many were queued; flushes only.
    """
    from ..notify.services import queue_for_person
    from .messages import base_url, manage_url

    finals = db.session.scalars(
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.status == "confirmed",
            Booking.followup_invited_at.is_(None),
            Slot.kind == "final",
            func.coalesce(Booking.outcome, "held") == "held",
            # six months are at least 181 days: the exact date is checked below
            Slot.start_at <= at - timedelta(days=181),
        )
    ).all()
    queued = 0
    for final in finals:
        if add_months(final.slot.start_at, FOLLOWUP_INVITE_MONTHS) > at:
            continue
        person = final.participant
        if person.anonymised_at is not None or not (person.email or person.phone):
            continue
        path = path_for(person, final.slot.programme_id)
        if path is None or path.followup is not None:
            continue
        left = [e for e in person.enrollments if e.cohort.programme_id == final.slot.programme_id]
        if left and all(e.status == "cancelled" for e in left):
            continue
        message = queue_for_person(
            email=person.email,
            phone=person.phone,
            template="followup_invitation",
            language=person.language,
            context={
                "first_name": person.first_name,
                "relink_url": manage_url(None),
                "contact_phone": final.slot.programme.contact_phone,
                "site_url": base_url(),
            },
            dedupe_key=f"followup-invitation:{final.id}",
            sms_dedupe_key=f"sms:followup-invitation:{final.id}",
            owner=f"participant:{person.id}",
        )
        # recorded on the booking: the outbox forgets its messages after a while
        final.followup_invited_at = at
        if message is not None:
            queued += 1
    db.session.flush()
    return queued
