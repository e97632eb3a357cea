"""The offer of a whole territory (issue 15): the directory ``/programmes``, its map
``/programmes/carte`` and the professionals' printable table ``/pro/offre``.

Filters live in the query string (bookmarkable; the pages work without JavaScript);
``directory.parse_query`` reads them for these pages and for the API alike.
"""

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..catalogue.views import PROFESSIONS
from ..core.clock import now
from ..core.i18n import language_names
from . import directory
from .explain import condition_label, local_day
from .index import get_index

bp = Blueprint("directory", __name__)

FORMAT_LABELS = {
    "presentiel": _l("Sur place"),
    "distanciel": _l("À distance"),
    "mixte": _l("Sur place et à distance"),
}
AUDIENCE_LABELS = {
    "adults": _l("Adultes"),
    "children": _l("Enfants et adolescents"),
    "pregnancy": _l("Femmes enceintes"),
}
SORT_LABELS = {"title": _l("Par nom"), "next": _l("Par date la plus proche")}

MESSAGES = {
    "condition": _l("Choisissez une maladie dans la liste."),
    "departement": _l("Ce département n'existe pas. Choisissez-le dans la liste."),
    "structure": _l("Cette structure n'existe pas."),
    "format": _l("Choisissez « sur place » ou « à distance »."),
    "language": _l("Choisissez une langue dans la liste."),
    "audience": _l("Choisissez un public dans la liste."),
    "sort": _l("Choisissez un ordre dans la liste."),
    "page": _l("Ce numéro de page n'est pas valide."),
    "per_page": _l("Ce nombre de lignes par page n'est pas valide."),
}


def _choices(query) -> dict:
    """The options of the filter form, in the reader's language."""
    index = get_index()
    d = directory.get_directory()
    conditions = []
    for node in sorted(index.conditions.values(), key=lambda n: n["position"]):
        label = condition_label(node["code"], index.conditions)
        conditions.append((node["code"], ("— " if node["parent_code"] else "") + label))
    structure = d.structures.get(query.structure) if query.structure else None
    return {
        "conditions": conditions,
        "departements": [(code, code) for code in d.departements],
        "languages": list(zip(d.languages, language_names(d.languages), strict=True)),
        "formats": [(k, FORMAT_LABELS[k]) for k in directory.FORMATS],
        "audiences": list(AUDIENCE_LABELS.items()),
        "sorts": list(SORT_LABELS.items()),
        "structure": structure,
    }


def _page_query():
    query, errors = directory.parse_query(request.args, strict=False)
    messages = {}
    for name in errors:
        typed = request.args.get(name, "")[:60]
        messages[name] = _(
            "%(message)s Vous avez écrit : « %(typed)s ».", message=MESSAGES[name], typed=typed
        )
    return query, messages


def _helpers() -> dict:
    index = get_index()

    def when(start, timezone):
        return local_day(start, timezone)

    def hour(start, timezone):
        from babel.dates import format_time

        from ..core.i18n import current_language

        return format_time(start.astimezone(ZoneInfo(timezone)), "short", locale=current_language())

    # texts of the rows, translated once per page rather than once per row
    labels = {
        "by": _("Par :"),
        "where": _("Où :"),
        "how": _("Comment :"),
        "bep": _("Premier rendez-vous : le %(day)s à %(hour)s"),
        "no_bep": _("Pas de premier rendez-vous en ligne pour le moment."),
    }
    return {
        "labels": labels,
        "format_labels": {k: str(v) for k, v in FORMAT_LABELS.items()},
        "condition_name": lambda code: condition_label(code, index.conditions),
        "profession_name": lambda code: str(PROFESSIONS.get(code, code)),
        "when": when,
        "hour": hour,
    }


@bp.get("/programmes")
def directory_page():
    """Every published programme, filtered, sorted and paginated (filters in the URL)."""
    query, errors = _page_query()
    result = directory.listing(query, now())
    return (
        render_template(
            "catalogue/directory.html",
            query=query,
            errors=errors,
            choices=_choices(query),
            listing=result,
            **_helpers(),
        ),
        400 if errors else 200,
    )


MAP_PER_PAGE = 20


@bp.get("/programmes/carte")
def directory_map():
    """The sites of the filtered offer on a map (markers from the API), and the same
    sites as a paginated list under it."""
    query, errors = _page_query()
    sites = directory.sites_of(query)
    pages = max(1, -(-len(sites) // MAP_PER_PAGE))
    start = (query.page - 1) * MAP_PER_PAGE
    return (
        render_template(
            "catalogue/directory_map.html",
            query=query,
            errors=errors,
            choices=_choices(query),
            sites=sites[start : start + MAP_PER_PAGE],
            total=len(sites),
            pages=pages,
            tile_url=current_app.config["MAP_TILE_URL"],
            attribution=current_app.config["MAP_ATTRIBUTION"],
            **_helpers(),
        ),
        400 if errors else 200,
    )


PRO_PER_PAGE = 100


@bp.get("/pro/offre")
def pro_offer():
    """The same directory for professionals: a dense printable table by département, with
    the team's professions, the contacts and the next dates."""
    query, errors = _page_query()
    if "per_page" not in request.args:
        query = replace(query, per_page=PRO_PER_PAGE)
    result = directory.listing(query, now())
    groups: dict[str, list] = {}
    for entry in result.rows:
        places = sorted(entry.departements) or [""]
        if query.departement:
            places = [query.departement]
        for code in places:
            groups.setdefault(code, []).append(entry)
    return (
        render_template(
            "catalogue/pro_offer.html",
            query=query,
            errors=errors,
            choices=_choices(query),
            listing=result,
            groups=sorted(groups.items(), key=lambda item: directory._departement_key(item[0])),
            **_helpers(),
        ),
        400 if errors else 200,
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
