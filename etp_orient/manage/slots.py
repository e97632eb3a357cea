"""BEP slots in bulk from availability windows, and changes to single slots.

"Tuesdays 9:00–12:00, 45-minute slots, from … to …, except these dates" is
read in the site's time zone (a remote slot uses the programme's first site's,
else Europe/Paris) and turned into UTC slots. :func:`plan_slots` only computes
(the preview); :func:`create_slots` writes them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..accounts.models import User
from ..booking import messages
from ..booking.models import Booking, Cohort, Enrollment, Slot
from ..catalogue.models import Programme, Site, TeamMember
from ..core.clock import now
from ..core.models import audit
from ..core.tokens import generated_code
from ..extensions import db
from ..notify.reminders import withdraw_booking_reminders
from .team import set_slot_team

MAX_SLOTS = 2000


class SlotError(ValueError):
    pass


@dataclass(frozen=True)
class SlotRule:
    """Availability windows: these weekdays, between these local hours, cut in equal slots."""

    weekdays: frozenset[int]  # 0 = Monday
    start_time: time
    end_time: time
    duration_min: int
    date_from: date
    date_to: date
    except_dates: frozenset[date] = frozenset()


@dataclass(frozen=True)
class PlannedSlot:
    start_at: datetime  # UTC
    end_at: datetime
    timezone: str
    clash: bool  # an open slot of the programme already starts then at the same place

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(ZoneInfo(self.timezone))

    @property
    def local_end(self) -> datetime:
        return self.end_at.astimezone(ZoneInfo(self.timezone))


def slot_timezone(programme: Programme, site: Site | None) -> str:
    if site is not None:
        return site.timezone
    return programme.sites[0].timezone if programme.sites else "Europe/Paris"


def parse_dates(text: str | None) -> frozenset[date]:
    """Dates typed one per line (or separated by commas/spaces), ISO ``YYYY-MM-DD`` or ``DD/MM/YYYY``."""
    found = set()
    for raw in (text or "").replace(",", " ").split():
        try:
            if "/" in raw:
                day, month, year = raw.split("/")
                found.add(date(int(year), int(month), int(day)))
            else:
                found.add(date.fromisoformat(raw))
        except ValueError as error:
            raise SlotError(raw) from error
    return frozenset(found)


def plan_slots(
    programme: Programme, rule: SlotRule, *, site: Site | None, kind: str = "bep"
) -> list[PlannedSlot]:
    """The slots the rule gives, in the future, marked when they clash with existing ones."""
    tz_name = slot_timezone(programme, site)
    tz = ZoneInfo(tz_name)
    step = timedelta(minutes=rule.duration_min)
    starts: list[tuple[datetime, datetime]] = []
    day = rule.date_from
    current = now()
    while day <= rule.date_to:
        if day.weekday() in rule.weekdays and day not in rule.except_dates:
            local = datetime.combine(day, rule.start_time, tzinfo=tz)
            limit = datetime.combine(day, rule.end_time, tzinfo=tz)
            while local + step <= limit:
                start_utc = local.astimezone(ZoneInfo("UTC"))
                if start_utc > current:
                    starts.append((start_utc, (local + step).astimezone(ZoneInfo("UTC"))))
                if len(starts) > MAX_SLOTS:
                    raise SlotError("too_many")
                local = local + step
        day += timedelta(days=1)
    existing = set()
    if starts:
        query = select(Slot.start_at).where(
            Slot.programme_id == programme.id,
            Slot.kind == kind,
            Slot.status == "open",
            Slot.start_at >= starts[0][0],
            Slot.start_at <= starts[-1][0],
        )
        query = query.where(Slot.site_id == site.id if site else Slot.site_id.is_(None))
        existing = set(db.session.scalars(query))
    return [PlannedSlot(s, e, tz_name, s in existing) for s, e in starts]


def create_slots(
    programme: Programme,
    planned: list[PlannedSlot],
    *,
    site: Site | None,
    remote: str | None,
    professional: str | None,
    actor: User,
    kind: str = "bep",
    members: list[TeamMember] = (),
) -> list[Slot]:
    """Write the planned slots that do not clash; each gets a generated code. Who receives
    the person: the chosen team ``members``, else ``professional`` (a member's name, or
    free text)."""
    created = []
    for item in planned:
        if item.clash:
            continue
        slot = Slot(
            code=generated_code("slot"),
            programme=programme,
            kind=kind,
            site=site,
            remote=remote if site is None else None,
            start_at=item.start_at,
            end_at=item.end_at,
            timezone=item.timezone,
            professional=professional or None,
            status="open",
            revision=0,
            facilitators=[],
        )
        db.session.add(slot)
        created.append(slot)
    db.session.flush()
    for slot in created:
        set_slot_team(slot, list(members), professional)
    db.session.flush()
    audit(
        "slots.create",
        actor_id=actor.id,
        obj_type="programme",
        obj_id=programme.id,
        count=len(created),
    )
    return created


def live_booking(slot: Slot) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == "confirmed")
    )


def delete_slot(slot: Slot, *, actor: User) -> None:
    """Remove a free slot; a booked one is refused (move it instead)."""
    if live_booking(slot) is not None:
        raise SlotError("booked")
    audit("slot.delete", actor_id=actor.id, obj_type="slot", obj_id=slot.id)
    if slot.bookings:
        slot.status = "cancelled"  # keep the history of cancelled bookings
    else:
        db.session.delete(slot)
    db.session.flush()


def move_slot(slot: Slot, new_start: datetime, *, actor: User) -> Booking | None:
    """Move a slot (same length); a patient who booked it is told, with the new invitation."""
    if new_start <= now():
        raise SlotError("past")
    length = slot.end_at - slot.start_at
    old_start, old_tz = slot.start_at, slot.timezone
    slot.start_at = new_start
    slot.end_at = new_start + length
    slot.revision += 1
    db.session.flush()
    booking = live_booking(slot)
    audit(
        "slot.move",
        actor_id=actor.id,
        obj_type="slot",
        obj_id=slot.id,
        booked=booking is not None,
    )
    if booking is not None:
        withdraw_booking_reminders(booking.id)
        messages.send(
            booking.participant,
            "booking_moved",
            {
                **messages.slot_context(slot),
                "old_start": old_start,
                "old_tz": old_tz,
                "manage_url": messages.manage_url(None),
            },
            ics=messages.slot_ics(slot, booking.participant, None),
            dedupe_key=f"slot:{slot.id}:moved:{slot.revision}",
        )
    return booking


OUTCOMES = ("held", "no_show")


def set_outcome(slot: Slot, outcome: str | None, *, actor: User) -> Booking:
    """After the date: the appointment was held, or the person did not come (None clears)."""
    booking = live_booking(slot)
    if booking is None:
        raise SlotError("not_booked")
    if slot.start_at > now():
        raise SlotError("future")
    if outcome is not None and outcome not in OUTCOMES:
        raise SlotError("outcome")
    booking.outcome = outcome
    db.session.flush()
    if slot.kind == "final":
        _refresh_completion(booking)
    if slot.kind == "bep" and outcome == "held":
        from .gp_notices import notify_entry

        notify_entry(booking)
    audit(
        "booking.outcome", actor_id=actor.id, obj_type="booking", obj_id=booking.id, outcome=outcome
    )
    return booking


def set_plan(
    slot: Slot,
    workshop_codes: list[str],
    *,
    actor: User,
    transversal: list[str] | None = None,
) -> Booking:
    """Record the plan agreed at a held BEP: the programme's workshops the person follows,
    and the transversal ateliers proposed (keys of ``booking.transversal.plan_key``).

    Their completion then needs those workshops (and the final assessment), not the
    programme's general rule; their path shows the others as not in their plan. The
    proposals are kept only when the structure runs transversal ateliers; their manage
    page then offers those (see ``booking.transversal``).
    """
    from ..booking.transversal import plan_key, transversal_choices

    booking = live_booking(slot)
    if booking is None:
        raise SlotError("not_booked")
    if slot.kind != "bep" or booking.outcome != "held":
        raise SlotError("plan_after_bep")
    known = [w.code for w in slot.programme.workshops]
    chosen = [code for code in known if code in set(workshop_codes)]
    if not chosen:
        raise SlotError("plan_empty")
    plan: dict = {"workshops": chosen}
    choices = [plan_key(w) for w in transversal_choices(slot.programme)]
    if choices:
        plan["transversal"] = [key for key in choices if key in set(transversal or [])]
    booking.plan = plan
    db.session.flush()
    audit(
        "booking.plan",
        actor_id=actor.id,
        obj_type="booking",
        obj_id=booking.id,
        plan=chosen,
        transversal=plan.get("transversal"),
    )
    _refresh_completion(booking)
    return booking


def _refresh_completion(booking: Booking) -> None:
    """A final assessment held (or un-held) may complete the person's programme."""
    from .groups import update_completion

    rows = db.session.scalars(
        select(Enrollment)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(
            Enrollment.participant_id == booking.participant_id,
            Enrollment.status.in_(("confirmed", "completed")),
            Cohort.programme_id == booking.slot.programme_id,
        )
    )
    for enrollment in rows:
        update_completion(enrollment)


def record_gp(slot: Slot, what: str, *, actor: User) -> Booking:
    """Note that the GP was informed of entry, or sent the final synthesis (needs consent)."""
    booking = live_booking(slot)
    if booking is None:
        raise SlotError("not_booked")
    if booking.participant.consent_share_gp_at is None:
        raise SlotError("no_consent")
    if what == "informed":
        booking.gp_informed_at = booking.gp_informed_at or now()
    elif what == "synthesis":
        booking.gp_synthesis_sent_at = booking.gp_synthesis_sent_at or now()
    else:
        raise SlotError("outcome")
    db.session.flush()
    audit("booking.gp", actor_id=actor.id, obj_type="booking", obj_id=booking.id, what=what)
    return booking
