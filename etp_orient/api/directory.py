"""The offer of a whole territory as data (issue 15, docs/api.md):

- ``GET /api/v1/programmes``: the directory's list, with the page's filters;
- ``GET /api/v1/programmes/carte``: the sites of the filtered offer (the map's markers);
- ``GET /api/v1/offer.json``: the published offer in the offer-file format, with an ETag.
"""

import hashlib
import json
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, jsonify, request
from sqlalchemy import func, select

from ..booking.models import Cohort, GroupSession
from ..catalogue.offer import export_offer
from ..core.clock import now
from ..extensions import db
from ..orientation import directory
from .views import BadParameter, bp


def _query() -> directory.DirectoryQuery:
    try:
        query, _errors = directory.parse_query(request.args, strict=True)
    except directory.BadFilter as error:
        raise BadParameter(error.name, error.message) from None
    return query


def _iso(value, timezone: str) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(timezone)).isoformat()


def _programme(entry, listing) -> dict:
    bep = listing.next_bep.get(entry.id)
    cohort = listing.next_cohort.get(entry.id)
    return {
        "code": entry.code,
        "title": entry.title,
        "plain_title": entry.plain_title,
        "structures": [{"code": s.code, "name": s.name, "kind": s.kind} for s in entry.structures],
        "conditions": list(entry.conditions),
        "formats": list(entry.formats),
        "languages": list(entry.languages),
        "sites": [
            {"code": s.code, "commune": s.commune, "insee": s.insee, "lat": s.lat, "lon": s.lon}
            for s in entry.sites
        ],
        "next_bep_slot": (
            {
                "code": bep.code,
                "start": _iso(bep.start, bep.timezone),
                "end": _iso(bep.end, bep.timezone),
                "remote": bep.remote,
            }
            if bep
            else None
        ),
        "next_cohort_start": _iso(cohort.start, cohort.timezone) if cohort else None,
        "next_cohort_seats_left": cohort.seats_left if cohort else None,
    }


@bp.get("/programmes")
def programmes():
    """One page of the published programmes that fit the filters (400 naming a bad one)."""
    query = _query()
    listing = directory.listing(query, now())
    return jsonify(
        {
            "programmes": [_programme(e, listing) for e in listing.rows],
            "remote": [_programme(e, listing) for e in listing.remote],
            "remote_total": listing.remote_total,
            "page": query.page,
            "per_page": query.per_page,
            "total": listing.total,
        }
    )


@bp.get("/programmes/carte")
def programme_sites():
    """Every site of the filtered offer with its programmes: the offer map's markers.
    ``page`` and ``per_page`` are accepted and ignored: the map shows every site."""
    query = _query()
    sites = directory.sites_of(query)
    titles = {}
    rows = []
    for site, entries in sites:
        for entry in entries:
            titles[entry.code] = entry.display_title
        rows.append(
            {
                "code": site.code,
                "name": site.name,
                "commune": site.commune,
                "lat": site.lat,
                "lon": site.lon,
                "programmes": [e.code for e in entries],
            }
        )
    return jsonify({"sites": rows, "titles": titles})


# --- the published offer as an offer file ------------------------------------------------

_offer_lock = threading.Lock()
_offer_cache: dict[int, tuple[tuple, str, bytes]] = {}


def _offer_version() -> tuple:
    """What the published offer file depends on (one cheap query plus the directory's)."""
    dated = db.session.execute(
        select(
            select(func.count(Cohort.id)).scalar_subquery(),
            select(func.max(Cohort.updated_at)).scalar_subquery(),
            select(func.count(GroupSession.id)).scalar_subquery(),
            select(func.max(GroupSession.updated_at)).scalar_subquery(),
            select(func.sum(GroupSession.revision)).scalar_subquery(),
        )
    ).one()
    return (directory.get_directory().version, tuple(dated), now().date())


def published_offer(at) -> dict:
    """The published offer in the offer-file format: published programmes with their
    workshops and team, the structures and sites they use (and every platform's
    territory), the open cohorts of those programmes whose last session is still to
    come, with their sessions. No slots (the next ones are listed per programme by
    ``/api/v1/programmes/<code>``), nothing about participants."""
    data = export_offer()
    programmes = [p for p in data["programmes"] if p["status"] == "published"]
    kept = {p["code"] for p in programmes}
    cohorts = [
        c
        for c in data.get("cohorts", [])
        if c["programme"] in kept
        and any(_after(s["end"], at) for s in c["sessions"] if s["status"] != "cancelled")
    ]
    site_codes = {s for p in programmes for s in p["sites"]}
    site_codes |= {c["site"] for c in cohorts if c.get("site")}
    sites = [s for s in data["sites"] if s["code"] in site_codes]
    structure_codes = {s for p in programmes for s in p["structures"]}
    structure_codes |= {s["structure"] for s in sites}
    structures = [
        s for s in data["structures"] if s["code"] in structure_codes or s.get("territory")
    ]
    return {
        "version": data["version"],
        "structures": structures,
        "sites": sites,
        "programmes": programmes,
        "slots": [],
        "cohorts": cohorts,
    }


def _after(stamp: str, at) -> bool:
    return datetime.fromisoformat(stamp) > at


@bp.get("/offer.json")
def offer_file():
    """The published offer as an offer file (``import-offer`` reads it), with an ETag;
    ``If-None-Match`` with the same tag gets 304."""
    version = _offer_version()
    key = id(db.engine)
    cached = _offer_cache.get(key)
    if cached is None or cached[0] != version:
        with _offer_lock:
            cached = _offer_cache.get(key)
            if cached is None or cached[0] != version:
                body = json.dumps(
                    published_offer(now()), ensure_ascii=False, separators=(",", ":")
                ).encode("utf-8")
                tag = hashlib.sha256(body).hexdigest()[:32]
                cached = _offer_cache[key] = (version, tag, body)
    _version, tag, body = cached
    response = Response(body, mimetype="application/json")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "public, max-age=0, must-revalidate"
    response.headers["Content-Disposition"] = 'inline; filename="offer.json"'
    return response.make_conditional(request)


def forget_offer_file() -> None:
    """Forget the published offer file kept by this process (tests under a frozen clock)."""
    with _offer_lock:
        _offer_cache.clear()
