"""The planning: who is expected on a day or a week, with how to reach them; printable."""

from datetime import date, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import staff_required
from ..core.i18n import language_names
from ..core.models import audit
from ..extensions import db
from ..notify.services import unreachable
from . import planning as service
from .blueprint import bp
from .forms import FIRST_DATE, LAST_DATE

# what the page says about how a person came (Booking.oriented_by, Referral.referrer_kind)
CAME = {
    "self": lambda: _("De lui-même"),
    "professional": lambda: _("Orienté par un professionnel"),
    "hospital_stay": lambda: _("Orienté pendant une hospitalisation"),
    "hospital_consultation": lambda: _("Orienté en consultation à l'hôpital"),
    "coordinator": lambda: _("Orienté par la coordination"),
}


def parse_day(raw: str | None) -> tuple[date, str | None]:
    """The asked day, or today with the reason the asked one was refused."""
    if not raw:
        return service.today(), None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return service.today(), _("Date inconnue : écrivez-la comme 2026-12-01. Voici aujourd'hui.")
    if not FIRST_DATE <= day <= LAST_DATE:
        return service.today(), _("Choisissez une date entre 2000 et 2100. Voici aujourd'hui.")
    return day, None


@bp.get("/planning")
@staff_required()
def planning():
    raw = request.args.get("date", "")
    day, error = parse_day(raw)
    week = request.args.get("vue") == "semaine"
    first = day - timedelta(days=day.weekday()) if week else day
    last = first + timedelta(days=7 if week else 1)
    # a read of people's contact details is written down, like the group lists
    audit(
        "participants.read.planning",
        actor_id=current_user.id,
        obj_type="planning",
        obj_id=first.isoformat(),
        days=(last - first).days,
    )
    db.session.commit()  # before the reads: a commit would expire what they loaded
    found = service.items(current_user, first, last)
    step = timedelta(days=7 if week else 1)
    return render_template(
        "manage/planning.html",
        week=week,
        day=day,
        first=first,
        last=last,
        days=service.by_day(found, first, last),
        count=len(found),
        previous=first - step,
        following=first + step,
        raw=raw if error else day.isoformat(),
        error=error,
        came=CAME,
        language_name=lambda code: language_names([code])[0],
        unreachable=unreachable([p.participant.id for item in found for p in item.people]),
    ), (400 if error else 200)
