"""The demo territory: a valid offer file, dated in the weeks after the injected clock."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from etp_orient.catalogue.demo import build_demo_offer
from etp_orient.catalogue.taxonomy import condition_codes
from tests.fixtures.demo import demo_communes  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATHS = [
    ROOT / "etp_orient" / "catalogue" / "data" / "offer.schema.json",
    ROOT.parent / "shared" / "offer.schema.json",
]


@pytest.fixture(scope="module")
def schema():
    path = next(p for p in SCHEMA_PATHS if p.is_file())
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def offer(app_ctx, clock):
    return build_demo_offer()


def _all_dates(offer):
    for slot in offer["slots"]:
        yield datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    for cohort in offer["cohorts"]:
        for session in cohort["sessions"]:
            yield datetime.fromisoformat(session["start"]), datetime.fromisoformat(session["end"])


def test_demo_offer_validates_against_the_schema(offer, schema):
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(offer)]
    assert errors == []


def test_every_date_is_in_the_weeks_after_the_clock(offer, clock):
    dates = list(_all_dates(offer))
    assert len(dates) > 100
    for start, end in dates:
        assert start.tzinfo is not None
        assert clock.at < start < end
        assert start < clock.at + timedelta(weeks=10)


def test_dates_follow_the_clock(app_ctx, clock):
    first = build_demo_offer()
    clock.advance(days=365)
    later = build_demo_offer()
    assert min(s for s, _ in _all_dates(later)) > clock.at
    assert min(s for s, _ in _all_dates(later)) > max(s for s, _ in _all_dates(first))


def test_same_clock_same_file(app_ctx, clock):
    assert build_demo_offer() == build_demo_offer()


def test_references_between_codes_hold(offer):
    structures = {s["code"] for s in offer["structures"]}
    sites = {s["code"]: s for s in offer["sites"]}
    programmes = {p["code"]: p for p in offer["programmes"]}
    known_conditions = set(condition_codes())
    assert all(s["structure"] in structures for s in sites.values())
    for programme in programmes.values():
        assert set(programme["structures"]) <= structures
        assert set(programme["sites"]) <= set(sites)
        assert set(programme["conditions"]) <= known_conditions
        professions = {m if isinstance(m, str) else m["profession"] for m in programme["team"]}
        named = {m["profession"] for m in programme["team"] if isinstance(m, dict)}
        assert len(professions) >= 2, programme["code"]
        # publishable from the back office too: two named members of different professions
        assert len(named) >= 2, programme["code"]
        # its slots and groups are run by its named members
        people = {m["name"] for m in programme["team"] if isinstance(m, dict)}
        for slot in offer["slots"]:
            if slot["programme"] == programme["code"]:
                assert slot["professional"] in people, slot["code"]
        for cohort in offer["cohorts"]:
            if cohort["programme"] == programme["code"]:
                assert set(cohort["facilitators"]) <= people, cohort["code"]
    for slot in offer["slots"]:
        assert slot["programme"] in programmes
        assert ("site" in slot) != ("remote" in slot)
        if "site" in slot:
            assert slot["site"] in programmes[slot["programme"]]["sites"]
    for cohort in offer["cohorts"]:
        workshops = {w["code"] for w in programmes[cohort["programme"]]["workshops"]}
        assert {s["workshop"] for s in cohort["sessions"]} <= workshops


def test_codes_are_unique(offer):
    for key in ("structures", "sites", "programmes", "slots", "cohorts"):
        codes = [item["code"] for item in offer[key]]
        assert len(codes) == len(set(codes)), key
    sessions = [s["code"] for c in offer["cohorts"] for s in c["sessions"]]
    assert len(sessions) == len(set(sessions))


def test_cohorts_have_three_to_five_ateliers_except_transversal(offer):
    programmes = {p["code"]: p for p in offer["programmes"]}
    for cohort in offer["cohorts"]:
        transversal = all(w["transversal"] for w in programmes[cohort["programme"]]["workshops"])
        count = len(cohort["sessions"])
        assert count == 1 if transversal else 3 <= count <= 5, cohort["code"]
        starts = [s["start"] for s in cohort["sessions"]]
        assert starts == sorted(starts)
        assert cohort["registration_closes"] < starts[0]


def test_the_seeds_groups_are_joined_after_the_bep(offer):
    """The seeds' path starts with the BEP; the transversal atelier stays open to all."""
    for programme in offer["programmes"]:
        transversal = all(w["transversal"] for w in programme["workshops"])
        expected = "open" if transversal else "after_bep"
        assert programme["group_access"] == expected, programme["code"]


def test_demo_covers_the_seeds(offer):
    programmes = {p["code"]: p for p in offer["programmes"]}
    conditions = {c for p in programmes.values() for c in p["conditions"]}
    urps = {"diabete-type-2", "risque-cardiovasculaire", "bpco", "surpoids-enfant"}
    assert urps | {"chirurgie-bariatrique", "asthme", "tabac", "diabete-gestationnel"} <= conditions
    gestational = programmes["diabete-grossesse-angoumois"]
    assert gestational["audience"]["pregnancy"] == "required"
    assert gestational["structures"] == ["cpts-ouest-angoumois", "ch-angouleme"]
    assert {"endocrinologue", "sage-femme", "infirmier-ipa", "sophrologue"} <= {
        m if isinstance(m, str) else m["profession"] for m in gestational["team"]
    }
    remote_only = [p for p in programmes.values() if p["formats"] == ["distanciel"]]
    assert remote_only and all(not p["sites"] for p in remote_only)
    assert any(s["timezone"] == "Indian/Reunion" for s in offer["sites"])
    assert any(s["commune"].startswith("95") for s in offer["sites"])
    kinds = {s["kind"] for s in offer["structures"]}
    assert {"cpts", "ces", "hospital"} <= kinds
    assert any(slot.get("remote") == "phone" for slot in offer["slots"])
    assert any(slot.get("remote") == "video" for slot in offer["slots"])


