"""Orientation: what the person has and where they live → the programmes that fit.

A plain service with no Flask request in it (DESIGN §3):

1. the text and/or condition codes become condition codes (``terms``), a group
   code becomes its children;
2. the commune comes from an INSEE code, a postal code or a name (``places``);
3. published programmes for those conditions are filtered by audience (age,
   pregnancy) and format, then measured from the commune's centre to their
   nearest site (great circle);
4. those within range come first, by distance then soonest open BEP; remote
   programmes (always in range) are listed apart; when nothing is near, the
   nearest ones beyond the distance are offered.

Every result carries its reasons as :class:`Reason` values; ``explain`` turns
them into plain words in the reader's language.
"""

import heapq
import time
from dataclasses import dataclass, field
from datetime import datetime
from math import cos, radians

from flask import current_app
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, or_, select, true

from ..booking.models import Booking, Cohort, GroupSession, Slot
from ..catalogue.models import FORMATS, Programme
from ..core.geomath import haversine_km
from ..core.types import UTCDateTime
from ..extensions import db
from .index import (
    DEFAULT_RADIUS_KM,
    GRID_DEG,
    OfferIndex,
    ProgrammeEntry,
    SiteEntry,
    get_index,
    grid_cell,
)
from .places import Place, resolve_place

MAX_RADIUS_KM = 1000.0
MAX_NEARBY = 10
MAX_REMOTE = 5
MAX_ELSEWHERE = 3
# "elsewhere" never offers a programme one could not reasonably travel to
ELSEWHERE_MAX_KM = 150.0
ADULT_AGE = 18


class QueryError(Exception):
    """The query cannot be answered as given; ``field`` names the input to fix."""

    def __init__(self, field: str, reason: str, candidates: list[Place] | None = None):
        super().__init__(f"{field}: {reason}")
        self.field = field
        # "missing", "unknown_condition", "commune_not_found", "commune_ambiguous", "invalid"
        self.reason = reason
        self.candidates = candidates or []


@dataclass
class OrientationQuery:
    """What the person (or the professional) told us. Every part is optional but
    there must be some text or a condition code, and a commune."""

    q: str = ""
    conditions: list[str] = field(default_factory=list)
    commune: str = ""
    age: int | None = None
    pregnant: bool | None = None
    format: str | None = None
    radius_km: float | None = None
    # the page's language: reads a phrase whose own words do not tell (see ``terms``)
    language: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a result is shown, as data: ``kind`` and its values (see ``explain``)."""

    kind: str
    value: object = None
    extra: object = None


@dataclass(frozen=True)
class NextSlot:
    code: str
    start: datetime
    end: datetime
    remote: str | None
    timezone: str


@dataclass(frozen=True)
class NextCohort:
    code: str
    start: datetime
    timezone: str
    seats_left: int


@dataclass
class ProgrammeResult:
    programme: ProgrammeEntry
    distance_km: float | None
    site: SiteEntry | None
    in_range: bool
    matched_codes: list[str]
    next_bep: NextSlot | None = None
    next_cohort: NextCohort | None = None
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class Orientation:
    """The answer: what we understood, then the lists to show."""

    q: str
    conditions: list[str]  # leaf codes searched for
    named_conditions: list[str]  # codes as recognised or given (groups kept)
    understood: bool  # False when text was given and nothing was recognised
    place: Place
    age: int | None
    pregnant: bool | None
    child: bool
    format: str | None
    radius_km: float | None
    results: list[ProgrammeResult]  # eligible and within range, nearest first
    remote: list[ProgrammeResult]  # can be followed from home, not in ``results``
    elsewhere: list[ProgrammeResult]  # nearest beyond the distance, when nothing is near
    nothing_nearby: bool

    @property
    def shown_count(self) -> int:
        return len(self.results) + len(self.remote)


def understand(index: OfferIndex, query: OrientationQuery) -> tuple[list[str], list[str], dict]:
    """Text and codes → (leaf codes, codes as named, hints). Raises QueryError on a bad code."""
    matcher = index.matcher
    named: list[str] = []
    for code in query.conditions:
        if code not in index.conditions:
            raise QueryError("condition", "unknown_condition")
        if code not in named:
            named.append(code)
    hints = {"pregnancy_words": False, "child_words": False, "text_codes": []}
    if query.q.strip():
        text = matcher.match_text(query.q, query.language)
        hints.update(
            pregnancy_words=text.pregnancy_words,
            child_words=text.child_words,
            text_codes=text.direct_codes,
        )
        for code in text.direct_codes:
            if code not in named:
                named.append(code)
    leaves = matcher.expand(named)
    return leaves, named, hints


def _in_audience(
    entry: ProgrammeEntry, age: int | None, pregnant: bool | None, child: bool, explicit: bool
) -> bool:
    if age is not None:
        if entry.age_min is not None and age < entry.age_min:
            return False
        if entry.age_max is not None and age > entry.age_max:
            return False
    elif child:
        if entry.age_min is not None and entry.age_min >= ADULT_AGE:
            return False
    elif not explicit and entry.age_max is not None and entry.age_max < ADULT_AGE:
        # reached only through a group ("poids"): assume an adult
        return False
    if pregnant is True and entry.pregnancy == "excluded":
        return False
    if pregnant is False and entry.pregnancy == "required":
        return False
    # reached only through a group ("sucre"): not a pregnancy programme unless told so
    return not (pregnant is None and not explicit and entry.pregnancy == "required")


def _in_format(entry: ProgrammeEntry, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if wanted == "presentiel":
        return "presentiel" in entry.formats or "mixte" in entry.formats
    return wanted in entry.formats


def _limit_km(entry: ProgrammeEntry, radius_km: float | None) -> float:
    """How far a site may be: the person's distance, else the programme's catchment,
    else the platform default; never beyond the programme's catchment."""
    catchment = entry.catchment_km
    if radius_km is None:
        return catchment if catchment is not None else DEFAULT_RADIUS_KM
    return min(radius_km, catchment) if catchment is not None else radius_km


