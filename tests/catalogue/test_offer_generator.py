"""The benchmark's synthetic offer is valid, deterministic and the size asked."""

import pytest

from bench.gen_offer import count_dated, generate_offer
from etp_orient.catalogue.offer import import_offer, validate_offer
from etp_orient.extensions import db
from tests.fixtures.offer import COMMUNES, offer_db  # noqa: F401

SMALL = {"programmes": 30, "sites": 60, "dated": 1500}
FIXTURE_COMMUNES = [
    {"insee": insee, "lat": lat, "lon": lon, "population": 10000, "departement": dep}
    for insee, _name, dep, lat, lon in COMMUNES
]


def test_the_generator_is_deterministic_and_sized():
    one = generate_offer(**SMALL, communes=FIXTURE_COMMUNES)
    assert one == generate_offer(**SMALL, communes=FIXTURE_COMMUNES)
    assert one != generate_offer(**SMALL, communes=FIXTURE_COMMUNES, seed=2)
    assert len(one["programmes"]) == 30
    assert len(one["sites"]) == 60
    assert count_dated(one) == 1500
    assert any("remote" in s for s in one["slots"])
    assert any("code" not in s for s in one["slots"])


@pytest.mark.usefixtures("offer_db")
def test_the_generated_offer_is_valid_and_imports():
    data = generate_offer(**SMALL, communes=FIXTURE_COMMUNES)
    assert validate_offer(data) == []
    report = import_offer(data)
    db.session.commit()
    assert report.slots.created + report.sessions.created == 1500
    assert not import_offer(data).changed
    db.session.rollback()