def test_overseas_dates_are_in_local_time(offer):
    reunion = [s for s in offer["slots"] if s.get("site") == "saint-denis-reunion-chu"]
    assert reunion and all(s["start"].endswith("+04:00") for s in reunion)


def test_seed_demo_can_write_the_offer_file(runner, clock, tmp_path):
    target = tmp_path / "demo.json"
    result = runner.invoke(args=["seed-demo", "--write", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["programmes"]) >= 15
    assert datetime.fromisoformat(data["slots"][0]["start"]) > datetime(2026, 11, 23, tzinfo=UTC)


def test_seed_demo_if_empty_leaves_an_existing_offer_alone(runner, app_ctx, clock):
    from sqlalchemy import func, select

    from etp_orient.catalogue.models import Programme
    from etp_orient.extensions import db

    db.session.add(Programme(code="deja-la", title="Déjà là", formats=["presentiel"]))
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already exist" in result.output
    assert db.session.scalar(select(func.count()).select_from(Programme)) == 1


def test_demo_communes_fixture_covers_the_demo(offer):
    from tests.fixtures.demo import DEMO_COMMUNES

    used = {s["commune"] for s in offer["sites"]} | {s["commune"] for s in offer["structures"]}
    assert used <= set(DEMO_COMMUNES)


@pytest.mark.usefixtures("demo_communes")
def test_seed_demo_imports_the_territory_twice_without_change(runner, app_ctx, clock):
    from sqlalchemy import func, select

    from etp_orient.catalogue.models import Programme, Site
    from etp_orient.extensions import db

    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo territory loaded" in first.output
    count = db.session.scalar(select(func.count()).select_from(Programme))
    assert count == len(build_demo_offer()["programmes"])
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count()).select_from(Programme)) == count
    reunion = db.session.scalar(select(Site).where(Site.code == "saint-denis-reunion-chu"))
    assert reunion.timezone == "Indian/Reunion"


@pytest.mark.usefixtures("demo_communes")
def test_seed_demo_creates_the_demo_staff_accounts(runner, app_ctx, clock):
    from etp_orient.accounts.services import authenticate
    from etp_orient.catalogue.demo import DEMO_ACCOUNTS

    result = runner.invoke(args=["seed-demo"], env={"ETP_DEMO_PASSWORD": "une-demo-tranquille"})
    assert result.exit_code == 0, result.output
    for email, *_rest in DEMO_ACCOUNTS:
        assert email in result.output
        assert authenticate(email, "une-demo-tranquille") is not None, email


def test_no_professional_is_in_two_places_at_once(offer):
    """No two BEPs of one professional overlap (the demo once had five at 09:30 with
    one professional), nor a BEP and a group session they facilitate."""
    from datetime import datetime

    busy: dict[str, list[tuple]] = {}
    for slot in offer["slots"]:
        span = (datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"]))
        busy.setdefault(slot["professional"], []).append((span, slot["code"]))
    for cohort in offer["cohorts"]:
        for session in cohort["sessions"]:
            span = (
                datetime.fromisoformat(session["start"]),
                datetime.fromisoformat(session["end"]),
            )
            for name in cohort["facilitators"]:
                busy.setdefault(name, []).append((span, session["code"]))
    clashes = []
    for name, spans in busy.items():
        slot_spans = [(s, c) for s, c in spans if "-bep-" in c]
        for (start, end), code in slot_spans:
            clashes += [
                (name, code, other)
                for (o_start, o_end), other in spans
                if other != code and start < o_end and o_start < end
            ]
    assert clashes == []
    # the moved slots stay on their working day, in daytime
    assert all(9 <= datetime.fromisoformat(s["start"]).hour < 21 for s in offer["slots"])


@pytest.mark.usefixtures("demo_communes")
def test_demo_platforms_answer_for_their_territory(runner, app_ctx, clock, client):
    """Each seed territory has a platform (example contacts); Brittany has programmes."""
    from etp_orient.catalogue.territory import territory_contact
    from etp_orient.orientation.index import clear_cache

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    clear_cache()
    # a commune list beats a département: Rennes calls the UTEP, Brest the Pôle
    assert territory_contact("35238", "35").name == "UTEP du CHU de Rennes (exemple)"
    assert territory_contact("29019", "29").name == "Pôle ETP Bretagne (exemple)"
    assert territory_contact("95127", "95").name.startswith("CoordETP 95")
    assert territory_contact("59178", "59").name == "Plateforme ETP Hauts-de-France (exemple)"
    assert territory_contact("97411", "974").phone == "01 99 00 00 90"
    body = client.get("/api/v1/programmes?departement=35").get_json()
    assert {p["code"] for p in body["programmes"]} == {"bzh-diabete-rennes", "bzh-bpco-rennes"}
    # no tobacco workshop in Brittany: the Breton contact, not Lille's
    answer = client.get("/api/v1/orientation?condition=tabac&commune=insee:29019").get_json()
    assert answer["nothing_nearby"] is True
    assert answer["contact"]["name"] == "Pôle ETP Bretagne (exemple)"
    assert answer["contact"]["website"] == "https://pole-etp-bretagne.example.org"
