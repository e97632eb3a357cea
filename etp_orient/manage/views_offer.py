"""Programmes and sites."""

from flask import render_template

from ..accounts.permissions import staff_required
from .blueprint import bp


@bp.get("/programmes")
@staff_required()
def programmes():
    return render_template("manage/programmes.html")
