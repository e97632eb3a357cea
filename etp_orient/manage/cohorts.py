"""Planning cohorts and their sessions; moving and cancelling them, with everyone told.

A cohort's sessions follow a weekly or fortnightly rule mapped to the
programme's workshops in order. A change of time or place raises the session's
``revision`` (the iCal SEQUENCE, so feeds and invitations follow) and queues an
e-mail with the new invitation to every participant and facilitator.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..accounts.models import User
from ..booking import messages
from ..booking.calendar import session_event
from ..booking.models import Cohort, Enrollment, GroupSession
from ..catalogue.models import Programme, Site, TeamMember, Workshop
from ..core.clock import now
from ..core.ical import build_calendar
from ..core.models import audit
from ..core.tokens import generated_code
from ..extensions import db
from ..notify.reminders import withdraw_session_reminders
from ..notify.services import queue_email
from .team import facilitator_of

DEFAULT_MINUTES = 120


class CohortError(ValueError):
    pass


@dataclass(frozen=True)
class PlannedSession:
    workshop: Workshop
    start_at: datetime
    end_at: datetime
    timezone: str

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end_at.astimezone(ZoneInfo(self.timezone))


def plan_sessions(
    programme: Programme,
    *,
    first_day: date,
    start_time: time,
    every_weeks: int,
    timezone: str,
    workshops: list[Workshop] | None = None,
) -> list[PlannedSession]:
    """One session per workshop, in order, every ``every_weeks`` weeks, at the same local time."""
    if every_weeks not in (1, 2):
        raise CohortError("every")
    tz = ZoneInfo(timezone)
    items = workshops if workshops is not None else list(programme.workshops)
    if not items:
        raise CohortError("no_workshops")
    planned = []
    for i, workshop in enumerate(items):
        day = first_day + timedelta(weeks=i * every_weeks)
        local = datetime.combine(day, start_time, tzinfo=tz)
        minutes = workshop.duration_min or DEFAULT_MINUTES
        planned.append(
            PlannedSession(
                workshop,
                local.astimezone(UTC),
                (local + timedelta(minutes=minutes)).astimezone(UTC),
                timezone,
            )
        )
    if planned[0].start_at <= now():
        raise CohortError("past")
    return planned


def create_cohort(
    programme: Programme,
    planned: list[PlannedSession],
    *,
    site: Site | None,
    capacity: int,
    room: str | None,
    facilitators: list[TeamMember],
    actor: User,
    video_url: str | None = None,
    code: str | None = None,
) -> Cohort:
    """Create the cohort, its sessions (in the workshops' order) and its facilitators."""
    if capacity < 1:
        raise CohortError("capacity")
    cohort = Cohort(
        code=code or generated_code("grp"),
        programme=programme,
        site=site,
        format="presentiel" if site else "distanciel",
        capacity=capacity,
        seats_taken=0,
        timezone=planned[0].timezone,
        video_url=video_url,
        status="open",
        revision=0,
    )
    db.session.add(cohort)
    for position, member in enumerate(facilitators):
        cohort.facilitators.append(facilitator_of(member, position))
    for item in planned:
        db.session.add(
            GroupSession(
                code=generated_code("ses"),
                cohort=cohort,
                workshop=item.workshop,
                room=room or None,
                start_at=item.start_at,
                end_at=item.end_at,
                timezone=item.timezone,
                status="scheduled",
                revision=0,
            )
        )
    db.session.flush()
    audit(
        "cohort.create",
        actor_id=actor.id,
        obj_type="cohort",
        obj_id=cohort.id,
        sessions=len(planned),
    )
    return cohort


# --- telling everyone ---------------------------------------------------------


def _people(cohort: Cohort):
    participants = db.session.scalars(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort.id, Enrollment.status == "confirmed"
        )
    ).all()
    staff = [db.session.get(User, f.user_id) for f in cohort.facilitators if f.user_id]
    return [e.participant for e in participants], [u for u in staff if u and u.active]


def _session_line(session: GroupSession, old_start: datetime | None = None) -> dict:
    return {
        "title": session.workshop.localized("title"),  # in the recipient's language
        "start": session.start_at,
        "end": session.end_at,
        "tz": session.timezone,
        "old_start": old_start,
        "room": session.room,
    }


def _withdraw_reminders(sessions) -> None:
    """Unsent reminders of a moved or cancelled session are stale: withdraw them."""
    for session in sessions:
        withdraw_session_reminders(session.id)


def _tell(
    cohort: Cohort,
    changed: list[tuple[GroupSession, datetime | None]],
    template: str,
    *,
    cancel: bool,
    key: str,
) -> int:
    """Queue one e-mail (or SMS) per participant and facilitator; return how many."""
    participants, staff = _people(cohort)
    context = {
        **messages.cohort_context(cohort),
        "changed": [_session_line(s, old) for s, old in changed],
        "whole_cohort": cohort.status == "cancelled",
        "manage_url": messages.manage_url(None),
    }
    count = 0
    for person in participants:
        events = [
            session_event(
                s,
                personal=True,
                explicit_titles=person.feed_explicit_titles,
                language=person.language,
            )
            for s, _old in changed
        ]
        ics = build_calendar(
            events,
            name=str(cohort.programme.localized("display_title", person.language)),
            method="CANCEL" if cancel else "REQUEST",
        )
        messages.send(
            person,
            template,
            context,
            ics=ics,
            cancel=cancel,
            dedupe_key=f"{key}:p{person.id}",
        )
        count += 1
    for user in staff:
        events = [session_event(s, language=user.language) for s, _old in changed]
        ics = build_calendar(
            events, name=cohort.programme.display_title, method="CANCEL" if cancel else "REQUEST"
        )
        queue_email(
            to=user.email,
            template=template,
            language=user.language,
            context={**context, "first_name": user.full_name or "", "staff": True},
            ics=ics,
            ics_method="CANCEL" if cancel else "REQUEST",
            dedupe_key=f"{key}:u{user.id}",
            owner=f"user:{user.id}",
        )
        count += 1
    return count


