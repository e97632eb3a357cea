"""What the database already holds, loaded once into memory maps keyed by code.

Validation reads it (known codes, who owns what) and the import compares the
file against it, so that a 200,000-row file costs a handful of queries rather
than one per row. The dated tables are reached through ``db.metadata`` by name:
the offer describes slots and cohorts, but the catalogue package does not
import the booking package (STYLE.md, import directions).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Table, select

from ...extensions import db

# Columns the offer file describes, per table (besides id and code).
STRUCTURE_FIELDS = ("name", "kind", "commune_insee", "email", "phone", "website", "territory")
SITE_FIELDS = (
    "structure_id",
    "name",
    "address",
    "postal_code",
    "commune_insee",
    "lat",
    "lon",
    "coords_given",
    "step_free_access",
    "transport",
    "timezone",
)
PROGRAMME_FIELDS = (
    "title",
    "plain_title",
    "summary_plain",
    "age_min",
    "age_max",
    "pregnancy",
    "formats",
    "languages",
    "catchment_km",
    "ars_authorisation",
    "contact_name",
    "contact_email",
    "contact_phone",
    "status",
    "group_access",
    "translations",
)
WORKSHOP_FIELDS = (
    "title",
    "summary_plain",
    "translations",
    "duration_min",
    "transversal",
    "position",
)
SLOT_FIELDS = (
    "programme_id",
    "kind",
    "site_id",
    "remote",
    "start_at",
    "end_at",
    "timezone",
    "professional",
)
COHORT_FIELDS = (
    "programme_id",
    "site_id",
    "format",
    "capacity",
    "waitlist_enabled",
    "registration_closes_at",
    "timezone",
)
SESSION_FIELDS = (
    "cohort_id",
    "workshop_id",
    "start_at",
    "end_at",
    "room",
    "timezone",
    "status",
    "cancelled_at",
)
LINK_TABLES = ("programme_structures", "programme_conditions", "programme_sites")
LINK_TARGET = {
    "programme_structures": "structure_id",
    "programme_conditions": "condition_id",
    "programme_sites": "site_id",
}


def table(name: str) -> Table:
    """A table of the schema by name."""
    return db.metadata.tables[name]


@dataclass
class DbState:
    """The offer rows of the database, keyed by code (rows are SQLAlchemy ``Row`` objects)."""

    communes: dict[str, tuple[float, float]] = field(default_factory=dict)
    conditions: dict[str, tuple[int, bool]] = field(default_factory=dict)
    structures: dict = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    programmes: dict = field(default_factory=dict)
    # link table → programme id → target ids in order
    links: dict = field(default_factory=dict)
    # programme id → [(member id, profession, position)] in order
    team: dict = field(default_factory=dict)
    # (programme id, workshop code) → row
    workshops: dict = field(default_factory=dict)
    # programme code → workshop codes
    workshop_codes: dict = field(default_factory=dict)
    slots: dict = field(default_factory=dict)
    cohorts: dict = field(default_factory=dict)
    # cohort id → [(facilitator id, name, position)] in order
    facilitators: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    # id → code, for the parents
    structure_codes: dict = field(default_factory=dict)
    site_codes: dict = field(default_factory=dict)
    programme_codes: dict = field(default_factory=dict)
    cohort_codes: dict = field(default_factory=dict)
    # programme id → first site's time zone
    programme_first_tz: dict = field(default_factory=dict)


class TeamRow(NamedTuple):
    """A team member as the import compares it."""

    id: int
    profession: str
    position: int
    name: str | None
    trained_on: date | None


def _rows(name: str, fields: tuple[str, ...], *extra: str) -> dict:
    t = table(name)
    columns = [t.c.id, t.c.code, *(t.c[f] for f in fields), *(t.c[f] for f in extra)]
    return {row.code: row for row in db.session.execute(select(*columns))}


def load_state() -> DbState:
    """Load every offer row the import may compare or refer to."""
    state = DbState()
    communes = table("communes")
    state.communes = {
        r.insee: (r.lat, r.lon)
        for r in db.session.execute(select(communes.c.insee, communes.c.lat, communes.c.lon))
    }
    conditions = table("conditions")
    state.conditions = {
        r.code: (r.id, r.is_group)
        for r in db.session.execute(
            select(conditions.c.code, conditions.c.id, conditions.c.is_group)
        )
    }
    state.structures = _rows("structures", STRUCTURE_FIELDS)
    state.sites = _rows("sites", SITE_FIELDS)
    state.programmes = _rows("programmes", PROGRAMME_FIELDS)
    state.slots = _rows("slots", SLOT_FIELDS, "revision", "status")
    state.cohorts = _rows("cohorts", COHORT_FIELDS, "revision", "seats_taken", "status")
    state.sessions = _rows("group_sessions", SESSION_FIELDS, "revision", "site_id")
    state.structure_codes = {r.id: c for c, r in state.structures.items()}
    state.site_codes = {r.id: c for c, r in state.sites.items()}
    state.programme_codes = {r.id: c for c, r in state.programmes.items()}
    state.cohort_codes = {r.id: c for c, r in state.cohorts.items()}

    for name in LINK_TABLES:
        t = table(name)
        target = t.c[LINK_TARGET[name]]
        by_programme = defaultdict(list)
        query = select(t.c.programme_id, target).order_by(t.c.programme_id, t.c.position, target)
        for programme_id, target_id in db.session.execute(query):
            by_programme[programme_id].append(target_id)
        state.links[name] = dict(by_programme)

    site_tz = {r.id: r.timezone for r in state.sites.values()}
    for programme_id, site_ids in state.links["programme_sites"].items():
        if site_ids:
            state.programme_first_tz[programme_id] = site_tz.get(site_ids[0])

    members = table("team_members")
    team = defaultdict(list)
    query = select(
        members.c.id,
        members.c.programme_id,
        members.c.profession,
        members.c.position,
        members.c.name,
        members.c.etp_training_on,
    )
    for r in db.session.execute(query.order_by(members.c.position, members.c.id)):
        team[r.programme_id].append(
            TeamRow(r.id, r.profession, r.position, r.name, r.etp_training_on)
        )
    state.team = dict(team)

    workshops = table("workshops")
    columns = [workshops.c.id, workshops.c.programme_id, workshops.c.code]
    columns += [workshops.c[f] for f in WORKSHOP_FIELDS]
    codes = defaultdict(set)
    for r in db.session.execute(select(*columns)):
        state.workshops[(r.programme_id, r.code)] = r
        codes[state.programme_codes.get(r.programme_id)].add(r.code)
    state.workshop_codes = dict(codes)

    facilitators = table("facilitators")
    by_cohort = defaultdict(list)
    query = (
        select(
            facilitators.c.id,
            facilitators.c.cohort_id,
            facilitators.c.name,
            facilitators.c.position,
        )
        .where(facilitators.c.cohort_id.is_not(None))
        .order_by(facilitators.c.position, facilitators.c.id)
    )
    for r in db.session.execute(query):
        by_cohort[r.cohort_id].append((r.id, r.name, r.position))
    state.facilitators = dict(by_cohort)
    return state
