"""Finding communes: by INSEE code, by postal code, by name with typos.

Public functions (used by orientation and the API; names are a contract):

- ``get_commune(insee)`` -> ``CommuneInfo | None``
- ``communes_for_postal_code(code)`` -> ``list[CommuneInfo]``
- ``search_communes(q, limit=10)`` -> ``list[CommuneInfo]`` (for an autocomplete)
- ``resolve_commune(text)`` -> ``CommuneResolution`` (one commune, or candidates to choose from)

Exact look-ups read the database. Name search uses an in-process index built
from the database once per process (about half a second) and rebuilt when the
number of communes or postal codes changes; a search then takes a few
milliseconds. No Flask request is used here; an application context is needed
for the database session.
"""

import bisect
import heapq
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import func, select

from ..core.text import fold
from ..extensions import db
from .loader import read_aliases
from .models import Commune, CommunePostalCode

# Abbreviations people type for the words of commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_POSTAL_CODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{5}|2[ab]\d{3})$", re.IGNORECASE)
_CODE_PREFIX = re.compile(r"^\d{2,4}$")
# A postal code or a département code written after a name: "Saint-Denis (974)".
_NAME_WITH_CODE = re.compile(r"^(?P<name>.*?)[\s,(]+(?P<code>\d{5}|\d{2,3}|2[ab])\)?\s*$", re.I)

# Ranking tiers, best first.
EXACT, PREFIX, WORDS, FUZZY = 0, 1, 2, 3
# A typo match must score at least this (rapidfuzz ratio, 0-100).
FUZZY_CUTOFF = 80
# A fuzzy match is "clear" when it is this good and this far ahead of the next one.
CLEAR_SCORE, CLEAR_MARGIN = 85, 5


