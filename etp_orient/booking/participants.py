"""Participants: creation with their secret links, lookup, export, deletion, new links.

A participant has no account. Two secrets reach them: the manage link
(``/gerer/<token>``) and the personal calendar feed (``/calendar/me/<token>.ics``).
Only SHA-256 hashes are stored. The feed token is derived from the manage token
(HMAC), so the manage page can show the feed address again without storing it;
re-issuing the manage link therefore also changes the feed address.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, or_, select

from ..core import throttle
from ..core.clock import now
from ..core.models import audit
from ..core.tokens import hash_token, new_token
from ..extensions import db
from ..notify.services import kept_if, messages_of
from . import messages
from .models import Attendance, Booking, Enrollment, Participant


@dataclass(frozen=True)
class ParticipantData:
    """What the booking and join forms collect (DESIGN §4 field names)."""

    first_name: str
    last_name: str
    birth_year: int | None = None
    email: str | None = None
    phone: str | None = None
    language: str = "fr"
    needs: str | None = None
    consent_contact: bool = False
    consent_share_gp: bool = False
    # the GP's address, used only with consent_share_gp (the GP notices)
    gp_email: str | None = None


def feed_token_for(manage_token: str) -> str:
    """The personal feed token that goes with a manage token (256 bits, URL-safe)."""
    digest = hmac.new(manage_token.encode("utf-8"), b"etp-orient feed", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def create_participant(data: ParticipantData) -> tuple[Participant, str]:
    """Add a participant with consents time-stamped now; return it and its raw manage token.

    The raw token is returned once and never stored; the feed token follows from
    it (:func:`feed_token_for`).
    """
    at = now()
    token = new_token()
    participant = Participant(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        birth_year=data.birth_year,
        email=(data.email or None),
        phone=(data.phone or None),
        language=data.language if data.language in ("fr", "en", "ar") else "fr",
        needs=(data.needs or "").strip() or None,
        consent_contact_at=at if data.consent_contact else None,
        consent_share_gp_at=at if data.consent_share_gp else None,
        gp_email=data.gp_email or None,
        manage_token_hash=hash_token(token),
        feed_token_hash=hash_token(feed_token_for(token)),
        last_activity_at=at,
    )
    db.session.add(participant)
    db.session.flush()
    return participant, token


def find_by_token(token: str) -> Participant | None:
    """The participant of a manage token, or None (unknown, re-issued or deleted)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.manage_token_hash == hash_token(token),
            Participant.anonymised_at.is_(None),
        )
    )


def touch(participant: Participant) -> None:
    """Record activity (drives the retention purge)."""
    participant.last_activity_at = now()


def update_choices(
    participant: Participant,
    *,
    consent_contact: bool,
    consent_share_gp: bool,
    explicit_titles: bool,
) -> None:
    """Give or withdraw a consent (time-stamped when given) and choose the feed titles."""
    at = now()
    if consent_contact and participant.consent_contact_at is None:
        participant.consent_contact_at = at
    elif not consent_contact:
        participant.consent_contact_at = None
    if consent_share_gp and participant.consent_share_gp_at is None:
        participant.consent_share_gp_at = at
    elif not consent_share_gp:
        participant.consent_share_gp_at = None
    participant.feed_explicit_titles = explicit_titles
    participant.last_activity_at = at
    audit(
        "participant.choices",
        obj_type="participant",
        obj_id=participant.id,
        consent_contact=consent_contact,
        consent_share_gp=consent_share_gp,
        explicit_titles=explicit_titles,
    )
    db.session.flush()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(participant: Participant) -> dict:
    """Everything kept about the person, as JSON-ready values (the right of access)."""
    return {
        "participant": {
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "birth_year": participant.birth_year,
            "email": participant.email,
            "phone": participant.phone,
            "language": participant.language,
            "needs": participant.needs,
            "consent_contact_at": _iso(participant.consent_contact_at),
            "consent_share_gp_at": _iso(participant.consent_share_gp_at),
            "gp_email": participant.gp_email,
            "created_at": _iso(participant.created_at),
            "last_activity_at": _iso(participant.last_activity_at),
        },
        "bookings": [
            {
                "slot": b.slot.code,
                "programme": b.slot.programme.code,
                "start": _iso(b.slot.start_at),
                "end": _iso(b.slot.end_at),
                "status": b.status,
                "outcome": b.outcome,
                "booked_at": _iso(b.created_at),
                "cancelled_at": _iso(b.cancelled_at),
                "oriented_by": b.oriented_by,
                "gp_informed_at": _iso(b.gp_informed_at),
                "gp_synthesis_sent_at": _iso(b.gp_synthesis_sent_at),
            }
            for b in sorted(participant.bookings, key=lambda b: b.id)
        ],
        "enrollments": [
            {
                "cohort": e.cohort.code,
                "programme": e.cohort.programme.code,
                "status": e.status,
                "waitlist_rank": e.waitlist_rank,
                "joined_at": _iso(e.created_at),
                "confirmed_at": _iso(e.confirmed_at),
                "cancelled_at": _iso(e.cancelled_at),
                "sessions": [
                    {"start": _iso(s.start_at), "end": _iso(s.end_at), "status": s.status}
                    for s in e.cohort.sessions
                ],
            }
            for e in sorted(participant.enrollments, key=lambda e: e.id)
        ],
        **_records(participant),
    }


