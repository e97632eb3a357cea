"""The offer file's December fields: group access, translations, named team members,
a platform's territory, and the reserved code ``carte``. Old files import unchanged."""

from datetime import date

import pytest
from sqlalchemy import select

from etp_orient.catalogue.models import Programme, Structure, Workshop
from etp_orient.catalogue.offer import export_offer, import_offer, validate_offer
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

pytestmark = pytest.mark.usefixtures("offer_db")

TRANSLATIONS = {
    "en": {"title": "Gestational diabetes", "plain_title": "Diabetes during pregnancy"},
    "ar": {"title": "سكري الحمل", "summary_plain": "مواعيد وورشات في مجموعة."},
}


def december_offer() -> dict:
    data = sample_offer()
    platform = {
        "code": "plateforme-charente",
        "name": "Plateforme ETP de Charente",
        "kind": "platform",
        "phone": "05 45 00 00 00",
        "territory": {"departements": ["16"], "communes": ["16015"]},
    }
    data["structures"].append(platform)
    programme = data["programmes"][0]
    programme["group_access"] = "after_bep"
    programme["translations"] = TRANSLATIONS
    programme["team"] = [
        {"name": "Anne Martin", "profession": "sage-femme", "trained_on": "2024-03-15"},
        {"name": "Paul Durand", "profession": "dieteticien"},
        "medecin",
    ]
    programme["workshops"][0]["translations"] = {"en": {"title": "Eating while pregnant"}}
    return data


def _programme(code="diabete-gestationnel-charente") -> Programme:
    return db.session.scalar(select(Programme).filter_by(code=code))


def _errors(data) -> dict[str, str]:
    return {error.path: error.message for error in validate_offer(data)}


def test_the_new_fields_are_stored():
    import_offer(december_offer())
    db.session.commit()
    programme = _programme()
    assert programme.group_access == "after_bep"
    assert programme.translations == TRANSLATIONS
    members = [(m.name, m.profession, m.etp_training_on) for m in programme.team]
    assert members == [
        ("Anne Martin", "sage-femme", date(2024, 3, 15)),
        ("Paul Durand", "dieteticien", None),
        (None, "medecin", None),
    ]
    workshop = db.session.scalar(select(Workshop).filter_by(code="alimentation"))
    assert workshop.translations == {"en": {"title": "Eating while pregnant"}}
    platform = db.session.scalar(select(Structure).filter_by(code="plateforme-charente"))
    assert platform.territory == {"departements": ["16"], "communes": ["16015"]}


def test_an_old_file_imports_unchanged_with_open_groups():
    import_offer(sample_offer())
    db.session.commit()
    assert _programme().group_access == "open"
    assert _programme().translations is None
    assert [m.name for m in _programme().team] == [None, None, None]


def test_export_writes_them_back_and_a_second_import_changes_nothing():
    import_offer(december_offer())
    db.session.commit()
    exported = export_offer()
    assert validate_offer(exported) == []
    item = next(p for p in exported["programmes"] if p["code"] == "diabete-gestationnel-charente")
    assert item["group_access"] == "after_bep"
    assert item["translations"] == TRANSLATIONS
    assert item["team"] == december_offer()["programmes"][0]["team"]
    structure = next(s for s in exported["structures"] if s["code"] == "plateforme-charente")
    assert structure["territory"] == {"departements": ["16"], "communes": ["16015"]}
    report = import_offer(exported)
    db.session.commit()
    assert report.programmes.updated == 0 and report.structures.updated == 0
    assert report.workshops.updated == 0


def test_a_plain_profession_keeps_the_name_given_in_the_back_office():
    import_offer(sample_offer())
    db.session.commit()
    member = _programme().team[0]
    member.name, member.etp_training_on = "Anne Martin", date(2024, 3, 15)
    db.session.commit()
    report = import_offer(sample_offer())
    db.session.commit()
    assert report.programmes.unchanged == 2
    first = _programme().team[0]
    assert (first.name, first.profession, first.etp_training_on) == (
        "Anne Martin",
        "sage-femme",
        date(2024, 3, 15),
    )


def test_a_new_training_date_updates_the_named_member():
    import_offer(december_offer())
    db.session.commit()
    data = december_offer()
    data["programmes"][0]["team"][0]["trained_on"] = "2025-01-10"
    report = import_offer(data)
    db.session.commit()
    assert report.programmes.updated == 1
    assert _programme().team[0].etp_training_on == date(2025, 1, 10)
    assert len(_programme().team) == 3


def test_carte_is_a_reserved_programme_code():
    data = sample_offer()
    data["programmes"][1]["code"] = "carte"
    errors = _errors(data)
    assert "réservé" in errors["$.programmes[1].code"]


def test_only_a_platform_or_utep_declares_a_territory():
    data = sample_offer()
    data["structures"][0]["territory"] = {"departements": ["16"]}
    errors = _errors(data)
    assert "plateforme" in errors["$.structures[0].territory"]


@pytest.mark.parametrize(
    "change, path, words",
    [
        (
            lambda s: s.update(territory={"departements": ["100"]}),
            "$.structures[2].territory.departements[0]",
            "",
        ),
        (
            lambda s: s.update(territory={"communes": ["99999"]}),
            "$.structures[2].territory.communes[0]",
            "99999",
        ),
    ],
)
def test_a_territory_names_real_places(change, path, words):
    data = sample_offer()
    change(data["structures"][2])  # the UTEP
    errors = _errors(data)
    assert path in errors
    assert words in errors[path]


@pytest.mark.parametrize(
    "member, words",
    [
        ({"name": "Anne", "profession": "sage-femme", "trained_on": "15/03/2024"}, "2026-12-01"),
        ({"name": "Anne", "profession": "sage-femme", "trained_on": "2024-02-30"}, "Date"),
        ({"profession": "sage-femme"}, "obligatoire"),
    ],
)
def test_a_team_member_with_a_bad_field_is_named(member, words):
    data = sample_offer()
    data["programmes"][0]["team"][0] = member
    messages = [e.message for e in validate_offer(data) if e.path.startswith("$.programmes[0]")]
    assert any(words in message for message in messages), messages


def test_group_access_takes_two_values():
    data = sample_offer()
    data["programmes"][0]["group_access"] = "closed"
    assert "after_bep" in _errors(data)["$.programmes[0].group_access"]


def test_named_members_count_as_professions_for_publishing():
    data = sample_offer()
    data["programmes"][1]["team"] = [
        {"name": "Léa", "profession": "infirmier"},
        {"name": "Marc", "profession": "infirmier"},
    ]
    assert "deux" in _errors(data)["$.programmes[1].team"]
