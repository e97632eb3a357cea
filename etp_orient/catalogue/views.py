"""The public programme page (/programmes/<code>): what it is, where, who, when, how to book."""

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..core.clock import now
from ..core.i18n import language_names
from ..orientation.availability import open_bep_slots, upcoming_cohorts
from ..orientation.explain import condition_label
from ..orientation.index import get_index
from ..orientation.services import published_programme
from .models import Programme, Site

bp = Blueprint("catalogue", __name__)

# how team professions are shown (the offer file uses these codes)
PROFESSIONS = {
    "medecin": _l("Médecin"),
    "infirmier": _l("Infirmier ou infirmière"),
    "ipa": _l("Infirmier ou infirmière en pratique avancée"),
    "dieteticien": _l("Diététicien ou diététicienne"),
    "sage-femme": _l("Sage-femme"),
    "pharmacien": _l("Pharmacien ou pharmacienne"),
    "kinesitherapeute": _l("Kinésithérapeute"),
    "enseignant-apa": _l("Enseignant en activité physique adaptée"),
    "psychologue": _l("Psychologue"),
    "endocrinologue": _l("Endocrinologue"),
    "sophrologue": _l("Sophrologue"),
    "patient-partenaire": _l("Patient partenaire"),
    "coordinateur": _l("Coordinateur ou coordinatrice"),
}


@bp.get("/programmes/<code>")
def programme(code: str):
    """A published programme, in plain words; 404 for a draft or suspended one."""
    # one statement for the programme and its sites (with their communes, for the town
    # line: not one lazy load per site), one each for its structures and workshops; then
    # its slots and its cohorts (tests/speed)
    found = published_programme(
        code,
        selectinload(Programme.sites).joinedload(Site.commune),
        selectinload(Programme.structures),
        selectinload(Programme.workshops),
    )
    if found is None:
        abort(404)
    at = now()
    index = get_index()
    conditions = index.conditions
    entry = index.programmes.get(found.id)
    # its conditions from the offer index (a programme just published may not be in it yet)
    codes = entry.condition_codes if entry is not None else [c.code for c in found.conditions]
    return render_template(
        "catalogue/programme.html",
        programme=found,
        conditions=[condition_label(c, conditions) for c in codes],
        professions=[str(PROFESSIONS.get(p, p)) for p in found.professions],
        session_languages=language_names(found.languages or ["fr"]),
        slots=open_bep_slots(found, at, limit=5),
        cohorts=upcoming_cohorts(found, at, limit=5),
    )


def init_app(app) -> None:
    from . import localize

    app.register_blueprint(bp)
    localize.init_app(app)
