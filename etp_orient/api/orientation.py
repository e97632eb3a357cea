"""GET /api/v1/orientation: the programmes that fit a person (DESIGN §4, docs/api.md)."""

from flask import jsonify, request

from ..core.clock import now
from ..core.i18n import current_language
from ..orientation.explain import orientation_dict
from ..orientation.index import get_index
from ..orientation.matching import MAX_RADIUS_KM, OrientationQuery, QueryError, orient
from ..orientation.services import record_orientation
from .views import BadParameter, bp

TRUE = {"1", "true", "yes", "oui"}
FALSE = {"0", "false", "no", "non"}
FORMATS = ("presentiel", "distanciel", "mixte")

MESSAGES = {
    "missing": "give some text (q) or a condition code (condition)",
    "unknown_condition": "unknown condition code; see /api/v1/conditions",
    "commune_not_found": "no commune matches; give an INSEE code, a postal code or a name",
    "commune_ambiguous": "several communes match; repeat with commune=insee:<code> of one of the candidates",
    "invalid": "invalid value",
}


def parse_query(args) -> OrientationQuery:
    """Read and check the query-string parameters; raise BadParameter naming the bad one."""
    q = args.get("q", "").strip()
    if len(q) > 300:
        raise BadParameter("q", "at most 300 characters")
    codes: list[str] = []
    for raw in args.getlist("condition"):
        for code in raw.split(","):
            code = code.strip()
            if code:
                codes.append(code)
    commune = args.get("commune", "").strip()
    if not commune:
        raise BadParameter("commune", "required: an INSEE code, a postal code or a name")
    if len(commune) > 120:
        raise BadParameter("commune", "at most 120 characters")
    age = None
    if args.get("age", "").strip():
        raw = args["age"].strip()
        if not raw.isdecimal() or not 0 <= int(raw) <= 120:
            raise BadParameter("age", "an integer from 0 to 120")
        age = int(raw)
    pregnant = None
    raw = args.get("pregnant", "").strip().lower()
    if raw:
        if raw in TRUE:
            pregnant = True
        elif raw in FALSE:
            pregnant = False
        else:
            raise BadParameter("pregnant", "true or false")
    fmt = args.get("format", "").strip() or None
    if fmt is not None and fmt not in FORMATS:
        raise BadParameter("format", "one of presentiel, distanciel, mixte")
    radius = None
    if args.get("radius_km", "").strip():
        try:
            radius = float(args["radius_km"])
        except ValueError:
            raise BadParameter("radius_km", "a number of kilometres") from None
        if not 0 < radius <= MAX_RADIUS_KM or radius != radius:
            raise BadParameter("radius_km", f"a number above 0 and at most {MAX_RADIUS_KM:g}")
    if not q and not codes:
        raise BadParameter("q", MESSAGES["missing"])
    return OrientationQuery(
        q=q,
        conditions=codes,
        commune=commune,
        age=age,
        pregnant=pregnant,
        format=fmt,
        radius_km=radius,
        language=current_language(),
    )


@bp.get("/orientation")
def orientation():
    """Orientation for a query string; logs one anonymous row (channel ``api``)."""
    query = parse_query(request.args)
    try:
        answer = orient(query, now())
    except QueryError as error:
        return _bad(error), 400
    record_orientation(answer, "api")
    return jsonify(orientation_dict(answer, get_index().conditions))


def _bad(error: QueryError):
    """The same JSON error as BadParameter, plus the candidate communes when ambiguous."""
    body = {"parameter": error.field, "message": MESSAGES.get(error.reason, error.reason)}
    if error.candidates:
        body["candidates"] = [
            {
                "insee": c.insee,
                "name": c.name,
                "departement": c.departement,
                "postal_codes": list(c.postal_codes),
            }
            for c in error.candidates
        ]
    return jsonify(error=body)
