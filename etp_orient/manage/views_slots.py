"""BEP slots: bulk creation from availability windows (preview, then create), delete, move."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.forms import choices
from ..accounts.permissions import staff_required
from ..booking.models import Booking, Slot
from ..booking.transversal import plan_key, transversal_choices
from ..catalogue.models import Site
from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from . import clashes
from . import slots as service
from . import team as team_service
from .blueprint import bp
from .forms import FIRST_DATE, LAST_DATE, SlotRuleForm, SlotTeamForm
from .loaders import load_programme, load_slot

ERRORS = {
    "too_many": lambda: _("Trop de créneaux d'un coup : 2000 au plus."),
    "booked": lambda: _("Ce créneau est réservé : déplacez-le plutôt."),
    "past": lambda: _("Choisissez une date à venir."),
    "not_booked": lambda: _("Personne n'a réservé ce créneau."),
    "future": lambda: _("Le rendez-vous n'a pas encore eu lieu."),
    "outcome": lambda: _("Choix inconnu."),
    "no_consent": lambda: _("La personne n'a pas accepté que son médecin soit informé."),
    "plan_after_bep": lambda: _("Notez d'abord que le bilan a eu lieu."),
    "plan_empty": lambda: _("Choisissez au moins un atelier."),
}


def _form(programme) -> tuple[SlotRuleForm, dict]:
    form = SlotRuleForm()
    form.site.choices = choices(
        [("", _("À distance"))] + [(s.code, s.name) for s in programme.sites]
    )
    return form, team_service.team_choices(form.facilitators, programme)


def _rule_from(form: SlotRuleForm) -> service.SlotRule:
    return service.SlotRule(
        weekdays=frozenset(int(d) for d in form.weekdays.data),
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        duration_min=form.duration.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        except_dates=service.parse_dates(form.except_dates.data),
    )


def _past_booked(programme) -> list[Slot]:
    """Booked slots of the last 90 days, for their outcome and the GP letters."""
    return list(
        db.session.scalars(
            select(Slot)
            .join(Booking, Booking.slot_id == Slot.id)
            .where(
                Slot.programme_id == programme.id,
                Booking.status == "confirmed",
                Slot.start_at < now(),
                Slot.start_at >= now() - timedelta(days=90),
            )
            .options(selectinload(Slot.bookings))
            .order_by(Slot.start_at.desc())
        )
    )


def _upcoming(programme) -> list[Slot]:
    return list(
        db.session.scalars(
            select(Slot)
            .where(
                Slot.programme_id == programme.id,
                Slot.start_at >= now() - timedelta(days=1),
                Slot.status == "open",
            )
            .options(selectinload(Slot.bookings))
            .order_by(Slot.start_at)
            .limit(500)
        )
    )


@bp.route("/programmes/<programme_code>/creneaux", methods=["GET", "POST"])
@staff_required()
def slots(programme_code: str):
    programme = load_programme(programme_code, "manage" if request.method == "POST" else "read")
    form, members = _form(programme)
    planned, found = None, []
    if form.validate_on_submit():
        site = None
        if form.site.data:
            site = db.session.scalar(select(Site).where(Site.code == form.site.data))
            if site is None or site not in programme.sites:
                form.site.errors.append(_("Choisissez un lieu du programme."))
        elif form.remote.data not in ("phone", "video"):
            form.remote.errors.append(_("Choisissez un lieu, ou le téléphone ou la vidéo."))
        if not form.errors:
            try:
                planned = service.plan_slots(
                    programme, _rule_from(form), site=site, kind=form.kind.data
                )
            except service.SlotError as error:
                message = ERRORS.get(str(error))
                form.except_dates.errors.append(
                    message()
                    if message
                    else _("Date illisible : %(d)s. Écrivez par exemple 2026-12-25.", d=error)
                )
        chosen = team_service.chosen(form.facilitators, members)
        if chosen and (form.professional.data or "").strip():
            form.professional.errors.append(
                _("Cochez des membres de l'équipe ou écrivez un autre nom, pas les deux.")
            )
            planned = None
        who = form.facilitators if chosen else form.professional
        if planned is not None:
            # every clash of the new slots with sessions and slots already planned
            found = clashes.find(
                [(p.start_at, p.end_at) for p in planned if not p.clash],
                clashes.slot_holder(
                    programme,
                    professional=None if chosen else form.professional.data,
                    people=[(m.name, m.user_id) for m in chosen],
                    site_id=site.id if site else None,
                ),
            )
            refused = clashes.refused(found)
            if refused:
                who.errors.append(
                    _(
                        "%(n)s créneau(x) tomberaient en même temps qu'un autre rendez-vous "
                        "de ce professionnel : changez les heures ou le professionnel.",
                        n=len({c.at for c in refused}),
                    )
                )
        if (
            planned is not None
            and not form.professional.errors
            and not form.facilitators.errors
            and request.form.get("action") == "create"
        ):
            created = service.create_slots(
                programme,
                planned,
                site=site,
                remote=form.remote.data or None,
                professional=form.professional.data,
                actor=current_user,
                kind=form.kind.data,
                members=chosen,
            )
            db.session.commit()
            flash(_("%(n)s créneaux créés.", n=len(created)), "info")
            return redirect(url_for(".slots", programme_code=programme.code))
    past = _past_booked(programme)
    upcoming = _upcoming(programme)
    if past or any(b.status == "confirmed" for s in upcoming for b in s.bookings):
        # The page names the people who booked: a read of a participant list.
        audit(
            "participants.read.slots",
            actor_id=current_user.id,
            obj_type="programme",
            obj_id=programme.id,
        )
        db.session.commit()
    return render_template(
        "manage/slots.html",
        programme=programme,
        form=form,
        planned=planned,
        clashes=[clashes.describe(c) for c in found],
        upcoming=upcoming,
        past=past,
        live_booking=service.live_booking,
    )


@bp.post("/creneaux/<slot_code>/supprimer")
@staff_required("manage")
def slot_delete(slot_code: str):
    slot = load_slot(slot_code, "manage")
    code = slot.programme.code
    try:
        service.delete_slot(slot, actor=current_user)
    except service.SlotError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("Créneau supprimé."), "info")
    return redirect(url_for(".slots", programme_code=code))


@bp.route("/creneaux/<slot_code>/deplacer", methods=["GET", "POST"])
@staff_required("manage")
def slot_move(slot_code: str):
    slot = load_slot(slot_code, "manage")
    error = None
    day = request.form.get("date", slot.local_start.date().isoformat())
    hour = request.form.get("time", slot.local_start.strftime("%H:%M"))
    if request.method == "POST":
        try:
            local = datetime.fromisoformat(f"{day}T{hour}").replace(tzinfo=ZoneInfo(slot.timezone))
            if not FIRST_DATE <= local.date() <= LAST_DATE:
                raise ValueError(day)  # near year 1 or 9999 the UTC conversion overflows
        except ValueError:
            error = _("Saisissez une date et une heure valides.")
        else:
            found = clashes.find(
                [(local.astimezone(UTC), local.astimezone(UTC) + (slot.end_at - slot.start_at))],
                clashes.holder_of_slot(slot),
                exclude_slots=[slot.id],
            )
            refused = clashes.refused(found)
            if refused:
                error = clashes.describe(refused[0]) + " " + _("Choisissez une autre heure.")
            else:
                try:
                    booking = service.move_slot(slot, local, actor=current_user)
                except service.SlotError as problem:
                    db.session.rollback()
                    error = ERRORS[str(problem)]()
                else:
                    db.session.commit()
                    flash(
                        _("Créneau déplacé. La personne inscrite est prévenue.")
                        if booking
                        else _("Créneau déplacé."),
                        "info",
                    )
                    for clash in found:
                        flash(_("Attention : %(what)s", what=clashes.describe(clash)), "error")
                    return redirect(url_for(".slots", programme_code=slot.programme.code))
    booked = service.live_booking(slot)
    if booked is not None:
        audit(
            "participants.read.slots",
            actor_id=current_user.id,
            obj_type="slot",
            obj_id=slot.id,
        )
        db.session.commit()
    return render_template(
        "manage/slot_move.html", slot=slot, day=day, hour=hour, error=error, booked=booked
    ), (400 if error else 200)


@bp.post("/creneaux/<slot_code>/issue")
@staff_required("manage")
def slot_outcome(slot_code: str):
    slot = load_slot(slot_code, "manage")
    outcome = request.form.get("outcome") or None
    try:
        service.set_outcome(slot, outcome, actor=current_user)
    except service.SlotError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("C'est noté."), "info")
    return redirect(url_for(".slots", programme_code=slot.programme.code) + "#passes")


@bp.route("/creneaux/<slot_code>/plan", methods=["GET", "POST"])
@staff_required("manage")
def slot_plan(slot_code: str):
    """After a held BEP: the workshops agreed with the person (all by default)."""
    slot = load_slot(slot_code, "manage")
    booking = service.live_booking(slot)
    if booking is None or slot.kind != "bep":
        flash(ERRORS["not_booked" if booking is None else "plan_after_bep"](), "error")
        return redirect(url_for(".slots", programme_code=slot.programme.code) + "#passes")
    workshops = list(slot.programme.workshops)
    options = [(plan_key(w), w) for w in transversal_choices(slot.programme)]
    plan = booking.plan or {}
    current = plan.get("workshops") or [w.code for w in workshops]
    # the transversal ateliers: all proposed by default
    proposed = plan.get("transversal", [key for key, _w in options])
    error = None
    if request.method == "POST":
        chosen = request.form.getlist("workshops")
        proposed = request.form.getlist("transversal")
        try:
            service.set_plan(slot, chosen, actor=current_user, transversal=proposed)
        except service.SlotError as failure:
            db.session.rollback()
            error = ERRORS[str(failure)]()
            current = chosen
            slot = load_slot(slot_code, "manage")
            booking = service.live_booking(slot)
        else:
            db.session.commit()
            flash(_("Le plan est noté."), "info")
            return redirect(url_for(".slots", programme_code=slot.programme.code) + "#passes")
    return render_template(
        "manage/slot_plan.html",
        slot=slot,
        booking=booking,
        workshops=workshops,
        current=set(current),
        options=options,
        proposed=set(proposed),
        error=error,
    ), (400 if error else 200)


@bp.post("/creneaux/<slot_code>/medecin")
@staff_required("manage")
def slot_gp(slot_code: str):
    slot = load_slot(slot_code, "manage")
    try:
        service.record_gp(slot, request.form.get("what", ""), actor=current_user)
    except service.SlotError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("C'est noté."), "info")
    return redirect(url_for(".slots", programme_code=slot.programme.code) + "#passes")


@bp.route("/creneaux/<slot_code>/equipe", methods=["GET", "POST"])
@staff_required("manage")
def slot_team(slot_code: str):
    """Who receives the person at this appointment: members of the team, or another name.
    Another appointment of one of them at the same time is refused, as when creating."""
    slot = load_slot(slot_code, "manage")
    form = SlotTeamForm()
    members = team_service.team_choices(form.facilitators, slot.programme)
    if not form.is_submitted():
        form.facilitators.data = [
            str(f.team_member_id) for f in slot.facilitators if f.team_member_id
        ]
        if not slot.facilitators or not form.facilitators.data:
            form.professional.data = slot.professional
    if form.validate_on_submit():
        chosen = team_service.chosen(form.facilitators, members)
        text = (form.professional.data or "").strip()
        if chosen and text:
            form.professional.errors.append(
                _("Cochez des membres de l'équipe ou écrivez un autre nom, pas les deux.")
            )
        else:
            found = clashes.find(
                [(slot.start_at, slot.end_at)],
                clashes.slot_holder(
                    slot.programme,
                    professional=None if chosen else text,
                    people=[(m.name, m.user_id) for m in chosen],
                    site_id=slot.site_id,
                ),
                exclude_slots=[slot.id],
            )
            refused = clashes.refused(found)
            if refused:
                (form.facilitators if chosen else form.professional).errors.append(
                    clashes.describe(refused[0])
                )
            else:
                team_service.set_slot_team(slot, chosen, text)
                audit("slot.team", actor_id=current_user.id, obj_type="slot", obj_id=slot.id)
                db.session.commit()
                flash(_("Enregistré."), "info")
                for clash in found:
                    flash(_("Attention : %(what)s", what=clashes.describe(clash)), "error")
                return redirect(url_for(".slots", programme_code=slot.programme.code))
    status = 400 if form.errors else 200
    return render_template("manage/slot_team.html", slot=slot, form=form), status
