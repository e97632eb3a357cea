"""What a programme has to offer next: open BEP slots and cohorts with places.

Shared by the programme page and ``GET /api/v1/programmes/<code>``.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..booking.models import Booking, Cohort, Enrollment, GroupSession, Slot
from ..catalogue.models import Programme
from ..extensions import db


@dataclass(frozen=True)
class CohortInfo:
    cohort: Cohort
    start: datetime | None
    sessions: int
    waitlist_length: int
    registration_open: bool

    @property
    def seats_left(self) -> int:
        return max(0, self.cohort.capacity - self.cohort.seats_taken)


def open_bep_slots(programme: Programme, at: datetime, limit: int = 20) -> list[Slot]:
    """The programme's next open BEP slots: status open, after ``at``, not booked."""
    booked = (
        select(Booking.id).where(Booking.slot_id == Slot.id, Booking.status == "confirmed").exists()
    )
    return list(
        db.session.scalars(
            select(Slot)
            .where(
                Slot.programme_id == programme.id,
                Slot.kind == "bep",
                Slot.status == "open",
                Slot.start_at > at,
                ~booked,
            )
            .order_by(Slot.start_at, Slot.id)
            .limit(limit)
            .options(joinedload(Slot.site))
        )
    )


def upcoming_cohorts(programme: Programme, at: datetime, limit: int = 10) -> list[CohortInfo]:
    """The programme's open cohorts whose last session is still to come, soonest first,
    with their first date, seats left, waiting list and whether one can still join."""
    first = (
        select(func.min(GroupSession.start_at))
        .where(GroupSession.cohort_id == Cohort.id, GroupSession.status != "cancelled")
        .scalar_subquery()
    )
    last = (
        select(func.max(GroupSession.end_at))
        .where(GroupSession.cohort_id == Cohort.id, GroupSession.status != "cancelled")
        .scalar_subquery()
    )
    count = (
        select(func.count(GroupSession.id))
        .where(GroupSession.cohort_id == Cohort.id, GroupSession.status != "cancelled")
        .scalar_subquery()
    )
    waiting = (
        select(func.count(Enrollment.id))
        .where(Enrollment.cohort_id == Cohort.id, Enrollment.status == "waitlisted")
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Cohort, first, last, count, waiting)
        .where(Cohort.programme_id == programme.id, Cohort.status == "open", last > at)
        .order_by(first, Cohort.code)
        .limit(limit)
        .options(joinedload(Cohort.site))
    ).all()
    infos = []
    for cohort, start, _end, sessions, waitlist in rows:
        closes = cohort.registration_closes_at or start
        infos.append(
            CohortInfo(
                cohort=cohort,
                start=start,
                sessions=sessions or 0,
                waitlist_length=waitlist or 0,
                registration_open=closes is not None and closes > at,
            )
        )
    return infos
