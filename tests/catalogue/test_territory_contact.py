"""Who to call when nothing is near (issue 15, point 5): the platform whose territory
holds the person's commune; a commune list beats a département; the smaller territory
wins; else the site's own contact; else nothing, never a placeholder."""

import pytest

from etp_orient.catalogue.models import Structure
from etp_orient.catalogue.territory import forget_territories, territories, territory_contact
from etp_orient.extensions import db
from tests.fixtures.orientation_offer import offer  # noqa: F401

UNSET = {
    "PLATFORM_NAME": None,
    "PLATFORM_CONTACT_PHONE": None,
    "PLATFORM_CONTACT_EMAIL": None,
    "PLATFORM_WEBSITE": None,
}


@pytest.fixture
def site_contact(app, monkeypatch):
    """The settings of the platform's own contact, unset unless a test sets them."""
    for key, value in UNSET.items():
        monkeypatch.setitem(app.config, key, value)
    return lambda **values: [
        monkeypatch.setitem(app.config, f"PLATFORM_{k.upper()}", v) for k, v in values.items()
    ]


def platform(code, territory, kind="platform", phone="03 20 00 00 01", **extra):
    structure = Structure(
        code=code, name=f"Plateforme {code}", kind=kind, territory=territory, phone=phone, **extra
    )
    db.session.add(structure)
    db.session.commit()
    return structure


def test_a_commune_list_beats_a_departement(app_ctx, site_contact):
    platform("nord", {"departements": ["59"], "communes": []})
    platform("metropole", {"departements": [], "communes": ["59350", "59512"]}, kind="utep")
    assert territory_contact("59350", "59").name == "Plateforme metropole"
    assert territory_contact("59178", "59").name == "Plateforme nord"


def test_the_smaller_territory_wins_at_each_level(app_ctx, site_contact):
    platform("hdf", {"departements": ["59", "62", "80"]})
    platform("nord-pdc", {"departements": ["59", "62"]})
    platform("grand-lille", {"communes": ["59350", "59512", "59009"]})
    platform("lille", {"communes": ["59350"]}, email="contact@lille.example")
    assert territory_contact("62498", "62").name == "Plateforme nord-pdc"
    assert territory_contact("80021", "80").name == "Plateforme hdf"
    assert territory_contact("59512", "59").name == "Plateforme grand-lille"
    found = territory_contact("59350", "59")
    assert (found.name, found.phone, found.email) == (
        "Plateforme lille",
        "03 20 00 00 01",
        "contact@lille.example",
    )


def test_other_kinds_and_contactless_platforms_are_skipped(app_ctx, site_contact):
    platform("cpts", {"communes": ["59350"]}, kind="cpts")
    platform("muette", {"communes": ["59350"]}, phone=None)
    platform("nord", {"departements": ["59"]})
    assert territory_contact("59350", "59").name == "Plateforme nord"


def test_the_sites_own_contact_then_nothing(app_ctx, site_contact):
    platform("nord", {"departements": ["59"]})
    assert territory_contact("16015", "16") is None
    site_contact(name="ETP Charente", contact_phone="05 45 00 00 00", website="https://etp.example")
    found = territory_contact("16015", "16")
    assert found.as_dict() == {
        "name": "ETP Charente",
        "phone": "05 45 00 00 00",
        "email": None,
        "website": "https://etp.example",
    }
    # a name alone is no contact
    site_contact(contact_phone=None, website=None)
    assert territory_contact("16015", "16") is None


def test_nothing_near_in_the_api_gives_the_territorys_contact(offer, client, site_contact):  # noqa: F811
    body = client.get("/api/v1/orientation?q=covid&commune=59000").get_json()
    assert body["nothing_nearby"] is True
    assert body["contact"] is None
    platform(
        "nord", {"departements": ["59"]}, email="etp@nord.example", website="https://n.example"
    )
    body = client.get("/api/v1/orientation?q=covid&commune=59000").get_json()
    assert body["contact"] == {
        "name": "Plateforme nord",
        "phone": "03 20 00 00 01",
        "email": "etp@nord.example",
        "website": "https://n.example",
    }


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_nothing_near_on_the_page_gives_the_contact_or_the_gp(offer, client, site_contact, lang):  # noqa: F811
    url = f"/orientation/resultats?q=covid long&commune=59000&lang={lang}"
    page = client.get(url).text
    assert "03 20 00 00 01" not in page
    assert 'href="tel:' not in page
    platform("nord", {"departements": ["59"]})
    page = client.get(url).text
    assert "Plateforme nord" in page
    assert 'href="tel:0320000001"' in page


def test_a_kept_table_answers_like_the_database_until_read_again(
    app_ctx, site_contact, monkeypatch
):
    """Outside tests the territories are read once per process and read again every
    ORIENTATION_INDEX_TTL seconds (in the checking thread): a change shows at the next read."""
    monkeypatch.setitem(app_ctx.config, "ORIENTATION_INDEX_TTL", 3600)
    forget_territories()
    try:
        platform("hdf", {"departements": ["59", "62", "80"]})
        platform("grand-lille", {"communes": ["59350", "59512", "59009"]})
        kept = territories()
        assert territory_contact("59350", "59").name == "Plateforme grand-lille"
        assert territory_contact("62498", "62").name == "Plateforme hdf"
        platform("lille", {"communes": ["59350"]})
        assert territories() is kept  # not read again within the delay
        assert territory_contact("59350", "59").name == "Plateforme grand-lille"
        monkeypatch.setattr(kept, "read_at", kept.read_at - 3600)  # the delay has passed
        assert territory_contact("59350", "59").name == "Plateforme lille"
        assert territory_contact("59512", "59").name == "Plateforme grand-lille"
        assert territory_contact("80021", "80").name == "Plateforme hdf"
    finally:
        forget_territories()
