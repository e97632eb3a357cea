"""Finding communes: by INSEE code, by postal code, by name with typos.

Public functions (used by orientation and the API; names are a contract):

- ``get_commune(insee)`` -> ``CommuneInfo | None``
- ``communes_for_postal_code(code)`` -> ``list[CommuneInfo]``
- ``search_communes(q, limit=10)`` -> ``list[CommuneInfo]`` (for an autocomplete)
- ``resolve_commune(text)`` -> ``CommuneResolution`` (one commune, or candidates to choose from)

Look-ups by INSEE code read the database. Postal codes and names use an
in-process index built from the database once per process (``geo.index``, one
to two seconds) and rebuilt when the number of communes or postal codes
changes; a look-up then takes microseconds, a name search a few milliseconds. No Flask request is used here; an application context is needed
for the database session.
"""

import functools
import re

from rapidfuzz import fuzz

from ..core.text import fold
from ..extensions import db
from .index import (
    EXACT,
    FUZZY,
    PREFIX,
    code_prefix,
    get_index,
    name_matches,
    postal_code_communes,
    reset_index,
)
from .loader import read_aliases
from .models import Commune
from .values import CommuneInfo, CommuneResolution, by_population

__all__ = [
    "CommuneInfo",
    "CommuneResolution",
    "communes_for_postal_code",
    "get_commune",
    "reset_index",
    "resolve_commune",
    "search_communes",
]

# Abbreviations people type for the words of commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_POSTAL_CODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{5}|2[ab]\d{3})$", re.IGNORECASE)
_CODE_PREFIX = re.compile(r"^\d{2,4}$")
# A postal code or a département code written after a name: "Saint-Denis (974)".
_NAME_WITH_CODE = re.compile(r"^(?P<name>.*?)[\s,(]+(?P<code>\d{5}|\d{2,3}|2[ab])\)?\s*$", re.I)

# A fuzzy match is "clear" when it is this good and this far ahead of the next one.
CLEAR_SCORE, CLEAR_MARGIN = 85, 5


def get_commune(insee: str) -> CommuneInfo | None:
    """The commune with this INSEE code (e.g. "16015", "2A004", "97411"), or None.

    The code of a municipal arrondissement (75111) or of a former commune merged
    into another gives the current commune.
    """
    code = (insee or "").strip().upper()
    if not _INSEE.match(code):
        return None
    commune = db.session.get(Commune, code)
    if commune is None:
        parent = _alias_codes().get(code)
        commune = db.session.get(Commune, parent) if parent else None
    return _info(commune) if commune else None


def communes_for_postal_code(code: str) -> list[CommuneInfo]:
    """Every commune served by this five-digit postal code, most populated first."""
    code = (code or "").strip()
    if not _POSTAL_CODE.match(code):
        return []
    return postal_code_communes(get_index(), code)


def search_communes(q: str, limit: int = 10) -> list[CommuneInfo]:
    """Communes matching what was typed, best first, at most ``limit``.

    ``q`` may be an INSEE code, a postal code (all its communes), the start of a
    postal code ("160"), or a name: case, accents, hyphens and apostrophes do not
    matter, "st"/"ste" stand for saint/sainte, small typos are forgiven
    ("angouleme", "st omer", "saint etiene", "bezier"), and a postal or
    département code may follow the name ("Saint-Denis 974"). Ranked by match
    quality (exact name, start of the name, start of its words, typo distance),
    then by population.
    """
    return [info for _, _, info in _ranked(q, limit)]