def _ids_in(column, dialect: str):
    """``column`` among the ``ids`` parameter. On PostgreSQL, ``= ANY(array)``: the SQL
    text is then the same whatever the number of ids, so psycopg prepares it once per
    connection and the server stops planning it on every request."""
    if dialect == "postgresql":
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


def _unbooked():
    return ~(
        select(Booking.id).where(Booking.slot_id == Slot.id, Booking.status == "confirmed").exists()
    )


def _next_bep_statement(dialect: str):
    """Built once per dialect (SQLAlchemy then reuses the compiled statement). For
    each programme, the first open, unbooked BEP slot after ``at``, walking its
    slots in start order on the ``(programme_id, kind, start_at)`` index: a LATERAL
    sub-select over the ids on PostgreSQL, a correlated one elsewhere."""
    open_bep = (
        Slot.kind == "bep",
        Slot.start_at > bindparam("at", type_=UTCDateTime),
        Slot.status == "open",
        _unbooked(),
    )
    columns = (
        Slot.programme_id,
        Slot.code,
        Slot.start_at,
        Slot.end_at,
        Slot.remote,
        Slot.timezone,
    )
    if dialect == "postgresql":
        wanted = (
            func.unnest(bindparam("ids", type_=ARRAY(Integer)))
            .table_valued("id")
            .render_derived(name="wanted")
        )
        first = (
            select(*columns)
            .where(Slot.programme_id == wanted.c.id, *open_bep)
            .order_by(Slot.start_at, Slot.id)
            .limit(1)
            .lateral("first_free")
        )
        return select(*first.c).select_from(wanted).join(first, true())
    first_free = (
        select(Slot.id)
        .where(Slot.programme_id == Programme.id, *open_bep)
        .order_by(Slot.start_at, Slot.id)
        .limit(1)
        .correlate(Programme)
        .scalar_subquery()
    )
    chosen = select(first_free).where(_ids_in(Programme.id, dialect))
    return select(*columns).where(Slot.id.in_(chosen.scalar_subquery()))


