"""Where the person lives: a commune from an INSEE code, a postal code or a name.

The geo package owns commune search (``geo.services.resolve_commune``); this
module only adapts its answer, with a minimal exact look-up used while that
service is not installed.
"""

import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from ..core.text import fold
from ..extensions import db
from ..geo.models import Commune, CommunePostalCode

# Answers of resolve_place by typed text, for a minute: communes hardly ever change.
_CACHE_SECONDS = 60.0
_CACHE_SIZE = 20000
_cache: dict[tuple[int, str], tuple[float, tuple]] = {}
_cache_lock = threading.Lock()

INSEE_RE = re.compile(r"^(\d{2}|2[ab]|\d{3})\d{2,3}$", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """A commune as orientation needs it."""

    insee: str
    name: str
    departement: str
    lat: float
    lon: float
    postal_codes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        code = self.postal_codes[0] if self.postal_codes else self.departement
        return f"{self.name} ({code})"


def _place(commune) -> Place:
    return Place(
        insee=commune.insee,
        name=commune.name,
        departement=commune.departement,
        lat=commune.lat,
        lon=commune.lon,
        # geo's CommuneInfo carries strings, the ORM row carries CommunePostalCode rows
        postal_codes=tuple(getattr(p, "code", p) for p in commune.postal_codes),
    )


def get_place(insee: str) -> Place | None:
    """The commune with this INSEE code, or None."""
    if not INSEE_RE.match(insee or ""):
        return None
    commune = db.session.get(Commune, insee.upper())
    return _place(commune) if commune else None


def resolve_place(text: str) -> tuple[Place | None, list[Place]]:
    """Resolve what the person typed: ``(place, [])`` when it is clear,
    ``(None, candidates)`` when it is ambiguous (a shared postal code, a common
    name), ``(None, [])`` when nothing matches."""
    text = (text or "").strip()
    if not text:
        return None, []
    key = (id(db.engine), text.lower())
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1][0], list(hit[1][1])
    answer = _resolve(text)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = (time.monotonic(), (answer[0], tuple(answer[1])))
    return answer


def clear_place_cache() -> None:
    """Forget the resolved places (tests that add communes use it)."""
    with _cache_lock:
        _cache.clear()


def _resolve(text: str) -> tuple[Place | None, list[Place]]:
    # "insee:59350" names a commune by its INSEE code without doubt (five digits
    # alone are read as a postal code first): choice lists and autocomplete send it.
    if text[:6].lower() == "insee:":
        place = get_place(text[6:].strip())
        return place, []
    try:
        from ..geo import services as geo_services
    except ImportError:  # the geo service is not installed yet
        geo_services = None
    resolve = getattr(geo_services, "resolve_commune", None)
    if resolve is not None:
        found = resolve(text)
        place = _place(found.commune) if found.commune is not None else None
        candidates = [_place(c) for c in (found.candidates or [])]
        if place is None and len(candidates) == 1:
            return candidates[0], []
        return place, ([] if place is not None else candidates)
    return _fallback(text)


def _fallback(text: str) -> tuple[Place | None, list[Place]]:
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 5:
        communes = list(
            db.session.scalars(
                select(Commune)
                .join(CommunePostalCode)
                .where(CommunePostalCode.code == compact)
                .order_by(Commune.population.desc().nulls_last(), Commune.name)
            )
        )
        if not communes:
            commune = db.session.get(Commune, compact)
            communes = [commune] if commune else []
    elif INSEE_RE.match(compact):
        commune = db.session.get(Commune, compact.upper())
        communes = [commune] if commune else []
    else:
        communes = list(
            db.session.scalars(
                select(Commune)
                .where(Commune.search_name == fold(text))
                .order_by(Commune.population.desc().nulls_last())
            )
        )
    places = [_place(c) for c in communes]
    if len(places) == 1:
        return places[0], []
    return None, places
