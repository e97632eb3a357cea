"""The in-process commune name index behind ``geo.services.search_communes``.

Built from the database once per process and per database, rebuilt when the
number of communes or postal codes changes (two counts, checked at most every
``GEO_INDEX_TTL`` seconds: 2 by default, at every use when testing).
Names are folded (``core.text.fold``); former commune names and municipal
arrondissements (``geo/data/aliases.csv.gz``) lead to the current commune.
"""

import bisect
import heapq
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from rapidfuzz import fuzz, process
from sqlalchemy import BigInteger, cast, func, select, true

from ..core.text import fold
from ..extensions import db
from .loader import read_aliases
from .models import Commune, CommunePostalCode
from .values import CommuneInfo, by_population

# Ranking tiers, best first.
EXACT, PREFIX, WORDS, FUZZY = 0, 1, 2, 3
# A typo match must score at least this (rapidfuzz ratio, 0-100).
FUZZY_CUTOFF = 80


@dataclass
class NameIndex:
    """Everything a name search needs, in memory (about 37,000 names)."""

    signature: tuple
    infos: dict[str, CommuneInfo]
    entries: list[tuple[str, str]]  # (folded name, INSEE): communes then aliases
    names: list[str]  # the folded names of ``entries``, for rapidfuzz
    commune_count: int  # entries before this index are communes, after it aliases
    by_initial: dict[str, tuple[list[str], list[int]]]  # first letter -> (names, entry ids)
    rank: dict[str, int]  # INSEE -> rank by population (0: the most populated)
    entry_key: list[int]  # entry id -> sort key: communes before aliases, then rank
    compact: dict[str, list[int]]  # folded name without spaces -> entry ids
    sorted_names: list[tuple[str, int]]  # (folded name, entry id), for prefix search
    words: dict[str, set[int]]  # word -> entry ids
    sorted_words: list[str]
    postal_codes: list[tuple[str, str]]  # sorted (postal code, INSEE)
    checked_at: float = 0.0  # time.monotonic() of the last signature check


_indexes: dict[str, NameIndex] = {}
_lock = threading.Lock()


def _signature() -> tuple:
    """Counts and integer checksums of the communes (population, centre) and of which
    commune each postal code serves: ``load-communes`` correcting a centre or moving a
    postal code to another commune changes it, and every process then rebuilds."""
    # digits 3 to 5 of an INSEE code are always digits (2A004, 97411)
    insee_digits = cast(func.substr(CommunePostalCode.insee, 3, 3), BigInteger) + 1
    communes = (
        select(
            func.count().label("n"),
            func.coalesce(func.sum(func.coalesce(Commune.population, 0)), 0).label("people"),
            func.coalesce(func.sum(cast(Commune.lat * 10000, BigInteger)), 0).label("lat"),
            func.coalesce(func.sum(cast(Commune.lon * 10000, BigInteger)), 0).label("lon"),
        )
        .select_from(Commune)
        .subquery()
    )
    codes = (
        select(
            func.count().label("n"),
            func.coalesce(
                func.sum(cast(CommunePostalCode.code, BigInteger) * insee_digits), 0
            ).label("pairs"),
        )
        .select_from(CommunePostalCode)
        .subquery()
    )
    # one row each: joined on nothing
    return tuple(
        db.session.execute(select(communes, codes).select_from(communes.join(codes, true()))).one()
    )


def get_index() -> NameIndex:
    """The index of the current database, built on first use or after a change."""
    from ..core import background

    key = db.engine.url.render_as_string(hide_password=True)
    index = _indexes.get(key)
    ttl = current_app.config.get("GEO_INDEX_TTL", 0.0 if current_app.testing else 2.0)
    if index is not None and ttl > 0 and background.enabled(current_app):
        # checked (and rebuilt) by the process's checking thread, not in the request
        background.keep_checking(current_app._get_current_object(), f"geo-{key}", _check, ttl)
        return index
    if index is not None and time.monotonic() - index.checked_at < ttl:
        return index
    return _check()