def _next_cohort_statement(dialect: str):
    first = (
        select(func.min(GroupSession.start_at))
        .where(GroupSession.cohort_id == Cohort.id, GroupSession.status != "cancelled")
        .scalar_subquery()
        .label("first_start")
    )
    return select(
        Cohort.programme_id,
        Cohort.code,
        Cohort.timezone,
        Cohort.capacity,
        Cohort.seats_taken,
        first,
    ).where(
        _ids_in(Cohort.programme_id, dialect),
        Cohort.status == "open",
        or_(
            Cohort.registration_closes_at.is_(None),
            Cohort.registration_closes_at > bindparam("at", type_=UTCDateTime),
        ),
    )


_STATEMENTS: dict[tuple[str, str], object] = {}


def _statement(name: str):
    """The named statement for the current database's dialect, built once."""
    dialect = db.session.get_bind().dialect.name
    key = (name, dialect)
    statement = _STATEMENTS.get(key)
    if statement is None:
        build = _next_bep_statement if name == "next_bep" else _next_cohort_statement
        statement = _STATEMENTS[key] = build(dialect)
    return statement


def next_bep_slots(programme_ids: list[int], at: datetime) -> dict[int, NextSlot]:
    """The soonest open BEP slot of each programme: kind bep, status open, starting
    after ``at``, with no confirmed booking. One indexed query for the given ids."""
    if not programme_ids:
        return {}
    rows = db.session.connection().execute(
        _statement("next_bep"), {"ids": list(programme_ids), "at": at}
    )
    return {
        r.programme_id: NextSlot(r.code, r.start_at, r.end_at, r.remote, r.timezone) for r in rows
    }


# The next BEP and the next group of each programme, remembered per process for
# ORIENTATION_DATES_TTL seconds (default 30; 0 when testing): results only show their
# dates, and the same programmes come back in search after search. A date that has
# passed is fetched again at once; a slot booked meanwhile may still be named for up
# to that delay (the booking page always lists the live slots).
_dates_memo: dict[tuple[int, str, int], tuple[float, object]] = {}
_MEMO_SIZE = 50000


def _remembered(kind: str, programme_ids: list[int], at: datetime, fetch) -> dict:
    """``fetch(ids, at)`` for the ids not remembered (or remembered too long ago)."""
    if not programme_ids:
        return {}
    app = current_app
    ttl = app.config.get("ORIENTATION_DATES_TTL", 0.0 if app.testing else 30.0)
    engine = id(db.engine)
    clock = time.monotonic()
    best: dict = {}
    missing = []
    for pid in programme_ids:
        known = _dates_memo.get((engine, kind, pid))
        if (
            known is not None
            and clock - known[0] < ttl
            and (known[1] is None or known[1].start > at)
        ):
            if known[1] is not None:
                best[pid] = known[1]
        else:
            missing.append(pid)
    if not missing:
        return best
    found = fetch(missing, at)
    if len(_dates_memo) > _MEMO_SIZE:
        _dates_memo.clear()
    for pid in missing:
        _dates_memo[(engine, kind, pid)] = (clock, found.get(pid))
    best.update(found)
    return best


def forget_dates() -> None:
    """Forget the remembered next dates (tests that rewrite the offer use it)."""
    _dates_memo.clear()


def next_cohorts(programme_ids: list[int], at: datetime) -> dict[int, NextCohort]:
    """The next cohort of each programme that has not started and still takes people."""
    return _remembered("cohort", programme_ids, at, _query_next_cohorts)


def _query_next_cohorts(programme_ids: list[int], at: datetime) -> dict[int, NextCohort]:
    rows = db.session.connection().execute(
        _statement("next_cohort"), {"ids": list(programme_ids), "at": at}
    )
    best: dict[int, NextCohort] = {}
    for r in rows:
        if r.first_start is None or r.first_start <= at:
            continue
        current = best.get(r.programme_id)
        if current is None or r.first_start < current.start:
            best[r.programme_id] = NextCohort(
                r.code, r.first_start, r.timezone, max(0, r.capacity - r.seats_taken)
            )
    return best


def _attach_beps(results: list[ProgrammeResult], at: datetime) -> None:
    beps = _remembered("bep", list({r.programme.id for r in results}), at, next_bep_slots)
    for r in results:
        r.next_bep = beps.get(r.programme.id)


