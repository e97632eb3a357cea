"""The directory of the published offer: filters, sort and pages (issue 15).

Shared by the pages ``/programmes``, ``/programmes/carte``, ``/pro/offre`` and the
API ``GET /api/v1/programmes``. The published programmes, with their structures,
sites (commune, département), conditions and team, are read once per process into
plain tuples and read again when a cheap version query sees the offer change
(at most every ``ORIENTATION_INDEX_TTL`` seconds, like the orientation index), so a
filtered page is a scan of a few thousand tuples in memory plus one query per page
for the next dates.
"""

import math
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ..catalogue.models import (
    Programme,
    Site,
    Structure,
    TeamMember,
    programme_structures,
)
from ..core.text import fold
from ..extensions import db
from ..geo.models import Commune
from .index import get_index
from .matching import NextCohort, NextSlot, _remembered, next_bep_slots, next_cohorts

# filter values (the same in the page's query string and the API)
FORMATS = ("presentiel", "distanciel")  # on site (presentiel, mixte); from home (distanciel, mixte)
AUDIENCES = ("adults", "children", "pregnancy")
SORTS = ("title", "next")
PER_PAGE = 20
MAX_PER_PAGE = 100
FILTERS = ("condition", "departement", "structure", "format", "language", "audience")


@dataclass(frozen=True)
class DirectorySite:
    code: str
    name: str
    commune: str
    insee: str
    departement: str
    lat: float
    lon: float


@dataclass(frozen=True)
class DirectoryStructure:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class DirectoryEntry:
    """A published programme as the directory shows it."""

    id: int
    code: str
    title: str
    plain_title: str | None
    formats: tuple[str, ...]
    languages: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    pregnancy: str
    conditions: tuple[str, ...]
    structures: tuple[DirectoryStructure, ...]
    sites: tuple[DirectorySite, ...]
    professions: tuple[str, ...]
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    sort_title: str
    departements: frozenset[str]  # of its sites

    @property
    def display_title(self) -> str:
        return self.plain_title or self.title

    @property
    def communes(self) -> list[str]:
        """The towns of its sites, each once, in the publisher's order."""
        return list(dict.fromkeys(s.commune for s in self.sites if s.commune))

    @property
    def on_site(self) -> bool:
        return "presentiel" in self.formats or "mixte" in self.formats

    @property
    def from_home(self) -> bool:
        return "distanciel" in self.formats or "mixte" in self.formats


@dataclass
class Directory:
    version: tuple
    entries: list[DirectoryEntry] = field(default_factory=list)  # by title
    structures: dict[str, DirectoryStructure] = field(default_factory=dict)
    departements: list[str] = field(default_factory=list)  # every known département
    languages: list[str] = field(default_factory=list)  # languages of the offer
    # the entries with a site in each département, and those that can be followed from
    # home, by title: a département's page scans only those
    by_departement: dict[str, list[DirectoryEntry]] = field(default_factory=dict)
    from_home: list[DirectoryEntry] = field(default_factory=list)
    checked_at: float = 0.0


@dataclass(frozen=True)
class DirectoryQuery:
    conditions: tuple[str, ...] = ()  # the codes asked (a group means its children too)
    departement: str | None = None
    structure: str | None = None
    format: str | None = None
    language: str | None = None
    audience: str | None = None
    sort: str = "title"
    page: int = 1
    per_page: int = PER_PAGE

    def args(self, **changes) -> dict:
        """The query-string arguments of this query (for links), with ``changes``."""
        query = replace(self, **changes)
        values = {
            "condition": ",".join(query.conditions) or None,
            "departement": query.departement,
            "structure": query.structure,
            "format": query.format,
            "language": query.language,
            "audience": query.audience,
            "sort": None if query.sort == "title" else query.sort,
            "page": None if query.page == 1 else query.page,
            "per_page": None if query.per_page == PER_PAGE else query.per_page,
        }
        return {k: v for k, v in values.items() if v is not None}


class BadFilter(Exception):
    """A filter value that is not understood: names the parameter and why."""

    def __init__(self, name: str, reason: str, message: str):
        super().__init__(message)
        self.name = name
        self.reason = reason
        self.message = message


