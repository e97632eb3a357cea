"""The day's (or week's) planning: who is expected, with how to reach them.

Booked BEP, final and follow-up appointments and group sessions, in time order,
each with its people: name, phone, e-mail, language, needs and how they came.
Days are cut in each item's own time zone (its site's). Coordinators and admins
of a structure see all of its programmes; an educator sees only what they run
(sessions they facilitate, slots they hold). A bounded number of statements,
whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..booking.labels import cohort_label
from ..booking.models import (
    Booking,
    Cohort,
    Enrollment,
    Facilitator,
    GroupSession,
    Slot,
    slot_held_by,
)
from ..catalogue.models import Workshop
from ..core.clock import now
from ..extensions import db
from ..orientation.models import Referral
from .calendar import by_day  # noqa: F401  (the planning's days, as the calendar's)
from .scope import programme_ids_query

DEFAULT_TZ = "Europe/Paris"
# a day in any time zone lies within these hours of UTC midnight
_MARGIN = timedelta(hours=15)


@dataclass
class Person:
    participant: object  # booking.models.Participant
    # "self", "professional", "hospital_stay", "hospital_consultation", "coordinator"
    came: str = "self"
    referrer: User | None = None
    outcome: str | None = None  # for a past appointment: held or no_show


@dataclass
class Item:
    start: datetime  # local
    end: datetime
    kind: str  # "bep", "final", "followup" or "session"
    title: str  # the workshop's title, or the programme's
    programme_title: str
    place: str
    link_code: str  # programme code
    cohort_code: str | None = None  # the group's, for a group session
    people: list[Person] = field(default_factory=list)
    session_code: str | None = None
    remote: str | None = None  # "phone" or "video" when there is no place
    group: str | None = None  # the group's readable name ("Groupe du mardi 6 janvier – Lens")
    # who runs it or receives the person: (name, profession code or None)
    team: list[tuple[str, str | None]] = field(default_factory=list)


def today() -> date:
    """Today in the back office's default time zone, from the injected clock."""
    return now().astimezone(ZoneInfo(DEFAULT_TZ)).date()


