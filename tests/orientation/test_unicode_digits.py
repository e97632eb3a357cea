"""Characters that str.isdigit() accepts but int() refuses (superscripts, circled
numbers) are bad input with a clear answer, never a 500."""

import pytest

ODD = ["²", "①", "1²"]


@pytest.mark.parametrize("value", ODD)
def test_api_orientation_age(offer, client, value):
    response = client.get(
        "/api/v1/orientation", query_string={"q": "asthme", "commune": "59000", "age": value}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "age"


@pytest.mark.parametrize("value", ODD)
def test_api_communes_limit(offer, client, value):
    response = client.get("/api/v1/communes", query_string={"q": "lille", "limit": value})
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "limit"


@pytest.mark.parametrize("path", ["/orientation/resultats", "/pro/orienter"])
@pytest.mark.parametrize("value", ODD)
def test_pages_age(offer, client, path, value):
    response = client.get(path, query_string={"q": "asthme", "commune": "59000", "age": value})
    assert response.status_code in (200, 400)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_arabic_indic_digits_are_an_age(offer, client):
    # Arabic-Indic digits are decimal digits: an Arabic keyboard types them.
    response = client.get(
        "/api/v1/orientation", query_string={"q": "asthme", "commune": "59000", "age": "٤٥"}
    )
    assert response.status_code == 200
    assert response.get_json()["query"]["age"] == 45
