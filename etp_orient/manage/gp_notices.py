"""The GP's two notices: when the person enters the programme and when they complete it.

Only with the person's consent to share with their GP, and only where a GP address is
known: the one the person typed (``participants.gp_email``), else the e-mail of the
professional who referred them (a logged-in referrer's account). Plain e-mail is not a
secure health channel: a notice names the patient and the structure, with its phone,
and nothing about the condition or the programme's title, neither in the subject nor
in the body. The synthesis itself goes through the team's secure messaging and is
recorded by hand (``bookings.gp_synthesis_sent_at``).

Entry: the BEP held (the entry notice sets ``bookings.gp_informed_at``). End: the
enrollment completed. Each at most once (outbox dedupe keys, and ``gp_informed_at``).
"""

from sqlalchemy import select

from ..accounts.models import User
from ..booking.models import Booking, Enrollment, Participant
from ..catalogue.models import Programme
from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from ..notify.services import queue_email
from ..orientation.models import Referral


def gp_address(participant: Participant) -> str | None:
    """Where the GP notices go, or None (no consent, no address, or data erased)."""
    if participant.anonymised_at is not None or participant.consent_share_gp_at is None:
        return None
    if participant.gp_email:
        return participant.gp_email
    return db.session.scalar(
        select(User.email)
        .join(Referral, Referral.referrer_user_id == User.id)
        .join(Booking, Booking.referral_id == Referral.id)
        .where(Booking.participant_id == participant.id, Referral.referrer_kind == "professional")
        .order_by(Booking.id.desc())
        .limit(1)
    )


def _context(participant: Participant, programme: Programme) -> dict:
    structure = programme.structures[0] if programme.structures else None
    return {
        "patient_name": participant.full_name,
        "birth_year": participant.birth_year,
        "structure_name": structure.name if structure else None,
        "structure_phone": (structure.phone if structure else None) or programme.contact_phone,
    }


def _queue(participant: Participant, programme: Programme, template: str, key: str) -> bool:
    address = gp_address(participant)
    if address is None:
        return False
    message = queue_email(
        to=address,
        template=template,
        language="fr",
        context=_context(participant, programme),
        dedupe_key=key,
        owner=f"participant:{participant.id}",
    )
    return message is not None


def notify_entry(booking: Booking) -> bool:
    """After a held BEP: tell the GP the person starts the programme (once)."""
    if booking.slot.kind != "bep" or booking.outcome != "held" or booking.gp_informed_at:
        return False
    sent = _queue(booking.participant, booking.slot.programme, "gp_entry", f"gp:entry:{booking.id}")
    if sent:
        booking.gp_informed_at = now()
        audit("gp.informed", obj_type="booking", obj_id=booking.id)
        db.session.flush()
    return sent


def notify_end(enrollment: Enrollment) -> bool:
    """Once the person completed the programme: tell the GP (once)."""
    if enrollment.status != "completed":
        return False
    sent = _queue(
        enrollment.participant,
        enrollment.cohort.programme,
        "gp_end",
        f"gp:end:{enrollment.id}",
    )
    if sent:
        audit("gp.notified_end", obj_type="enrollment", obj_id=enrollment.id)
        db.session.flush()
    return sent
