"""Exports and yearly figures."""

from flask import Response, render_template
from flask_login import current_user

from ..accounts.permissions import staff_required
from ..core.models import audit
from ..extensions import db
from . import exports
from .blueprint import bp
from .loaders import load_cohort


@bp.get("/groupes/<cohort_code>/export.csv")
@staff_required("manage")
def cohort_export(cohort_code: str):
    cohort = load_cohort(cohort_code, "manage")
    body = exports.cohort_csv(cohort)
    audit("export.cohort", actor_id=current_user.id, obj_type="cohort", obj_id=cohort.code)
    db.session.commit()
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="groupe-{cohort.code}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/indicateurs")
@staff_required()
def indicators():
    return render_template("manage/indicators.html")
