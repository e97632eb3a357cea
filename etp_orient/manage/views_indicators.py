"""Exports and yearly figures."""

from flask import Response, render_template, request
from flask_login import current_user

from ..accounts.permissions import staff_required
from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from . import exports
from . import indicators as indicators_service
from .blueprint import bp
from .loaders import load_cohort
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
        chart=_chart(report),
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


CHART_KEYS = ("bep_patients", "entered", "completed", "left")


def _chart(report) -> list[dict]:
    """Bars per programme for a few key figures; width in percent of the largest value."""
    lines = []
    for programme in report.programmes:
        values = report.per_programme[programme.id]
        lines.append({"programme": programme, "values": [values.get(k) or 0 for k in CHART_KEYS]})
    top = max((v for line in lines for v in line["values"]), default=0) or 1
    for line in lines:
        line["widths"] = [round(100 * v / top) for v in line["values"]]
    return lines
