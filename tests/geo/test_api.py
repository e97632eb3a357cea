"""GET /api/v1/communes?q= for an autocomplete."""

import pytest


def test_name_with_typo_and_no_accent(client):
    response = client.get("/api/v1/communes?q=angouleme")
    assert response.status_code == 200
    data = response.get_json()
    assert data["query"] == "angouleme"
    first = data["results"][0]
    assert first["insee"] == "16015"
    assert first["name"] == "Angoulême"
    assert first["postal_codes"] == ["16000"]
    assert first["departement"] == "16"
    assert set(first) == {"insee", "name", "postal_codes", "departement", "lat", "lon"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_shared_postal_code_lists_every_commune(client):
    data = client.get("/api/v1/communes?q=01400&limit=20").get_json()
    served = [r for r in data["results"] if "01400" in r["postal_codes"]]
    assert len(served) > 5
    # The postal code's communes come first; the commune whose INSEE code is 01400 after.
    assert data["results"][: len(served)] == served


def test_overseas_commune(client):
    data = client.get("/api/v1/communes?q=le tampon").get_json()
    assert data["results"][0]["insee"] == "97422"
    assert data["results"][0]["lat"] < 0


def test_paris_arrondissement_postal_code(client):
    data = client.get("/api/v1/communes?q=75011").get_json()
    assert [r["insee"] for r in data["results"]] == ["75056"]


def test_limit(client):
    data = client.get("/api/v1/communes?q=saint&limit=3").get_json()
    assert len(data["results"]) == 3


def test_nothing_found_is_an_empty_list(client):
    data = client.get("/api/v1/communes?q=zzzzqqqq").get_json()
    assert data == {"query": "zzzzqqqq", "results": []}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "q"),
        ("?q=", "q"),
        ("?q=%20%20", "q"),
        ("?q=a", "q"),
        ("?q=" + "a" * 101, "q"),
        ("?q=paris&limit=0", "limit"),
        ("?q=paris&limit=abc", "limit"),
        ("?q=paris&limit=500", "limit"),
    ],
)
def test_bad_parameter_is_a_400_naming_it(client, query, parameter):
    response = client.get("/api/v1/communes" + query)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter
    assert response.get_json()["error"]["message"]
