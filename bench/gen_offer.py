"""Generate a deterministic synthetic national ETP offer file (offer.schema.json).

    .venv/bin/python bench/gen_offer.py OUT.json [--programmes 4000] [--sites 8000]
        [--dated 200000] [--seed 1] [--start 2026-12-01] [--database-url URL]

The communes come from the database (``communes`` table, the real INSEE
communes loaded by the migrations) of ``--database-url`` or of the app's
configuration. Other scripts import :func:`generate_offer` directly::

    from bench.gen_offer import generate_offer
    data = generate_offer(programmes=400, communes=communes_from_db())

The same arguments always give the same file.
"""

import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# (code, weight): how often a programme declares each condition, roughly like the ARS lists
CONDITIONS = [
    ("diabete-type-2", 22),
    ("diabete-type-1", 5),
    ("diabete-gestationnel", 4),
    ("prediabete", 3),
    ("bpco", 8),
    ("asthme", 6),
    ("risque-cardiovasculaire", 9),
    ("hypertension", 5),
    ("insuffisance-cardiaque", 6),
    ("obesite-adulte", 7),
    ("surpoids-enfant", 3),
    ("chirurgie-bariatrique", 3),
    ("insuffisance-renale-chronique", 4),
    ("covid-long", 2),
    ("anticancereux-oraux", 3),
    ("anticoagulants", 3),
    ("douleur-chronique", 3),
    ("polyarthrite", 2),
    ("vih", 2),
    ("tabac", 3),
]
STRUCTURE_KINDS = [
    ("cpts", 30),
    ("msp", 25),
    ("hospital", 20),
    ("ces", 5),
    ("association", 10),
    ("utep", 5),
    ("platform", 3),
    ("other", 2),
]
PROFESSIONS = [
    "medecin",
    "infirmier",
    "dieteticien",
    "pharmacien",
    "kinesitherapeute",
    "enseignant-apa",
    "psychologue",
    "sage-femme",
    "podologue",
]
WORKSHOPS = [
    ("comprendre", "Comprendre ma maladie"),
    ("alimentation", "Manger équilibré"),
    ("activite", "Bouger au quotidien"),
    ("traitements", "Mes traitements"),
    ("vivre-avec", "Vivre avec la maladie"),
    ("pieds", "Prendre soin de mes pieds"),
    ("souffle", "Gérer mon souffle"),
    ("emotions", "Mes émotions"),
    ("stress", "Gérer le stress"),
    ("sommeil", "Bien dormir"),
]
OVERSEAS_TZ = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
}
STREETS = ["rue de la Gare", "avenue Jean Jaurès", "place de la Mairie", "rue Victor Hugo"]


def timezone_of(insee: str) -> str:
    """The IANA time zone of a commune, from its INSEE code."""
    return OVERSEAS_TZ.get(insee[:3], "Europe/Paris")


def communes_from_db() -> list[dict]:
    """The communes of the current app's database: insee, lat, lon, population, departement."""
    from sqlalchemy import select

    from etp_orient.extensions import db
    from etp_orient.geo.models import Commune

    rows = db.session.execute(
        select(Commune.insee, Commune.lat, Commune.lon, Commune.population, Commune.departement)
    )
    return [
        {"insee": r.insee, "lat": r.lat, "lon": r.lon, "population": r.population or 100}
        | {"departement": r.departement}
        for r in rows
    ]


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in table], weights=[w for _c, w in table])[0]


def _stamp(local: datetime, tz: ZoneInfo) -> str:
    return local.replace(tzinfo=tz).isoformat()


