"""A programme's named team: its members, who runs what, and the publishing rule.

A member has a name, a profession, the date of their 40-hour ETP training and,
when they have one, a staff account (found by its e-mail among the staff of the
programme's structures: the planning and the feeds then show them what they run).
Cohorts, open sessions and individual slots take their facilitators from the
named members; each facilitator row copies the member's name, profession and
account, and follows them when the member changes. A name that is no member stays
free text (old offer files) and takes no part in the clash checks.

Publishing counts the professions of the *named* members: a team of profession
codes without a person behind them does not make a programme publishable from
the back office. (The offer file keeps its own rule: DESIGN says old files import
unchanged, so plain profession strings still count there.)

Plain functions; the acting user is passed in; they flush, never commit.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, User
from ..accounts.permissions import READ_ROLES
from ..booking.models import Facilitator, Slot
from ..catalogue.models import Programme, TeamMember
from ..core.models import audit
from ..extensions import db
from .clashes import normalise
from .loaders import programme_structures

MIN_PROFESSIONS = 2


class TeamError(ValueError):
    """A refused change; ``field`` names the form field the message belongs to."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def named(programme: Programme) -> list[TeamMember]:
    """The members with a name, in the team's order."""
    return [m for m in programme.team if (m.name or "").strip()]


def named_professions(members) -> set[str]:
    return {m.profession for m in members if (m.name or "").strip()}


def publishable_team(programme: Programme, *, without: TeamMember | None = None) -> bool:
    members = [m for m in programme.team if m is not without]
    return len(named_professions(members)) >= MIN_PROFESSIONS


def member_label(member: TeamMember) -> str:
    """ "Claire Martin – Infirmier ou infirmière": for choices and lists."""
    from ..catalogue.views import PROFESSIONS

    profession = str(PROFESSIONS.get(member.profession, member.profession))
    return f"{member.name} – {profession}"


def staff_account(programme: Programme, email: str) -> User | None:
    """The active staff account with this e-mail in one of the programme's structures."""
    wanted = (email or "").strip().lower()
    if not wanted:
        return None
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            func.lower(User.email) == wanted,
            User.active.is_(True),
            Membership.structure_id.in_(programme_structures(programme)),
            Membership.role.in_(READ_ROLES),
        )
        .limit(1)
    )


def team_choices(form_field, programme: Programme) -> dict[str, TeamMember]:
    """Set a form field's choices to the programme's named members; value → member."""
    from ..accounts.forms import choices

    members = {str(m.id): m for m in named(programme)}
    form_field.choices = choices((key, member_label(m)) for key, m in members.items())
    return members


def chosen(form_field, members: dict[str, TeamMember]) -> list[TeamMember]:
    """The members ticked in a form field, in the team's order, unknown values left out."""
    picked = set(form_field.data or [])
    return [m for key, m in members.items() if key in picked]


def facilitator_of(member: TeamMember, position: int = 0) -> Facilitator:
    """A new facilitator row for ``member`` (the caller attaches it to its parent)."""
    return Facilitator(
        name=member.name,
        profession=member.profession,
        user_id=member.user_id,
        team_member_id=member.id,
        position=position,
    )


def member_by_name(programme: Programme, name: str | None) -> TeamMember | None:
    """The named member whose name this is (without case, accents nor extra spaces)."""
    wanted = normalise(name)
    if not wanted:
        return None
    return next((m for m in named(programme) if normalise(m.name) == wanted), None)


PROFESSIONAL_MAX = 200  # Slot.professional's length


def slot_text(slot: Slot) -> str | None:
    """The slot's ``professional``: its facilitators' names ("Inès, Paul"), cut to fit."""
    text = ", ".join(f.name for f in slot.facilitators)
    if len(text) > PROFESSIONAL_MAX:
        text = text[: PROFESSIONAL_MAX - 1].rstrip(", ") + "…"
    return text or None


def _slot_follows(slot: Slot) -> None:
    """A slot's text and first account from its facilitators (free text when none)."""
    if slot.facilitators:
        slot.professional = slot_text(slot)
    linked = [f.user_id for f in slot.facilitators if f.user_id]
    slot.professional_user_id = linked[0] if linked else None


