"""A per-process, in-memory index of the published offer, for fast orientation.

Orientation reads the same few thousand programmes and sites on every request;
loading them once per process and keeping them in plain tuples makes a query a
matter of a dictionary look-up and some great-circle sums. The index is rebuilt
when a cheap version query (counts, sums of ids, latest ``updated_at``) sees
the offer change. Dated things (slots, cohorts) are never cached: they are
fetched per request, for the few candidate programmes only.
"""

import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import case, func, select

from ..catalogue.models import (
    Condition,
    Programme,
    Site,
    Structure,
    programme_conditions,
    programme_sites,
    programme_structures,
)
from ..extensions import db
from ..geo.models import Commune
from .terms import ConditionMatcher


@dataclass(frozen=True)
class SiteEntry:
    id: int
    code: str
    name: str
    commune_name: str
    lat: float
    lon: float
    timezone: str
    step_free_access: bool | None
    # the coordinator's English and Arabic versions of the name (see catalogue.localize)
    translations: dict | None = None


@dataclass(frozen=True)
class ProgrammeEntry:
    id: int
    code: str
    title: str
    plain_title: str | None
    formats: tuple[str, ...]
    languages: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    pregnancy: str
    catchment_km: float | None
    condition_codes: tuple[str, ...]
    sites: tuple[SiteEntry, ...]
    updated_at: object = None
    # the coordinator's English and Arabic versions of the texts (see catalogue.localize)
    translations: dict | None = None

    @property
    def display_title(self) -> str:
        return self.plain_title or self.title

    @property
    def remote(self) -> bool:
        """Can be followed entirely from home: always in range."""
        return "distanciel" in self.formats

    @property
    def partly_remote(self) -> bool:
        return "mixte" in self.formats


@dataclass
class OfferIndex:
    version: tuple
    programmes: dict[int, ProgrammeEntry] = field(default_factory=dict)
    by_condition: dict[str, list[int]] = field(default_factory=dict)
    # per condition code: a grid of its programmes' sites (the programmes whose catchment
    # is at most LARGE_CATCHMENT_KM): cell (lat // GRID_DEG, lon // GRID_DEG) → rows of
    # (lat, lon, programme id, site index). A search reads the cells around the person,
    # nearest ring first, and stops as soon as farther cells cannot change the answer.
    grids: dict[str, dict[tuple[int, int], list[tuple]]] = field(default_factory=dict)
    # per condition code: the programmes with a larger catchment, kept apart (few): each
    # is measured on every search, so that one of them never widens the others' search
    large: dict[str, list[int]] = field(default_factory=dict)
    # per condition code: how far its grid programmes may be in range with no distance
    # asked (the default radius, or the largest of their catchments)
    reach_km: dict[str, float] = field(default_factory=dict)
    # per condition code: the grid's extent in cells (lowest i, highest i, lowest j, highest j)
    extents: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    # per condition code: (code, id) of programmes that can be followed from home, by code
    remote: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    conditions: dict[str, dict] = field(default_factory=dict)
    # programme id → (name of its first structure, the town of that structure's seat): the
    # "Structure, Town" line under results that share a title (``twins``)
    holders: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    matcher: ConditionMatcher | None = None
    checked_at: float = 0.0  # time.monotonic() of the last version check


