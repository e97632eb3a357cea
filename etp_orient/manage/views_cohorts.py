"""Cohorts and their sessions: plan (preview, then create), move, cancel."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.forms import choices
from ..accounts.permissions import staff_required
from ..booking.cohorts import lock_cohort
from ..booking.models import Cohort
from ..booking.rules import locking_enabled
from ..catalogue.models import Site, TeamMember
from ..core.db import begin_write
from ..extensions import db
from . import clashes
from . import cohorts as service
from . import team as team_service
from .blueprint import bp
from .forms import CohortForm, CohortSettingsForm, MoveForm, ShiftForm
from .loaders import load_cohort, load_programme, load_session

ERRORS = {
    "past": lambda: _("Choisissez une date à venir."),
    "no_workshops": lambda: _("Ajoutez d'abord les ateliers du programme."),
    "cancelled": lambda: _("C'est déjà annulé."),
    "nothing": lambda: _("Aucune séance à venir."),
    "every": lambda: _("Choisissez un rythme."),
    "capacity": lambda: _("Au moins une place."),
    "capacity_below": lambda: _("Il y a déjà plus de personnes inscrites que ce nombre."),
}


@bp.route("/programmes/<programme_code>/groupes", methods=["GET", "POST"])
@staff_required()
def cohorts(programme_code: str):
    programme = load_programme(programme_code, "manage" if request.method == "POST" else "read")
    form = CohortForm()
    form.site.choices = choices(
        [(s.code, s.name) for s in programme.sites] + [("", _("À distance"))]
    )
    members = team_service.team_choices(form.facilitators, programme)
    planned, warnings = None, []
    if form.validate_on_submit():
        site = None
        if form.site.data:
            site = db.session.scalar(select(Site).where(Site.code == form.site.data))
            if site is None or site not in programme.sites:
                abort(400)
        chosen = team_service.chosen(form.facilitators, members)
        tz = site.timezone if site else service_tz(programme)
        try:
            planned = service.plan_sessions(
                programme,
                first_day=form.first_day.data,
                start_time=form.start_time.data,
                every_weeks=int(form.every.data),
                timezone=tz,
            )
        except service.CohortError as error:
            form.first_day.errors.append(ERRORS[str(error)]())
        if planned is not None:
            # rooms and people taken by other sessions or by individual slots
            warnings = clashes.find(
                [(p.start_at, p.end_at) for p in planned],
                clashes.session_holder(
                    programme,
                    [(m.name, m.user_id) for m in chosen],
                    site_id=site.id if site else None,
                    room=form.room.data,
                ),
            )
            if request.form.get("action") == "create":
                cohort = service.create_cohort(
                    programme,
                    planned,
                    site=site,
                    capacity=form.capacity.data,
                    room=form.room.data,
                    facilitators=chosen,
                    video_url=form.video_url.data or None,
                    actor=current_user,
                )
                db.session.commit()
                flash(_("Groupe créé avec %(n)s séances.", n=len(planned)), "info")
                return redirect(url_for(".group", cohort_code=cohort.code))
    rows = db.session.scalars(
        select(Cohort)
        .where(Cohort.programme_id == programme.id)
        .options(selectinload(Cohort.sessions))  # the list shows each first date
        .order_by(Cohort.id.desc())
    ).all()
    return render_template(
        "manage/cohorts.html",
        programme=programme,
        form=form,
        planned=planned,
        warnings=warnings,
        describe=clashes.describe,
        cohorts=rows,
    )


def service_tz(programme) -> str:
    return programme.sites[0].timezone if programme.sites else "Europe/Paris"


def _local(form: MoveForm, tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(form.day.data, form.start_time.data, tzinfo=ZoneInfo(tz))


@bp.route("/seances/<session_code>/deplacer", methods=["GET", "POST"])
@staff_required("manage")
def session_move(session_code: str):
    session = load_session(session_code, "manage")
    if session.cohort is None:
        abort(404)
    form = MoveForm(
        day=session.local_start.date(), start_time=session.local_start.time(), room=session.room
    )
    warnings = []
    if form.validate_on_submit():
        new_start = _local(form, session.timezone)
        length = session.end_at - session.start_at
        holder = clashes.holder_of_session(session)
        holder.room = (form.room.data or "").strip() or None
        warnings = clashes.find(
            [(new_start, new_start + length)], holder, exclude_sessions=[session.id]
        )
        try:
            told = service.move_session(
                session, new_start, actor=current_user, room=form.room.data or ""
            )
        except service.CohortError as error:
            db.session.rollback()
            form.day.errors.append(ERRORS[str(error)]())
        else:
            db.session.commit()
            flash(_("Séance déplacée. %(n)s personnes sont prévenues.", n=told), "info")
            for warning in warnings:
                flash(_warning_text(warning), "error")
            return redirect(url_for(".group", cohort_code=session.cohort.code))
    return render_template("manage/session_move.html", session=session, form=form)


def _warning_text(warning) -> str:
    return _("Attention : %(what)s", what=clashes.describe(warning))


@bp.post("/seances/<session_code>/annuler")
@staff_required("manage")
def session_cancel(session_code: str):
    session = load_session(session_code, "manage")
    if session.cohort is None:
        abort(404)
    try:
        told = service.cancel_session(session, actor=current_user)
    except service.CohortError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("Séance annulée. %(n)s personnes sont prévenues.", n=told), "info")
    return redirect(url_for(".group", cohort_code=session.cohort.code))


@bp.route("/groupes/<cohort_code>/decaler", methods=["GET", "POST"])
@staff_required("manage")
def cohort_shift(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    form = ShiftForm()
    if form.validate_on_submit():
        try:
            told = service.shift_cohort(cohort, timedelta(days=form.days.data), actor=current_user)
        except service.CohortError as error:
            db.session.rollback()
            form.days.errors.append(ERRORS[str(error)]())
        else:
            db.session.commit()
            flash(_("Séances décalées. %(n)s personnes sont prévenues.", n=told), "info")
            return redirect(url_for(".group", cohort_code=cohort.code))
    return render_template("manage/cohort_shift.html", cohort=cohort, form=form)


@bp.post("/groupes/<cohort_code>/annuler")
@staff_required("manage")
def cohort_cancel(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    try:
        told = service.cancel_cohort(cohort, actor=current_user)
    except service.CohortError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("Groupe annulé. %(n)s personnes sont prévenues.", n=told), "info")
    return redirect(url_for(".group", cohort_code=cohort.code))


@bp.route("/groupes/<cohort_code>/reglages", methods=["GET", "POST"])
@staff_required("manage")
def cohort_settings(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    form = CohortSettingsForm(obj=cohort)
    members = team_service.team_choices(form.facilitators, cohort.programme)
    # names that are no team member (an old file, a member since taken out): shown ticked,
    # so that they can be kept or taken away
    free = {f"libre-{f.id}": f for f in cohort.facilitators if not f.team_member_id}
    form.facilitators.choices += [
        (key, _("%(name)s (hors équipe)", name=f.name)) for key, f in free.items()
    ]
    if not form.is_submitted():
        form.facilitators.data = [
            str(f.team_member_id) if f.team_member_id else f"libre-{f.id}"
            for f in cohort.facilitators
        ]
        if cohort.registration_closes_at:
            form.registration_closes_on.data = cohort.registration_closes_at.astimezone(
                ZoneInfo(cohort.timezone)
            ).date()
    if form.validate_on_submit():
        chosen_ids = [m.id for m in team_service.chosen(form.facilitators, members)]
        keep_free = {free[v].id for v in form.facilitators.data or [] if v in free}
        closes = None
        if form.registration_closes_on.data:
            closes = datetime.combine(
                form.registration_closes_on.data, time(0, 0), tzinfo=ZoneInfo(cohort.timezone)
            )
        # Take the write lock before reading the places: promotions must not race joins.
        begin_write()
        cohort = lock_cohort(cohort_code, locking_enabled())
        chosen = [db.session.get(TeamMember, i) for i in chosen_ids]
        try:
            promoted = service.update_settings(
                cohort,
                capacity=form.capacity.data,
                waitlist_enabled=bool(form.waitlist_enabled.data),
                registration_closes_at=closes,
                video_url=form.video_url.data,
                facilitators=chosen,
                keep_free=keep_free,
                actor=current_user,
            )
        except service.CohortError as error:
            db.session.rollback()
            cohort = load_cohort(cohort_code, "manage")
            form.capacity.errors.append(ERRORS[str(error)]())
        else:
            db.session.commit()
            flash(_("Réglages enregistrés."), "info")
            if promoted:
                flash(
                    _("%(n)s personnes passent de la liste d'attente au groupe.", n=len(promoted)),
                    "info",
                )
            return redirect(url_for(".group", cohort_code=cohort.code))
    return render_template("manage/cohort_settings.html", cohort=cohort, form=form)
