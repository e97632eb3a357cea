"""Writing the database's offer as an offer file that imports back to the same data."""

from collections import defaultdict
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ...extensions import db
from .state import table


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _when(value, tz: str) -> str:
    """An aware datetime as RFC 3339 in the row's local time, with its offset."""
    return value.astimezone(_zone(tz)).isoformat()


def _put(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value


def export_offer() -> dict:
    """The whole offer of the database as a dict following ``offer.schema.json``.

    Every row is written with its code (derived codes included), so that the
    file imports back unchanged. Left out, because the format cannot say them:
    cancelled slots and cancelled cohorts, open sessions that belong to no
    cohort, and a cohort's sessions of another programme's workshop.
    Date-times are written in the row's time zone with their UTC offset.
    """
    t = {
        name: table(name)
        for name in (
            "structures",
            "sites",
            "programmes",
            "programme_structures",
            "programme_conditions",
            "programme_sites",
            "conditions",
            "team_members",
            "workshops",
            "slots",
            "cohorts",
            "facilitators",
            "group_sessions",
        )
    }
    run = db.session.execute

    structure_codes = {}
    structures = []
    for r in run(select(t["structures"]).order_by(t["structures"].c.code)):
        structure_codes[r.id] = r.code
        item = {"code": r.code, "name": r.name, "kind": r.kind}
        _put(item, "commune", r.commune_insee)
        _put(item, "email", r.email)
        _put(item, "phone", r.phone)
        _put(item, "website", r.website)
        _put(item, "territory", r.territory or None)
        structures.append(item)

    site_codes = {}
    sites = []
    for r in run(select(t["sites"]).order_by(t["sites"].c.code)):
        site_codes[r.id] = r.code
        item = {"code": r.code, "structure": structure_codes[r.structure_id], "name": r.name}
        _put(item, "address", r.address)
        _put(item, "postal_code", r.postal_code)
        item["commune"] = r.commune_insee
        if r.coords_given:
            item["lat"] = r.lat
            item["lon"] = r.lon
        _put(item, "step_free_access", r.step_free_access)
        _put(item, "transport", r.transport)
        item["timezone"] = r.timezone
        sites.append(item)

    condition_codes = dict(run(select(t["conditions"].c.id, t["conditions"].c.code)).all())
    links = {}
    for name, target, codes in (
        ("programme_structures", "structure_id", structure_codes),
        ("programme_conditions", "condition_id", condition_codes),
        ("programme_sites", "site_id", site_codes),
    ):
        lt = t[name]
        grouped = defaultdict(list)
        query = select(lt.c.programme_id, lt.c[target]).order_by(
            lt.c.programme_id, lt.c.position, lt.c[target]
        )
        for programme_id, target_id in run(query):
            grouped[programme_id].append(codes[target_id])
        links[name] = grouped

    team = defaultdict(list)
    tm = t["team_members"]
    query = select(tm.c.programme_id, tm.c.profession, tm.c.name, tm.c.etp_training_on)
    for r in run(query.order_by(tm.c.position, tm.c.id)):
        # a named member as an object, a bare profession as the old plain string
        if r.name:
            member = {"name": r.name, "profession": r.profession}
            if r.etp_training_on:
                member["trained_on"] = r.etp_training_on.isoformat()
            team[r.programme_id].append(member)
        else:
            team[r.programme_id].append(r.profession)

    workshops = defaultdict(list)
    workshop_codes = {}
    wt = t["workshops"]
    for r in run(select(wt).order_by(wt.c.programme_id, wt.c.position, wt.c.code)):
        workshop_codes[r.id] = (r.programme_id, r.code)
        item = {"code": r.code, "title": r.title}
        _put(item, "summary_plain", r.summary_plain)
        _put(item, "translations", r.translations or None)
        _put(item, "duration_min", r.duration_min)
        item["transversal"] = r.transversal
        workshops[r.programme_id].append(item)

    programme_codes = {}
    programmes = []
    for r in run(select(t["programmes"]).order_by(t["programmes"].c.code)):
        programme_codes[r.id] = r.code
        item = {"code": r.code, "title": r.title}
        _put(item, "plain_title", r.plain_title)
        _put(item, "summary_plain", r.summary_plain)
        item["structures"] = links["programme_structures"].get(r.id, [])
        item["conditions"] = links["programme_conditions"].get(r.id, [])
        audience = {}
        _put(audience, "age_min", r.age_min)
        _put(audience, "age_max", r.age_max)
        audience["pregnancy"] = r.pregnancy
        item["audience"] = audience
        item["formats"] = list(r.formats)
        item["languages"] = list(r.languages)
        item["sites"] = links["programme_sites"].get(r.id, [])
        _put(item, "catchment_km", r.catchment_km)
        _put(item, "ars_authorisation", r.ars_authorisation)
        item["team"] = team.get(r.id, [])
        item["workshops"] = workshops.get(r.id, [])
        contact = {}
        _put(contact, "name", r.contact_name)
        _put(contact, "email", r.contact_email)
        _put(contact, "phone", r.contact_phone)
        if contact:
            item["contact"] = contact
        item["status"] = r.status
        item["group_access"] = r.group_access
        _put(item, "translations", r.translations or None)
        programmes.append(item)

    slots = []
    st = t["slots"]
    rows = run(select(st).where(st.c.status != "cancelled")).all()
    rows.sort(key=lambda r: (programme_codes[r.programme_id], r.start_at, r.code))
    for r in rows:
        item = {"code": r.code, "programme": programme_codes[r.programme_id], "kind": r.kind}
        if r.site_id is not None:
            item["site"] = site_codes[r.site_id]
        _put(item, "remote", r.remote)
        item["start"] = _when(r.start_at, r.timezone)
        item["end"] = _when(r.end_at, r.timezone)
        _put(item, "professional", r.professional)
        slots.append(item)

    facilitators = defaultdict(list)
    ft = t["facilitators"]
    query = (
        select(ft.c.cohort_id, ft.c.name)
        .where(ft.c.cohort_id.is_not(None))
        .order_by(ft.c.position, ft.c.id)
    )
    for r in run(query):
        facilitators[r.cohort_id].append(r.name)

    sessions = defaultdict(list)
    gt = t["group_sessions"]
    query = select(gt).where(gt.c.cohort_id.is_not(None)).order_by(gt.c.start_at, gt.c.code)
    for r in run(query):
        sessions[r.cohort_id].append(r)

    cohorts = []
    ct = t["cohorts"]
    for r in run(select(ct).where(ct.c.status != "cancelled").order_by(ct.c.code)):
        item = {"code": r.code, "programme": programme_codes[r.programme_id]}
        if r.site_id is not None:
            item["site"] = site_codes[r.site_id]
        item["format"] = r.format
        item["capacity"] = r.capacity
        item["waitlist"] = r.waitlist_enabled
        if r.registration_closes_at is not None:
            item["registration_closes"] = _when(r.registration_closes_at, r.timezone)
        item["facilitators"] = facilitators.get(r.id, [])
        item["sessions"] = []
        for s in sessions.get(r.id, []):
            programme_id, workshop = workshop_codes[s.workshop_id]
            if programme_id != r.programme_id:
                continue
            session = {
                "code": s.code,
                "workshop": workshop,
                "start": _when(s.start_at, s.timezone),
                "end": _when(s.end_at, s.timezone),
            }
            _put(session, "room", s.room)
            session["status"] = "cancelled" if s.status == "cancelled" else "scheduled"
            item["sessions"].append(session)
        if item["sessions"]:
            cohorts.append(item)

    return {
        "version": 1,
        "structures": structures,
        "sites": sites,
        "programmes": programmes,
        "slots": slots,
        "cohorts": cohorts,
    }
