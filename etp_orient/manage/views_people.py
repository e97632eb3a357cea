"""A person's messages as the team sees them: e-mails, SMS and the webhook events that
carried their data, each queued, sent or given up, and why."""

from zoneinfo import ZoneInfo

from flask import abort, render_template
from sqlalchemy import select

from ..accounts.permissions import check_structures, staff_required
from ..booking.models import Booking, Cohort, Enrollment, Participant, Slot
from ..catalogue.models import programme_structures
from ..extensions import db
from ..notify.services import messages_of
from .blueprint import bp


def _structures_of(participant: Participant) -> set[int]:
    """The structures that run a programme the person booked or joined."""
    programmes = (
        select(Slot.programme_id)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Booking.participant_id == participant.id)
        .union(
            select(Cohort.programme_id)
            .join(Enrollment, Enrollment.cohort_id == Cohort.id)
            .where(Enrollment.participant_id == participant.id)
        )
    )
    return set(
        db.session.scalars(
            select(programme_structures.c.structure_id).where(
                programme_structures.c.programme_id.in_(programmes.scalar_subquery())
            )
        )
    )


@bp.get("/personnes/<int:participant_id>/messages")
@staff_required()
def person_messages(participant_id: int):
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404)
    check_structures(_structures_of(participant))
    messages = messages_of(f"participant:{participant.id}", [participant.email, participant.phone])
    return render_template(
        "manage/person_messages.html",
        participant=participant,
        messages=list(reversed(messages)),
        tz=ZoneInfo("Europe/Paris"),
    )
