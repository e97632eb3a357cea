"""Exporting the offer: the file imports back to the same data."""

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from etp_orient.catalogue.offer import export_offer, import_offer, load_schema, validate_offer
from etp_orient.catalogue.offer.schema import SCHEMA_FILE
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

SHARED_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "offer.schema.json"
OFFER_TABLES = (
    "facilitators",
    "group_sessions",
    "cohorts",
    "slots",
    "workshops",
    "team_members",
    "programme_sites",
    "programme_conditions",
    "programme_structures",
    "programmes",
    "sites",
    "structures",
)


def _empty_offer_tables() -> None:
    for name in OFFER_TABLES:
        db.session.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (fixed names)
    db.session.commit()


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no ../shared next to the repository")
def test_the_packaged_schema_is_the_shared_one():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json.loads(
        SHARED_SCHEMA.read_text(encoding="utf-8")
    )
    assert load_schema()["$id"] == "etp-orient/offer.schema.json"


@pytest.mark.usefixtures("offer_db")
def test_export_then_import_round_trips():
    import_offer(sample_offer())
    db.session.commit()
    exported = export_offer()
    assert validate_offer(exported) == []
    # over the same data: nothing changes
    report = import_offer(exported)
    db.session.commit()
    assert not report.changed
    assert export_offer() == exported
    # into an empty database: the same file comes back out
    _empty_offer_tables()
    report = import_offer(exported)
    db.session.commit()
    assert report.slots.created == 3 and report.sessions.created == 4
    again = export_offer()
    assert again == exported
    assert json.loads(json.dumps(again)) == again


@pytest.mark.usefixtures("offer_db")
def test_export_keeps_local_times_codes_and_cancellations():
    import_offer(sample_offer())
    db.session.commit()
    exported = export_offer()
    slots = {s["code"]: s for s in exported["slots"]}
    assert slots["bep-dg-1"]["start"] == "2026-12-01T09:00:00+01:00"
    reunion = next(s for s in exported["slots"] if s["programme"] == "diabete-reunion")
    assert reunion["start"] == "2026-12-03T08:00:00+04:00"
    assert all(s["code"] for s in exported["slots"])
    cohort = next(c for c in exported["cohorts"] if c["code"] == "dg-groupe-decembre")
    assert [s["status"] for s in cohort["sessions"]] == ["scheduled", "scheduled", "cancelled"]
    sites = {s["code"]: s for s in exported["sites"]}
    assert "lat" not in sites["maison-sante-angouleme"]
    assert sites["ch-angouleme-site"]["lat"] == 45.6321


@pytest.mark.usefixtures("offer_db")
def test_an_empty_database_exports_an_empty_valid_file():
    exported = export_offer()
    assert exported["programmes"] == [] and exported["slots"] == []
    assert validate_offer(exported) == []
