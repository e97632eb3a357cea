"""The messages a booking change causes, queued in the outbox of the same transaction.

Each function takes the rows involved, builds the template context in plain
values and queues one e-mail (or one SMS when the person gave only a phone
number). The ``.ics`` attached uses the feeds' builders (``booking/calendar.py``)
so that an event has the same UID in an e-mail and in a feed.
"""

import dataclasses
from email.utils import parseaddr

from flask import current_app

from ..core.clock import now
from ..core.ical import build_calendar
from ..notify.services import queue_for_person
from .calendar import session_event, slot_event
from .models import Booking, Cohort, Enrollment, Participant, Slot


def base_url() -> str:
    return current_app.config.get("BASE_URL", "").rstrip("/")


def manage_url(token: str | None) -> str:
    """The manage link, or the page that re-issues it when the raw token is unknown."""
    if token:
        return f"{base_url()}/gerer/{token}"
    return f"{base_url()}/gerer/nouveau-lien"


def slot_place(slot: Slot) -> dict:
    """Where a slot happens, as plain values for templates."""
    site = slot.site
    return {
        "remote": slot.remote,
        "site_name": site.localized("name") if site else None,
        "address": site.address_line if site else None,
        "transport": site.localized("transport") if site else None,
    }


def slot_context(slot: Slot) -> dict:
    return {
        "programme_title": slot.programme.localized("display_title"),
        "start": slot.start_at,
        "end": slot.end_at,
        "tz": slot.timezone,
        "professional": slot.professional,
        **slot_place(slot),
    }


def cohort_context(cohort: Cohort) -> dict:
    sessions = [s for s in cohort.sessions if s.status != "cancelled"]
    return {
        "programme_title": cohort.programme.localized("display_title"),
        "cohort_code": cohort.code,
        "tz": cohort.timezone,
        "remote": cohort.site is None,
        "site_name": cohort.site.localized("name") if cohort.site else None,
        "address": cohort.site.address_line if cohort.site else None,
        "sessions": [
            {
                "title": s.workshop.localized("title"),
                "start": s.start_at,
                "end": s.end_at,
                "tz": s.timezone,
            }
            for s in sessions
        ],
    }


def _invitation(events: list, participant: Participant, name: str, cancel: bool) -> bytes:
    """METHOD:REQUEST (or CANCEL) addressed to the person, as the reminders do."""
    organizer = parseaddr(current_app.config.get("MAIL_FROM") or "")[1] or None
    attendees = (participant.email,) if participant.email else ()
    events = [dataclasses.replace(e, organizer=organizer, attendees=attendees) for e in events]
    return build_calendar(events, name=name, method="CANCEL" if cancel else "REQUEST")


def slot_ics(
    slot: Slot, participant: Participant, token: str | None, *, cancel: bool = False
) -> bytes:
    """A one-event invitation for a slot; a cancellation carries STATUS:CANCELLED."""
    event = slot_event(
        slot,
        personal=True,
        explicit_titles=participant.feed_explicit_titles,
        manage_url=manage_url(token) if token else None,
        cancelled_at=now() if cancel else None,
        language=participant.language,
    )
    return _invitation([event], participant, "etp-orient", cancel)


def cohort_ics(
    cohort: Cohort, participant: Participant, token: str | None, *, cancel: bool = False
) -> bytes | None:
    """Every session of a cohort still to come, in one invitation (or its cancellation)."""
    at = now()
    events = [
        session_event(
            session,
            personal=True,
            explicit_titles=participant.feed_explicit_titles,
            manage_url=manage_url(token) if token else None,
            cancelled_at=at if cancel else None,
            language=participant.language,
        )
        for session in cohort.sessions
        if session.status != "cancelled" and session.end_at > at
    ]
    if not events:
        return None
    return _invitation(events, participant, "etp-orient", cancel)


def send(
    participant: Participant,
    template: str,
    context: dict,
    *,
    ics: bytes | None = None,
    cancel: bool = False,
    dedupe_key: str | None = None,
) -> None:
    """Queue ``template`` for the person: by e-mail if they gave one, else by SMS."""
    context = {"first_name": participant.first_name, **context}
    queue_for_person(
        email=participant.email,
        phone=participant.phone,
        template=template,
        language=participant.language,
        context=context,
        ics=ics,
        ics_method=("CANCEL" if cancel else "REQUEST") if ics is not None else None,
        dedupe_key=dedupe_key,
        sms_dedupe_key=f"sms:{dedupe_key}" if dedupe_key else None,
        owner=f"participant:{participant.id}",
    )


def booking_confirmed(booking: Booking, token: str | None) -> None:
    send(
        booking.participant,
        "booking_confirmed",
        {**slot_context(booking.slot), "manage_url": manage_url(token)},
        ics=slot_ics(booking.slot, booking.participant, token),
        dedupe_key=f"booking:{booking.id}:confirmed",
    )


def booking_cancelled(booking: Booking, token: str | None) -> None:
    send(
        booking.participant,
        "booking_cancelled",
        {
            **slot_context(booking.slot),
            "manage_url": manage_url(token),
            "book_url": f"{base_url()}/programmes/{booking.slot.programme.code}/rdv",
        },
        ics=slot_ics(booking.slot, booking.participant, token, cancel=True),
        cancel=True,
        dedupe_key=f"booking:{booking.id}:cancelled",
    )


def booking_moved(old: Booking, new: Booking, token: str | None) -> None:
    send(
        new.participant,
        "booking_moved",
        {
            **slot_context(new.slot),
            "old_start": old.slot.start_at,
            "old_tz": old.slot.timezone,
            "manage_url": manage_url(token),
        },
        ics=slot_ics(new.slot, new.participant, token),
        dedupe_key=f"booking:{new.id}:moved",
    )


def enrollment_message(
    enrollment: Enrollment, template: str, token: str | None, *, invite: bool = True, **extra
) -> None:
    """``enrollment_confirmed``, ``_waitlisted``, ``_promoted`` or ``_cancelled``.

    ``invite=False`` leaves out the calendar (leaving a waiting list).
    """
    cohort = enrollment.cohort
    cancel = template == "enrollment_cancelled"
    with_ics = invite and template != "enrollment_waitlisted"
    send(
        enrollment.participant,
        template,
        {**cohort_context(cohort), "manage_url": manage_url(token), **extra},
        ics=cohort_ics(cohort, enrollment.participant, token, cancel=cancel) if with_ics else None,
        cancel=cancel,
        dedupe_key=f"enrollment:{enrollment.id}:{template.removeprefix('enrollment_')}",
    )


def manage_links(participant: Participant, codes: list[str]) -> None:
    """The "get a new manage link" e-mail: one confirmation link per booking record."""
    links = [f"{base_url()}/gerer/nouveau-lien/{code}" for code in codes]
    send(participant, "manage_link", {"links": links, "manage_url": links[0]})