def window(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants that hold every local day from ``first`` to ``last`` (exclusive)."""
    low = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - _MARGIN
    high = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + _MARGIN
    return low, high


def _visible_sessions(user: User):
    """Where-clause: sessions of managed programmes, or run by the user in read-only ones."""
    programme = func.coalesce(Cohort.programme_id, Workshop.programme_id)
    runs = or_(
        GroupSession.cohort_id.in_(
            select(Facilitator.cohort_id).where(
                Facilitator.user_id == user.id, Facilitator.cohort_id.is_not(None)
            )
        ),
        GroupSession.id.in_(
            select(Facilitator.session_id).where(
                Facilitator.user_id == user.id, Facilitator.session_id.is_not(None)
            )
        ),
    )
    return or_(
        programme.in_(programme_ids_query(user, "manage")),
        and_(programme.in_(programme_ids_query(user, "read")), runs),
    )


def _visible_slots(user: User):
    return or_(
        Slot.programme_id.in_(programme_ids_query(user, "manage")),
        and_(
            Slot.programme_id.in_(programme_ids_query(user, "read")),
            slot_held_by(user.id),
        ),
    )


def _place(site, room=None) -> str:
    """The site and room; empty for a remote appointment or session (the page says how)."""
    if site is None:
        return ""
    return ", ".join(p for p in (site.name, room) if p)


def items(user: User, first: date, last: date) -> list[Item]:
    """Every expected appointment and group session from ``first`` to ``last`` (exclusive)."""
    low, high = window(first, last)
    bookings = db.session.scalars(
        select(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.status == "confirmed",
            Slot.status != "cancelled",
            Slot.start_at >= low,
            Slot.start_at < high,
            _visible_slots(user),
        )
        .options(
            joinedload(Booking.participant),
            joinedload(Booking.slot).joinedload(Slot.site),
            joinedload(Booking.slot).joinedload(Slot.programme),
            joinedload(Booking.slot).selectinload(Slot.facilitators),
        )
    ).all()
    sessions = db.session.scalars(
        select(GroupSession)
        .outerjoin(Cohort, Cohort.id == GroupSession.cohort_id)
        .join(Workshop, Workshop.id == GroupSession.workshop_id)
        .where(
            GroupSession.status != "cancelled",
            GroupSession.start_at >= low,
            GroupSession.start_at < high,
            _visible_sessions(user),
        )
        .options(
            joinedload(GroupSession.workshop).joinedload(Workshop.programme),
            joinedload(GroupSession.site),
            joinedload(GroupSession.cohort).joinedload(Cohort.site),
            joinedload(GroupSession.cohort).joinedload(Cohort.programme),
            selectinload(GroupSession.facilitators),
            joinedload(GroupSession.cohort).selectinload(Cohort.facilitators),
            joinedload(GroupSession.cohort).selectinload(Cohort.sessions),
        )
    ).all()
    bookings = [b for b in bookings if first <= b.slot.local_start.date() < last]
    sessions = [s for s in sessions if first <= s.local_start.date() < last]
    cohort_ids = {s.cohort_id for s in sessions if s.cohort_id}
    enrolled: dict[int, list[Enrollment]] = {}
    if cohort_ids:
        for e in db.session.scalars(
            select(Enrollment)
            .where(
                Enrollment.cohort_id.in_(cohort_ids),
                Enrollment.status.in_(("confirmed", "completed")),
            )
            .options(joinedload(Enrollment.participant))
        ):
            enrolled.setdefault(e.cohort_id, []).append(e)
    referrals = _referrals(bookings, enrolled)
    found: list[Item] = []
    for b in bookings:
        slot = b.slot
        person = _person(b.participant, slot.programme_id, referrals, b)
        person.outcome = b.outcome
        found.append(
            Item(
                slot.local_start,
                slot.local_end,
                slot.kind,
                slot.programme.display_title,
                slot.programme.display_title,
                _place(slot.site),
                slot.programme.code,
                None,
                [person],
                remote=slot.remote,
                team=[(f.name, f.profession) for f in slot.facilitators]
                or ([(slot.professional, None)] if slot.professional else []),
            )
        )
    for s in sessions:
        cohort = s.cohort
        programme = cohort.programme if cohort else s.workshop.programme
        people = sorted(
            (
                _person(e.participant, programme.id, referrals)
                for e in enrolled.get(s.cohort_id, [])
            ),
            key=lambda p: (p.participant.last_name.lower(), p.participant.first_name.lower()),
        )
        found.append(
            Item(
                s.local_start,
                s.local_end,
                "session",
                s.workshop.title,
                programme.display_title,
                _place(s.site or (cohort.site if cohort else None), s.room),
                programme.code,
                cohort.code if cohort else None,
                people,
                s.code,
                remote=None if (s.site or (cohort and cohort.site)) else "video",
                group=cohort_label(cohort) if cohort else None,
                team=[
                    (f.name, f.profession)
                    for f in list(cohort.facilitators if cohort else []) + list(s.facilitators)
                ],
            )
        )
    found.sort(key=lambda i: (i.start.astimezone(UTC), i.title))
    return found


def _referrals(bookings, enrolled) -> dict:
    """Referrals by id and by (participant, programme), with their referrers: one statement."""
    by_id = {b.referral_id for b in bookings if b.referral_id}
    people = {b.participant_id for b in bookings}
    for rows in enrolled.values():
        people.update(e.participant_id for e in rows)
    if not by_id and not people:
        return {}
    found: dict = {}
    rows = db.session.execute(
        select(Referral, User)
        .outerjoin(User, User.id == Referral.referrer_user_id)
        .where(
            or_(
                Referral.id.in_(by_id) if by_id else false(),
                Referral.participant_id.in_(people) if people else false(),
            )
        )
        .order_by(Referral.id)
    ).all()
    for referral, referrer in rows:
        found[referral.id] = (referral, referrer)
        if referral.participant_id:
            found[(referral.participant_id, referral.programme_id)] = (referral, referrer)
    return found


def _person(participant, programme_id: int, referrals: dict, booking=None) -> Person:
    """How the person came: their referral (and who made it), else the booking's record."""
    hit = None
    if booking is not None and booking.referral_id:
        hit = referrals.get(booking.referral_id)
    hit = hit or referrals.get((participant.id, programme_id))
    if hit:
        referral, referrer = hit
        return Person(participant, referral.referrer_kind, referrer)
    came = booking.oriented_by if booking is not None and booking.oriented_by else "self"
    return Person(participant, came)