def _records(participant: Participant) -> dict:
    """Attendance, messages and the audit entries about the person, for :func:`export_data`.

    Messages are exported as their rows hold them (a body may be shortened after sending).
    """
    from ..core.models import AuditEvent

    attendance = db.session.scalars(
        select(Attendance)
        .where(Attendance.participant_id == participant.id)
        .order_by(Attendance.id)
    )
    # once sent, a message's text is erased (its links opened this very data)
    outbox = messages_of(f"participant:{participant.id}", [participant.email, participant.phone])
    about = [("participant", participant.id)]
    about += [("booking", b.id) for b in participant.bookings]
    about += [("enrollment", e.id) for e in participant.enrollments]
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                *(
                    and_(AuditEvent.object_type == kind, AuditEvent.object_id == str(key))
                    for kind, key in about
                )
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return {
        "attendance": [
            {
                "session": a.session.code,
                "cohort": a.session.cohort.code,
                "start": _iso(a.session.start_at),
                "status": a.status,
                "carer_present": a.carer_present,
            }
            for a in attendance
        ],
        "messages": [
            {
                "created_at": _iso(m.created_at),
                "channel": m.channel,
                "recipient": m.recipient,
                "language": m.language,
                "template": m.template,
                "subject": m.subject,
                "body_text": m.body_text,
                "status": m.status,
                "sent_at": _iso(m.sent_at),
            }
            for m in outbox
        ],
        "history": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "by_staff": e.actor_user_id is not None,
                "detail": e.detail,
            }
            for e in events
        ],
    }


def anonymise(participant: Participant) -> None:
    """Replace the identity by placeholders; rows stay for the anonymous counts.

    Used by the deletion from the manage page (after freeing future places) and
    by the retention purge. The year of birth is kept: alone it identifies no
    one and the yearly indicators count by age. Both secret links stop working.
    """
    participant.first_name = "—"
    participant.last_name = "—"
    participant.email = None
    participant.phone = None
    participant.needs = None
    participant.gp_email = None
    participant.consent_contact_at = None
    participant.consent_share_gp_at = None
    participant.manage_token_hash = hash_token(new_token())
    participant.feed_token_hash = None
    participant.anonymised_at = now()


#: how long a "new link" e-mail can be used
REISSUE_MAX_AGE_SECONDS = 24 * 3600
#: "new link" e-mails per address (known or not) and per hour, whatever the client IP
REISSUE_PER_ADDRESS = 3
REISSUE_WINDOW = timedelta(hours=1)


def _reissue_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="manage-link-reissue")


def reissue_links(email: str) -> int:
    """E-mail every live participant with this address a link to get a new manage link.

    Nothing changes until the mailbox owner opens the link and confirms
    (:func:`confirm_reissue`): knowing someone's address is not enough to
    break their links or their calendar feed. At most ``REISSUE_PER_ADDRESS``
    e-mails per address per hour, whatever the client IP. Returns how many
    people the e-mail covers (0 when none, or over that cap).

    A known and an unknown address do the same work — the look-up, the counter,
    a signed code, the message rendered and written, the audit row — and only a
    real request keeps its writes: neither the page nor its time tells whether
    the address is a patient's.
    """
    address = email.strip()
    # the count first: see accounts.services.request_password_reset
    capped = (
        throttle.enabled()
        and throttle.hit("relink", address, window=REISSUE_WINDOW) > REISSUE_PER_ADDRESS
    )
    people = db.session.scalars(
        select(Participant)
        .where(
            Participant.email.is_not(None),
            db.func.lower(Participant.email) == address.lower(),
            Participant.anonymised_at.is_(None),
        )
        .order_by(Participant.id)
    ).all()
    real = bool(people) and not capped
    if not real:
        people = [Participant(email=address, first_name="", language="fr", manage_token_hash="")]
    issued = int(now().timestamp())
    serializer = _reissue_serializer()
    codes = [
        serializer.dumps({"p": person.id, "h": person.manage_token_hash[:16], "t": issued})
        for person in people
    ]
    with kept_if(real):
        for person in people:
            audit("participant.reissue_request", obj_type="participant", obj_id=person.id)
        messages.manage_links(people[-1], codes)
    return len(codes) if real else 0


def reissue_target(code: str) -> Participant | None:
    """The participant a "new link" code is for, or None when it is unknown, older
    than a day, already used (the tokens changed since) or their data was deleted."""
    try:
        data = _reissue_serializer().loads(code)
        participant_id, hash_prefix, issued = int(data["p"]), str(data["h"]), int(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    age = now().timestamp() - issued
    if age < 0 or age > REISSUE_MAX_AGE_SECONDS:
        return None
    person = db.session.get(Participant, participant_id)
    if (
        person is None
        or person.anonymised_at is not None
        or not hmac.compare_digest(person.manage_token_hash[:16], hash_prefix)
    ):
        return None
    return person


def confirm_reissue(code: str) -> tuple[Participant, str] | None:
    """Give a participant new manage and feed tokens from a "new link" e-mail.

    Returns the participant and the new raw manage token, or None when the code
    is not valid (see :func:`reissue_target`). The old links stop working.
    """
    person = reissue_target(code)
    if person is None:
        return None
    token = new_token()
    person.manage_token_hash = hash_token(token)
    person.feed_token_hash = hash_token(feed_token_for(token))
    audit("participant.reissue_link", obj_type="participant", obj_id=person.id)
    db.session.flush()
    return person, token


def live_bookings(participant: Participant) -> list[Booking]:
    return sorted(
        (b for b in participant.bookings if b.status == "confirmed"), key=lambda b: b.slot.start_at
    )


def live_enrollments(participant: Participant) -> list[Enrollment]:
    return sorted(
        (e for e in participant.enrollments if e.status in ("confirmed", "offered", "waitlisted")),
        key=lambda e: e.id,
    )
