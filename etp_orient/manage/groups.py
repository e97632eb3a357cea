"""A cohort's people: the list, the waiting list, attendance and completion.

Joining and leaving go through the booking services (``booking.cohorts``), so
capacity, the waiting list and the messages follow the same rules as online.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..booking.cohorts import join_cohort, with_bep
from ..booking.models import Attendance, Booking, Cohort, Enrollment, GroupSession, Slot
from ..booking.participants import ParticipantData
from ..core.clock import now
from ..core.models import audit
from ..extensions import db

STATUSES = ("present", "absent", "excused")


class GroupError(ValueError):
    pass


def enrollments(cohort: Cohort, status: str) -> list[Enrollment]:
    query = (
        select(Enrollment)
        .where(Enrollment.cohort_id == cohort.id)
        .options(selectinload(Enrollment.participant))  # every row names its person
    )
    if status == "waitlisted":
        query = query.where(Enrollment.status == "waitlisted").order_by(
            Enrollment.waitlist_rank, Enrollment.id
        )
    elif status == "offered":  # places offered from the waiting list, soonest deadline first
        query = query.where(Enrollment.status == "offered").order_by(
            Enrollment.offer_expires_at, Enrollment.id
        )
    else:
        query = query.where(Enrollment.status.in_(("confirmed", "completed"))).order_by(
            Enrollment.id
        )
    return list(db.session.scalars(query))


def without_bep(cohort: Cohort, people: list[Enrollment]) -> set[int]:
    """For a programme whose groups follow a BEP (``group_access: after_bep``), the people
    of the group whose BEP is no longer booked nor held (cancelled, or missed): they keep
    their place, and the team sees it to call them."""
    if cohort.programme.group_access != "after_bep" or not people:
        return set()
    ids = {e.participant_id for e in people}
    return ids - with_bep(ids, cohort.programme_id)


def audit_read(cohort: Cohort, what: str, *, actor: User) -> None:
    """A staff read of a participant list is written down (who, when, which cohort)."""
    audit(f"participants.read.{what}", actor_id=actor.id, obj_type="cohort", obj_id=cohort.id)


def add_by_phone(cohort: Cohort, data: ParticipantData, *, actor: User):
    """Someone met by phone joins (a place or the waiting list), like online."""
    return join_cohort(cohort.code, data=data, acting_user=actor, staff_override=True)


def check_move_target(enrollment: Enrollment, target: Cohort) -> None:
    """A participant may only move to another cohort of the same programme."""
    if target.id == enrollment.cohort_id or target.programme_id != enrollment.cohort.programme_id:
        raise GroupError("target")


def promote(enrollment: Enrollment, *, actor: User) -> None:
    """Give the place by hand, straight to confirmed: to someone waiting, whatever their
    rank (a seat must be free), or to someone holding an offer (``offers.confirm_by_staff``:
    the conditional updates keep a seat to one person)."""
    from ..booking.offers import confirm_by_staff
    from ..booking.rules import BookingError

    if enrollment.status not in ("waitlisted", "offered"):
        raise GroupError("not_waiting")
    try:
        confirm_by_staff(enrollment, acting_user=actor)
    except BookingError as error:
        raise GroupError("full" if error.reason == "cohort_full" else "not_waiting") from error
    db.session.refresh(enrollment.cohort)


def reorder(enrollment: Enrollment, direction: int, *, actor: User) -> None:
    """Swap a waiting person with the one before (-1) or after (+1)."""
    waiting = enrollments(enrollment.cohort, "waitlisted")
    index = next((i for i, e in enumerate(waiting) if e.id == enrollment.id), None)
    if index is None:
        raise GroupError("not_waiting")
    other_index = index + direction
    if not 0 <= other_index < len(waiting):
        return
    other = waiting[other_index]
    # Ranks may be equal (ties broken by id): give both distinct ranks first.
    for rank, row in enumerate(waiting, start=1):
        row.waitlist_rank = rank
    enrollment.waitlist_rank, other.waitlist_rank = other.waitlist_rank, enrollment.waitlist_rank
    audit(
        "waitlist.reorder",
        actor_id=actor.id,
        obj_type="enrollment",
        obj_id=enrollment.id,
        cohort=enrollment.cohort_id,
    )
    db.session.flush()


def attendance_opens_on(session: GroupSession) -> date:
    """The day attendance may be taken from: the session's own day, in its time zone."""
    return session.local_start.date()


