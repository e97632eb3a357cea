"""Public content pages: the home page."""

from flask import Blueprint, render_template
from sqlalchemy import select

from ..catalogue.models import Condition
from ..core.i18n import current_language
from ..extensions import db

bp = Blueprint("content", __name__)


def _localised(condition: Condition, lang: str) -> dict:
    """The labels of a condition in the reader's language, French when missing."""
    own = (condition.translations or {}).get(lang, {}) if lang != "fr" else {}
    return {
        "code": condition.code,
        "label": own.get("label") or condition.label,
        "plain_label": own.get("plain_label") or condition.plain_label,
        "pictogram": condition.pictogram,
        "parent_code": condition.parent_code,
    }


@bp.get("/")
def home():
    """Home page: one way in to the orientation, the conditions as pictograms."""
    lang = current_language()
    conditions = [
        _localised(c, lang)
        for c in db.session.scalars(select(Condition).order_by(Condition.position, Condition.code))
    ]
    roots = [c for c in conditions if c["parent_code"] is None]
    children = {
        root["code"]: [c for c in conditions if c["parent_code"] == root["code"]] for root in roots
    }
    return render_template("content/home.html", roots=roots, children=children)


def init_app(app) -> None:
    from . import identity, views_comprendre

    app.register_blueprint(bp)
    views_comprendre.init_app(app)
    identity.init_app(app)
