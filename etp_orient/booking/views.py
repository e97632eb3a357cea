"""Public booking pages: a programme's BEP slots, booking one, a cohort and its join form.

Thin views: parse the form, call a service, commit, render. A refusal from a
service (slot taken meanwhile, not eligible, registration closed…) becomes a
clear page or a message next to the field, with what was typed kept.
"""

from itertools import groupby

from babel.dates import format_date, format_time
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..catalogue.models import Programme
from ..core.clock import now
from ..core.i18n import current_language
from ..extensions import db, limiter
from . import services
from .forms import BookingForm, JoinForm
from .models import Cohort, Slot

bp = Blueprint("booking", __name__)

POST_LIMIT = "20 per minute"


# ---------------------------------------------------------------- helpers for templates


def _local(value, tz):
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(tz or "Europe/Paris"))


def format_day(value, tz=None) -> str:
    """E.g. "lundi 30 novembre 2026", in the page's language and the row's time zone."""
    return format_date(_local(value, tz), format="full", locale=current_language())


def format_hour(value, tz=None) -> str:
    return format_time(_local(value, tz), format="short", locale=current_language())


def format_when(value, tz=None) -> str:
    return _("%(day)s à %(hour)s", day=format_day(value, tz), hour=format_hour(value, tz))


@bp.app_context_processor
def _date_helpers():
    return {
        "booking_day": format_day,
        "booking_hour": format_hour,
        "booking_when": format_when,
    }


def age_range_message(programme: Programme) -> str:
    if programme.age_min is not None and programme.age_max is not None:
        return _(
            "Ce programme accueille les personnes de %(min)s à %(max)s ans.",
            min=programme.age_min,
            max=programme.age_max,
        )
    if programme.age_min is not None:
        return _(
            "Ce programme accueille les personnes de %(min)s ans et plus.", min=programme.age_min
        )
    return _("Ce programme accueille les personnes de moins de %(max)s ans.", max=programme.age_max)


