"""Clashes across group sessions and individual slots: the same room of a site, or the
same person (a facilitator or the professional of a slot) at overlapping times.

A person is known by their staff account (``Facilitator.user_id``,
``Slot.professional_user_id``, ``TeamMember.user_id``) or by the name of a member of
the programme's team (``TeamMember.name``, compared without case, accents nor extra
spaces). A name that is no team member is free text (as in old offer files) and takes
no part in the checks. Slots have no room: the room check is between sessions.

Sessions and slots that clash are warned about; two individual appointments of one
person at the same time are refused (``refused`` on the clash) by the slot views.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..booking.models import Cohort, Facilitator, GroupSession, Slot
from ..catalogue.models import Programme, TeamMember, programme_structures
from ..core.text import name_key
from ..extensions import db


@dataclass(frozen=True)
class Clash:
    kind: str  # "room" or "person"
    other: str  # "session" or "slot"
    code: str  # the other's code
    start: datetime  # the other's start (UTC)
    timezone: str
    # the candidate's start (UTC): which of the planned times clashes
    at: datetime
    # a person's name (or the room) to say who or what clashes
    label: str = ""


@dataclass
class Holder:
    """Who or what a session or slot occupies: person keys and the room."""

    keys: set[tuple] = field(default_factory=set)
    names: dict[tuple, str] = field(default_factory=dict)  # key -> name to show
    site_id: int | None = None
    room: str | None = None


normalise = name_key


def _team(programme_ids: Iterable[int]) -> dict[int, dict[str, TeamMember]]:
    """Named team members by programme, by normalised name."""
    ids = set(programme_ids)
    found: dict[int, dict[str, TeamMember]] = {i: {} for i in ids}
    if not ids:
        return found
    for member in db.session.scalars(
        select(TeamMember).where(TeamMember.programme_id.in_(ids), TeamMember.name.is_not(None))
    ):
        if normalise(member.name):
            found[member.programme_id][normalise(member.name)] = member
    return found


def _structures(programme_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The structures running each programme: a name is one person within them."""
    ids = set(programme_ids)
    found: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        for pid, sid in db.session.execute(
            select(programme_structures.c.programme_id, programme_structures.c.structure_id).where(
                programme_structures.c.programme_id.in_(ids)
            )
        ):
            found[pid].add(sid)
    return {pid: frozenset(sids) for pid, sids in found.items()}


def _person(
    holder: Holder,
    team: dict[str, TeamMember],
    name: str | None,
    user_id: int | None,
    structures: frozenset[int] = frozenset(),
):
    """Add who this is to ``holder``: their account, and their name as a member of the
    team; a name is one person within the structures that run the programme (two
    structures may each have their own "Claire Martin")."""
    member = team.get(normalise(name)) if name else None
    if member is not None:
        for structure_id in structures or {None}:
            key = ("name", normalise(name), structure_id)
            holder.keys.add(key)
            holder.names[key] = member.name
        user_id = user_id or member.user_id
    if user_id:
        key = ("user", user_id)
        holder.keys.add(key)
        holder.names.setdefault(key, name or (member.name if member else ""))


def slot_holder(
    programme: Programme,
    *,
    professional: str | None,
    professional_user_id: int | None = None,
    people: Iterable[tuple[str | None, int | None]] = (),
    site_id: int | None = None,
) -> Holder:
    """``people``: the (name, user id) pairs of the slot's facilitators; ``professional``:
    its free text (or a member's name)."""
    holder = Holder(site_id=site_id)
    team = _team([programme.id])[programme.id]
    places = _structures([programme.id])[programme.id]
    _person(holder, team, professional, professional_user_id, places)
    if professional and "," in professional:
        # "Inès, Dr X": each name that is a member counts (the others are free text)
        for part in professional.split(","):
            _person(holder, team, part, None, places)
    for name, user_id in people:
        _person(holder, team, name, user_id, places)
    return holder


def _slot_people(slot: Slot) -> list[tuple[str | None, int | None]]:
    """Its facilitators; a slot without any (an old file's free text) has its professional."""
    if slot.facilitators:
        return [(f.name, f.user_id) for f in slot.facilitators]
    return [(slot.professional, slot.professional_user_id)]


def holder_of_slot(slot: Slot) -> Holder:
    return slot_holder(
        slot.programme, professional=None, people=_slot_people(slot), site_id=slot.site_id
    )


def session_holder(
    programme: Programme,
    facilitators: Iterable[tuple[str | None, int | None]],
    *,
    site_id: int | None,
    room: str | None,
) -> Holder:
    """``facilitators``: (name, user id) pairs."""
    holder = Holder(site_id=site_id, room=(room or "").strip() or None)
    team = _team([programme.id])[programme.id]
    places = _structures([programme.id])[programme.id]
    for name, user_id in facilitators:
        _person(holder, team, name, user_id, places)
    return holder


