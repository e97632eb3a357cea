"""GET /api/v1/fhir/offer and ``export-offer --format fhir``: the offer as a FHIR R4 Bundle.

Every resource is validated with the ``fhir.resources`` R4B models (ROR is R4 4.0.1; these
resources are the same in R4B).
"""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from sqlalchemy import select

from etp_orient.booking.models import Participant
from etp_orient.catalogue.models import Programme
from etp_orient.catalogue.offer import import_offer
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

MODELS = {
    "Organization": Organization,
    "Location": Location,
    "HealthcareService": HealthcareService,
}
BASE = "https://etp.example.fr"


@pytest.fixture
def fhir_offer(offer_db, app, monkeypatch):  # noqa: F811
    # the app is the session's: the setting goes back after the test
    monkeypatch.setitem(app.config, "BASE_URL", BASE)
    data = sample_offer()
    data["programmes"][0]["languages"] = ["fr", "ar", "fsl"]
    import_offer(data)
    draft = data["programmes"][1] | {"code": "brouillon", "status": "draft", "team": ["x"]}
    data["programmes"] = [draft]
    data["slots"], data["cohorts"] = [], []
    import_offer(data)
    db.session.commit()
    return app


def _bundle(client) -> dict:
    response = client.get("/api/v1/fhir/offer")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    return json.loads(response.get_data(as_text=True))


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_resource_validates_with_the_r4b_models(fhir_offer, client):
    bundle = _bundle(client)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
        assert entry["fullUrl"] == (
            f"{BASE}/api/v1/fhir/{resource['resourceType']}/{resource['id']}"
        )
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Organization") == 3 and kinds.count("Location") == 3


def test_only_published_programmes_one_service_per_running_structure(fhir_offer, client):
    services = _resources(_bundle(client), "HealthcareService")
    codes = sorted((s["identifier"][0]["value"], s["providedBy"]["reference"]) for s in services)
    assert codes == [
        ("diabete-gestationnel-charente", "Organization/structure--ch-angouleme"),
        ("diabete-gestationnel-charente", "Organization/structure--cpts-ouest-angoumois"),
        ("diabete-reunion", "Organization/structure--utep-reunion"),
    ]
    assert all(s["identifier"][0]["system"] == f"{BASE}/api/v1/programmes" for s in services)
    assert len({s["id"] for s in services}) == 3


def test_a_service_carries_conditions_formats_eligibility_languages_and_its_page(
    fhir_offer, client
):
    services = _resources(_bundle(client), "HealthcareService")
    service = next(
        s for s in services if s["providedBy"]["reference"].endswith("cpts-ouest-angoumois")
    )
    codings = [c["coding"][0] for c in service["characteristic"]]
    assert {"system": f"{BASE}/api/v1/conditions", "code": "diabete-gestationnel"} == {
        k: codings[0][k] for k in ("system", "code")
    }
    assert [c["code"] for c in codings[1:]] == ["presentiel", "distanciel"]
    assert [c["coding"][0]["code"] for c in service["communication"]] == ["fr", "ar", "fsl"]
    assert {e["code"]["coding"][0]["code"] for e in service["eligibility"]} == {
        "age",
        "pregnancy-required",
    }
    assert {
        "system": "url",
        "value": f"{BASE}/programmes/diabete-gestationnel-charente",
        "use": "work",
    } in service["telecom"]
    # each structure's service points to its own sites
    assert [loc["reference"] for loc in service["location"]] == [
        "Location/site--maison-sante-angouleme"
    ]


def test_locations_have_address_position_and_the_ror_profile(fhir_offer, client):
    locations = {loc["id"]: loc for loc in _resources(_bundle(client), "Location")}
    site = locations["site--maison-sante-angouleme"]
    assert site["address"]["line"] == ["1 rue de la Gare"]
    assert (site["address"]["postalCode"], site["address"]["city"]) == ("16000", "Angoulême")
    assert site["position"]["latitude"] and site["position"]["longitude"]
    assert site["meta"]["profile"] == [
        "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location"
    ]
    cog = next(e for e in site["extension"] if e["url"].endswith("ror-commune-cog"))
    assert cog["valueCodeableConcept"]["coding"][0]["code"] == "16015"
    assert locations["site--ch-angouleme-site"]["position"] == {
        "latitude": 45.6321,
        "longitude": 0.0934,
    }


def test_no_personal_data(fhir_offer, client):
    participant = Participant(
        first_name="Zoé",
        last_name="Secret-Patiente",
        birth_year=1980,
        email="zoe.secret@example.org",
        manage_token_hash="h" * 64,
    )
    db.session.add(participant)
    programme = db.session.scalar(
        select(Programme).where(Programme.code == "diabete-gestationnel-charente")
    )
    programme.team[0].name = "Anne Nommée"
    db.session.commit()
    text = client.get("/api/v1/fhir/offer").get_data(as_text=True)
    for secret in ("Secret-Patiente", "zoe.secret", "Anne Nommée", "Coordination"):
        assert secret not in text


def test_the_command_writes_the_same_bundle(fhir_offer, runner, client, tmp_path):
    target = tmp_path / "offer-fhir.json"
    result = runner.invoke(args=["export-offer", "--format", "fhir", str(target)])
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text(encoding="utf-8"))
    served = _bundle(client)
    for bundle in (written, served):
        bundle.pop("timestamp")
    assert written == served
    Bundle.model_validate(written)


def test_the_default_export_is_still_the_offer_file(fhir_offer, runner, tmp_path):
    target = tmp_path / "offer.json"
    result = runner.invoke(args=["export-offer", str(target)])
    assert result.exit_code == 0, result.output
    assert "programmes" in json.loads(target.read_text(encoding="utf-8"))