def move_session(
    session: GroupSession, new_start: datetime, *, actor: User, room: str | None = None
) -> int:
    """Move one session (same length, optionally another room); returns how many were told."""
    if new_start <= now():
        raise CohortError("past")
    if session.status == "cancelled":
        raise CohortError("cancelled")
    old = session.start_at
    length = session.end_at - session.start_at
    session.start_at = new_start
    session.end_at = new_start + length
    if room is not None:
        session.room = room or None
    session.status = "moved"
    session.revision += 1
    db.session.flush()
    audit("session.move", actor_id=actor.id, obj_type="session", obj_id=session.id)
    _withdraw_reminders([session])
    return _tell(
        session.cohort,
        [(session, old)],
        "session_moved",
        cancel=False,
        key=f"session:{session.id}:r{session.revision}",
    )


def cancel_session(session: GroupSession, *, actor: User) -> int:
    """Cancel one session; everyone gets a cancellation with ``METHOD:CANCEL``."""
    if session.status == "cancelled":
        raise CohortError("cancelled")
    session.status = "cancelled"
    session.cancelled_at = now()
    session.revision += 1
    db.session.flush()
    audit("session.cancel", actor_id=actor.id, obj_type="session", obj_id=session.id)
    _withdraw_reminders([session])
    return _tell(
        session.cohort,
        [(session, None)],
        "session_cancelled",
        cancel=True,
        key=f"session:{session.id}:cancelled",
    )


def shift_cohort(cohort: Cohort, delta: timedelta, *, actor: User) -> int:
    """Move every coming session of the cohort by ``delta`` (e.g. one week later)."""
    coming = [s for s in cohort.sessions if s.status != "cancelled" and s.start_at > now()]
    if not coming:
        raise CohortError("nothing")
    if coming[0].start_at + delta <= now():
        raise CohortError("past")
    changed = []
    for session in coming:
        old = session.start_at
        session.start_at += delta
        session.end_at += delta
        session.status = "moved"
        session.revision += 1
        changed.append((session, old))
    cohort.revision += 1
    db.session.flush()
    audit("cohort.move", actor_id=actor.id, obj_type="cohort", obj_id=cohort.id)
    _withdraw_reminders(coming)
    return _tell(
        cohort, changed, "session_moved", cancel=False, key=f"cohort:{cohort.id}:r{cohort.revision}"
    )


def cancel_cohort(cohort: Cohort, *, actor: User) -> int:
    """Cancel the cohort and all its coming sessions; everyone is told once."""
    if cohort.status == "cancelled":
        raise CohortError("cancelled")
    coming = [s for s in cohort.sessions if s.status != "cancelled" and s.start_at > now()]
    at = now()
    for session in coming:
        session.status = "cancelled"
        session.cancelled_at = at
        session.revision += 1
    cohort.status = "cancelled"
    cohort.revision += 1
    db.session.flush()
    audit("cohort.cancel", actor_id=actor.id, obj_type="cohort", obj_id=cohort.id)
    _withdraw_reminders(coming)
    return _tell(
        cohort,
        [(s, None) for s in coming],
        "session_cancelled",
        cancel=True,
        key=f"cohort:{cohort.id}:cancelled",
    )


def update_settings(
    cohort: Cohort,
    *,
    capacity: int,
    waitlist_enabled: bool,
    registration_closes_at: datetime | None,
    video_url: str | None,
    facilitators: list[TeamMember],
    actor: User,
    keep_free: Iterable[int] | None = None,
) -> list[Enrollment]:
    """Change places, waiting list, registration window, video link and facilitators.

    Call with the cohort locked (``begin_write()`` / ``lock_cohort``). Fewer
    places than people already in is refused; more places go to the waiting
    list in order (they are told). Returns the people promoted.
    """
    from ..booking.cohorts import promote_waitlisted

    if capacity < cohort.seats_taken:
        raise CohortError("capacity_below")
    cohort.capacity = capacity
    cohort.waitlist_enabled = waitlist_enabled
    cohort.registration_closes_at = registration_closes_at
    cohort.video_url = video_url or None
    # the chosen members, in the team's order; then the free-text names kept (an old
    # file's, a member's since taken out), in their order
    wanted = {m.id for m in facilitators}
    keep = set(keep_free) if keep_free is not None else None
    for row in list(cohort.facilitators):
        gone = (
            row.team_member_id not in wanted
            if row.team_member_id
            else (keep is not None and row.id not in keep)
        )
        if gone:
            cohort.facilitators.remove(row)
    present = {f.team_member_id for f in cohort.facilitators}
    for member in facilitators:
        if member.id not in present:
            cohort.facilitators.append(facilitator_of(member))
    order = {member.id: position for position, member in enumerate(facilitators)}
    free = [row for row in cohort.facilitators if not row.team_member_id]
    for row in cohort.facilitators:
        if row.team_member_id:
            row.position = order[row.team_member_id]
    for rank, row in enumerate(free):
        row.position = len(order) + rank
    db.session.flush()
    audit("cohort.settings", actor_id=actor.id, obj_type="cohort", obj_id=cohort.id)
    return promote_waitlisted(cohort, acting_user=actor)
