"""Sites' English and Arabic versions live in the database only: an import leaves them,
the export does not write them (the shared offer schema has no site translations); the
street address is stored and exported; programme and workshop versions edited in the
back office travel in the export and import back unchanged."""

from sqlalchemy import select

from etp_orient.catalogue.models import Programme, Site
from etp_orient.catalogue.offer import export_offer, import_offer, validate_offer
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

SITE = "maison-sante-angouleme"


def _site() -> Site:
    return db.session.scalar(select(Site).where(Site.code == SITE))


def test_an_import_keeps_the_site_versions_and_stores_the_address(offer_db):  # noqa: F811
    import_offer(sample_offer())
    _site().translations = {"en": {"name": "Health centre"}}
    db.session.flush()
    data = sample_offer()
    data["sites"][0]["address"] = "3 place du Marché"
    report = import_offer(data)
    assert report.changed
    site = _site()
    assert site.address == "3 place du Marché"
    assert site.translations == {"en": {"name": "Health centre"}}
    assert site.address_line == "3 place du Marché, 16000 Angoulême"


def test_the_export_has_no_site_versions_and_stays_valid(offer_db):  # noqa: F811
    import_offer(sample_offer())
    _site().translations = {"ar": {"transport": "الحافلة 3"}}
    programme = db.session.scalar(select(Programme).where(Programme.code == "diabete-reunion"))
    # as the back office saves them
    programme.translations = {"en": {"title": "Living with type 2 diabetes"}}
    programme.workshops[0].translations = {"ar": {"title": "أدويتي"}}
    db.session.flush()
    exported = export_offer()
    assert validate_offer(exported) == []
    site = next(s for s in exported["sites"] if s["code"] == SITE)
    assert "translations" not in site and site["address"] == "1 rue de la Gare"
    item = next(p for p in exported["programmes"] if p["code"] == "diabete-reunion")
    assert item["translations"] == {"en": {"title": "Living with type 2 diabetes"}}
    assert item["workshops"][0]["translations"] == {"ar": {"title": "أدويتي"}}
    assert not import_offer(exported).changed
    assert export_offer() == exported