@dataclass
class Listing:
    """One page of the directory, with the programmes that can be followed from home
    (shown apart when a département is chosen) and the next dates of both."""

    query: DirectoryQuery
    total: int
    rows: list[DirectoryEntry]
    remote: list[DirectoryEntry]
    remote_total: int
    next_bep: dict[int, NextSlot]
    next_cohort: dict[int, NextCohort]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


_lock = threading.Lock()
_cache: dict[int, Directory] = {}


def _version() -> tuple:
    """The orientation index's version plus what it does not cover (structures, teams)."""
    extra = db.session.execute(
        select(
            select(func.count(Structure.id)).scalar_subquery(),
            select(func.max(Structure.updated_at)).scalar_subquery(),
            select(
                func.sum(
                    programme_structures.c.programme_id * 7919 + programme_structures.c.structure_id
                )
            ).scalar_subquery(),
            select(func.count(TeamMember.id)).scalar_subquery(),
            select(func.sum(TeamMember.id)).scalar_subquery(),
        )
    ).one()
    return (get_index().version, tuple(extra))


def _build(version: tuple) -> Directory:
    directory = Directory(version=version)
    index = get_index()
    structures = {
        s.id: DirectoryStructure(s.code, s.name, s.kind)
        for s in db.session.execute(
            select(Structure.id, Structure.code, Structure.name, Structure.kind)
        )
    }
    directory.structures = {s.code: s for s in structures.values()}
    links: dict[int, list[DirectoryStructure]] = {}
    for pid, sid in db.session.execute(
        select(programme_structures.c.programme_id, programme_structures.c.structure_id).order_by(
            programme_structures.c.programme_id, programme_structures.c.position
        )
    ):
        links.setdefault(pid, []).append(structures[sid])
    site_ids = {s.id for e in index.programmes.values() for s in e.sites}
    places = {}
    if site_ids:
        for sid, insee, departement in db.session.execute(
            select(Site.id, Site.commune_insee, Commune.departement).outerjoin(
                Commune, Commune.insee == Site.commune_insee
            )
        ):
            places[sid] = (insee, departement or "")
    professions: dict[int, set[str]] = {}
    for pid, profession in db.session.execute(
        select(TeamMember.programme_id, TeamMember.profession)
    ):
        professions.setdefault(pid, set()).add(profession)
    contacts = {
        row.id: row
        for row in db.session.execute(
            select(
                Programme.id,
                Programme.contact_name,
                Programme.contact_phone,
                Programme.contact_email,
            ).where(Programme.status == "published")
        )
    }
    languages: set[str] = set()
    for entry in index.programmes.values():
        contact = contacts.get(entry.id)
        sites = tuple(
            DirectorySite(
                s.code,
                s.name,
                s.commune_name,
                *places.get(s.id, ("", "")),
                s.lat,
                s.lon,
            )
            for s in entry.sites
        )
        languages.update(entry.languages)
        directory.entries.append(
            DirectoryEntry(
                id=entry.id,
                code=entry.code,
                title=entry.title,
                plain_title=entry.plain_title,
                formats=entry.formats,
                languages=entry.languages,
                age_min=entry.age_min,
                age_max=entry.age_max,
                pregnancy=entry.pregnancy,
                conditions=entry.condition_codes,
                structures=tuple(links.get(entry.id, ())),
                sites=sites,
                professions=tuple(sorted(professions.get(entry.id, ()))),
                contact_name=contact.contact_name if contact else None,
                contact_phone=contact.contact_phone if contact else None,
                contact_email=contact.contact_email if contact else None,
                sort_title=fold(entry.display_title),
                departements=frozenset(site.departement for site in sites),
            )
        )
    directory.entries.sort(key=lambda e: (e.sort_title, e.code))
    for entry in directory.entries:  # both by title
        for code in entry.departements:
            directory.by_departement.setdefault(code, []).append(entry)
        if entry.from_home:
            directory.from_home.append(entry)
    directory.departements = sorted(
        db.session.scalars(select(Commune.departement).distinct()), key=_departement_key
    )
    directory.languages = sorted(languages)
    return directory


def _departement_key(code: str) -> tuple:
    """01…19, 2A, 2B, 21…95, 971…: the usual order."""
    return (code.replace("2A", "20.1").replace("2B", "20.2").zfill(6),)