def attendance_open(session: GroupSession) -> bool:
    """Whether today (in the session's time zone) is the session's day or later."""
    return now().astimezone(session.tz).date() >= attendance_opens_on(session)


def attendance_history(cohort: Cohort) -> dict[tuple[int, int], str]:
    """Every mark of the cohort's sessions, by (participant id, session id): one statement."""
    rows = db.session.execute(
        select(Attendance.participant_id, Attendance.session_id, Attendance.status)
        .join(GroupSession, GroupSession.id == Attendance.session_id)
        .where(GroupSession.cohort_id == cohort.id)
    )
    return {(p, s): status for p, s, status in rows}


@dataclass
class HistoryRow:
    """One person's line of the group page's attendance history."""

    enrollment: Enrollment
    marks: list[str]  # per session: present, absent, excused, none (not marked), upcoming
    present: int  # sessions attended
    open_sessions: int  # sessions whose roll is open (their day has come)
    left: bool  # no longer in the group (they keep their past marks)


def attendance_history_rows(
    cohort: Cohort, sessions: list[GroupSession], people: list[Enrollment]
) -> list[HistoryRow]:
    """Each person's mark at each of ``sessions``, the people of the group first, then those
    who left it after being marked at least once. Two statements whatever the size."""
    history = attendance_history(cohort)
    marked = {participant for participant, _session in history}
    gone = list(
        db.session.scalars(
            select(Enrollment)
            .where(
                Enrollment.cohort_id == cohort.id,
                Enrollment.status == "cancelled",
                Enrollment.participant_id.in_(marked or {-1}),
            )
            .options(selectinload(Enrollment.participant))
            .order_by(Enrollment.id)
        )
    )
    here = {e.participant_id for e in people}
    gone = [e for e in gone if e.participant_id not in here]
    is_open = [attendance_open(s) for s in sessions]
    rows = []
    for enrollment, left in [(e, False) for e in people] + [(e, True) for e in gone]:
        marks = [
            history.get((enrollment.participant_id, s.id)) or ("none" if opened else "upcoming")
            for s, opened in zip(sessions, is_open, strict=True)
        ]
        rows.append(
            HistoryRow(
                enrollment=enrollment,
                marks=marks,
                present=marks.count("present"),
                open_sessions=sum(is_open),
                left=left,
            )
        )
    return rows


def mark_all_present(session: GroupSession, people: list[Enrollment], *, actor: User) -> int:
    """Mark present everyone of ``people`` not marked yet; those already marked keep their mark.

    Returns how many were marked. Refused before the session's day, like one mark.
    """
    if not attendance_open(session):
        raise GroupError("not_yet")
    marked = attendance_map(session)
    count = 0
    for enrollment in people:
        if enrollment.participant_id not in marked:
            mark(session, enrollment, status="present", actor=actor)
            count += 1
    return count


def attendance_map(session: GroupSession) -> dict[int, Attendance]:
    rows = db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    return {a.participant_id: a for a in rows}