def resolve_commune(text: str) -> CommuneResolution:
    """Resolve a typed place to one commune, or to candidates to ask about.

    A code or a name that fits exactly one commune gives ``commune``. A postal
    code covering several communes, a name borne by several communes ("Saint-Denis")
    or an unclear typo give ``candidates`` (best first, at most 10): ask the
    person which one. Nothing found gives neither.
    """
    query = text if isinstance(text, str) else ""
    compact = re.sub(r"\s+", "", query)
    if _POSTAL_CODE.match(compact):
        # Five digits are read as a postal code first (what people type), then as
        # an INSEE code. A caller holding an INSEE code should use get_commune().
        found = communes_for_postal_code(compact)
        if not found:
            commune = get_commune(compact)
            found = [commune] if commune else []
        if len(found) == 1:
            return CommuneResolution(query=query, commune=found[0])
        return CommuneResolution(query=query, candidates=found)
    ranked = _ranked(query, 10)
    if not ranked:
        return CommuneResolution(query=query)
    best_tier, best_score, best = ranked[0]
    if best_tier == EXACT:
        top = [info for tier, _, info in ranked if tier == EXACT]
        if len(top) == 1 and _only_former_name(query, top[0], ranked):
            # "Boulogne" is a former commune merged into Essarts-en-Bocage, and the
            # first word of Boulogne-sur-Mer, Boulogne-Billancourt…: ask, most populated first.
            return CommuneResolution(
                query=query, candidates=sorted((i for _, _, i in ranked), key=by_population)
            )
    elif best_tier == FUZZY:
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        clear = best_score >= CLEAR_SCORE and best_score - runner_up >= CLEAR_MARGIN
        top = [best] if clear else [info for _, _, info in ranked]
    else:
        # The start of one name only, nearly all of it ("bezier" -> Béziers).
        in_tier = [info for tier, _, info in ranked if tier == best_tier]
        typed = _expand(fold(_NAME_WITH_CODE.sub(r"\g<name>", query)))
        clear = len(in_tier) == 1 and fuzz.ratio(typed, fold(best.name)) >= CLEAR_SCORE
        top = [best] if clear else [info for _, _, info in ranked]
    if len(top) == 1:
        return CommuneResolution(query=query, commune=top[0])
    return CommuneResolution(query=query, candidates=top)


def _only_former_name(query: str, info: CommuneInfo, ranked: list) -> bool:
    """True when the one exact match is a former name (or an arrondissement) of
    ``info`` while current communes bear the typed name as their first words."""
    typed = _expand(fold(_NAME_WITH_CODE.sub(r"\g<name>", query)))
    if not typed or _expand(fold(info.name)) == typed:
        return False
    return any(
        other.insee != info.insee and _expand(fold(other.name)).startswith(typed + " ")
        for _, _, other in ranked
    )


@functools.cache
def _alias_codes() -> dict[str, str]:
    """Codes of municipal arrondissements and former communes -> current INSEE code."""
    return {a["code"]: a["insee"] for a in read_aliases() if a["code"] != a["insee"]}


def _info(commune: Commune) -> CommuneInfo:
    return CommuneInfo(
        insee=commune.insee,
        name=commune.name,
        postal_codes=tuple(p.code for p in commune.postal_codes),
        departement=commune.departement,
        region=commune.region,
        lat=commune.lat,
        lon=commune.lon,
        population=commune.population,
    )


def _ranked(q: str, limit: int) -> list[tuple[int, float, CommuneInfo]]:
    """(tier, score, commune), best first, at most ``limit``, one row per commune."""
    text = (q or "").strip()
    if not text or limit <= 0:
        return []
    compact = re.sub(r"\s+", "", text)
    if _INSEE.match(compact) or _POSTAL_CODE.match(compact):
        found = communes_for_postal_code(compact) if compact.isdigit() else []
        commune = get_commune(compact)
        if commune is not None and commune.insee not in {c.insee for c in found}:
            found.append(commune)
        return [(EXACT, 100.0, info) for info in found[:limit]]
    index = get_index()
    if _CODE_PREFIX.match(compact):
        return [(PREFIX, 100.0, info) for info in code_prefix(index, compact)[:limit]]
    name, code = text, None
    match = _NAME_WITH_CODE.match(text)
    if match and fold(match["name"]):
        name, code = match["name"], match["code"].upper()
    folded = _expand(fold(name))
    if not folded:
        return []
    # With a code to filter on, look at every homonym, not only the most populated.
    scored = name_matches(index, folded, 500 if code else limit)
    if code:
        keep = {i: s for i, s in scored.items() if _has_code(index.infos[i], code)}
        scored = keep or scored
    rows = sorted(
        (tier, -round(score), via_alias, index.rank[insee], insee)
        for insee, (tier, score, via_alias) in scored.items()
    )
    return [(tier, -score, index.infos[insee]) for tier, score, _, _, insee in rows[:limit]]


def _expand(folded: str) -> str:
    return " ".join(_ABBREVIATIONS.get(word, word) for word in folded.split())


def _has_code(info: CommuneInfo, code: str) -> bool:
    if len(code) == 5:
        return code in info.postal_codes
    return info.departement == code