def _attach_cohorts(results: list[ProgrammeResult], at: datetime) -> None:
    cohorts = next_cohorts(list({r.programme.id for r in results}), at)
    for r in results:
        r.next_cohort = cohorts.get(r.programme.id)


def _bep_key(result: ProgrammeResult) -> float:
    return result.next_bep.start.timestamp() if result.next_bep else float("inf")


def _reasons(result: ProgrammeResult, listing: str, limit: float | None) -> list[Reason]:
    entry = result.programme
    reasons = [Reason("condition", code) for code in result.matched_codes[:2]]
    if listing == "nearby" and result.distance_km is not None:
        reasons.append(Reason("distance", result.distance_km, result.site))
    elif listing == "elsewhere" and result.distance_km is not None:
        reasons.append(Reason("beyond", result.distance_km, limit))
    if entry.remote:
        reasons.append(Reason("remote"))
    elif entry.partly_remote:
        reasons.append(Reason("partly_remote"))
    if result.next_bep is not None:
        reasons.append(Reason("next_bep", result.next_bep))
    else:
        reasons.append(Reason("no_bep"))
    if result.next_cohort is not None:
        reasons.append(Reason("next_cohort", result.next_cohort))
    if entry.pregnancy == "required":
        reasons.append(Reason("pregnancy_required"))
    if entry.age_min is not None or entry.age_max is not None:
        reasons.append(Reason("age", entry.age_min, entry.age_max))
    return reasons


class _RingSearch:
    """Reads the grids of the searched conditions around a point, ring of cells by ring
    of cells, keeping each programme's nearest site. Everything closer than
    ``covered_km`` has been read."""

    def __init__(self, index: OfferIndex, codes: list[str], lat: float, lon: float):
        self.index = index
        codes = [c for c in dict.fromkeys(codes) if c in index.grids]
        self.grids = [index.grids[c] for c in codes]
        self.lat, self.lon = lat, lon
        self.cell = ci, cj = grid_cell(lat, lon)
        # the ring beyond which no grid has a cell
        self.farthest = max(
            (
                max(ci - lo_i, hi_i - ci, cj - lo_j, hi_j - cj)
                for lo_i, hi_i, lo_j, hi_j in (index.extents[c] for c in codes)
            ),
            default=-1,
        )
        self.ring = 0  # the next ring to read
        self.covered_km = 0.0
        self.nearest: dict[int, tuple[float, int]] = {}

    def _bound_km(self, ring: int) -> float:
        """No site of ring ``ring`` is nearer than this (it is at least ring - 1 whole
        cells away, in latitude or in longitude)."""
        if ring <= 1:
            return 0.0
        highest = min(89.0, abs(self.lat) + (ring + 1) * GRID_DEG)
        return (ring - 1) * GRID_DEG * 111.0 * cos(radians(highest)) * 0.99

    def _cells(self, ring: int, grid: dict) -> list:
        ci, cj = self.cell
        if ring == 0:
            rows = grid.get((ci, cj))
            return [rows] if rows else []
        if 8 * ring > len(grid):
            # fewer occupied cells than cells in the ring: pick them from the grid
            return [rows for (i, j), rows in grid.items() if max(abs(i - ci), abs(j - cj)) == ring]
        found = []
        for dj in range(-ring, ring + 1):
            for i in (ci - ring, ci + ring):
                rows = grid.get((i, cj + dj))
                if rows:
                    found.append(rows)
        for di in range(-ring + 1, ring):
            for j in (cj - ring, cj + ring):
                rows = grid.get((ci + di, j))
                if rows:
                    found.append(rows)
        return found

    def read(self, reach_km: float, enough) -> None:
        """Read rings until everything within ``reach_km`` is read, or until
        ``enough()`` (called after each ring) names a nearer distance that suffices."""
        lat0, lon0 = self.lat, self.lon
        nearest = self.nearest
        limit = reach_km
        farthest = self.farthest
        while self._bound_km(self.ring) <= limit and self.ring <= farthest:
            for grid in self.grids:
                for rows in self._cells(self.ring, grid):
                    for lat, lon, pid, site_index in rows:
                        d = haversine_km(lat0, lon0, lat, lon)
                        known = nearest.get(pid)
                        if known is None or d < known[0]:
                            nearest[pid] = (d, site_index)
            self.ring += 1
            if enough is not None:
                stop = enough()
                if stop is not None:
                    limit = min(limit, stop)
        self.covered_km = float("inf") if self.ring > farthest else self._bound_km(self.ring)

    def found(self) -> dict[int, tuple[float, int]]:
        """Each programme's nearest site, among those nearer than what was read."""
        return {pid: v for pid, v in self.nearest.items() if v[0] < self.covered_km}


