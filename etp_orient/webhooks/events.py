"""From the audit trail to webhook events, in the change's own transaction.

The changes partners hear about are the ones already audited (``core.models.audit``):
:data:`FROM_AUDIT` maps an audit action to the event sent. The payload is minimal by
default: ids, codes, dates and status; a person's name and contact are added only for
an endpoint whose structure turned it on (``include_personal``).
"""

import json
import uuid

from sqlalchemy import select

from ..booking.models import Booking, Cohort, Enrollment, GroupSession, Participant, Slot
from ..catalogue.models import programme_structures
from ..core.clock import now
from ..core.models import AuditEvent
from ..extensions import db
from ..notify.models import OutboxMessage
from .models import WebhookEndpoint

EVENTS = (
    "booking.created",
    "booking.cancelled",
    "booking.moved",
    "enrollment.created",
    "enrollment.cancelled",
    "enrollment.offered",
    "enrollment.confirmed",
    "session.moved",
    "session.cancelled",
)

# audit action → event type
FROM_AUDIT = {
    "booking.create": "booking.created",
    "booking.cancel": "booking.cancelled",
    "booking.move": "booking.moved",
    "slot.move": "booking.moved",  # staff moved a booked slot
    "enrollment.create": "enrollment.created",
    "enrollment.cancel": "enrollment.cancelled",
    "enrollment.offer": "enrollment.offered",
    "enrollment.promote": "enrollment.confirmed",
    "enrollment.accept": "enrollment.confirmed",
    "session.move": "session.moved",
    "session.cancel": "session.cancelled",
    "cohort.move": "session.moved",  # each of the group's sessions
    "cohort.cancel": "session.cancelled",  # each of the sessions it cancelled
}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _person(participant: Participant) -> dict:
    return {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "email": participant.email,
        "phone": participant.phone,
    }


def _booking(booking: Booking) -> tuple[dict, int, Participant]:
    slot = booking.slot
    data = {
        "booking": {"id": booking.id, "status": booking.status},
        "slot": {
            "code": slot.code,
            "kind": slot.kind,
            "start": _iso(slot.start_at),
            "end": _iso(slot.end_at),
            "site": slot.site.code if slot.site else None,
        },
        "programme": slot.programme.code,
    }
    return data, slot.programme_id, booking.participant


def _enrollment(enrollment: Enrollment) -> tuple[dict, int, Participant]:
    cohort = enrollment.cohort
    data = {
        "enrollment": {"id": enrollment.id, "status": enrollment.status},
        "cohort": cohort.code,
        "programme": cohort.programme.code,
    }
    return data, cohort.programme_id, enrollment.participant


def _session(session: GroupSession) -> tuple[dict, int, None]:
    cohort = session.cohort
    data = {
        "session": {
            "code": session.code,
            "status": session.status,
            "start": _iso(session.start_at),
            "end": _iso(session.end_at),
        },
        "cohort": cohort.code,
        "programme": cohort.programme.code,
    }
    return data, cohort.programme_id, None


def _subjects(event: AuditEvent) -> list[tuple[dict, int, Participant | None]]:
    """What the audited change is about: (data, programme id, person or None) each."""
    if event.object_id is None:
        return []
    key = int(event.object_id) if event.object_id.isdigit() else None
    if key is None:
        return []
    kind = event.object_type
    if kind == "booking":
        booking = db.session.get(Booking, key)
        return [_booking(booking)] if booking else []
    if kind == "slot":
        slot = db.session.get(Slot, key)
        live = [b for b in slot.bookings if b.status == "confirmed"] if slot else []
        return [_booking(b) for b in live]
    if kind == "enrollment":
        enrollment = db.session.get(Enrollment, key)
        return [_enrollment(enrollment)] if enrollment else []
    if kind == "session":
        session = db.session.get(GroupSession, key)
        return [_session(session)] if session else []
    if kind == "cohort":
        cohort = db.session.get(Cohort, key)
        if cohort is None:
            return []
        wanted = "cancelled" if event.action == "cohort.cancel" else None
        return [
            _session(s)
            for s in cohort.sessions
            if (s.status == "cancelled") == (wanted == "cancelled") and s.end_at > now()
        ]
    return []


def _endpoints(programme_id: int) -> list[WebhookEndpoint]:
    runs = select(programme_structures.c.structure_id).where(
        programme_structures.c.programme_id == programme_id
    )
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.active.is_(True), WebhookEndpoint.structure_id.in_(runs))
            .order_by(WebhookEndpoint.id)
        )
    )


def body_of(event_id: str, event_type: str, at, data: dict) -> str:
    """The JSON body, compact and with sorted keys (what is signed is what is sent)."""
    payload = {"id": event_id, "type": event_type, "created_at": at.isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def on_audit(event: AuditEvent) -> None:
    """The audit hook: queue the event for every active endpoint concerned."""
    event_type = FROM_AUDIT.get(event.action)
    if event_type is None:
        return
    if not db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))):
        return  # the common case: no partner at all, one cheap query
    db.session.flush()
    at = now()
    for data, programme_id, person in _subjects(event):
        event_id = str(uuid.uuid4())
        for endpoint in _endpoints(programme_id):
            payload = dict(data)
            personal = endpoint.include_personal and person is not None
            if personal:
                payload["person"] = _person(person)
            db.session.add(
                OutboxMessage(
                    channel="webhook",
                    recipient=endpoint.url,
                    language="fr",
                    template=event_type,
                    subject=event_id,
                    body_text=body_of(event_id, event_type, at, payload),
                    # erasing the person erases what still holds their name
                    owner=f"participant:{person.id}" if personal else None,
                    dedupe_key=f"webhook:{endpoint.id}:{event_id}",
                    webhook_id=endpoint.id,
                    created_at=at,
                    next_attempt_at=at,
                )
            )