def set_slot_team(slot: Slot, members: list[TeamMember], free_text: str | None = None) -> None:
    """Who receives the person: the chosen members, else the free text; a free text that
    names members links them (each comma-separated name, the others kept beside them as
    free text), as the offer import does."""
    people: list[tuple[str, TeamMember | None]] = [(m.name, m) for m in members]
    text = (free_text or "").strip() or None
    if not people and text:
        whole = member_by_name(slot.programme, text)
        parts = [(p.strip(), member_by_name(slot.programme, p)) for p in text.split(",")]
        if whole is not None:
            people = [(whole.name, whole)]
        elif any(m for _n, m in parts):
            people = [(m.name if m else n, m) for n, m in parts if n]
    if slot.facilitators:
        slot.facilitators.clear()
        db.session.flush()
    for position, (name, member) in enumerate(people):
        if member is not None:
            slot.facilitators.append(facilitator_of(member, position))
        else:
            slot.facilitators.append(Facilitator(name=name, position=position))
    if not people:
        slot.professional = text
    _slot_follows(slot)


def add_member(programme: Programme, data: dict, *, actor: User) -> TeamMember:
    """Add a member (profession, name, date of the 40-hour training, account, coordinator)."""
    member = TeamMember(
        profession=data["profession"].strip().lower(),
        name=(data.get("name") or "").strip() or None,
        etp_training_on=data.get("etp_training_on"),
        is_coordinator=bool(data.get("is_coordinator")),
        position=max((m.position for m in programme.team), default=0) + 1,
    )
    member.user_id = _account(programme, data.get("account_email"), member.name)
    programme.team.append(member)
    db.session.flush()
    audit("team.add", actor_id=actor.id, obj_type="programme", obj_id=programme.id)
    return member


def _account(programme: Programme, email: str | None, name: str | None) -> int | None:
    if not (email or "").strip():
        return None
    if not name:
        raise TeamError("account_needs_name", field="account_email")
    user = staff_account(programme, email)
    if user is None:
        raise TeamError("account", field="account_email")
    return user.id


def update_member(member: TeamMember, data: dict, *, actor: User) -> None:
    """Change a member; every cohort, session and slot they run follows (name, profession,
    account). A published programme keeps two professions among its named members."""
    programme = member.programme
    name = (data.get("name") or "").strip() or None
    profession = data["profession"].strip().lower()
    user_id = _account(programme, data.get("account_email"), name)
    if programme.status == "published":
        # refused only when the change takes the named professions below two: a team
        # imported without names can still be given names, one member at a time
        before = len(named_professions(programme.team))
        others = named_professions(m for m in programme.team if m is not member)
        after = len(others | ({profession} if name else set()))
        if after < MIN_PROFESSIONS and after < before:
            raise TeamError("team", field="name" if not name else "profession")
    member.name, member.profession, member.user_id = name, profession, user_id
    member.etp_training_on = data.get("etp_training_on")
    member.is_coordinator = bool(data.get("is_coordinator"))
    follow(member)
    audit("team.update", actor_id=actor.id, obj_type="programme", obj_id=programme.id)


def follow(member: TeamMember, *, unlink: bool = False) -> None:
    """Carry a member's name, profession and account to every cohort, session and slot
    they run. A member left without a name (or taken out: ``unlink``) is no longer
    linked: what they ran keeps the name written before, as free text, and no longer
    their account (their planning, calendar and feed stop showing it)."""
    rows = db.session.scalars(
        select(Facilitator)
        .where(Facilitator.team_member_id == member.id)
        .options(selectinload(Facilitator.slot).selectinload(Slot.facilitators))
    ).all()
    slots = set()
    for row in rows:
        if unlink or member.name is None:
            row.team_member_id, row.user_id = None, None
        else:
            row.name, row.profession, row.user_id = member.name, member.profession, member.user_id
        if row.slot is not None:
            slots.add(row.slot)
    db.session.flush()
    for slot in slots:
        _slot_follows(slot)
    db.session.flush()


def remove_member(member: TeamMember, *, actor: User) -> None:
    """Take a member out; a published programme keeps two professions among its named
    members (unless it had fewer already). What they ran keeps their name, as free text."""
    programme = member.programme
    if programme.status == "published":
        before = len(named_professions(programme.team))
        after = len(named_professions(m for m in programme.team if m is not member))
        if after < MIN_PROFESSIONS and after < before:
            raise TeamError("team", field="team")
    follow(member, unlink=True)
    programme.team.remove(member)
    db.session.flush()
    audit("team.remove", actor_id=actor.id, obj_type="programme", obj_id=programme.id)
