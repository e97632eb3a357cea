"""Where the person lives: a commune from an INSEE code, a postal code or a name.

The geo package owns commune search (``geo.services.resolve_commune``); this
module adapts its answer and turns it into the point distances are measured from:

* one commune: its centre;
* a postal code shared by several communes: the postal code's area, with no INSEE
  code, centred on the population-weighted centre of its communes, in the
  département of the most populated one (``Place.communes`` lists them, so that a
  page can offer the exact commune without requiring it);
* a name borne by several communes, or an unclear typo: no place, candidates to
  ask about (most populated first);
* a typo corrected to one commune: the place, with ``typed`` set ("Sarcele").

A minimal exact look-up is used while the geo service is not installed.
"""

import re
import threading
import time
from dataclasses import dataclass, replace

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
    """A commune, or a postal code's area, as orientation needs it."""

    insee: str | None  # None for a postal code's area
    name: str  # the commune's name, or the postal code for an area
    departement: str
    lat: float
    lon: float
    postal_codes: tuple[str, ...] = ()
    population: int | None = None
    postal_code: str | None = None  # the postal code typed, when the place came from one
    communes: tuple["Place", ...] = ()  # an area's communes, most populated first
    typed: str | None = None  # what was typed, when a typo was corrected to this commune

    @property
    def is_area(self) -> bool:
        return self.insee is None

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
        population=commune.population,
    )


def postal_code_area(code: str, communes: list[Place]) -> Place:
    """The area served by a postal code: the population-weighted centre of its communes
    (a commune without a known population weighs 1), the most populated one's département."""
    ranked = sorted(communes, key=lambda p: (-(p.population or 0), p.name, p.insee or ""))
    weights = [max(p.population or 0, 1) for p in ranked]
    total = float(sum(weights))
    return Place(
        insee=None,
        name=code,
        departement=ranked[0].departement,
        lat=sum(p.lat * w for p, w in zip(ranked, weights, strict=True)) / total,
        lon=sum(p.lon * w for p, w in zip(ranked, weights, strict=True)) / total,
        postal_codes=(code,),
        population=sum(p.population or 0 for p in ranked),
        postal_code=code,
        communes=tuple(ranked),
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
            place, candidates = candidates[0], []
        place, candidates = _postal_code_or_typo(text, place, candidates)
        return place, ([] if place is not None else candidates)
    return _postal_code_or_typo(text, *_fallback(text))


def _postal_code_or_typo(text: str, place: Place | None, candidates: list[Place]):
    """A postal code always resolves (to its area when shared); a name corrected to
    another spelling says what was typed."""
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 5:
        if place is None and candidates:
            return postal_code_area(compact, candidates), []
        if place is not None and compact in place.postal_codes:
            return replace(place, postal_code=compact), []
        return place, candidates
    if place is not None and fold(text) != fold(place.name):
        typed = " ".join(fold(text).split())
        if typed and not _same_name(typed, fold(place.name)):
            return replace(place, typed=text), []
    return place, candidates


_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def _same_name(typed: str, name: str) -> bool:
    """Whether "st omer" is Saint-Omer, "Saint-Denis 974" Saint-Denis: no correction to say."""
    words = [_ABBREVIATIONS.get(w, w) for w in typed.split()]
    while words and (words[-1].isdigit() or words[-1] in ("2a", "2b")):
        words.pop()
    return " ".join(words) == name


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
