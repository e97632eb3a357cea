"""Yearly figures."""

from flask import render_template

from ..accounts.permissions import staff_required
from .blueprint import bp


@bp.get("/indicateurs")
@staff_required()
def indicators():
    return render_template("manage/indicators.html")
