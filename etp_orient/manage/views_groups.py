"""A cohort's page: sessions, participants, waiting list; attendance at the door; CSV export."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..accounts.permissions import can, staff_required
from ..booking.cohorts import leave_cohort, move_enrollment
from ..booking.forms import ParticipantForm
from ..booking.models import Cohort, Enrollment, GroupSession
from ..booking.rules import BookingError
from ..core.clock import now
from ..core.converters import MAX_ID
from ..extensions import db
from ..notify.services import unreachable
from . import groups as service
from .blueprint import bp
from .loaders import cohort_structures, load_cohort

ERRORS = {
    "full": lambda: _("Le groupe est complet : libérez d'abord une place."),
    "not_waiting": lambda: _("Cette personne n'est pas sur la liste d'attente."),
    "target": lambda: _("Choisissez un autre groupe du même programme."),
    "not_in_group": lambda: _("Cette personne n'est pas dans le groupe."),
    "status": lambda: _("Choix inconnu."),
    "not_yet": lambda: _("L'appel n'est pas encore ouvert : il ouvre le jour de la séance."),
}
BOOKING_ERRORS = {
    "cohort_full": lambda: _("Le groupe est complet et n'a pas de liste d'attente."),
    "registration_closed": lambda: _("Les inscriptions de ce groupe sont fermées."),
    "already_enrolled": lambda: _("Cette personne est déjà inscrite."),
    "not_eligible": lambda: _("Cette personne n'a pas l'âge du programme."),
}


def _enrollment(cohort: Cohort, enrollment_id: int) -> Enrollment:
    if not 0 < enrollment_id <= MAX_ID:  # a form value beyond the column overflows
        abort(404)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.cohort_id != cohort.id:
        abort(404)
    return enrollment


def _other_cohorts(cohort: Cohort) -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .where(
                Cohort.programme_id == cohort.programme_id,
                Cohort.id != cohort.id,
                Cohort.status == "open",
            )
            .order_by(Cohort.code)
        )
    )


def _render_group(cohort: Cohort, form: ParticipantForm | None = None, status: int = 200):
    service.audit_read(cohort, "group", actor=current_user)
    db.session.commit()
    live = [s for s in cohort.sessions if s.status != "cancelled"]
    participants = service.enrollments(cohort, "confirmed")
    return render_template(
        "manage/group.html",
        cohort=cohort,
        participants=participants,
        without_bep=service.without_bep(cohort, participants),
        unreachable=unreachable(
            [e.participant_id for e in participants]
            + [e.participant_id for e in service.enrollments(cohort, "waitlisted")]
        ),
        live_sessions=live,
        history=service.attendance_history_rows(cohort, live, participants) if live else [],
        waiting=service.enrollments(cohort, "waitlisted"),
        offered=service.enrollments(cohort, "offered"),
        others=_other_cohorts(cohort),
        form=form or ParticipantForm(formdata=None),
        editable=can(cohort_structures(cohort), "manage"),
        now=now(),
    ), status


@bp.get("/groupes/<cohort_code>")
@staff_required()
def group(cohort_code: str):
    return _render_group(load_cohort(cohort_code))


@bp.post("/groupes/<cohort_code>/inscrire")
@staff_required("manage")
def group_add(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    form = ParticipantForm()
    if form.validate():
        try:
            result = service.add_by_phone(cohort, form.participant_data(), actor=current_user)
        except BookingError as error:
            db.session.rollback()
            cohort = load_cohort(cohort_code, "manage")
            message = BOOKING_ERRORS.get(error.reason, lambda: _("Inscription impossible."))
            form.first_name.errors = [*form.first_name.errors, message()]
        else:
            db.session.commit()
            if result.position:
                flash(_("Inscrit sur la liste d'attente (rang %(n)s).", n=result.position), "info")
            else:
                flash(_("Inscrit dans le groupe."), "info")
            return redirect(url_for(".group", cohort_code=cohort_code))
    return _render_group(cohort, form, 400)


@bp.post("/groupes/<cohort_code>/inscriptions/<int:enrollment_id>/promouvoir")
@staff_required("manage")
def enrollment_promote(cohort_code: str, enrollment_id: int):
    cohort = load_cohort(cohort_code, "manage")
    enrollment = _enrollment(cohort, enrollment_id)
    try:
        service.promote(enrollment, actor=current_user)
    except service.GroupError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(_("Place donnée. La personne est prévenue."), "info")
    return redirect(url_for(".group", cohort_code=cohort_code))


@bp.post("/groupes/<cohort_code>/inscriptions/<int:enrollment_id>/ordre")
@staff_required("manage")
def enrollment_reorder(cohort_code: str, enrollment_id: int):
    cohort = load_cohort(cohort_code, "manage")
    enrollment = _enrollment(cohort, enrollment_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    try:
        service.reorder(enrollment, direction, actor=current_user)
    except service.GroupError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
    return redirect(url_for(".group", cohort_code=cohort_code) + "#attente")


@bp.post("/groupes/<cohort_code>/inscriptions/<int:enrollment_id>/changer")
@staff_required("manage")
def enrollment_move(cohort_code: str, enrollment_id: int):
    cohort = load_cohort(cohort_code, "manage")
    enrollment = _enrollment(cohort, enrollment_id)
    target = db.session.scalar(select(Cohort).where(Cohort.code == request.form.get("target", "")))
    if target is None:
        flash(ERRORS["target"](), "error")
        return redirect(url_for(".group", cohort_code=cohort_code))
    try:
        service.check_move_target(enrollment, target)
    except service.GroupError as error:
        flash(ERRORS[str(error)](), "error")
        return redirect(url_for(".group", cohort_code=cohort_code))
    # one transaction: in the new group and out of the old one, or nothing at all
    try:
        result = move_enrollment(
            enrollment.participant, cohort_code, target.code, acting_user=current_user
        )
    except BookingError as error:
        db.session.rollback()
        flash(BOOKING_ERRORS.get(error.reason, lambda: _("Inscription impossible."))(), "error")
        return redirect(url_for(".group", cohort_code=cohort_code))
    db.session.commit()
    flash(
        _("La personne passe dans le groupe %(code)s.", code=target.code)
        if not result.position
        else _("La personne attend une place dans le groupe %(code)s.", code=target.code),
        "info",
    )
    return redirect(url_for(".group", cohort_code=cohort_code))


@bp.post("/groupes/<cohort_code>/inscriptions/<int:enrollment_id>/retirer")
@staff_required("manage")
def enrollment_remove(cohort_code: str, enrollment_id: int):
    cohort = load_cohort(cohort_code, "manage")
    enrollment = _enrollment(cohort, enrollment_id)
    try:
        leave_cohort(enrollment.participant, cohort.code, acting_user=current_user)
    except BookingError:
        db.session.rollback()
        flash(ERRORS["not_in_group"](), "error")
    else:
        db.session.commit()
        flash(_("La personne ne fait plus partie du groupe."), "info")
    return redirect(url_for(".group", cohort_code=cohort_code))


def _current_session(cohort: Cohort, code: str | None) -> GroupSession | None:
    live = [s for s in cohort.sessions if s.status != "cancelled"]
    if code:
        for session in live:
            if session.code == code:
                return session
        abort(404)
    if not live:
        return None
    current = now()
    # Today's session if any, else the next one, else the last one.
    upcoming = [s for s in live if s.end_at >= current - _grace()]
    return upcoming[0] if upcoming else live[-1]


def _grace():
    from datetime import timedelta

    return timedelta(hours=12)


@bp.route("/groupes/<cohort_code>/presences", methods=["GET", "POST"])
@staff_required()
def attendance(cohort_code: str):
    cohort = load_cohort(cohort_code)
    code = request.values.get("seance")
    session = _current_session(cohort, code)
    if request.method == "POST":
        if session is None:
            abort(404)
        enrollment_id = request.form.get("enrollment", type=int)
        enrollment = _enrollment(cohort, enrollment_id or 0)
        status = request.form.get("status") or None
        carer = request.form.get("carer")
        try:
            service.mark(
                session,
                enrollment,
                status=status,
                carer_present=None if carer is None else carer == "1",
                actor=current_user,
            )
        except service.GroupError as error:
            db.session.rollback()
            flash(ERRORS[str(error)](), "error")
        else:
            db.session.commit()
        return redirect(
            url_for(".attendance", cohort_code=cohort.code, seance=session.code)
            + f"#p{enrollment.id}",
            303,
        )
    service.audit_read(cohort, "attendance", actor=current_user)
    db.session.commit()
    people = service.enrollments(cohort, "confirmed")
    return render_template(
        "manage/attendance.html",
        cohort=cohort,
        session=session,
        is_open=service.attendance_open(session) if session else False,
        opens_on=service.attendance_opens_on(session) if session else None,
        sessions=[s for s in cohort.sessions if s.status != "cancelled"],
        people=people,
        marks=service.attendance_map(session) if session else {},
    )


@bp.post("/groupes/<cohort_code>/presences/tous")
@staff_required()
def attendance_all(cohort_code: str):
    """ "Tous présents": everyone not marked yet is present; then correct one by one."""
    cohort = load_cohort(cohort_code)
    session = _current_session(cohort, request.form.get("seance"))
    if session is None:
        abort(404)
    try:
        count = service.mark_all_present(
            session, service.enrollments(cohort, "confirmed"), actor=current_user
        )
    except service.GroupError as error:
        db.session.rollback()
        flash(ERRORS[str(error)](), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "%(num)s personne notée présente.", "%(num)s personnes notées présentes.", count
            ),
            "info",
        )
    return redirect(url_for(".attendance", cohort_code=cohort.code, seance=session.code), 303)
