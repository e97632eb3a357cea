"""Commune look-up: INSEE codes, postal codes, names with typos, overseas."""

import pytest

from etp_orient.geo.services import (
    CommuneInfo,
    communes_for_postal_code,
    get_commune,
    resolve_commune,
    search_communes,
)


@pytest.fixture(autouse=True)
def _ctx(app_ctx):
    yield


def _codes(communes):
    return [c.insee for c in communes]


@pytest.mark.parametrize(
    ("insee", "name", "departement"),
    [
        ("16015", "Angoulême", "16"),
        ("2A004", "Ajaccio", "2A"),
        ("97411", "Saint-Denis", "974"),
        ("97611", "Mamoudzou", "976"),
        ("97120", "Pointe-à-Pitre", "971"),
        ("97209", "Fort-de-France", "972"),
        ("97302", "Cayenne", "973"),
    ],
)
def test_get_commune_by_insee_code(insee, name, departement):
    commune = get_commune(insee)
    assert (commune.insee, commune.name, commune.departement) == (insee, name, departement)
    assert commune.postal_codes and commune.lat and commune.lon


def test_get_commune_accepts_lower_case_corsican_code():
    assert get_commune("2a004").name == "Ajaccio"


def test_get_commune_of_a_paris_arrondissement_gives_paris():
    assert get_commune("75111").insee == "75056"


def test_get_commune_unknown_or_malformed_is_none():
    assert get_commune("00000") is None
    assert get_commune("abc") is None
    assert get_commune("") is None


def test_commune_info_serialises_for_the_api():
    data = get_commune("16015").to_dict()
    assert data["insee"] == "16015"
    assert data["name"] == "Angoulême"
    assert data["postal_codes"] == ["16000"]
    assert data["departement"] == "16"
    assert data["region"] == "75"
    assert data["lat"] == pytest.approx(45.65, abs=0.05)
    assert data["lon"] == pytest.approx(0.16, abs=0.05)


def test_shared_postal_code_returns_every_commune():
    # 01400 serves Châtillon-sur-Chalaronne and several villages around it.
    communes = communes_for_postal_code("01400")
    assert len(communes) > 5
    assert "01093" in _codes(communes)
    assert all("01400" in c.postal_codes for c in communes)
    populations = [c.population or 0 for c in communes]
    assert populations == sorted(populations, reverse=True)


def test_shared_postal_code_asks_which_commune():
    resolution = resolve_commune("01400")
    assert resolution.commune is None
    assert resolution.ambiguous
    assert set(_codes(resolution.candidates)) == set(_codes(communes_for_postal_code("01400")))


@pytest.mark.parametrize(
    ("postal_code", "insee"),
    [("75011", "75056"), ("75116", "75056"), ("69003", "69123"), ("13008", "13055")],
)
def test_arrondissement_postal_code_finds_the_city(postal_code, insee):
    resolution = resolve_commune(postal_code)
    assert resolution.commune.insee == insee
    assert search_communes(postal_code)[0].insee == insee


@pytest.mark.parametrize(
    ("typed", "insee"),
    [
        ("angouleme", "16015"),
        ("ANGOULÊME", "16015"),
        ("st omer", "62765"),
        ("saint etiene", "42218"),
        ("St-Étienne", "42218"),
        ("bezier", "34032"),
        ("marseile", "13055"),
        ("lisle adam", "95313"),
        ("L'Isle-Adam", "95313"),
        ("ste maxime", "83115"),
        ("16015", "16015"),
        ("16000", "16015"),
        ("160", "16015"),
        ("angou", "16015"),
    ],
)
def test_search_ranks_the_intended_commune_first(typed, insee):
    assert search_communes(typed)[0].insee == insee