def holder_of_session(session: GroupSession) -> Holder:
    rows = list(session.facilitators) + (
        list(session.cohort.facilitators) if session.cohort else []
    )
    site_id = session.site_id or (session.cohort.site_id if session.cohort else None)
    programme = session.cohort.programme if session.cohort else session.workshop.programme
    return session_holder(
        programme, [(f.name, f.user_id) for f in rows], site_id=site_id, room=session.room
    )


def find(
    intervals: Iterable[tuple[datetime, datetime]],
    holder: Holder,
    *,
    exclude_sessions: Iterable[int] = (),
    exclude_slots: Iterable[int] = (),
) -> list[Clash]:
    """Every existing session or open slot that overlaps one of ``intervals`` and shares
    the room (same site) or a person with ``holder``, in time order. Back to back is
    no clash."""
    intervals = sorted(intervals)
    if not intervals or (not holder.keys and not holder.room):
        return []
    first, last = intervals[0][0], max(e for _s, e in intervals)
    others = _others(first, last, set(exclude_sessions), set(exclude_slots))
    found = []
    for other_kind, row, other in others:
        shared = holder.keys & other.keys
        same_room = (
            holder.room
            and other.room
            and holder.site_id is not None
            and holder.site_id == other.site_id
            and normalise(holder.room) == normalise(other.room)
        )
        if not shared and not same_room:
            continue
        for start, end in intervals:
            if start < row.end_at and row.start_at < end:
                if shared:
                    key = sorted(shared, key=repr)[0]
                    found.append(
                        Clash(
                            "person",
                            other_kind,
                            row.code,
                            row.start_at,
                            row.timezone,
                            start,
                            holder.names.get(key) or other.names.get(key, ""),
                        )
                    )
                if same_room:
                    found.append(
                        Clash(
                            "room",
                            other_kind,
                            row.code,
                            row.start_at,
                            row.timezone,
                            start,
                            holder.room,
                        )
                    )
    found.sort(key=lambda c: (c.at, c.start, c.code))
    return found


def _others(first: datetime, last: datetime, skip_sessions: set[int], skip_slots: set[int]):
    sessions = list(
        db.session.scalars(
            select(GroupSession)
            .outerjoin(Cohort, Cohort.id == GroupSession.cohort_id)
            .where(
                GroupSession.status != "cancelled",
                or_(Cohort.id.is_(None), Cohort.status != "cancelled"),
                GroupSession.start_at < last,
                GroupSession.end_at > first,
            )
            .options(
                selectinload(GroupSession.facilitators),
                selectinload(GroupSession.cohort).selectinload(Cohort.facilitators),
                selectinload(GroupSession.workshop),
            )
        )
    )
    slots = list(
        db.session.scalars(
            select(Slot)
            .where(Slot.status == "open", Slot.start_at < last, Slot.end_at > first)
            .options(selectinload(Slot.facilitators))
        )
    )
    programme_ids = {s.programme_id for s in slots}
    for s in sessions:
        programme_ids.add(s.cohort.programme_id if s.cohort else s.workshop.programme_id)
    teams = _team(programme_ids)
    places = _structures(programme_ids)
    result = []
    for s in sessions:
        if s.id in skip_sessions:
            continue
        rows: list[Facilitator] = list(s.facilitators) + (
            list(s.cohort.facilitators) if s.cohort else []
        )
        programme_id = s.cohort.programme_id if s.cohort else s.workshop.programme_id
        holder = Holder(site_id=s.site_id or (s.cohort.site_id if s.cohort else None), room=s.room)
        for f in rows:
            _person(holder, teams[programme_id], f.name, f.user_id, places[programme_id])
        result.append(("session", s, holder))
    for slot in slots:
        if slot.id in skip_slots:
            continue
        holder = Holder(site_id=slot.site_id)
        for name, user_id in _slot_people(slot):
            _person(holder, teams[slot.programme_id], name, user_id, places[slot.programme_id])
        result.append(("slot", slot, holder))
    return result


def refused(clashes: list[Clash]) -> list[Clash]:
    """The clashes a slot may not have: the same person in another individual slot."""
    return [c for c in clashes if c.kind == "person" and c.other == "slot"]


def describe(clash: Clash) -> str:
    """One line for people: what clashes, with whom or where, and when."""
    from zoneinfo import ZoneInfo

    from flask_babel import format_datetime
    from flask_babel import gettext as _

    when = format_datetime(
        clash.start.astimezone(ZoneInfo(clash.timezone)), "EEE d MMM y, HH:mm", rebase=False
    )
    what = _("une séance de groupe") if clash.other == "session" else _("un rendez-vous")
    if clash.kind == "room":
        return _(
            "La salle « %(room)s » est déjà prise par %(what)s le %(when)s (%(code)s).",
            room=clash.label,
            what=what,
            when=when,
            code=clash.code,
        )
    return _(
        "%(name)s a déjà %(what)s le %(when)s (%(code)s).",
        name=clash.label or _("Cette personne"),
        what=what,
        when=when,
        code=clash.code,
    )
