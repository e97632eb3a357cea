"""GET /api/v1/communes?q=: communes for an autocomplete (INSEE code, postal code or name)."""

from flask import jsonify, request

from ..geo.services import search_communes
from .views import BadParameter, bp

MIN_QUERY, MAX_QUERY = 2, 100
MAX_LIMIT = 20


@bp.get("/communes")
def communes():
    """Up to ``limit`` (default 10, at most 20) communes matching ``q``, best first."""
    q = request.args.get("q", "").strip()
    if not q:
        raise BadParameter("q", "required: an INSEE code, a postal code or a commune name")
    if len(q) < MIN_QUERY:
        raise BadParameter("q", f"at least {MIN_QUERY} characters")
    if len(q) > MAX_QUERY:
        raise BadParameter("q", f"at most {MAX_QUERY} characters")
    limit = request.args.get("limit", "10")
    if not limit.isdecimal() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadParameter("limit", f"an integer from 1 to {MAX_LIMIT}")
    results = [
        {
            "insee": c.insee,
            "name": c.name,
            "postal_codes": list(c.postal_codes),
            "departement": c.departement,
            "lat": c.lat,
            "lon": c.lon,
        }
        for c in search_communes(q, limit=int(limit))
    ]
    return jsonify(query=q, results=results)