@pytest.mark.parametrize(
    ("typed", "insee"),
    [
        ("angouleme", "16015"),
        ("saint etiene", "42218"),
        ("bezier", "34032"),
        ("Angoulême (16000)", "16015"),
        ("Saint-Denis 974", "97411"),
        ("saint denis (93)", "93066"),
        ("16015", "16015"),
        ("2A004", "2A004"),
        ("cherbourg octeville", "50129"),
        # the least populated of 12 communes named Sainte-Colombe
        ("Sainte-Colombe (05)", "05135"),
        ("ste colombe 05700", "05135"),
    ],
)
def test_resolve_finds_one_clear_commune(typed, insee):
    resolution = resolve_commune(typed)
    assert resolution.commune is not None
    assert resolution.commune.insee == insee
    assert resolution.candidates == []
    assert resolution.query == typed


def test_resolve_homonyms_gives_candidates_most_populated_first():
    resolution = resolve_commune("Saint-Denis")
    assert resolution.commune is None
    codes = _codes(resolution.candidates)
    assert {"93066", "97411"} <= set(codes)
    assert codes.index("97411") < codes.index("93066")  # 155,000 inhabitants before 113,000


def test_resolve_st_omer_offers_both_saint_omer_pas_de_calais_first():
    resolution = resolve_commune("st omer")
    assert _codes(resolution.candidates)[:2] == ["62765", "14635"]


def test_resolve_nothing_found():
    resolution = resolve_commune("zzzzqqqq")
    assert resolution.commune is None
    assert resolution.candidates == []
    assert not resolution.ambiguous


@pytest.mark.parametrize(
    ("typed", "insee", "departement"),
    [
        ("Le Tampon", "97422", "974"),
        ("saint-paul 974", "97415", "974"),
        ("mamoudzou", "97611", "976"),
        ("dzaoudzi", "97608", "976"),
        ("pointe a pitre", "97120", "971"),
        ("les abymes", "97101", "971"),
        ("97600", "97611", "976"),
        ("kourou", "97304", "973"),
    ],
)
def test_overseas_communes(typed, insee, departement):
    commune = search_communes(typed)[0]
    assert (commune.insee, commune.departement) == (insee, departement)


def test_reunion_postal_code_lists_its_communes():
    # 97400 is Saint-Denis (La Réunion).
    assert _codes(communes_for_postal_code("97400")) == ["97411"]


def test_search_respects_the_limit_and_returns_value_objects():
    results = search_communes("saint", limit=3)
    assert len(results) == 3
    assert all(isinstance(c, CommuneInfo) for c in results)
    assert len({c.insee for c in results}) == 3


def test_search_with_nothing_typed_is_empty():
    assert search_communes("") == []
    assert search_communes("   ") == []
    assert search_communes("-'") == []


def test_search_sees_a_commune_added_after_the_index_was_built():
    from etp_orient.extensions import db
    from etp_orient.geo.models import Commune

    assert search_communes("angouleme")[0].insee == "16015"  # the index exists
    commune = Commune(
        insee="99901",
        name="Zygomarville-sur-Test",
        search_name="zygomarville sur test",
        departement="99",
        lat=45.0,
        lon=0.0,
        coord_source="departement",
    )
    db.session.add(commune)
    db.session.flush()
    try:
        assert search_communes("zygomarville")[0].insee == "99901"
    finally:
        db.session.rollback()
    assert "99901" not in _codes(search_communes("zygomarville"))


def test_a_postal_code_moved_to_another_commune_is_seen_with_the_same_counts():
    # load-communes correcting which commune a postal code serves changes no count:
    # the index must still notice (its signature sums the pairs)
    from sqlalchemy import update

    from etp_orient.extensions import db
    from etp_orient.geo.models import CommunePostalCode

    assert _codes(communes_for_postal_code("16000")) == ["16015"]  # Angoulême; the index is built
    db.session.execute(
        update(CommunePostalCode)
        .where(CommunePostalCode.code == "16000", CommunePostalCode.insee == "16015")
        .values(insee="16388")
    )
    db.session.flush()
    try:
        assert _codes(communes_for_postal_code("16000")) == ["16388"]
    finally:
        db.session.rollback()
    assert _codes(communes_for_postal_code("16000")) == ["16015"]
