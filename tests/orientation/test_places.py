"""Where distances are measured from (issue 16, points 2 and 3): postal codes always
resolve, names borne by several communes ask, corrected typos are said."""

import pytest

from etp_orient.orientation.places import clear_place_cache, resolve_place


@pytest.fixture(autouse=True)
def _fresh(app_ctx):
    clear_place_cache()


@pytest.mark.parametrize("code", ["59178", "62500", "95500", "95000", "16730"])
def test_shared_postal_code_resolves_to_its_area(code):
    place, candidates = resolve_place(code)
    assert candidates == []
    assert place is not None and place.insee is None and place.postal_code == code
    assert len(place.communes) >= 2
    assert all(code in c.postal_codes for c in place.communes)
    biggest = max(place.communes, key=lambda c: c.population or 0)
    assert place.departement == biggest.departement
    people = [max(c.population or 0, 1) for c in place.communes]
    assert place.lat == pytest.approx(
        sum(c.lat * w for c, w in zip(place.communes, people, strict=True)) / sum(people)
    )
    assert place.lon == pytest.approx(
        sum(c.lon * w for c, w in zip(place.communes, people, strict=True)) / sum(people)
    )


def test_postal_code_of_one_commune_is_that_commune():
    place, _ = resolve_place("16000")
    assert place.insee == "16015" and place.postal_code == "16000" and place.communes == ()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Boulogne", ["Boulogne-Billancourt", "Boulogne-sur-Mer"]),
        ("Saint-Denis", ["Saint-Denis"]),
    ],
)
def test_names_of_several_communes_ask_most_populated_first(typed, expected):
    place, candidates = resolve_place(typed)
    assert place is None
    names = [c.name for c in candidates]
    assert names[: len(expected)] == expected
    assert len(candidates) >= 2
    populations = [c.population or 0 for c in candidates]
    assert populations == sorted(populations, reverse=True)


def test_boulogne_never_becomes_essarts_en_bocage():
    place, candidates = resolve_place("Boulogne")
    assert place is None
    assert {("Boulogne-sur-Mer", "62"), ("Boulogne-Billancourt", "92")} <= {
        (c.name, c.departement) for c in candidates
    }


@pytest.mark.parametrize(
    ("typed", "name"), [("Sarcele", "Sarcelles"), ("Marseile", "Marseille"), ("angouleme", None)]
)
def test_a_corrected_typo_is_said(typed, name):
    place, _ = resolve_place(typed)
    if name is None:  # accents and case are no typo
        assert place.name == "Angoulême" and place.typed is None
    else:
        assert place.name == name and place.typed == typed


def test_an_unclear_typo_asks_rather_than_guess():
    place, candidates = resolve_place("Lile")
    assert place is None and candidates[0].name == "Lille"


def test_insee_prefix_is_never_ambiguous():
    place, candidates = resolve_place("insee:16187")
    assert place.insee == "16187" and candidates == []
