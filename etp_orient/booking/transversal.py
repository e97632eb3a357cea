"""Transversal ateliers (tabac, stress…) offered across programmes, and the clash check.

A transversal atelier is run as a cohort whose sessions are all transversal workshops
(the demo's "tabac" programme). Its open groups are offered on the manage page of the
participants of any programme run by the same structure, or by a structure that co-runs
it. Joining one uses its capacity and waiting list like any group, and, as every join
from the manage page, first checks the person's own dates: a session that overlaps one
of their group sessions or appointments is refused, and the refusal names the clash.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select

from ..catalogue.models import Workshop, programme_structures
from ..core.clock import now
from ..extensions import db
from .models import Booking, Cohort, Enrollment, GroupSession, Participant, Slot


@dataclass(frozen=True)
class Clash:
    """The first date of the person's that a new group would overlap."""

    start: datetime
    timezone: str
    # "group": one of their group sessions; "appointment": one of their appointments
    kind: str


def _live_programme_ids(participant: Participant) -> set[int]:
    ids = {b.slot.programme_id for b in participant.bookings if b.status == "confirmed"}
    ids |= {e.cohort.programme_id for e in participant.enrollments if e.status != "cancelled"}
    return ids


def offered_cohorts(participant: Participant) -> list[Cohort]:
    """Open groups of transversal ateliers for this person (see the module's docstring)."""
    from .cohorts import registration_open

    programme_ids = _live_programme_ids(participant)
    if not programme_ids:
        return []
    structures = select(programme_structures.c.structure_id).where(
        programme_structures.c.programme_id.in_(programme_ids)
    )
    runs_there = (
        select(programme_structures.c.programme_id)
        .where(programme_structures.c.structure_id.in_(structures))
        .scalar_subquery()
    )
    transversal = exists().where(
        GroupSession.cohort_id == Cohort.id,
        GroupSession.workshop_id == Workshop.id,
        Workshop.transversal.is_(True),
    )
    other = exists().where(
        GroupSession.cohort_id == Cohort.id,
        GroupSession.workshop_id == Workshop.id,
        Workshop.transversal.is_(False),
    )
    mine = {e.cohort_id for e in participant.enrollments if e.status != "cancelled"}
    cohorts = db.session.scalars(
        select(Cohort)
        .where(
            Cohort.status == "open",
            Cohort.programme_id.in_(runs_there),
            transversal,
            ~other,
        )
        .order_by(Cohort.id)
    )
    return [c for c in cohorts if c.id not in mine and registration_open(c)]


def first_clash(participant_id: int, cohort: Cohort) -> Clash | None:
    """The first of the person's dates that a session of ``cohort`` overlaps, or None.

    Their dates: the sessions of their other groups (a place, not the waiting list)
    and their booked appointments, still to come.
    """
    at = now()
    wanted = [s for s in cohort.sessions if s.status != "cancelled" and s.end_at > at]
    if not wanted:
        return None
    theirs: list[tuple[datetime, datetime, str, str]] = []
    sessions = db.session.execute(
        select(GroupSession.start_at, GroupSession.end_at, GroupSession.timezone)
        .join(
            Enrollment,
            and_(
                Enrollment.cohort_id == GroupSession.cohort_id,
                Enrollment.participant_id == participant_id,
            ),
        )
        .where(
            Enrollment.status.in_(("confirmed", "completed")),
            Enrollment.cohort_id != cohort.id,
            GroupSession.status != "cancelled",
            GroupSession.end_at > at,
        )
    )
    theirs += [(s, e, tz, "group") for s, e, tz in sessions]
    slots = db.session.execute(
        select(Slot.start_at, Slot.end_at, Slot.timezone)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(
            Booking.participant_id == participant_id,
            Booking.status == "confirmed",
            Slot.end_at > at,
        )
    )
    theirs += [(s, e, tz, "appointment") for s, e, tz in slots]
    clashes = [
        (start, tz, kind)
        for start, end, tz, kind in theirs
        for session in wanted
        if session.start_at < end and start < session.end_at
    ]
    if not clashes:
        return None
    start, tz, kind = min(clashes)
    return Clash(start, tz, kind)
