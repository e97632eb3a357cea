"""Exports and yearly figures."""

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.permissions import staff_required
from ..core.clock import now
from ..core.i18n import text_direction
from ..core.models import audit
from ..extensions import db
from . import charts, exports
from . import indicators as indicators_service
from .blueprint import bp
from .loaders import load_cohort, load_programme
from .scope import departements, programme_ids_query


@bp.get("/groupes/<cohort_code>/export.csv")
@staff_required("manage")
def cohort_export(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    body = exports.cohort_csv(cohort)
    audit("export.cohort", actor_id=current_user.id, obj_type="cohort", obj_id=cohort.id)
    db.session.commit()
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="groupe-{cohort.code}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _year() -> int:
    year = request.args.get("annee", type=int)
    current = now().year
    if year is None or not current - 20 <= year <= current:
        return indicators_service.default_year()
    return year


def _report(year: int):
    ids = list(db.session.scalars(programme_ids_query(current_user)))
    return indicators_service.compute(year, ids, departements(current_user))


SUMMARY_KEYS = (
    "bep_patients",
    "entered",
    "completed",
    "left",
    "withdrawn",
    "collective_held",
    "active_programmes",
    "orientations",
    "unmet",
)


def _orientation_scope() -> str:
    """Whose orientations the page counts, in words."""
    places = departements(current_user)
    if places is None:
        return _("toute la plateforme")
    if not places:
        return _("aucun département (vos structures n'ont pas de commune)")
    return ngettext(
        "le département %(list)s",
        "les départements %(list)s",
        len(places),
        list=", ".join(sorted(places)),
    )


@bp.get("/indicateurs")
@staff_required()
def indicators():
    year = _year()
    report = _report(year)
    audit("indicators.read", actor_id=current_user.id, obj_type="indicators", obj_id=year)
    db.session.commit()
    return render_template(
        "manage/indicators.html",
        report=report,
        year=year,
        years=list(range(now().year, now().year - 6, -1)),
        figures=indicators_service.FIGURES,
        sections=indicators_service.SECTIONS,
        fmt=indicators_service.format_value,
        charts=_charts(report),
        summary_keys=SUMMARY_KEYS,
        figure_by_key={f.key: f for f in indicators_service.FIGURES},
        orientation_scope=_orientation_scope(),
        programme_columns=[(key, label) for key, label in PATH_KEYS],
    )


@bp.get("/indicateurs/<programme_code>")
@staff_required()
def indicators_programme(programme_code: str):
    """Every figure of one programme, with its rule (the summary page's details)."""
    programme = load_programme(programme_code)
    year = _year()
    report = indicators_service.compute(year, [programme.id], set())
    audit(
        "indicators.read",
        actor_id=current_user.id,
        obj_type="programme",
        obj_id=programme.id,
        year=year,
    )
    db.session.commit()
    return render_template(
        "manage/indicators_programme.html",
        programme=programme,
        values=report.per_programme[programme.id],
        year=year,
        years=list(range(now().year, now().year - 6, -1)),
        figures=indicators_service.FIGURES,
        sections=indicators_service.SECTIONS,
        fmt=indicators_service.format_value,
        programme_scope=True,
    )


@bp.get("/indicateurs.csv")
@staff_required()
def indicators_csv():
    year = _year()
    report = _report(year)
    audit("export.indicators", actor_id=current_user.id, obj_type="indicators", obj_id=year)
    db.session.commit()
    return Response(
        "\ufeff" + indicators_service.to_csv(report),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="indicateurs-{year}.csv"',
            "Cache-Control": "no-store",
        },
    )


# The patients' path, territory-wide: (figure key, short label).
PATH_KEYS = (
    ("bep_patients", _l("Patients avec un BEP")),
    ("entered", _l("Patients entrés")),
    ("completed", _l("Programme terminé")),
    ("left", _l("Sortis en cours de route")),
    ("withdrawn", _l("Retirés avant le début")),
)
CHANNELS = {
    "patient": _l("Patient en ligne"),
    "professional": _l("Professionnel"),
    "api": _l("API"),
}
CHART_ROWS = 8  # the largest rows of a chart; the rest are counted in a note


def _bars(pairs) -> tuple[list[charts.Bar], int]:
    """(label, number) pairs → the largest CHART_ROWS bars and how many were left out."""
    pairs = sorted(pairs, key=lambda pair: -pair[1])
    shown = pairs[:CHART_ROWS]
    return [charts.Bar(str(label), value, str(value)) for label, value in shown], len(pairs) - len(
        shown
    )


def _charts(report) -> list[dict]:
    """The summary's small charts, each with its numbers for a table beside it."""
    rtl = text_direction() == "rtl"
    territory = report.territory
    specs = [
        (
            "chart-path",
            _("Parcours des patients (vos programmes)"),
            [(label, territory.get(key) or 0) for key, label in PATH_KEYS],
            False,
        ),
        (
            "chart-entered",
            _("Patients entrés, par programme"),
            [(p.title, report.per_programme[p.id]["entered"]) for p in report.programmes],
            True,
        ),
        (
            "chart-channels",
            _("Orientations, par canal"),
            [
                (CHANNELS.get(key, key), n)
                for key, n in territory.get("orientations_by_channel", {}).items()
            ],
            True,
        ),
        (
            "chart-unmet",
            _("Sans rien sur place à portée, par département"),
            [
                (_("inconnu") if key == "unknown" else key, n)
                for key, n in territory.get("unmet_by_departement", {}).items()
            ],
            True,
        ),
    ]
    result = []
    for chart_id, title, pairs, sort in specs:
        if sort:
            bars, left_out = _bars(pairs)
        else:
            bars, left_out = [charts.Bar(str(label), n, str(n)) for label, n in pairs], 0
        result.append(
            {
                "id": chart_id,
                "title": title,
                "bars": bars,
                "left_out": left_out,
                "svg": charts.bar_chart(bars, rtl=rtl) if bars else None,
            }
        )
    return result