def generate_offer(
    programmes: int = 4000,
    sites: int = 8000,
    dated: int = 200_000,
    *,
    communes: list[dict] | None = None,
    seed: int = 1,
    start: date = date(2026, 12, 1),
    weeks: int = 26,
) -> dict:
    """A synthetic national offer as a dict following ``offer.schema.json``.

    ``programmes`` programmes on ``sites`` sites over the given real communes
    (weighted by population), with ``dated`` dated rows in all: individual
    slots (BEP, final, follow-up; some by phone or video) and cohorts of a
    workshop per session, spread over ``weeks`` weeks from ``start``, in each
    site's local time. About 60 % of slots and half of the sessions carry a
    code; the others get a derived one at import. A few programmes are drafts
    or suspended, a few sessions cancelled.
    """
    if communes is None:
        communes = communes_from_db()
    if not communes:
        raise ValueError("no communes: load the communes table first (etp-orient db upgrade)")
    rng = random.Random(seed)
    communes = sorted(communes, key=lambda c: c["insee"])
    weights = [max(c.get("population") or 100, 100) ** 0.7 for c in communes]
    by_dep: dict[str, list[dict]] = {}
    for c in communes:
        by_dep.setdefault(c.get("departement") or c["insee"][:2], []).append(c)
    zones: dict[str, ZoneInfo] = {}

    def zone(name: str) -> ZoneInfo:
        if name not in zones:
            zones[name] = ZoneInfo(name)
        return zones[name]

    # structures: about one for 1.6 programmes, each with 1 to 6 sites
    n_structures = max(1, round(programmes / 1.6))
    structures, structure_sites = [], []
    homes = rng.choices(communes, weights=weights, k=n_structures)
    for i, home in enumerate(homes):
        kind = _weighted(rng, STRUCTURE_KINDS)
        item = {
            "code": f"{kind}-{home['insee'].lower()}-{i}",
            "name": f"{kind.upper()} {home['insee']} n°{i}",
            "kind": kind,
            "commune": home["insee"],
        }
        if rng.random() < 0.5:
            item["email"] = f"contact{i}@structure.example.fr"
        if rng.random() < 0.3:
            item["website"] = f"https://structure{i}.example.fr"
        structures.append(item)
        structure_sites.append([])

    site_items = []
    for j in range(sites):
        # every structure gets one site, then the rest go to random structures
        s = j if j < n_structures else rng.randrange(n_structures)
        home = homes[s]
        if j < n_structures or rng.random() < 0.4:
            commune = home
        else:
            near = by_dep.get(home.get("departement") or home["insee"][:2], [home])
            commune = rng.choice(near)
        item = {
            "code": f"site-{j}",
            "structure": structures[s]["code"],
            "name": f"Lieu {j}",
            "commune": commune["insee"],
            "timezone": timezone_of(commune["insee"]),
        }
        if rng.random() < 0.7:
            item["address"] = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
        if rng.random() < 0.3:
            item["lat"] = round(commune["lat"] + rng.uniform(-0.02, 0.02), 5)
            item["lon"] = round(commune["lon"] + rng.uniform(-0.02, 0.02), 5)
        if rng.random() < 0.6:
            item["step_free_access"] = rng.random() < 0.8
        site_items.append(item)
        structure_sites[s].append(j)

    per_programme = dated // programmes
    extra = dated - per_programme * programmes
    programme_items, slots, cohorts = [], [], []
    day0 = datetime(start.year, start.month, start.day)
    for p in range(programmes):
        s = p % n_structures if p < n_structures else rng.randrange(n_structures)
        holders = [s]
        if rng.random() < 0.2:
            holders.append(rng.randrange(n_structures))
            holders = list(dict.fromkeys(holders))
        main = _weighted(rng, CONDITIONS)
        conditions = [main]
        if rng.random() < 0.15:
            conditions = list(dict.fromkeys([main, _weighted(rng, CONDITIONS)]))
        roll = rng.random()
        if roll < 0.1:
            formats = ["distanciel"]
        elif roll < 0.3:
            formats = ["presentiel", "distanciel"]
        elif roll < 0.4:
            formats = ["mixte"]
        else:
            formats = ["presentiel"]
        own_sites = [j for h in holders for j in structure_sites[h]]
        site_codes = []
        if formats != ["distanciel"]:
            chosen = rng.sample(own_sites, k=min(len(own_sites), rng.randint(1, 3)))
            site_codes = [site_items[j]["code"] for j in chosen]
        status = "published"
        roll = rng.random()
        if roll < 0.03:
            status = "draft"
        elif roll < 0.05:
            status = "suspended"
        team = rng.sample(PROFESSIONS, k=rng.randint(2, 5))
        if status == "draft" and rng.random() < 0.5:
            team = team[:1]
        themes = rng.sample(WORKSHOPS, k=rng.randint(4, 7))
        workshops = [
            {
                "code": code,
                "title": title,
                "duration_min": rng.choice([60, 90, 120]),
                "transversal": code in ("stress", "sommeil"),
            }
            for code, title in themes
        ]
        audience = {"age_min": 18}
        if "surpoids-enfant" in conditions:
            audience = {"age_min": 6, "age_max": 12}
        if "diabete-gestationnel" in conditions:
            audience = {"age_min": 15, "age_max": 50, "pregnancy": "required"}
        code = f"prog-{p}-{main}"
        programme = {
            "code": code,
            "title": f"Programme {p} : {main.replace('-', ' ')}",
            "structures": [structures[h]["code"] for h in holders],
            "conditions": conditions,
            "audience": audience,
            "formats": formats,
            "sites": site_codes,
            "team": team,
            "workshops": workshops,
            "status": status,
        }
        if rng.random() < 0.5:
            programme["plain_title"] = f"Mieux vivre avec {main.replace('-', ' ')}"
        if rng.random() < 0.5:
            programme["ars_authorisation"] = f"ARS-{2021 + p % 5}-{p:05d}"
        if rng.random() < 0.1:
            programme["languages"] = ["fr", rng.choice(["ar", "en", "pt", "tr"])]
        programme_items.append(programme)

        remote_ok = "distanciel" in formats or "mixte" in formats
        tz_name = site_items[int(site_codes[0][5:])]["timezone"] if site_codes else "Europe/Paris"
        total = per_programme + (1 if p < extra else 0)
        n_cohorts = rng.randint(2, 5)
        n_sessions = n_cohorts * len(workshops)
        if n_sessions > total * 0.7:
            n_cohorts = max(1, int(total * 0.7) // len(workshops))
            n_sessions = n_cohorts * len(workshops)
        n_slots = total - n_sessions

        used: set[datetime] = set()
        for k in range(n_slots):
            remote = None
            site = rng.choice(site_codes) if site_codes else None
            if site is None or (remote_ok and rng.random() < 0.3):
                remote = rng.choice(["phone", "video"])
                site = site if rng.random() < 0.2 else None
            kind = "bep" if k % 5 < 3 else ("final" if k % 5 == 3 else "followup")
            while True:
                day = day0 + timedelta(days=rng.randrange(weeks * 7))
                if day.weekday() >= 5:
                    continue
                local = day.replace(hour=rng.randint(8, 17), minute=rng.choice([0, 15, 30, 45]))
                if local not in used:
                    used.add(local)
                    break
            tz = zone(site_items[int(site[5:])]["timezone"] if site else tz_name)
            slot = {
                "programme": code,
                "kind": kind,
                "start": _stamp(local, tz),
                "end": _stamp(local + timedelta(minutes=45), tz),
            }
            if site:
                slot["site"] = site
            if remote:
                slot["remote"] = remote
            if rng.random() < 0.6:
                slot["code"] = f"{code[:40]}-{kind}-{k}"
            elif rng.random() < 0.5:
                slot["professional"] = rng.choice(team)
            slots.append(slot)

        for c in range(n_cohorts):
            site = rng.choice(site_codes) if site_codes else None
            cohort_format = "presentiel" if site else "distanciel"
            if site and remote_ok and rng.random() < 0.3:
                cohort_format = "mixte"
            tz = zone(site_items[int(site[5:])]["timezone"] if site else tz_name)
            first = day0 + timedelta(days=rng.randrange(max(1, weeks * 7 - 60)))
            while first.weekday() >= 5:
                first += timedelta(days=1)
            hour = rng.choice([9, 10, 14, 17])
            cohort_code = f"{code[:50]}-g{c}"
            sessions = []
            for w, workshop in enumerate(workshops):
                local = (first + timedelta(weeks=w)).replace(hour=hour)
                session = {
                    "workshop": workshop["code"],
                    "start": _stamp(local, tz),
                    "end": _stamp(local + timedelta(minutes=workshop["duration_min"]), tz),
                }
                if rng.random() < 0.5:
                    session["code"] = f"{cohort_code}-s{w}"
                if site and rng.random() < 0.3:
                    session["room"] = f"Salle {rng.randint(1, 5)}"
                if rng.random() < 0.02:
                    session["status"] = "cancelled"
                sessions.append(session)
            cohort = {
                "code": cohort_code,
                "programme": code,
                "format": cohort_format,
                "capacity": rng.choice([6, 8, 10, 12, 15]),
                "facilitators": [f"Animateur {p}-{c}-{n}" for n in range(2)],
                "sessions": sessions,
            }
            if site:
                cohort["site"] = site
            if rng.random() < 0.3:
                closes = first - timedelta(days=2)
                cohort["registration_closes"] = _stamp(closes.replace(hour=18), tz)
            cohorts.append(cohort)

    return {
        "version": 1,
        "structures": structures,
        "sites": site_items,
        "programmes": programme_items,
        "slots": slots,
        "cohorts": cohorts,
    }


def count_dated(data: dict) -> int:
    """Slots plus sessions of an offer file."""
    return len(data["slots"]) + sum(len(c["sessions"]) for c in data["cohorts"])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="where to write the JSON file")
    parser.add_argument("--programmes", type=int, default=4000)
    parser.add_argument("--sites", type=int, default=8000)
    parser.add_argument("--dated", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 12, 1))
    parser.add_argument("--database-url", help="read the communes from this database")
    args = parser.parse_args(argv)

    from etp_orient import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url} if args.database_url else None)
    with app.app_context():
        communes = communes_from_db()
    began = time.perf_counter()
    data = generate_offer(
        args.programmes,
        args.sites,
        args.dated,
        communes=communes,
        seed=args.seed,
        start=args.start,
    )
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
    print(
        f"{len(data['programmes'])} programmes, {len(data['sites'])} sites on "
        f"{len({s['commune'] for s in data['sites']})} communes, {count_dated(data)} dated rows "
        f"({len(data['slots'])} slots, {count_dated(data) - len(data['slots'])} sessions) "
        f"written to {args.out} in {time.perf_counter() - began:.1f} s"
    )


if __name__ == "__main__":
    main()