def get_directory() -> Directory:
    """The directory of the current database, read again when the offer changed.

    Like the orientation index (``index.get_index``): the version query runs at most
    every ``ORIENTATION_INDEX_TTL`` seconds, in the process's checking thread once the
    directory is built (``core.background``), in the request when testing.
    """
    from ..core import background

    key = id(db.engine)
    current = _cache.get(key)
    ttl = current_app.config.get("ORIENTATION_INDEX_TTL", 2.0)
    if current is not None and ttl > 0 and background.enabled(current_app):
        background.keep_checking(current_app._get_current_object(), f"directory-{key}", _check, ttl)
        return current
    if current is not None and time.monotonic() - current.checked_at < ttl:
        return current
    return _check()


def _check() -> Directory:
    """Compare the directory's version with the database's; read it again when they differ."""
    key = id(db.engine)
    current = _cache.get(key)
    version = _version()
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


# --- the query string ------------------------------------------------------------------


def parse_query(args, *, strict: bool) -> tuple[DirectoryQuery, dict[str, BadFilter]]:
    """Read the filters from a query string (``MultiDict``).

    Returns the query (without the values refused) and the refused values by
    parameter; with ``strict`` (the API) the first refused value raises ``BadFilter``.
    """
    directory = get_directory()
    conditions = get_index().conditions
    errors: dict[str, BadFilter] = {}
    values: dict = {}

    def refuse(name: str, reason: str, message: str) -> None:
        error = BadFilter(name, reason, message)
        if strict:
            raise error
        errors[name] = error

    def single(name: str) -> str | None:
        raw = args.getlist(name)
        value = raw[-1].strip() if raw else ""
        if len(value) > 120:
            refuse(name, "invalid", "at most 120 characters")
            return None
        return value or None

    codes = []
    for raw in args.getlist("condition"):
        codes += [c.strip() for c in raw.split(",") if c.strip()]
    unknown = [c for c in codes if c not in conditions]
    if unknown:
        refuse("condition", "unknown_condition", "unknown condition code; see /api/v1/conditions")
    else:
        values["conditions"] = tuple(dict.fromkeys(codes))
    departement = single("departement")
    if departement is not None:
        departement = departement.upper()
        if departement not in directory.departements:
            refuse("departement", "unknown_departement", "a département code: 01, 2A, 59, 974…")
        else:
            values["departement"] = departement
    structure = single("structure")
    if structure is not None:
        if structure.lower() not in directory.structures:
            refuse("structure", "unknown_structure", "unknown structure code")
        else:
            values["structure"] = structure.lower()
    for name, allowed in (("format", FORMATS), ("audience", AUDIENCES), ("sort", SORTS)):
        value = single(name)
        if value is not None:
            if value not in allowed:
                refuse(name, "invalid", "one of " + ", ".join(allowed))
            else:
                values[name] = value
    language = single("language")
    if language is not None:
        if not (language.isascii() and language.isalpha() and 2 <= len(language) <= 3):
            refuse("language", "invalid", "an ISO 639 language code: fr, en, ar…")
        else:
            values["language"] = language.lower()
    for name, top in (("page", 100000), ("per_page", MAX_PER_PAGE)):
        value = single(name)
        if value is None:
            continue
        if not value.isdecimal() or not 1 <= int(value) <= top:
            refuse(name, "invalid", f"an integer from 1 to {top}")
        else:
            values[name] = int(value)
    return DirectoryQuery(**values), errors


# --- filtering ---------------------------------------------------------------------------


def _leaf_codes(codes: tuple[str, ...]) -> set[str]:
    """The codes asked and every code under them (``diabete`` → its four children)."""
    conditions = get_index().conditions
    wanted = set(codes)
    grew = True
    while grew:
        more = {c for c, node in conditions.items() if node["parent_code"] in wanted}
        grew = not more <= wanted
        wanted |= more
    return wanted


def _in_audience(entry: DirectoryEntry, audience: str | None) -> bool:
    if audience is None:
        return True
    if audience == "pregnancy":
        return entry.pregnancy == "required"
    if audience == "children":
        # open to children or teenagers by its own range (no range: not aimed at them)
        return entry.pregnancy != "required" and entry.age_min is not None and entry.age_min < 18
    # adults: takes people of 18 and over, not for pregnant women only
    return entry.pregnancy != "required" and (entry.age_max is None or entry.age_max >= 18)


