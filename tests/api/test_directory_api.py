"""GET /api/v1/programmes (the directory as data), /api/v1/programmes/carte (the map's
markers) and /api/v1/offer.json (the published offer as an offer file) — issue 15, point 3."""

import json

import pytest
from sqlalchemy import select

from etp_orient.api.directory import forget_offer_file
from etp_orient.catalogue.models import Programme
from etp_orient.catalogue.offer import validate_offer
from etp_orient.extensions import db
from etp_orient.orientation import directory
from etp_orient.orientation.index import clear_cache


def forget() -> None:
    """The clock is frozen, so updated_at does not move: forget what the process kept."""
    clear_cache()
    directory.forget()
    forget_offer_file()


@pytest.fixture(autouse=True)
def _forget_around():
    """Each test starts and ends with nothing kept from another test's offer."""
    forget()
    yield
    forget()


def test_list_shape_and_default_page(offer, client):
    body = client.get("/api/v1/programmes").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 12)
    codes = [p["code"] for p in body["programmes"]]
    assert codes[0] == "tabac-distance" and codes[-1] == "dt2-lille"
    lille = body["programmes"][-1]
    assert lille == {
        "code": "dt2-lille",
        "title": "Vivre avec un diabète de type 2",
        "plain_title": "Vivre avec un diabète de type 2",
        "structures": [
            {"code": "ces-lille", "name": "Centre d'examens de santé de Lille", "kind": "ces"}
        ],
        "conditions": ["diabete-type-2"],
        "formats": ["presentiel"],
        "languages": ["fr"],
        "sites": [
            {
                "code": "lille-ces",
                "commune": "Lille",
                "insee": "59350",
                "lat": 50.6365,
                "lon": 3.0635,
            }
        ],
        "next_bep_slot": {
            "code": "bep-dt2-lille-2",
            "start": "2026-12-03T10:00:00+01:00",
            "end": "2026-12-03T11:00:00+01:00",
            "remote": None,
        },
        "next_cohort_start": lille["next_cohort_start"],
        "next_cohort_seats_left": 7,
    }
    assert lille["next_cohort_start"].startswith("2026-12-13T")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("condition=respiratoire", ["asthme-enfant-lille", "bpco-lille"]),
        ("condition=diabete&departement=16", ["dt2-angoumois", "dg-angouleme"]),
        ("structure=cpts-grand-douai", ["surpoids-enfant-douai", "dt2-douai"]),
        (
            "format=distanciel&audience=adults",
            ["tabac-distance", "covid-long-distance", "bpco-lille"],
        ),
        ("language=fr&audience=pregnancy", ["dg-angouleme"]),
        (
            "condition=diabete-type-2,prediabete&sort=next&departement=59",
            ["dt2-lille", "dt2-douai"],
        ),
    ],
)
def test_list_filters(offer, client, query, expected):
    body = client.get(f"/api/v1/programmes?{query}").get_json()
    assert [p["code"] for p in body["programmes"]] == expected
    assert body["total"] == len(expected)


def test_a_departement_puts_remote_programmes_apart(offer, client):
    body = client.get("/api/v1/programmes?departement=974").get_json()
    assert [p["code"] for p in body["programmes"]] == ["dt2-reunion"]
    assert [p["code"] for p in body["remote"]] == [
        "tabac-distance",
        "covid-long-distance",
        "dg-angouleme",
        "bpco-lille",
    ]
    assert body["remote_total"] == 4


def test_pages(offer, client):
    body = client.get("/api/v1/programmes?per_page=5&page=3").get_json()
    assert [p["code"] for p in body["programmes"]] == ["cardio-roubaix", "dt2-lille"]
    assert (body["page"], body["per_page"], body["total"]) == (3, 5, 12)
    assert client.get("/api/v1/programmes?per_page=100").get_json()["per_page"] == 100
    assert client.get("/api/v1/programmes?page=4&per_page=5").get_json()["programmes"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=deux", "page"),
        ("condition=sucre", "condition"),
        ("departement=99", "departement"),
        ("structure=inconnue", "structure"),
        ("format=mixte", "format"),
        ("audience=seniors", "audience"),
        ("language=français", "language"),
        ("sort=distance", "sort"),
    ],
)
def test_a_bad_parameter_is_named(offer, client, query, parameter):
    response = client.get(f"/api/v1/programmes?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    assert client.get(f"/api/v1/programmes/carte?{query}").status_code == (
        200
        if parameter in ("page", "per_page") and "0" not in query and "deux" not in query
        else 400
    )


def test_map_markers(offer, client):
    body = client.get("/api/v1/programmes/carte?condition=diabete").get_json()
    by_code = {s["code"]: s for s in body["sites"]}
    assert sorted(by_code) == [
        "angouleme-ch",
        "douai-msp",
        "lille-ces",
        "saint-denis-chu",
        "saint-yrieix-salle",
    ]
    assert by_code["saint-yrieix-salle"]["programmes"] == ["dt2-angoumois", "dg-angouleme"]
    assert (by_code["lille-ces"]["lat"], by_code["lille-ces"]["lon"]) == (50.6365, 3.0635)
    assert body["titles"]["dt2-lille"] == "Vivre avec un diabète de type 2"
    assert (
        client.get("/api/v1/programmes/carte?departement=59").get_json()["sites"][0]["commune"]
        == "Douai"
    )


def test_offer_file_is_the_published_offer(offer, client):
    response = client.get("/api/v1/offer.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    codes = {p["code"] for p in data["programmes"]}
    assert (
        len(codes) == 12
        and "irc-lille-brouillon" not in codes
        and "irc-douai-suspendu" not in codes
    )
    assert data["slots"] == []
    lille = next(p for p in data["programmes"] if p["code"] == "dt2-lille")
    assert lille["workshops"] and len(lille["team"]) >= 2
    assert {c["programme"] for c in data["cohorts"]} <= codes
    assert all(c["sessions"] for c in data["cohorts"])
    text = response.data.decode()
    for personal in ("participant", "first_name", 'email":"patient', "booking"):
        assert personal not in text
    assert validate_offer(data) == []


def test_offer_file_etag_and_304(offer, client):
    first = client.get("/api/v1/offer.json")
    tag = first.headers["ETag"]
    assert tag
    again = client.get("/api/v1/offer.json", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    programme = db.session.scalar(select(Programme).where(Programme.code == "dt2-lille"))
    programme.title = "Un autre titre"
    db.session.commit()
    forget()
    changed = client.get("/api/v1/offer.json", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_offer_file_imports_back(offer, client, runner, tmp_path):
    original = client.get("/api/v1/offer.json")
    path = tmp_path / "offer.json"
    path.write_bytes(original.data)
    # importing it over the same database changes nothing
    result = runner.invoke(args=["import-offer", str(path)])
    assert result.exit_code == 0, result.output
    assert "rien n'a changé" in result.output
    # a change made meanwhile is undone by importing the file back
    programme = db.session.scalar(select(Programme).where(Programme.code == "dt2-lille"))
    programme.title = "Un autre titre"
    db.session.commit()
    result = runner.invoke(args=["import-offer", str(path)])
    assert result.exit_code == 0, result.output
    assert "rien n'a changé" not in result.output
    db.session.expire_all()
    forget()
    back = client.get("/api/v1/offer.json")
    assert back.headers["ETag"] == original.headers["ETag"]
    assert back.data == original.data
