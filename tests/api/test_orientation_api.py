"""The public JSON API of issue 3: conditions, orientation, programmes (DESIGN §4)."""

import pytest
from sqlalchemy import select

from etp_orient.extensions import db
from etp_orient.orientation.models import OrientationLog


def test_conditions_lists_the_taxonomy(client):
    body = client.get("/api/v1/conditions").get_json()
    codes = {c["code"] for c in body["conditions"]}
    assert {"diabete-type-2", "bpco", "surpoids-enfant", "diabete"} <= codes
    diabete = next(c for c in body["conditions"] if c["code"] == "diabete")
    assert diabete["is_group"] and "diabete-gestationnel" in diabete["children"]


def test_orientation_shape(offer, client):
    response = client.get("/api/v1/orientation?q=sucre&commune=59000")
    assert response.status_code == 200
    body = response.get_json()
    assert body["query"]["commune"]["insee"] == "59350"
    assert "diabete-type-2" in body["query"]["conditions"]
    first = body["results"][0]
    assert first["programme"] == "dt2-lille"
    assert set(first) >= {
        "programme",
        "title",
        "distance_km",
        "formats",
        "next_bep_slot",
        "next_cohort_start",
        "reasons",
    }
    assert first["next_bep_slot"]["code"] == "bep-dt2-lille-2"
    assert first["next_bep_slot"]["start"].startswith("2026-12-03T10:00:00+01:00")
    assert body["elsewhere"] == []


def test_orientation_remote_results_are_flagged(offer, client):
    body = client.get("/api/v1/orientation?q=covid&commune=59000").get_json()
    assert body["nothing_nearby"] is True
    assert (
        body["contact"] is None
    )  # no platform answers for Lille (tests/catalogue/test_territory_contact.py)
    assert [r["listing"] for r in body["results"]] == ["remote"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("commune=59000", "q"),
        ("q=sucre", "commune"),
        ("q=sucre&commune=59000&age=deux", "age"),
        ("q=sucre&commune=59000&age=130", "age"),
        ("q=sucre&commune=59000&pregnant=peut-etre", "pregnant"),
        ("q=sucre&commune=59000&format=avion", "format"),
        ("q=sucre&commune=59000&radius_km=-3", "radius_km"),
        ("q=sucre&commune=59000&radius_km=loin", "radius_km"),
        ("q=sucre&commune=59000&radius_km=nan", "radius_km"),
        ("condition=diabete-type-9&commune=59000", "condition"),
        ("q=sucre&commune=Zzzyxville", "commune"),
    ],
)
def test_orientation_bad_parameter_is_400_naming_it(offer, client, query, parameter):
    response = client.get("/api/v1/orientation?" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter


def test_ambiguous_commune_name_gives_candidates_by_population(offer, client):
    response = client.get("/api/v1/orientation?q=sucre&commune=Boulogne")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "commune"
    assert error["message"].startswith("several communes match")
    named = [(c["name"], c["departement"]) for c in error["candidates"]]
    assert named[:2] == [("Boulogne-Billancourt", "92"), ("Boulogne-sur-Mer", "62")]


def test_shared_postal_code_answers_200_from_its_area(offer, client):
    response = client.get("/api/v1/orientation?q=diabete&commune=16730")
    assert response.status_code == 200
    body = response.get_json()
    commune = body["query"]["commune"]
    # every key of a commune is kept; the area has no INSEE code
    assert set(commune) >= {"insee", "name", "departement", "postal_codes", "lat", "lon"}
    assert commune["insee"] is None and commune["postal_code"] == "16730"
    assert commune["postal_codes"] == ["16730"]
    assert {"16138", "16187", "16388"} <= {c["insee"] for c in commune["communes"]}
    assert commune["departement"] == commune["communes"][0]["departement"] == "16"
    assert "dt2-angoumois" in [r["programme"] for r in body["results"]]
    row = db.session.scalars(select(OrientationLog)).one()
    assert row.departement == "16"


def test_one_commune_has_no_area_keys(offer, client):
    commune = client.get("/api/v1/orientation?q=sucre&commune=insee:59350").get_json()["query"][
        "commune"
    ]
    assert commune["insee"] == "59350" and commune["postal_code"] is None
    assert commune["communes"] == [] and commune["typed"] is None


def test_corrected_typo_is_said_in_the_api(offer, client):
    commune = client.get("/api/v1/orientation?q=sucre&commune=Sarcele").get_json()["query"][
        "commune"
    ]
    assert commune["name"] == "Sarcelles" and commune["typed"] == "Sarcele"


def test_orientation_is_logged_without_text(offer, client):
    client.get("/api/v1/orientation?q=j'ai du sucre, je m'appelle Paul&commune=59000")
    rows = db.session.scalars(select(OrientationLog)).all()
    assert len(rows) == 1
    row = rows[0]
    assert row.channel == "api"
    assert row.departement == "59"
    assert row.result_count == 1
    assert "diabete-type-2" in row.condition_codes
    assert "Paul" not in repr(row.condition_codes)
    assert str(row.made_on) == "2026-11-23"


def test_bad_request_is_not_logged(offer, client):
    client.get("/api/v1/orientation?q=sucre&commune=Saint-Denis")
    assert db.session.scalars(select(OrientationLog)).all() == []


def test_programme_detail(offer, client):
    body = client.get("/api/v1/programmes/dt2-lille").get_json()
    assert body["group_access"] == "open"
    assert [s["code"] for s in body["bep_slots"]] == ["bep-dt2-lille-2", "bep-dt2-lille-3"]
    slot = body["bep_slots"][0]
    assert set(slot) >= {"code", "start", "end", "remote", "available"}
    cohort = body["cohorts"][0]
    assert cohort["code"] == "groupe-dt2-lille-janvier"
    assert cohort["capacity"] == 10 and cohort["seats_taken"] == 3
    assert cohort["waitlist_length"] == 0 and cohort["registration_open"] is True
    assert set(cohort) >= {
        "code",
        "start",
        "format",
        "capacity",
        "seats_taken",
        "waitlist_length",
        "registration_open",
    }


@pytest.mark.parametrize("code", ["irc-lille-brouillon", "irc-douai-suspendu", "nope"])
def test_programme_hidden_is_404_json(offer, client, code):
    response = client.get(f"/api/v1/programmes/{code}")
    assert response.status_code == 404
    assert response.is_json
