"""What the dashboard shows: the coming week's sessions, fill rates, waiting lists, referrals."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..booking.models import Booking, Cohort, Enrollment, GroupSession, Slot
from ..catalogue.models import Programme
from ..core.clock import now
from ..extensions import db
from ..orientation.models import Referral
from .scope import programme_ids_query


@dataclass
class CohortLine:
    cohort: Cohort
    waitlisted: int

    @property
    def fill_rate(self) -> int:
        return int(100 * self.cohort.seats_taken / self.cohort.capacity + 0.5)


def week_sessions(user: User, days: int = 7) -> list[GroupSession]:
    """Sessions (not cancelled) starting in the next ``days`` days, in the user's programmes."""
    start = now()
    ids = programme_ids_query(user)
    return list(
        db.session.scalars(
            select(GroupSession)
            .join(Cohort, GroupSession.cohort_id == Cohort.id)
            .where(
                Cohort.programme_id.in_(ids),
                GroupSession.start_at >= start,
                GroupSession.start_at < start + timedelta(days=days),
                GroupSession.status != "cancelled",
            )
            .options(selectinload(GroupSession.cohort), selectinload(GroupSession.workshop))
            .order_by(GroupSession.start_at)
        )
    )


def open_cohorts(user: User) -> list[CohortLine]:
    """Open cohorts whose last session is still ahead, with their waiting lists."""
    ids = programme_ids_query(user)
    last = (
        select(GroupSession.cohort_id, func.max(GroupSession.start_at).label("last"))
        .group_by(GroupSession.cohort_id)
        .subquery()
    )
    waiting = (
        select(Enrollment.cohort_id, func.count().label("n"))
        .where(Enrollment.status == "waitlisted")
        .group_by(Enrollment.cohort_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Cohort, func.coalesce(waiting.c.n, 0))
        .outerjoin(last, last.c.cohort_id == Cohort.id)
        .outerjoin(waiting, waiting.c.cohort_id == Cohort.id)
        .where(
            Cohort.programme_id.in_(ids),
            Cohort.status == "open",
            (last.c.last.is_(None)) | (last.c.last >= now()),
        )
        .options(selectinload(Cohort.programme))  # the page names each cohort's programme
        .order_by(Cohort.code)
    ).all()
    return [CohortLine(cohort, n) for cohort, n in rows]


def unused_referrals(user: User) -> list[tuple[Programme, int]]:
    """Per programme, referrals issued and still valid but not used yet."""
    ids = programme_ids_query(user)
    rows = db.session.execute(
        select(Programme, func.count(Referral.id))
        .join(Referral, Referral.programme_id == Programme.id)
        .where(
            Programme.id.in_(ids),
            Referral.status == "issued",
            Referral.expires_at > now(),
        )
        .group_by(Programme.id)
        .order_by(Programme.code)
    ).all()
    return [(p, n) for p, n in rows]


def open_bep_slots(user: User, days: int = 28) -> int:
    """How many BEP slots are free in the coming weeks."""
    ids = programme_ids_query(user)
    start = now()
    booked = select(Booking.slot_id).where(Booking.status == "confirmed")
    return (
        db.session.scalar(
            select(func.count(Slot.id)).where(
                Slot.programme_id.in_(ids),
                Slot.kind == "bep",
                Slot.status == "open",
                Slot.start_at >= start,
                Slot.start_at < start + timedelta(days=days),
                Slot.id.not_in(booked),
            )
        )
        or 0
    )
