"""Calendar view: week and month, by structure, site or facilitator; plain HTML tables."""

from datetime import date, timedelta

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Membership, User
from ..accounts.permissions import staff_required, structure_ids, visible
from ..catalogue.models import Site, Structure
from ..core.clock import now
from ..core.converters import MAX_ID
from ..core.models import audit
from ..extensions import db
from . import calendar as service
from .blueprint import bp
from .scope import sites_query, structures_query

DEFAULT_TZ = "Europe/Paris"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _filters() -> service.Filters:
    """Read the filters; one outside the user's structures does not exist (404)."""
    filters = service.Filters()
    mine = structure_ids(current_user, "read")
    code = request.args.get("structure")
    if code:
        filters.structure = db.session.scalar(select(Structure).where(Structure.code == code))
        if filters.structure is None or not visible(mine, {filters.structure.id}):
            abort(404)
    code = request.args.get("site")
    if code:
        filters.site = db.session.scalar(select(Site).where(Site.code == code))
        if filters.site is None or not visible(mine, {filters.site.structure_id}):
            abort(404)
    person = request.args.get("animateur", type=int)
    if person is not None and not 0 <= person <= MAX_ID:
        abort(404)
    if person:
        filters.facilitator = db.session.get(User, person)
        if filters.facilitator is None:
            abort(404)
        theirs = {m.structure_id for m in filters.facilitator.memberships}
        if not visible(mine, theirs):
            abort(404)
    return filters


def _facilitators() -> list[User]:
    mine = structure_ids(current_user, "read")
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role.in_(("educator", "coordinator", "admin")))
    )
    if mine is not None:
        query = query.where(Membership.structure_id.in_(mine or [-1]))
    return list(db.session.scalars(query.distinct().order_by(User.full_name, User.email)))


@bp.get("/calendrier")
@staff_required()
def calendar():
    view = "mois" if request.args.get("vue") == "mois" else "semaine"
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = now().date()
    if not FIRST_DAY <= day <= LAST_DAY:
        # Weeks and months around year 1 or 9999 overflow Python's dates.
        day = now().date()
    filters = _filters()
    tz = filters.site.timezone if filters.site else DEFAULT_TZ
    first, last = service.bounds(view, day)
    items = service.entries(current_user, first, last, filters, tz)
    if any(e.person is not None for e in items):
        # the page names the people who booked: a read of a participant list
        audit(
            "participants.read.calendar",
            actor_id=current_user.id,
            obj_type="calendar",
            obj_id=None,
            first=first.isoformat(),
        )
        db.session.commit()
    previous_day = first - timedelta(days=1)
    args = {k: v for k, v in request.args.items() if k in ("structure", "site", "animateur")}
    return render_template(
        "manage/calendar.html",
        view=view,
        first=first,
        last=last,
        days=service.by_day(items, first, last),
        previous=service.bounds(view, previous_day)[0],
        following=last,
        args=args,
        structures=db.session.scalars(structures_query(current_user)).all(),
        sites=db.session.scalars(sites_query(current_user)).all(),
        facilitators=_facilitators(),
        filters=filters,
    )