@dataclass(frozen=True)
class CommuneInfo:
    """A commune as the API and orientation use it (plain values, no database session)."""

    insee: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str
    region: str | None
    lat: float
    lon: float
    population: int | None = None

    @property
    def label(self) -> str:
        """E.g. "Angoulême (16000)": the name and its first postal code (or département)."""
        return f"{self.name} ({self.postal_codes[0] if self.postal_codes else self.departement})"

    def to_dict(self) -> dict:
        """The JSON form: insee, name, postal_codes, departement, region, lat, lon."""
        return {
            "insee": self.insee,
            "name": self.name,
            "postal_codes": list(self.postal_codes),
            "departement": self.departement,
            "region": self.region,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass(frozen=True)
class CommuneResolution:
    """What a typed place resolves to.

    ``commune`` is set when exactly one commune clearly fits; otherwise
    ``candidates`` lists the communes to choose from, best first (a postal code
    shared by several communes, a name borne by several, an unclear typo), and is
    empty when nothing fits. ``query`` echoes the text as given.
    """

    query: str
    commune: CommuneInfo | None = None
    candidates: list[CommuneInfo] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return self.commune is None and bool(self.candidates)


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
        parent = _index().alias_codes.get(code)
        commune = db.session.get(Commune, parent) if parent else None
    return _info(commune) if commune else None


def communes_for_postal_code(code: str) -> list[CommuneInfo]:
    """Every commune served by this five-digit postal code, most populated first."""
    code = (code or "").strip()
    if not _POSTAL_CODE.match(code):
        return []
    communes = db.session.scalars(
        select(Commune)
        .join(CommunePostalCode)
        .where(CommunePostalCode.code == code)
        .order_by(Commune.population.desc().nulls_last(), Commune.name, Commune.insee)
    )
    return [_info(c) for c in communes]


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


def reset_index() -> None:
    """Forget the in-process search index (it is rebuilt on the next search)."""
    with _lock:
        _indexes.clear()


# --- the in-process index ------------------------------------------------------------


@dataclass
class _Index:
    signature: tuple
    infos: dict[str, CommuneInfo]
    entries: list[tuple[str, str]]  # (folded name, INSEE): communes then aliases
    names: list[str]  # the folded names of ``entries``, for rapidfuzz
    commune_count: int  # entries before this index are communes, after it aliases
    by_initial: dict[str, tuple[list[str], list[int]]]  # first letter -> (names, entry ids)
    rank: dict[str, int]  # INSEE -> rank by population (0: the most populated)
    compact: dict[str, list[int]]  # folded name without spaces -> entry ids
    sorted_names: list[tuple[str, int]]  # (folded name, entry id), for prefix search
    words: dict[str, set[int]]  # word -> entry ids
    sorted_words: list[str]
    postal_codes: list[tuple[str, str]]  # sorted (postal code, INSEE)
    alias_codes: dict[str, str]  # arrondissement / former commune code -> INSEE


_indexes: dict[str, _Index] = {}
_lock = threading.Lock()


def _signature() -> tuple:
    return tuple(
        db.session.execute(
            select(
                select(func.count()).select_from(Commune).scalar_subquery(),
                select(func.count()).select_from(CommunePostalCode).scalar_subquery(),
            )
        ).one()
    )


def _index() -> _Index:
    key = db.engine.url.render_as_string(hide_password=True)
    signature = _signature()
    index = _indexes.get(key)
    if index is not None and index.signature == signature:
        return index
    with _lock:
        index = _indexes.get(key)
        if index is None or index.signature != signature:
            index = _indexes[key] = _build_index(signature)
    return index


def _build_index(signature: tuple) -> _Index:
    codes = defaultdict(list)
    for code, insee in db.session.execute(
        select(CommunePostalCode.code, CommunePostalCode.insee).order_by(CommunePostalCode.code)
    ):
        codes[insee].append(code)
    columns = (Commune.insee, Commune.name, Commune.search_name, Commune.departement)
    columns += (Commune.region, Commune.lat, Commune.lon, Commune.population)
    infos, entries = {}, []
    for insee, name, search_name, dep, region, lat, lon, population in db.session.execute(
        select(*columns).order_by(Commune.insee)
    ):
        infos[insee] = CommuneInfo(
            insee, name, tuple(codes.get(insee, ())), dep, region, lat, lon, population
        )
        entries.append((search_name or fold(name), insee))
    commune_count = len(entries)
    alias_codes = {}
    for alias in read_aliases():
        if alias["insee"] in infos:
            entries.append((fold(alias["name"]), alias["insee"]))
            if alias["code"] not in infos:
                alias_codes[alias["code"]] = alias["insee"]
    compact, words = defaultdict(list), defaultdict(set)
    by_initial = defaultdict(lambda: ([], []))
    for i, (name, _) in enumerate(entries):
        by_initial[name[:1]][0].append(name)
        by_initial[name[:1]][1].append(i)
        compact[name.replace(" ", "")].append(i)
        for word in name.split():
            words[word].add(i)
    return _Index(
        signature=signature,
        infos=infos,
        entries=entries,
        names=[name for name, _ in entries],
        commune_count=commune_count,
        by_initial=dict(by_initial),
        rank={info.insee: n for n, info in enumerate(sorted(infos.values(), key=_by_population))},
        compact=dict(compact),
        sorted_names=sorted((name, i) for i, (name, _) in enumerate(entries)),
        words=dict(words),
        sorted_words=sorted(words),
        postal_codes=sorted((c, insee) for insee, cs in codes.items() for c in cs),
        alias_codes=alias_codes,
    )


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


def _by_population(info: CommuneInfo):
    return (-(info.population or 0), info.name, info.insee)


# --- ranking -------------------------------------------------------------------------


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
    index = _index()
    if _CODE_PREFIX.match(compact):
        return [(PREFIX, 100.0, info) for info in _code_prefix(index, compact)[:limit]]
    name, code = text, None
    match = _NAME_WITH_CODE.match(text)
    if match and fold(match["name"]):
        name, code = match["name"], match["code"].upper()
    folded = _expand(fold(name))
    if not folded:
        return []
    scored = _name_matches(index, folded, limit)
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


def _code_prefix(index: _Index, prefix: str) -> list[CommuneInfo]:
    """Communes with a postal code starting with ``prefix``, most populated first."""
    start = bisect.bisect_left(index.postal_codes, (prefix, ""))
    found = set()
    for code, insee in index.postal_codes[start:]:
        if not code.startswith(prefix):
            break
        found.add(insee)
    return sorted((index.infos[i] for i in found), key=_by_population)


def _name_matches(index: _Index, folded: str, limit: int) -> dict[str, tuple[int, float, bool]]:
    """INSEE -> (best tier, score, matched only through an alias) for a folded,
    expanded name query. Each tier keeps only its ``limit`` most populated
    communes, which is all the final ranking can use."""
    best: dict[str, tuple[int, float, bool]] = {}

    def offer(tier: int, ids, score: float = 100.0) -> None:
        via_alias: dict[str, bool] = {}
        for i in ids:
            insee = index.entries[i][1]
            via_alias[insee] = via_alias.get(insee, True) and i >= index.commune_count
        fresh = [insee for insee in via_alias if insee not in best]
        for insee in heapq.nsmallest(limit, fresh, key=lambda c: (via_alias[c], index.rank[c])):
            best[insee] = (tier, score, via_alias[insee])

    offer(EXACT, index.compact.get(folded.replace(" ", ""), ()))
    start = bisect.bisect_left(index.sorted_names, (folded, -1))
    end = bisect.bisect_left(index.sorted_names, (folded + "\uffff", -1))
    offer(PREFIX, (i for _, i in index.sorted_names[start:end]))
    ids = None
    for word in folded.split():
        start = bisect.bisect_left(index.sorted_words, word)
        end = bisect.bisect_left(index.sorted_words, word + "\uffff")
        with_word = set().union(*(index.words[w] for w in index.sorted_words[start:end]))
        ids = with_word if ids is None else ids & with_word
        if not ids:
            break
    offer(WORDS, ids or ())
    if len(folded) >= 4 and len(best) < limit:
        # Typos rarely hit the first letter: look there first, then everywhere.
        for names, ids in (index.by_initial.get(folded[0], ([], [])), (index.names, None)):
            found = process.extract(
                folded,
                names,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=FUZZY_CUTOFF,
                limit=3 * limit,
            )
            for _, score, position in found:
                offer(FUZZY, [ids[position] if ids is not None else position], score)
            if found:
                break
    return best
