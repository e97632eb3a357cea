"""Transversal ateliers (tabac, stress…) offered across programmes, and the clash check.

A transversal atelier is run as a cohort whose sessions are all transversal workshops
(the demo's "tabac" programme). Its open groups are offered on the manage page of the
participants of any programme run by the same structure, or by a structure that co-runs
it. Joining one uses its capacity and waiting list like any group, and, as every join
from the manage page, first checks the person's own dates: a session that overlaps one
of their group sessions or appointments is refused, and the refusal names the clash.

The plan agreed at a BEP may say which of these ateliers were proposed to the person
(``booking.plan["transversal"]``, keys from ``plan_key``). Once every programme the
person follows has such a plan, only the proposed ateliers are offered; before that,
all are offered, the proposed ones first and marked.
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


def plan_key(workshop: Workshop) -> str:
    """How a BEP plan names a transversal workshop: ``<programme code>/<workshop code>``."""
    return f"{workshop.programme.code}/{workshop.code}"


def transversal_choices(programme) -> list[Workshop]:
    """The transversal workshops a BEP of ``programme`` may propose.

    Those of the other programmes run by the structures that run ``programme``
    (a transversal workshop of the programme itself is one of its own workshops).
    """
    structure_ids = [s.id for s in programme.structures]
    if not structure_ids:
        return []
    runs_there = select(programme_structures.c.programme_id).where(
        programme_structures.c.structure_id.in_(structure_ids)
    )
    return list(
        db.session.scalars(
            select(Workshop)
            .where(
                Workshop.transversal.is_(True),
                Workshop.programme_id.in_(runs_there),
                Workshop.programme_id != programme.id,
            )
            .order_by(Workshop.programme_id, Workshop.position, Workshop.id)
        )
    )


def proposals(participant: Participant) -> tuple[set[str], bool]:
    """The transversal ateliers proposed at the person's BEPs, and whether only those count.

    Only those count once every programme the person follows has a held BEP whose plan
    recorded its proposals (see the module's docstring).
    """
    proposed: set[str] = set()
    planned: set[int] = set()
    for booking in participant.bookings:
        if booking.status != "confirmed" or booking.slot.kind != "bep":
            continue
        plan = booking.plan or {}
        if booking.outcome == "held" and "transversal" in plan:
            proposed |= set(plan["transversal"])
            planned.add(booking.slot.programme_id)
    live = _live_programme_ids(participant)
    # the transversal ateliers' own programmes are no path of their own
    own = {
        e.cohort.programme_id
        for e in participant.enrollments
        if e.status != "cancelled" and _all_transversal(e.cohort)
    }
    return proposed, bool(planned) and live - own <= planned


def _all_transversal(cohort: Cohort) -> bool:
    workshops = [s.workshop for s in cohort.sessions if s.workshop is not None]
    return bool(workshops) and all(w.transversal for w in workshops)


def cohort_keys(cohort: Cohort) -> set[str]:
    return {plan_key(s.workshop) for s in cohort.sessions if s.workshop is not None}


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
    offered = [c for c in cohorts if c.id not in mine and registration_open(c)]
    proposed, only_proposed = proposals(participant)
    if only_proposed:
        return [c for c in offered if cohort_keys(c) & proposed]
    # the proposed ones first, the others in their order
    return sorted(offered, key=lambda c: not (cohort_keys(c) & proposed))


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