def matching(query: DirectoryQuery) -> tuple[list[DirectoryEntry], list[DirectoryEntry]]:
    """The programmes that fit every filter but the département, split into those with a
    site in the département (all of them when none is asked) and those that can be
    followed from home without one (only when a département is asked), by title."""
    wanted = _leaf_codes(query.conditions) if query.conditions else None
    directory = get_directory()
    if query.departement is None:
        candidates = directory.entries
    else:
        inside = directory.by_departement.get(query.departement, [])
        ids = {e.id for e in inside}
        candidates = inside + [e for e in directory.from_home if e.id not in ids]
    listed, remote = [], []
    for entry in candidates:
        if wanted is not None and wanted.isdisjoint(entry.conditions):
            continue
        if query.structure and all(s.code != query.structure for s in entry.structures):
            continue
        if query.format == "presentiel" and not entry.on_site:
            continue
        if query.format == "distanciel" and not entry.from_home:
            continue
        if query.language and query.language not in entry.languages:
            continue
        if not _in_audience(entry, query.audience):
            continue
        if query.departement is None or query.departement in entry.departements:
            listed.append(entry)
        else:
            remote.append(entry)
    if query.departement is not None:  # the two lists were scanned one after the other
        key = lambda e: (e.sort_title, e.code)  # noqa: E731
        listed.sort(key=key)
        remote.sort(key=key)
    return listed, remote


def next_dates(
    entries: list[DirectoryEntry], at: datetime
) -> tuple[dict[int, NextSlot], dict[int, NextCohort]]:
    """The next open BEP and the next group of each programme (remembered per process
    for ``ORIENTATION_DATES_TTL`` seconds, like the orientation results)."""
    ids = [e.id for e in entries]
    return _remembered("bep", ids, at, next_bep_slots), next_cohorts(ids, at)


def _next_key(bep: dict, cohort: dict):
    far = datetime.max.replace(tzinfo=None)

    def key(entry: DirectoryEntry):
        starts = [
            d.start.replace(tzinfo=None) for d in (bep.get(entry.id), cohort.get(entry.id)) if d
        ]
        return (min(starts) if starts else far, entry.sort_title, entry.code)

    return key


REMOTE_LIMIT = 10  # shown under the list; a link lists them all


def listing(query: DirectoryQuery, at: datetime) -> Listing:
    """One page of the directory for ``query``, with the next dates of what it shows."""
    listed, remote = matching(query)
    if query.sort == "next":
        bep, cohort = next_dates(listed + remote, at)
        key = _next_key(bep, cohort)
        listed.sort(key=key)
        remote.sort(key=key)
    start = (query.page - 1) * query.per_page
    rows = listed[start : start + query.per_page]
    shown_remote = remote[:REMOTE_LIMIT] if query.page == 1 else []
    if query.sort == "next":
        wanted = {e.id for e in rows + shown_remote}
        bep = {k: v for k, v in bep.items() if k in wanted}
        cohort = {k: v for k, v in cohort.items() if k in wanted}
    else:
        bep, cohort = next_dates(rows + shown_remote, at)
    return Listing(query, len(listed), rows, shown_remote, len(remote), bep, cohort)


def sites_of(query: DirectoryQuery) -> list[tuple[DirectorySite, list[DirectoryEntry]]]:
    """Every site of the filtered offer (in the département when one is asked), with its
    programmes, by commune then name: the map's markers and the list under it."""
    listed, _remote = matching(query)
    by_site: dict[str, tuple[DirectorySite, list[DirectoryEntry]]] = {}
    for entry in listed:
        for site in entry.sites:
            if query.departement and site.departement != query.departement:
                continue
            by_site.setdefault(site.code, (site, []))[1].append(entry)
    return sorted(by_site.values(), key=lambda item: (fold(item[0].commune), fold(item[0].name)))


def forget() -> None:
    """Forget the directory (tests that rewrite the offer under a frozen clock)."""
    with _lock:
        _cache.clear()