def _published_programme(code: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    if programme is None or programme.status != "published":
        abort(404)
    return programme


def _days(slots: list[Slot]) -> list[tuple[str, list[Slot]]]:
    return [
        (day, list(items))
        for day, items in groupby(slots, key=lambda s: format_day(s.start_at, s.timezone))
    ]


def _referral_arg() -> str:
    """A referral code carried in the link (``?referral_code=``, as the orientation sheet writes it)."""
    return (request.args.get("referral_code") or request.args.get("code") or "").strip()[:16]


def _is_pro() -> bool:
    return (request.values.get("pro") or "") == "1"


# ---------------------------------------------------------------- slots


# A page lists this many free slots; "later dates" shows the next ones.
SLOTS_PER_PAGE = 40


@bp.get("/programmes/<code>/rdv")
def slots(code: str):
    """The programme's open BEP slots, grouped by day, on site or by phone/video."""
    programme = _published_programme(code)
    after = _slot_after(programme)
    free = services.free_slots(programme.id, limit=SLOTS_PER_PAGE + 1, after=after)
    more = free[SLOTS_PER_PAGE - 1] if len(free) > SLOTS_PER_PAGE else None
    return render_template(
        "booking/slots.html",
        programme=programme,
        days=_days(free[:SLOTS_PER_PAGE]),
        pro=_is_pro(),
        referral_code=_referral_arg(),
        next_page=more.code if more is not None else None,
        first_page=after is None,
    )


def _slot_after(programme) -> Slot | None:
    """The slot named by ``?apres=`` (the last one of the page before), if it is this
    programme's: the page then starts after it. Anything else shows the first page."""
    code = (request.args.get("apres") or "").strip()[:100]
    if not code:
        return None
    return db.session.scalar(
        select(Slot).where(Slot.code == code, Slot.programme_id == programme.id)
    )


def _taken_page(slot: Slot, form: BookingForm):
    """The slot went meanwhile: the nearest free ones, each a one-click form with the data kept."""
    return (
        render_template(
            "booking/taken.html",
            slot=slot,
            programme=slot.programme,
            alternatives=services.nearest_free_slots(slot),
            form=form,
            typed=request.method == "POST",
        ),
        409,
    )


@bp.route("/rdv/<slot_code>", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, methods=["POST"])
def book(slot_code: str):
    """The booking form of one slot; ``?pro=1`` when a professional books for the patient."""
    slot = db.session.scalar(select(Slot).where(Slot.code == slot_code))
    # final and follow-up slots are booked from the manage link only
    if slot is None or slot.kind != "bep" or slot.programme.status != "published":
        abort(404)
    form = BookingForm()
    if request.method == "GET":
        form.pro.data = "1" if _is_pro() else ""
        form.language.data = current_language()
        form.referral_code.data = _referral_arg()
        if not services.slot_bookable(slot):
            return _taken_page(slot, form)
    elif form.validate_on_submit():
        if not services.age_fits(slot.programme, form.year, now().year):
            form.birth_year.errors.append(age_range_message(slot.programme))
        else:
            pro = form.pro.data == "1"
            try:
                result = services.book_slot(
                    slot_code,
                    form.participant_data(),
                    acting_user=current_user if current_user.is_authenticated else None,
                    oriented_by="professional" if pro else "self",
                    referral_code=form.referral_code.data or None,
                    on_behalf=pro,
                )
            except services.BookingError as error:
                db.session.rollback()
                slot = db.session.scalar(select(Slot).where(Slot.code == slot_code))
                if error.reason in ("slot_taken", "slot_unavailable"):
                    return _taken_page(slot, form)
                if error.reason == "not_eligible":
                    form.birth_year.errors.append(age_range_message(slot.programme))
                elif error.reason == "referral_invalid":
                    form.referral_code.errors.append(
                        _(
                            "Ce code n'est pas valable pour ce programme. Vérifiez-le ou laissez vide."
                        )
                    )
                else:
                    raise
            else:
                db.session.commit()
                return redirect(
                    url_for("booking_manage.confirmation", token=result.token, what="rdv"), 303
                )
    return render_template("booking/book.html", slot=slot, programme=slot.programme, form=form)


# ---------------------------------------------------------------- cohorts


def _cohort_or_404(code: str) -> Cohort:
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
    if cohort is None or cohort.programme.status != "published":
        abort(404)
    return cohort


def cohort_view(cohort: Cohort) -> dict:
    """What the cohort page and the manage page show about a cohort."""
    return {
        "cohort": cohort,
        "sessions": [s for s in cohort.sessions if s.status != "cancelled"],
        "seats_left": max(0, cohort.capacity - cohort.seats_taken),
        "waitlist_length": services.waitlist_length(cohort.id),
        "registration_open": services.registration_open(cohort),
        "closes_at": services.registration_closes_at(cohort),
    }


@bp.route("/groupes/<cohort_code>", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, methods=["POST"])
def cohort(cohort_code: str):
    """A cohort's dates, seats left and registration window, and its join form."""
    cohort = _cohort_or_404(cohort_code)
    form = JoinForm()
    if request.method == "GET":
        form.language.data = current_language()
    refusal = None
    if request.method == "POST" and form.validate_on_submit():
        if not services.age_fits(cohort.programme, form.year, now().year):
            form.birth_year.errors.append(age_range_message(cohort.programme))
        else:
            try:
                result = services.join_cohort(
                    cohort_code,
                    data=form.participant_data(),
                    acting_user=current_user if current_user.is_authenticated else None,
                )
            except services.BookingError as error:
                db.session.rollback()
                services.record_refused_join(cohort_code, error.reason)
                db.session.commit()
                cohort = _cohort_or_404(cohort_code)
                if error.reason == "not_eligible":
                    form.birth_year.errors.append(age_range_message(cohort.programme))
                else:
                    refusal = error.reason
            else:
                db.session.commit()
                return redirect(
                    url_for("booking_manage.confirmation", token=result.token, what="groupe"), 303
                )
    status = 409 if refusal else 200
    return (
        render_template("booking/cohort.html", form=form, refusal=refusal, **cohort_view(cohort)),
        status,
    )


def init_app(app) -> None:
    from . import manage_page

    app.register_blueprint(bp)
    app.register_blueprint(manage_page.bp)
