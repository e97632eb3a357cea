"""The back-office calendar: sessions and individual slots of a week or a month.

Filtered by structure, site or facilitator, always within the programmes the
user sees. Days are cut in the calendar's time zone (Europe/Paris unless the
filtered site has its own); each entry shows its own local time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..booking.models import (
    Booking,
    Cohort,
    Facilitator,
    GroupSession,
    Participant,
    Slot,
    slot_held_by,
)
from ..catalogue.models import Site, Structure, programme_structures
from ..extensions import db
from .scope import programme_ids_query


@dataclass
class Entry:
    start: datetime  # local
    end: datetime
    kind: str  # "session" or "slot"
    title: str
    place: str
    status: str
    link_code: str  # cohort code for a session, programme code for a slot
    detail: str
    # who booked the slot, for staff who may see the people of its programme
    person: Participant | None = None


@dataclass
class Filters:
    structure: Structure | None = None
    site: Site | None = None
    facilitator: User | None = None


def bounds(view: str, day: date) -> tuple[date, date]:
    """First and last+1 day of the week (Monday) or month containing ``day``."""
    if view == "mois":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def entries(user: User, first: date, last: date, filters: Filters, tz: str) -> list[Entry]:
    """Every session and slot between ``first`` and ``last`` (exclusive), in time order."""
    zone = ZoneInfo(tz)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    ids = programme_ids_query(user)
    if filters.structure is not None:
        ids = select(programme_structures.c.programme_id).where(
            programme_structures.c.structure_id == filters.structure.id,
            programme_structures.c.programme_id.in_(ids),
        )
    sessions = (
        select(GroupSession)
        .join(Cohort, Cohort.id == GroupSession.cohort_id)
        .where(
            Cohort.programme_id.in_(ids),
            GroupSession.start_at >= start,
            GroupSession.start_at < end,
        )
    )
    slots = select(Slot).where(
        Slot.programme_id.in_(ids), Slot.start_at >= start, Slot.start_at < end
    )
    if filters.site is not None:
        sessions = sessions.where(
            or_(
                GroupSession.site_id == filters.site.id,
                (GroupSession.site_id.is_(None)) & (Cohort.site_id == filters.site.id),
            )
        )
        slots = slots.where(Slot.site_id == filters.site.id)
    if filters.facilitator is not None:
        uid = filters.facilitator.id
        by_cohort = select(Facilitator.cohort_id).where(Facilitator.user_id == uid)
        by_session = select(Facilitator.session_id).where(Facilitator.user_id == uid)
        sessions = sessions.where(
            or_(GroupSession.cohort_id.in_(by_cohort), GroupSession.id.in_(by_session))
        )
        slots = slots.where(slot_held_by(uid))
    found: list[Entry] = []
    for s in db.session.scalars(
        sessions.options(selectinload(GroupSession.workshop), selectinload(GroupSession.cohort))
    ):
        site = s.site or s.cohort.site
        found.append(
            Entry(
                s.local_start,
                s.local_end,
                "session",
                s.workshop.title,
                ", ".join(p for p in ((site.name if site else _("vidéo")), s.room) if p),
                s.status,
                s.cohort.code,
                f"{s.cohort.seats_taken}/{s.cohort.capacity}",
            )
        )
    # Only the bookings of the slots shown, not every booking of the territory.
    booked = {
        b.slot_id: b.participant
        for b in db.session.scalars(
            select(Booking)
            .where(
                Booking.status == "confirmed",
                Booking.slot_id.in_(slots.with_only_columns(Slot.id)),
            )
            .options(selectinload(Booking.participant))
        )
    }
    # The person is named to the programme's coordinators (and admins) and to the
    # professional who receives them, as on the planning; others read "réservé".
    managed = set(db.session.scalars(programme_ids_query(user, "manage")))
    held = set(db.session.scalars(slots.where(slot_held_by(user.id)).with_only_columns(Slot.id)))
    for slot in db.session.scalars(
        slots.options(selectinload(Slot.site), selectinload(Slot.programme))
    ):
        found.append(
            Entry(
                slot.local_start,
                slot.local_end,
                "slot",
                slot.programme.display_title,
                slot.site.name
                if slot.site
                else (_("téléphone") if slot.remote == "phone" else _("vidéo")),
                "cancelled"
                if slot.status == "cancelled"
                else ("booked" if slot.id in booked else "free"),
                slot.programme.code,
                slot.kind,
                booked.get(slot.id) if slot.programme_id in managed or slot.id in held else None,
            )
        )
    found.sort(key=lambda e: e.start.astimezone(UTC))
    return found


def by_day(items: list[Entry], first: date, last: date) -> list[tuple[date, list[Entry]]]:
    days = []
    day = first
    while day < last:
        days.append((day, [e for e in items if e.start.date() == day]))
        day += timedelta(days=1)
    return days