# Side of a grid cell, in degrees (about 11 km of latitude).
GRID_DEG = 0.1
# A catchment above this (km) puts the programme in the ``large`` lists, not in the grids.
LARGE_CATCHMENT_KM = 150.0
# The distance a programme is in range at when neither it nor the person names one.
DEFAULT_RADIUS_KM = 30.0


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    return (int(lat // GRID_DEG), int(lon // GRID_DEG))


_lock = threading.Lock()
_cache: dict[int, OfferIndex] = {}


def offer_version() -> tuple:
    """A cheap fingerprint of the published offer and the taxonomy (one query)."""
    published_ids = func.sum(case((Programme.status == "published", Programme.id), else_=0))
    query = select(
        select(func.count(Programme.id)).scalar_subquery(),
        select(func.max(Programme.updated_at)).scalar_subquery(),
        select(published_ids).scalar_subquery(),
        select(func.count(Site.id)).scalar_subquery(),
        select(func.max(Site.updated_at)).scalar_subquery(),
        select(func.sum(Site.id)).scalar_subquery(),
        select(
            func.sum(programme_sites.c.programme_id * 7919 + programme_sites.c.site_id)
        ).scalar_subquery(),
        select(
            func.sum(
                programme_conditions.c.programme_id * 7919 + programme_conditions.c.condition_id
            )
        ).scalar_subquery(),
        select(func.count(Condition.id)).scalar_subquery(),
        # the structures named under results that share a title
        select(func.count(Structure.id)).scalar_subquery(),
        select(func.max(Structure.updated_at)).scalar_subquery(),
        select(
            func.sum(
                programme_structures.c.programme_id * 7919
                + programme_structures.c.structure_id * (programme_structures.c.position + 1)
            )
        ).scalar_subquery(),
    )
    return tuple(db.session.execute(query).one())


def _build(version: tuple) -> OfferIndex:
    index = OfferIndex(version=version)
    nodes = []
    for cond in db.session.scalars(select(Condition).order_by(Condition.position)):
        node = {
            "code": cond.code,
            "parent_code": cond.parent_code,
            "is_group": cond.is_group,
            "label": cond.label,
            "plain_label": cond.plain_label,
            "synonyms": list(cond.synonyms or []),
            "translations": dict(cond.translations or {}),
            "pictogram": cond.pictogram,
            "position": cond.position,
            "id": cond.id,
        }
        nodes.append(node)
        index.conditions[cond.code] = node
    index.matcher = ConditionMatcher(nodes)
    code_by_id = {n["id"]: n["code"] for n in nodes}

    rows = db.session.execute(
        select(
            Programme.id,
            Programme.code,
            Programme.title,
            Programme.plain_title,
            Programme.formats,
            Programme.languages,
            Programme.age_min,
            Programme.age_max,
            Programme.pregnancy,
            Programme.catchment_km,
            Programme.updated_at,
            Programme.translations,
        ).where(Programme.status == "published")
    ).all()
    conds: dict[int, list[str]] = {}
    for pid, cid in db.session.execute(
        select(programme_conditions.c.programme_id, programme_conditions.c.condition_id)
        .join(Programme, Programme.id == programme_conditions.c.programme_id)
        .where(Programme.status == "published")
        .order_by(programme_conditions.c.programme_id, programme_conditions.c.position)
    ):
        conds.setdefault(pid, []).append(code_by_id.get(cid, ""))
    sites: dict[int, list[SiteEntry]] = {}
    for row in db.session.execute(
        select(
            programme_sites.c.programme_id,
            Site.id,
            Site.code,
            Site.name,
            Commune.name,
            Site.lat,
            Site.lon,
            Site.timezone,
            Site.step_free_access,
            Site.translations,
        )
        .join(Site, Site.id == programme_sites.c.site_id)
        .join(Programme, Programme.id == programme_sites.c.programme_id)
        .outerjoin(Commune, Commune.insee == Site.commune_insee)
        .where(Programme.status == "published")
        .order_by(programme_sites.c.programme_id, programme_sites.c.position)
    ):
        sites.setdefault(row[0], []).append(
            SiteEntry(row[1], row[2], row[3], row[4] or "", row[5], row[6], row[7], row[8], row[9])
        )
    for pid, name, town in db.session.execute(
        select(programme_structures.c.programme_id, Structure.name, Commune.name)
        .join(Structure, Structure.id == programme_structures.c.structure_id)
        .join(Programme, Programme.id == programme_structures.c.programme_id)
        .outerjoin(Commune, Commune.insee == Structure.commune_insee)
        .where(Programme.status == "published")
        .order_by(programme_structures.c.programme_id, programme_structures.c.position)
    ):
        index.holders.setdefault(pid, (name, town))
    for row in rows:
        entry = ProgrammeEntry(
            id=row.id,
            code=row.code,
            title=row.title,
            plain_title=row.plain_title,
            formats=tuple(row.formats or ()),
            languages=tuple(row.languages or ("fr",)),
            age_min=row.age_min,
            age_max=row.age_max,
            pregnancy=row.pregnancy,
            catchment_km=row.catchment_km,
            condition_codes=tuple(conds.get(row.id, ())),
            sites=tuple(sites.get(row.id, ())),
            updated_at=row.updated_at,
            translations=row.translations,
        )
        index.programmes[entry.id] = entry
        large = entry.catchment_km is not None and entry.catchment_km > LARGE_CATCHMENT_KM
        for code in entry.condition_codes:
            index.by_condition.setdefault(code, []).append(entry.id)
            if entry.remote:
                index.remote.setdefault(code, []).append((entry.code, entry.id))
            if large:
                index.large.setdefault(code, []).append(entry.id)
                continue
            grid = index.grids.setdefault(code, {})
            reach = index.reach_km.get(code, DEFAULT_RADIUS_KM)
            index.reach_km[code] = max(reach, entry.catchment_km or 0.0)
            for i, site in enumerate(entry.sites):
                if site.lat is None or site.lon is None:
                    continue
                grid.setdefault(grid_cell(site.lat, site.lon), []).append(
                    (site.lat, site.lon, entry.id, i)
                )
    for listed in index.remote.values():
        listed.sort()
    for code, grid in list(index.grids.items()):
        if not grid:
            del index.grids[code]
            continue
        index.extents[code] = (
            min(i for i, _j in grid),
            max(i for i, _j in grid),
            min(j for _i, j in grid),
            max(j for _i, j in grid),
        )
    return index


def get_index() -> OfferIndex:
    """The index of the published offer for the current database, rebuilt if it changed.

    The version query runs at most once every ``ORIENTATION_INDEX_TTL`` seconds
    per process (default 2 s; 0 checks on every call): a change of the offer
    shows in orientation within that delay. Once built, the checks (and the
    rebuilds) run in the process's checking thread (``core.background``), not in
    the requests; when testing they run here.
    """
    from ..core import background

    key = id(db.engine)
    current = _cache.get(key)
    ttl = current_app.config.get("ORIENTATION_INDEX_TTL", 2.0)
    if current is not None and ttl > 0 and background.enabled(current_app):
        background.keep_checking(
            current_app._get_current_object(), f"offer-index-{key}", _check, ttl
        )
        return current
    if current is not None and time.monotonic() - current.checked_at < ttl:
        return current
    return _check()


def _check() -> OfferIndex:
    """Compare the offer's version with the index's; rebuild it when they differ."""
    key = id(db.engine)
    current = _cache.get(key)
    version = offer_version()
    if current is not None and current.version == version:
        current.checked_at = time.monotonic()
        return current
    with _lock:
        current = _cache.get(key)
        if current is None or current.version != version:
            current = _build(version)
            _cache[key] = current
        current.checked_at = time.monotonic()
        return current


def clear_cache() -> None:
    """Forget every index and resolved place (tests that rewrite the offer or the
    communes under a frozen clock use it)."""
    from . import directory
    from .matching import forget_dates
    from .places import clear_place_cache

    with _lock:
        _cache.clear()
    clear_place_cache()
    forget_dates()
    directory.forget()
