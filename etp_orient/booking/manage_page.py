"""The participant's manage page ``/gerer/<token>``: their dates and what they can do.

Nothing changes on a GET (mail scanners follow links): each action has a
confirmation page whose form POSTs. Unknown, re-issued or deleted tokens give
404. Token pages send no referrer and are not cached.
"""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..core.clock import now
from ..core.ical import build_calendar
from ..core.security import private_page, secret_link_limit
from ..extensions import db, limiter
from . import path as path_module
from . import services
from .calendar import session_event, slot_event
from .forms import ChoicesForm, ConfirmForm, MoveForm, ReissueForm
from .models import Booking, Cohort, Enrollment, Participant
from .participants import feed_token_for, live_bookings, live_enrollments
from .transversal import cohort_keys, offered_cohorts, proposals
from .views import POST_LIMIT, cohort_view, format_when

bp = Blueprint("booking_manage", __name__, url_prefix="/gerer")


@bp.after_request
def _private(response):
    if request.endpoint != "booking_manage.reissue":
        response.headers["Cache-Control"] = "no-store"
    return response


def _participant(token: str) -> Participant:
    private_page()
    participant = services.find_by_token(token)
    if participant is None:
        abort(404)
    return participant


def _booking(participant: Participant, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.participant_id != participant.id:
        abort(404)
    return booking


def _enrollment(
    participant: Participant, cohort_code: str, *, left_ok: bool = False
) -> Enrollment | None:
    """The person's live place in the group; 404 if none, or None when ``left_ok`` and
    the person was in the group and left it."""
    mine = (
        select(Enrollment)
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .where(Cohort.code == cohort_code, Enrollment.participant_id == participant.id)
    )
    enrollment = db.session.scalar(
        mine.where(Enrollment.status.in_(("confirmed", "offered", "waitlisted")))
    )
    if enrollment is None:
        if left_ok and db.session.scalar(mine.limit(1)) is not None:
            return None
        abort(404)
    return enrollment


def _joinable_cohorts(participant: Participant, paths: list[path_module.Path]) -> list[Cohort]:
    """Open cohorts of the programmes the person booked, when they are in none of its
    groups yet (a programme's groups for people with a BEP: only while it is booked or held)."""
    programme_ids = {
        p.programme.id
        for p in paths
        if p.enrollment is None
        and (p.bep is not None or p.final is not None)
        and (p.programme.group_access == "open" or p.bep is not None and p.bep.outcome != "no_show")
    }
    if not programme_ids:
        return []
    cohorts = db.session.scalars(
        select(Cohort)
        .where(Cohort.programme_id.in_(programme_ids), Cohort.status == "open")
        .order_by(Cohort.id)
    )
    return [c for c in cohorts if services.registration_open(c)]


def _overview(participant: Participant, token: str) -> dict:
    at = now()
    bookings = live_bookings(participant)
    paths = path_module.paths(participant)
    joinable = _joinable_cohorts(participant, paths)
    transversal = offered_cohorts(participant)
    proposed, _only_those = proposals(participant)
    return {
        "paths": paths,
        "joinable_by_programme": {
            p.programme.id: [c for c in joinable if c.programme_id == p.programme.id] for p in paths
        },
        "participant": participant,
        "token": token,
        "bookings": bookings,
        "future": {b.id for b in bookings if b.slot.start_at > at},
        "enrollments": [
            {
                "enrollment": e,
                "position": services.waitlist_position(e),
                **cohort_view(e.cohort),
            }
            for e in live_enrollments(participant)
        ],
        "joinable": joinable,
        "transversal": transversal,
        # the ones proposed at a BEP
        "proposed": {c.id for c in transversal if cohort_keys(c) & proposed},
        "personal_feed_token": feed_token_for(token),
    }


@bp.get("/<token>")
@secret_link_limit
def overview(token: str):
    """Bookings and group dates, with every action the person can take.

    ``?facile=1``: the easy-read version, the path only, one action per step.
    """
    participant = _participant(token)
    if request.args.get("facile") == "1":
        return render_template("booking/manage_easy.html", **_overview(participant, token))
    choices = ChoicesForm(
        data={
            "consent_contact": participant.consent_contact_at is not None,
            "consent_share_gp": participant.consent_share_gp_at is not None,
            "explicit_titles": participant.feed_explicit_titles,
        }
    )
    return render_template("booking/manage.html", choices=choices, **_overview(participant, token))


@bp.post("/<token>/choix")
@secret_link_limit
@limiter.limit(POST_LIMIT)
def choices(token: str):
    """Give or withdraw a consent; neutral or explicit titles in the calendar."""
    participant = _participant(token)
    form = ChoicesForm()
    if not form.validate_on_submit():
        abort(400)
    services.update_choices(
        participant,
        consent_contact=form.consent_contact.data,
        consent_share_gp=form.consent_share_gp.data,
        explicit_titles=form.explicit_titles.data,
    )
    db.session.commit()
    return _done(token, _("Vos choix sont enregistrés."))


@bp.get("/<token>/confirmation")
@secret_link_limit
def confirmation(token: str):
    """Right after booking or joining: what was done, the manage link, the calendar."""
    participant = _participant(token)
    what = request.args.get("what", "rdv")
    return render_template(
        "booking/confirmation.html",
        what=what,
        manage_url=current_app.config["BASE_URL"].rstrip("/") + url_for(".overview", token=token),
        **_overview(participant, token),
    )


def _done(token: str, message: str):
    flash(message, "ok")
    return redirect(url_for(".overview", token=token), 303)


# ---------------------------------------------------------------- bookings


@bp.route("/<token>/rdv/<int:booking_id>/annuler", methods=["GET", "POST"])
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def cancel(token: str, booking_id: int):
    participant = _participant(token)
    booking = _booking(participant, booking_id)
    form = ConfirmForm()
    if booking.status != "confirmed" or booking.slot.start_at <= now():
        return redirect(url_for(".overview", token=token), 303)
    if form.validate_on_submit():
        try:
            services.cancel_booking(participant, booking_id, token=token)
        except services.BookingError:
            # a simultaneous click cancelled it first, or its time has come
            db.session.rollback()
            return redirect(url_for(".overview", token=token), 303)
        db.session.commit()
        return _done(token, _("Votre rendez-vous est annulé. Un e-mail vous le confirme."))
    return render_template(
        "booking/confirm_action.html",
        form=form,
        title=_("Annuler ce rendez-vous ?"),
        lines=[format_when(booking.slot.start_at, booking.slot.timezone)],
        button=_("Oui, annuler le rendez-vous"),
        token=token,
    )


# The soonest free dates offered when moving an appointment (a list one can read).
MOVE_CHOICES = 60


@bp.route("/<token>/rdv/<int:booking_id>/deplacer", methods=["GET", "POST"])
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def move(token: str, booking_id: int):
    participant = _participant(token)
    booking = _booking(participant, booking_id)
    if booking.status != "confirmed" or booking.slot.start_at <= now():
        return redirect(url_for(".overview", token=token), 303)
    options = services.free_slots(
        booking.slot.programme_id, kind=booking.slot.kind, limit=MOVE_CHOICES
    )
    form = MoveForm()
    form.slot.choices = _choices(options)
    status = 200
    if form.validate_on_submit():
        try:
            services.move_booking(participant, booking_id, form.slot.data, token=token)
        except services.BookingError:
            db.session.rollback()
            form.slot.errors.append(
                _("Cette date vient d'être prise ou n'existe plus. Choisissez-en une autre.")
            )
            status = 409
            participant = _participant(token)
            booking = _booking(participant, booking_id)
            options = services.free_slots(
                booking.slot.programme_id, kind=booking.slot.kind, limit=MOVE_CHOICES
            )
            form.slot.choices = _choices(options)
        else:
            db.session.commit()
            return _done(
                token, _("Votre rendez-vous a changé de date. Un e-mail vous le confirme.")
            )
    return (
        render_template(
            "booking/move.html", form=form, booking=booking, token=token, has_options=bool(options)
        ),
        status,
    )


def _choices(slots) -> list[SelectChoice]:
    return [
        SelectChoice(s.code, format_when(s.start_at, s.timezone) + " – " + _place_label(s))
        for s in slots
    ]


def _place_label(slot) -> str:
    if slot.remote == "phone":
        return _("par téléphone")
    if slot.remote == "video":
        return _("en vidéo")
    return str(slot.site.localized("name")) if slot.site else ""


# ---------------------------------------------------------------- final and follow-up


def _path_of(participant: Participant, programme_code: str) -> path_module.Path | None:
    """The person's path in the programme of that code, or None."""
    return next(
        (p for p in path_module.paths(participant) if p.programme.code == programme_code), None
    )


PATH_TITLES = {
    "final": lambda: _("Choisir la date du bilan de fin"),
    "followup": lambda: _("Choisir la date du rendez-vous de suivi"),
}


@bp.route(
    "/<token>/bilan-final/<programme_code>", methods=["GET", "POST"], defaults={"kind": "final"}
)
@bp.route("/<token>/suivi/<programme_code>", methods=["GET", "POST"], defaults={"kind": "followup"})
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def book_step(token: str, programme_code: str, kind: str):
    """Book the final assessment or the follow-up: only once the step is open."""
    participant = _participant(token)
    path = _path_of(participant, programme_code)
    if path is None:
        abort(404)
    if getattr(path, kind) is not None:
        return redirect(url_for(".overview", token=token), 303)
    form = MoveForm()
    options = path_module.bookable_slots(path, kind)
    form.slot.choices = _choices(options)
    status = 200
    if form.validate_on_submit():
        try:
            path_module.book_path_slot(participant, form.slot.data, kind, token=token)
        except services.BookingError as error:
            db.session.rollback()
            participant = _participant(token)
            path = _path_of(participant, programme_code)
            if error.reason == "already_booked":
                return _done(token, _("Ce rendez-vous est déjà pris."))
            if error.reason == "not_open" or path is None:
                return _done(token, _("Ce rendez-vous n'est pas encore possible."))
            form.slot.errors.append(
                _("Cette date vient d'être prise ou n'existe plus. Choisissez-en une autre.")
            )
            status = 409
            options = path_module.bookable_slots(path, kind) if path else []
            form.slot.choices = _choices(options)
        else:
            db.session.commit()
            return _done(token, _("Votre rendez-vous est pris. Un e-mail vous le confirme."))
    return (
        render_template(
            "booking/path_book.html",
            form=form,
            path=path,
            kind=kind,
            title=PATH_TITLES[kind](),
            token=token,
            has_options=bool(options),
        ),
        status,
    )


# ---------------------------------------------------------------- groups


@bp.route("/<token>/groupes/<cohort_code>/quitter", methods=["GET", "POST"])
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def leave(token: str, cohort_code: str):
    participant = _participant(token)
    enrollment = _enrollment(participant, cohort_code, left_ok=True)
    if enrollment is None:  # already left (a second click): nothing more to do
        return _done(token, _("Vous avez déjà quitté ce groupe."))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.leave_cohort(participant, cohort_code, token=token)
        except services.BookingError:
            # a simultaneous click left first
            db.session.rollback()
            return _done(token, _("Vous avez déjà quitté ce groupe."))
        db.session.commit()
        return _done(token, _("Vous avez quitté le groupe. Un e-mail vous le confirme."))
    waiting = enrollment.status == "waitlisted"
    return render_template(
        "booking/confirm_action.html",
        form=form,
        title=_("Quitter la liste d'attente ?") if waiting else _("Quitter le groupe ?"),
        lines=[
            _("Votre place sera donnée à la personne suivante.")
            if not waiting
            else _("Vous perdrez votre place dans la liste d'attente.")
        ],
        button=_("Oui, quitter"),
        token=token,
    )


@bp.post("/<token>/groupes/<cohort_code>/rejoindre")
@secret_link_limit
@limiter.limit(POST_LIMIT)
def join(token: str, cohort_code: str):
    participant = _participant(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = services.join_cohort(cohort_code, participant=participant, token=token)
    except services.BookingError as error:
        db.session.rollback()
        services.record_refused_join(cohort_code, error.reason, participant.id)
        db.session.commit()
        messages = {
            "registration_closed": _("Les inscriptions à ce groupe sont fermées."),
            "cohort_full": _("Ce groupe est complet."),
            "already_enrolled": _("Vous êtes déjà inscrit dans ce groupe."),
            "not_eligible": _("Ce groupe n'accueille pas les personnes de votre âge."),
            "bep_first": _(
                "Pour rejoindre ce groupe, prenez d'abord le premier rendez-vous (le bilan)."
            ),
        }
        if error.reason == "clash":
            clash = error.detail
            what = (
                _("une séance de votre groupe")
                if clash.kind == "group"
                else _("un de vos rendez-vous")
            )
            return _done(
                token,
                _(
                    "Ce groupe a une date en même temps qu'%(what)s, le %(when)s. "
                    "Rien n'a été enregistré.",
                    what=what,
                    when=format_when(clash.start, clash.timezone),
                ),
            )
        return _done(token, messages.get(error.reason, _("Ce groupe n'est plus ouvert.")))
    db.session.commit()
    if result.position:
        return _done(
            token,
            _(
                "Le groupe est complet. Vous êtes n° %(n)s sur la liste d'attente.",
                n=result.position,
            ),
        )
    return _done(token, _("Vous avez une place dans le groupe. Un e-mail vous le confirme."))


def _answer_offer(token: str, cohort_code: str, answer, done: str):
    """Accept or decline a place offered from the waiting list; ``answer`` is the service."""
    participant = _participant(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        answer(participant, cohort_code, token=token)
    except services.BookingError as error:
        db.session.rollback()
        return _done(token, OFFER_REFUSALS.get(error.reason, OFFER_REFUSALS["not_found"])())
    db.session.commit()
    return _done(token, done)


@bp.post("/<token>/groupes/<cohort_code>/accepter")
@secret_link_limit
@limiter.limit(POST_LIMIT)
def accept_offer(token: str, cohort_code: str):
    """Take the place offered from the waiting list (before its deadline)."""
    return _answer_offer(
        token,
        cohort_code,
        services.accept_offer,
        _("Vous avez une place dans le groupe. Un e-mail vous le confirme."),
    )


@bp.post("/<token>/groupes/<cohort_code>/refuser")
@secret_link_limit
@limiter.limit(POST_LIMIT)
def decline_offer(token: str, cohort_code: str):
    """Leave the place offered to the next person waiting."""
    return _answer_offer(
        token,
        cohort_code,
        services.decline_offer,
        _("C'est noté : la place est proposée à la personne suivante."),
    )


OFFER_REFUSALS = {
    "already_confirmed": lambda: _("Vous avez déjà une place dans ce groupe."),
    "offer_expired": lambda: _(
        "Le délai pour répondre est passé : la place est proposée à la personne suivante."
    ),
    "not_found": lambda: _("Aucune place ne vous est proposée dans ce groupe."),
}


# ---------------------------------------------------------------- calendar and data


@bp.get("/<token>/agenda.ics")
@secret_link_limit
def calendar(token: str):
    """Every date of the person, to import once (the feed stays up to date)."""
    participant = _participant(token)
    manage = url_for(".overview", token=token, _external=True)
    events = [
        slot_event(
            b.slot,
            personal=True,
            explicit_titles=participant.feed_explicit_titles,
            manage_url=manage,
            language=participant.language,
        )
        for b in live_bookings(participant)
    ]
    for enrollment in live_enrollments(participant):
        if enrollment.status != "confirmed":
            continue
        events.extend(
            session_event(
                s,
                personal=True,
                explicit_titles=participant.feed_explicit_titles,
                manage_url=manage,
                language=participant.language,
            )
            for s in enrollment.cohort.sessions
            if s.status != "cancelled"
        )
    body = build_calendar(events, name=_("Mes rendez-vous santé"), method="PUBLISH")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="mes-rendez-vous.ics"'},
    )


@bp.get("/<token>/donnees")
@secret_link_limit
def data(token: str):
    participant = _participant(token)
    return render_template("booking/data.html", data=services.export_data(participant), token=token)


@bp.get("/<token>/donnees.json")
@secret_link_limit
def data_json(token: str):
    participant = _participant(token)
    body = json.dumps(services.export_data(participant), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mes-donnees.json"'},
    )


@bp.route("/<token>/supprimer", methods=["GET", "POST"])
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def delete(token: str):
    participant = _participant(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_my_data(participant, token=token)
        except services.BookingError:
            # another request erased the person first (a double click): same outcome
            db.session.rollback()
            return render_template("booking/deleted.html")
        db.session.commit()
        return render_template("booking/deleted.html")
    return render_template(
        "booking/confirm_action.html",
        form=form,
        title=_("Supprimer mes données ?"),
        lines=[
            _("Vos rendez-vous à venir seront annulés et votre place dans les groupes libérée."),
            _("Votre nom, votre e-mail et votre téléphone seront effacés."),
            _("Ce lien ne marchera plus. On ne peut pas revenir en arrière."),
        ],
        button=_("Oui, supprimer mes données"),
        danger=True,
        token=token,
    )


@bp.route("/nouveau-lien", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reissue():
    """Send a new manage link to an address; the answer is the same whether it is known or not."""
    form = ReissueForm()
    if form.validate_on_submit():
        services.reissue_links(form.email.data)
        db.session.commit()
        return render_template("booking/reissue_sent.html", email=form.email.data.strip())
    return render_template("booking/reissue.html", form=form)


@bp.route("/nouveau-lien/<code>", methods=["GET", "POST"])
@secret_link_limit
@limiter.limit(POST_LIMIT, methods=["POST"])
def reissue_confirm(code: str):
    """The link of the "new link" e-mail: confirm (POST), then the new manage page.

    A GET changes nothing, since mail scanners follow links.
    """
    private_page()
    if services.reissue_target(code) is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        result = services.confirm_reissue(code)
        if result is None:
            abort(404)
        db.session.commit()
        _participant_obj, token = result
        flash(_("Voici votre nouveau lien. Gardez cet e-mail ou ajoutez cette page à vos favoris."))
        return redirect(url_for("booking_manage.overview", token=token), code=303)
    return render_template("booking/reissue_confirm.html", form=form)
