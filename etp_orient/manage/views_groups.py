"""A cohort's participants, waiting list and attendance."""

from flask import render_template

from ..accounts.permissions import staff_required
from .blueprint import bp
from .loaders import load_cohort


@bp.get("/groupes/<cohort_code>")
@staff_required()
def group(cohort_code: str):
    cohort = load_cohort(cohort_code)
    return render_template("manage/group.html", cohort=cohort)