def _check() -> NameIndex:
    key = db.engine.url.render_as_string(hide_password=True)
    index = _indexes.get(key)
    signature = _signature()
    if index is None or index.signature != signature:
        with _lock:
            index = _indexes.get(key)
            if index is None or index.signature != signature:
                index = _indexes[key] = _build_index(signature)
    index.checked_at = time.monotonic()
    return index


def _build_index(signature: tuple) -> NameIndex:
    codes = defaultdict(list)
    for code, insee in db.session.execute(
        select(CommunePostalCode.code, CommunePostalCode.insee).order_by(CommunePostalCode.code)
    ):
        codes[insee].append(code)
    columns = (Commune.insee, Commune.name, Commune.departement)
    columns += (Commune.region, Commune.lat, Commune.lon, Commune.population)
    infos, entries = {}, []
    for insee, name, dep, region, lat, lon, population in db.session.execute(
        select(*columns).order_by(Commune.insee)
    ):
        infos[insee] = CommuneInfo(
            insee, name, tuple(codes.get(insee, ())), dep, region, lat, lon, population
        )
        # Folded here rather than read from search_name: rows added by hand may differ.
        entries.append((fold(name), insee))
    commune_count = len(entries)
    for alias in read_aliases():
        if alias["insee"] in infos:
            entries.append((fold(alias["name"]), alias["insee"]))
    compact, words = defaultdict(list), defaultdict(set)
    by_initial = defaultdict(lambda: ([], []))
    for i, (name, _) in enumerate(entries):
        by_initial[name[:1]][0].append(name)
        by_initial[name[:1]][1].append(i)
        compact[name.replace(" ", "")].append(i)
        for word in name.split():
            words[word].add(i)
    rank = {info.insee: n for n, info in enumerate(sorted(infos.values(), key=by_population))}
    return NameIndex(
        signature=signature,
        infos=infos,
        entries=entries,
        names=[name for name, _ in entries],
        commune_count=commune_count,
        by_initial=dict(by_initial),
        rank=rank,
        entry_key=[(i >= commune_count) * 1_000_000 + rank[c] for i, (_, c) in enumerate(entries)],
        compact=dict(compact),
        sorted_names=sorted((name, i) for i, (name, _) in enumerate(entries)),
        words=dict(words),
        sorted_words=sorted(words),
        postal_codes=sorted((c, insee) for insee, cs in codes.items() for c in cs),
    )


def reset_index() -> None:
    """Forget the in-process search index (it is rebuilt on the next search)."""
    with _lock:
        _indexes.clear()


def postal_code_communes(index: NameIndex, code: str) -> list[CommuneInfo]:
    """Communes served by exactly this postal code, most populated first."""
    start = bisect.bisect_left(index.postal_codes, (code, ""))
    stop = bisect.bisect_left(index.postal_codes, (code + "\x00", ""))
    return sorted((index.infos[i] for _, i in index.postal_codes[start:stop]), key=by_population)


def code_prefix(index: NameIndex, prefix: str) -> list[CommuneInfo]:
    """Communes with a postal code starting with ``prefix``, most populated first."""
    start = bisect.bisect_left(index.postal_codes, (prefix, ""))
    found = set()
    for code, insee in index.postal_codes[start:]:
        if not code.startswith(prefix):
            break
        found.add(insee)
    return sorted((index.infos[i] for i in found), key=by_population)


def name_matches(index: NameIndex, folded: str, limit: int) -> dict[str, tuple[int, float, bool]]:
    """INSEE -> (best tier, score, matched only through an alias) for a folded,
    expanded name query. Each tier keeps only its ``limit`` most populated
    communes, which is all the final ranking can use."""
    best: dict[str, tuple[int, float, bool]] = {}

    def offer(tier: int, ids, score: float = 100.0) -> None:
        # Direct names before aliases, then by population. Take enough rows to
        # survive duplicates: communes of a better tier, aliases of one commune
        # (Paris has 20 arrondissements).
        wanted = len(best) + limit + 25
        taken = 0
        for i in heapq.nsmallest(wanted, ids, key=index.entry_key.__getitem__):
            insee = index.entries[i][1]
            if insee in best:
                continue
            best[insee] = (tier, score, i >= index.commune_count)
            taken += 1
            if taken == limit:
                break

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
