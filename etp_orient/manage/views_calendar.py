"""Calendar view (week and month, by structure, site or facilitator)."""

from flask import render_template

from ..accounts.permissions import staff_required
from .blueprint import bp


@bp.get("/calendrier")
@staff_required()
def calendar():
    return render_template("manage/calendar.html")
