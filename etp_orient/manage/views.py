"""The back office's pages under ``/gestion``; each area has its own ``views_*`` module."""

from datetime import timedelta

from flask import render_template
from flask_login import current_user

from ..accounts.permissions import staff_required
from . import dashboard as dash
from . import planning
from .blueprint import bp


@bp.get("/")
@staff_required()
def dashboard():
    day = planning.today()
    return render_template(
        "manage/dashboard.html",
        today_items=planning.items(current_user, day, day + timedelta(days=1)),
        sessions=dash.week_sessions(current_user),
        cohorts=dash.open_cohorts(current_user),
        referrals=dash.unused_referrals(current_user),
        free_bep=dash.open_bep_slots(current_user),
    )


def init_app(app) -> None:
    from . import (  # noqa: F401  (they add their routes to bp)
        views_calendar,
        views_cohorts,
        views_groups,
        views_indicators,
        views_offer,
        views_people,
        views_planning,
        views_slots,
        views_webhooks,
    )

    app.register_blueprint(bp)


@bp.app_template_filter("staff_datetime")
def staff_datetime(value) -> str:
    """A local datetime, e.g. "mar. 24 nov. 2026, 09:00", in the page's language."""
    from flask_babel import format_datetime

    return format_datetime(value, "EEE d MMM y, HH:mm", rebase=False)


@bp.app_template_global("cohort_label")
def cohort_label(cohort) -> str:
    """A cohort named for people ("Groupe du mardi 6 janvier – Gonesse"), not its code."""
    from ..booking.labels import cohort_label as label

    return label(cohort)


@bp.app_template_filter("profession_label")
def profession_label(code: str | None) -> str:
    """A profession code of the offer file ("ipa") as people read it; other text as it is."""
    from ..catalogue.views import PROFESSIONS

    return str(PROFESSIONS.get(code, code)) if code else ""


@bp.app_template_global("language_label")
def language_label(code: str | None) -> str:
    """A language code as its name in the reader's language ("ar" → "arabe")."""
    from ..core.i18n import language_names

    return language_names([code])[0] if code else "–"


@bp.app_template_filter("staff_time")
def staff_time(value) -> str:
    from flask_babel import format_datetime

    return format_datetime(value, "HH:mm", rebase=False)


@bp.app_template_filter("staff_date")
def staff_date(value) -> str:
    from flask_babel import format_date

    return format_date(value, "EEEE d MMMM y")


@bp.app_template_filter("staff_month")
def staff_month(value) -> str:
    from flask_babel import format_date

    return format_date(value, "MMMM y")


@bp.app_context_processor
def staff_links() -> dict:
    """The feeds' page for one's own agenda, when that package is installed."""
    from flask import current_app, url_for

    if "feeds.staff_agenda" in current_app.view_functions:
        return {"staff_agenda_url": url_for("feeds.staff_agenda")}
    return {"staff_agenda_url": None}