def mark(
    session: GroupSession,
    enrollment: Enrollment,
    *,
    status: str | None = None,
    carer_present: bool | None = None,
    actor: User,
) -> Attendance:
    """Record one tap: present, absent or excused, and/or whether a carer came.

    Refused before the session's day (in its time zone): no one can be marked in advance.
    """
    if not attendance_open(session):
        raise GroupError("not_yet")
    if enrollment.cohort_id != session.cohort_id or enrollment.status not in (
        "confirmed",
        "completed",
    ):
        raise GroupError("not_in_group")
    if status is not None and status not in STATUSES:
        raise GroupError("status")
    row = db.session.scalar(
        select(Attendance).where(
            Attendance.session_id == session.id,
            Attendance.participant_id == enrollment.participant_id,
        )
    )
    if row is None:
        row = Attendance(
            session_id=session.id,
            participant_id=enrollment.participant_id,
            status=status or "present",
            carer_present=False,
        )
        db.session.add(row)
    if status is not None:
        row.status = status
    if carer_present is not None:
        row.carer_present = carer_present
    row.marked_by_user_id = actor.id
    enrollment.participant.last_activity_at = now()
    db.session.flush()
    audit(
        "attendance.mark",
        actor_id=actor.id,
        obj_type="session",
        obj_id=session.id,
        enrollment=enrollment.id,
        status=row.status,
    )
    update_completion(enrollment)
    return row


def workshops_attended(enrollment: Enrollment) -> int:
    """Distinct workshops of the cohort the person was present at."""
    return (
        db.session.scalar(
            select(func.count(func.distinct(GroupSession.workshop_id)))
            .join(Attendance, Attendance.session_id == GroupSession.id)
            .where(
                GroupSession.cohort_id == enrollment.cohort_id,
                Attendance.participant_id == enrollment.participant_id,
                Attendance.status == "present",
            )
        )
        or 0
    )


def final_assessment_held(enrollment: Enrollment) -> bool:
    programme_id = enrollment.cohort.programme_id
    return (
        db.session.scalar(
            select(func.count(Booking.id))
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.participant_id == enrollment.participant_id,
                Booking.outcome == "held",
                Slot.kind == "final",
                Slot.programme_id == programme_id,
            )
        )
        > 0
    )


def agreed_plan(enrollment: Enrollment) -> list[str] | None:
    """The workshop codes of the plan agreed at the person's held BEP, or None."""
    plan = db.session.scalar(
        select(Booking.plan)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.participant_id == enrollment.participant_id,
            Booking.status == "confirmed",
            Booking.outcome == "held",
            Booking.plan.is_not(None),
            Slot.kind == "bep",
            Slot.programme_id == enrollment.cohort.programme_id,
        )
        .order_by(Slot.start_at.desc())
        .limit(1)
    )
    return list(plan["workshops"]) if plan else None


def planned_workshops_attended(enrollment: Enrollment, codes: list[str]) -> bool:
    """Whether the person was present at a session of each workshop of their plan."""
    from ..catalogue.models import Workshop

    attended = set(
        db.session.scalars(
            select(Workshop.code)
            .join(GroupSession, GroupSession.workshop_id == Workshop.id)
            .join(Attendance, Attendance.session_id == GroupSession.id)
            .where(
                GroupSession.cohort_id == enrollment.cohort_id,
                Attendance.participant_id == enrollment.participant_id,
                Attendance.status == "present",
            )
        )
    )
    return set(codes) <= attended


def completion_met(enrollment: Enrollment) -> bool:
    """Completed: the workshops of the plan agreed at the BEP attended (when one was
    recorded), else the programme's rule, at least N of its workshops (N is
    ``Programme.completion_min_workshops``; when unset, every workshop); and in both
    cases a held final assessment."""
    plan = agreed_plan(enrollment)
    if plan is not None:
        return planned_workshops_attended(enrollment, plan) and final_assessment_held(enrollment)
    programme = enrollment.cohort.programme
    needed = programme.completion_min_workshops
    if needed is None:
        needed = len(programme.workshops)
    return workshops_attended(enrollment) >= needed and final_assessment_held(enrollment)


def update_completion(enrollment: Enrollment) -> bool:
    """Mark the enrollment completed when the rule is met (and back when it no longer is)."""
    from .gp_notices import notify_end

    met = completion_met(enrollment)
    if met and enrollment.status == "confirmed":
        enrollment.status = "completed"
        enrollment.completed_at = now()
        db.session.flush()
        notify_end(enrollment)
    elif not met and enrollment.status == "completed":
        enrollment.status = "confirmed"
        enrollment.completed_at = None
    db.session.flush()
    return met