def _nearest_site(entry: ProgrammeEntry, lat: float, lon: float) -> tuple[float, int] | None:
    best = None
    for i, site in enumerate(entry.sites):
        d = haversine_km(lat, lon, site.lat, site.lon)
        if best is None or d < best[0]:
            best = (d, i)
    return best


def orient(query: OrientationQuery, at: datetime) -> Orientation:
    """Answer an orientation query at instant ``at`` (see the module docstring).

    Raises :class:`QueryError` for a missing or unknown input, with the
    candidate communes when the commune is ambiguous.
    """
    if query.format is not None and query.format not in FORMATS:
        raise QueryError("format", "invalid")
    if query.radius_km is not None and not (0 < query.radius_km <= MAX_RADIUS_KM):
        raise QueryError("radius_km", "invalid")
    if query.age is not None and not (0 <= query.age <= 120):
        raise QueryError("age", "invalid")
    if not query.q.strip() and not query.conditions:
        raise QueryError("q", "missing")
    if not query.commune.strip():
        raise QueryError("commune", "missing")
    index = get_index()
    leaves, named, hints = understand(index, query)
    place, candidates = resolve_place(query.commune)
    if place is None:
        reason = "commune_ambiguous" if candidates else "commune_not_found"
        raise QueryError("commune", reason, candidates)

    pregnant = query.pregnant
    if pregnant is None and hints["pregnancy_words"]:
        pregnant = True
    child = bool(hints["child_words"]) or (query.age is not None and query.age < ADULT_AGE)
    explicit = {c for c in named if c not in index.matcher.children}
    if "surpoids-enfant" in leaves and "surpoids-enfant" in hints["text_codes"]:
        child = True

    wanted = set(leaves)
    memo: dict[int, list[str] | None] = {}

    def eligible(entry: ProgrammeEntry) -> list[str] | None:
        """The programme's searched codes if it fits the person, else None (once per
        programme and search: a programme has several sites)."""
        if entry.id in memo:
            return memo[entry.id]
        matched = [c for c in entry.condition_codes if c in wanted]
        is_explicit = any(c in explicit for c in matched)
        if not _in_audience(entry, query.age, pregnant, child, is_explicit) or not _in_format(
            entry, query.format
        ):
            matched = None
        memo[entry.id] = matched
        return matched

    # Candidates: the sites of the grids around the person, nearest ring first, only as
    # far as the answer needs (the requested distance, or the programmes' own; and no
    # farther than the tenth nearest programme in range); widened to ELSEWHERE_MAX_KM
    # only when nothing is near. Large-catchment programmes are measured apart.
    search = _RingSearch(index, leaves, place.lat, place.lon)
    first_reach = query.radius_km or max(
        [index.reach_km.get(code, DEFAULT_RADIUS_KM) for code in leaves] or [DEFAULT_RADIUS_KM]
    )

    def enough() -> float | None:
        """When ten programmes are in range: the distance beyond which none can rank."""
        if query.format == "distanciel":
            return None
        near = []
        for pid, (distance, _site) in search.nearest.items():
            entry = index.programmes[pid]
            if distance <= _limit_km(entry, query.radius_km) and eligible(entry) is not None:
                near.append(distance)
        if len(near) < MAX_NEARBY:
            return None
        return round(heapq.nsmallest(MAX_NEARBY, near)[-1]) + 0.5

    search.read(first_reach, enough)

    def any_in_range() -> bool:
        for pid, (distance, _site) in search.nearest.items():
            entry = index.programmes[pid]
            if distance <= _limit_km(entry, query.radius_km) and eligible(entry) is not None:
                return True
        return False

    if query.format != "distanciel" and first_reach < ELSEWHERE_MAX_KM and not any_in_range():
        large_in_range = False
        for code in leaves:
            for pid in index.large.get(code, ()):
                entry = index.programmes[pid]
                found = _nearest_site(entry, place.lat, place.lon)
                if (
                    found is not None
                    and found[0] <= _limit_km(entry, query.radius_km)
                    and eligible(entry) is not None
                ):
                    large_in_range = True
        if not large_in_range:
            search.read(ELSEWHERE_MAX_KM, None)
    nearest = search.found()
    for code in leaves:
        for pid in index.large.get(code, ()):
            if pid not in nearest:
                found = _nearest_site(index.programmes[pid], place.lat, place.lon)
                if found is not None:
                    nearest[pid] = found
    nearby: list[ProgrammeResult] = []
    remote: list[ProgrammeResult] = []
    beyond: list[tuple[ProgrammeResult, float]] = []
    # Remote programmes with no site around: only the first few (by code) that fit are
    # needed, as they rank after the remote ones with a site near the person.
    far_remote = 0
    seen: set[int] = set()
    for _code, pid in heapq.merge(*(index.remote.get(code, ()) for code in leaves)):
        if far_remote >= MAX_REMOTE * 2:
            break
        if pid in nearest or pid in seen:
            continue
        seen.add(pid)
        entry = index.programmes[pid]
        matched = eligible(entry)
        if matched is not None:
            remote.append(ProgrammeResult(entry, None, None, False, matched))
            far_remote += 1

    for pid, (distance, site_index) in nearest.items():
        entry = index.programmes[pid]
        matched = eligible(entry)
        if matched is None:
            continue
        site = entry.sites[site_index] if site_index is not None else None
        limit = _limit_km(entry, query.radius_km)
        in_range = distance is not None and distance <= limit and query.format != "distanciel"
        result = ProgrammeResult(entry, distance, site, in_range, matched)
        if in_range:
            nearby.append(result)
        elif entry.remote:
            remote.append(result)
        elif distance is not None and distance <= ELSEWHERE_MAX_KM:
            beyond.append((result, limit))

    nearby.sort(key=lambda r: (r.distance_km, r.programme.code))
    if len(nearby) > MAX_NEARBY:
        # the soonest BEP only breaks ties within a kilometre: keep what can still rank
        cutoff = round(nearby[MAX_NEARBY - 1].distance_km)
        nearby = [r for r in nearby if round(r.distance_km) <= cutoff]
    remote.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0, r.programme.code))
    remote = remote[: MAX_REMOTE * 2]
    nothing_nearby = not nearby and query.format != "distanciel"
    beyond.sort(key=lambda pair: (pair[0].distance_km, pair[0].programme.code))
    beyond = beyond[:MAX_ELSEWHERE] if nothing_nearby else []
    elsewhere = [pair[0] for pair in beyond]
    # one query for the BEPs of every programme that may be shown (they rank them)
    _attach_beps(nearby + remote + elsewhere, at)
    nearby.sort(key=lambda r: (round(r.distance_km), _bep_key(r), r.programme.code))
    nearby = nearby[:MAX_NEARBY]
    remote.sort(key=lambda r: (_bep_key(r), r.distance_km or 0, r.programme.code))
    remote = remote[:MAX_REMOTE]
    # and one for the next groups of those shown
    _attach_cohorts(nearby + remote + elsewhere, at)
    for result, limit in beyond:
        result.reasons = _reasons(result, "elsewhere", limit)
    for result in nearby:
        result.reasons = _reasons(result, "nearby", None)
    for result in remote:
        result.reasons = _reasons(result, "remote", None)

    return Orientation(
        q=query.q,
        conditions=leaves,
        named_conditions=named,
        understood=bool(named) or not query.q.strip(),
        place=place,
        age=query.age,
        pregnant=pregnant,
        child=child,
        format=query.format,
        radius_km=query.radius_km,
        results=nearby,
        remote=remote,
        elsewhere=elsewhere,
        nothing_nearby=nothing_nearby,
    )
