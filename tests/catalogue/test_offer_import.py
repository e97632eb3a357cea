"""Importing an offer file: all or nothing, every error with its path, idempotent."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from etp_orient.booking.models import Cohort, Facilitator, GroupSession, Slot
from etp_orient.catalogue.models import Programme, Site, Structure, TeamMember, Workshop
from etp_orient.catalogue.offer import OfferError, OfferInvalid, import_offer, validate_offer
from etp_orient.catalogue.offer.codes import session_code, slot_code
from etp_orient.extensions import db
from etp_orient.geo.models import Commune
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

pytestmark = pytest.mark.usefixtures("offer_db")

OFFER_MODELS = (Structure, Site, Programme, TeamMember, Workshop, Slot, Cohort, GroupSession)


def _counts() -> dict:
    return {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
        for m in OFFER_MODELS
    }


def _one(model, **by):
    return db.session.scalar(select(model).filter_by(**by))


def _imported(data=None):
    report = import_offer(data or sample_offer())
    db.session.commit()
    return report


def test_the_sample_file_is_valid():
    assert validate_offer(sample_offer()) == []


def test_import_creates_every_row_with_its_links_in_order():
    report = _imported()
    assert report.as_dict() == {
        "structures": {"created": 3, "updated": 0, "unchanged": 0},
        "sites": {"created": 3, "updated": 0, "unchanged": 0},
        "programmes": {"created": 2, "updated": 0, "unchanged": 0},
        "workshops": {"created": 3, "updated": 0, "unchanged": 0},
        "slots": {"created": 3, "updated": 0, "unchanged": 0},
        "cohorts": {"created": 2, "updated": 0, "unchanged": 0},
        "sessions": {"created": 4, "updated": 0, "unchanged": 0},
    }
    programme = _one(Programme, code="diabete-gestationnel-charente")
    assert [s.code for s in programme.structures] == ["cpts-ouest-angoumois", "ch-angouleme"]
    assert [s.code for s in programme.sites] == ["maison-sante-angouleme", "ch-angouleme-site"]
    assert [c.code for c in programme.conditions] == ["diabete-gestationnel"]
    assert [m.profession for m in programme.team] == ["sage-femme", "dieteticien", "medecin"]
    assert [w.code for w in programme.workshops] == ["alimentation", "activite"]
    assert (programme.age_min, programme.age_max, programme.pregnancy) == (15, 50, "required")
    assert programme.languages == ["fr"]
    assert programme.status == "published"
    cohort = _one(Cohort, code="dg-groupe-decembre")
    assert [f.name for f in cohort.facilitators] == ["Anne Sage-femme", "Paul Diététicien"]
    assert cohort.registration_closes_at == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def test_site_without_coordinates_takes_the_commune_centre():
    _imported()
    centre = _one(Site, code="maison-sante-angouleme")
    commune = db.session.get(Commune, "16015")
    assert (centre.lat, centre.lon, centre.coords_given) == (commune.lat, commune.lon, False)
    given = _one(Site, code="ch-angouleme-site")
    assert (given.lat, given.lon, given.coords_given) == (45.6321, 0.0934, True)


def test_dated_rows_take_the_time_zone_of_their_site_or_programme():
    _imported()
    reunion = _one(Slot, programme_id=_one(Programme, code="diabete-reunion").id)
    assert reunion.timezone == "Indian/Reunion"
    assert reunion.start_at == datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
    remote = _one(Slot, remote="video")
    # no site: the programme's first site's time zone
    assert remote.timezone == "Europe/Paris"
    visio = _one(Cohort, code="reunion-groupe-visio")
    assert visio.site_id is None
    assert visio.timezone == "Indian/Reunion"
    assert {s.timezone for s in visio.sessions} == {"Indian/Reunion"}


def test_rows_without_a_code_get_a_stable_derived_one():
    _imported()
    start = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    expected = slot_code("diabete-gestationnel-charente", "bep", start, None, "video")
    assert _one(Slot, remote="video").code == expected
    assert expected.startswith("rdv-")
    second = session_code("dg-groupe-decembre", "activite", 2)
    assert _one(GroupSession, code=second).status == "cancelled"


def test_a_cancelled_session_records_when(clock):
    _imported()
    cancelled = _one(GroupSession, status="cancelled")
    assert cancelled.cancelled_at == clock()


def test_importing_the_same_file_twice_changes_nothing(clock):
    _imported()
    before = {
        m.__tablename__: sorted(
            (r.code, r.updated_at, getattr(r, "revision", None))
            for r in db.session.scalars(select(m))
        )
        for m in (Structure, Site, Programme, Slot, Cohort, GroupSession)
    }
    counts = _counts()
    clock.advance(days=3)
    report = _imported()
    assert not report.changed
    assert all(c.created == 0 and c.updated == 0 for _name, c in report.kinds())
    assert report.slots.unchanged == 3
    assert report.sessions.unchanged == 4
    db.session.expire_all()
    after = {
        m.__tablename__: sorted(
            (r.code, r.updated_at, getattr(r, "revision", None))
            for r in db.session.scalars(select(m))
        )
        for m in (Structure, Site, Programme, Slot, Cohort, GroupSession)
    }
    assert after == before
    assert _counts() == counts


def test_several_errors_are_all_reported_and_nothing_is_written():
    _imported()
    before = _counts()
    data = sample_offer()
    data["programmes"][0]["team"] = ["medecin"]
    data["programmes"][1]["conditions"] = ["diabete-inconnu"]
    data["sites"][1]["commune"] = "99999"
    data["slots"][0]["end"] = "2026-12-01T08:00:00+01:00"
    data["slots"][1]["start"] = "demain matin"
    data["cohorts"][0]["sessions"][0]["workshop"] = "natation"
    data["structures"].append({"code": "Mauvais Code", "name": "X", "kind": "cpts"})
    data["programmes"].append(dict(data["programmes"][1]))
    with pytest.raises(OfferInvalid) as caught:
        import_offer(data)
    db.session.rollback()
    paths = {e.path for e in caught.value.errors}
    assert {
        "$.programmes[0].team",
        "$.programmes[1].conditions[0]",
        "$.sites[1].commune",
        "$.slots[0].end",
        "$.slots[1].start",
        "$.cohorts[0].sessions[0].workshop",
        "$.structures[3].code",
        "$.programmes[2].code",
    } <= paths
    assert all(isinstance(e, OfferError) and e.message for e in caught.value.errors)
    assert _counts() == before
    assert _one(Slot, code="bep-dg-1").end_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_errors_come_schema_first_then_references_then_rules():
    data = sample_offer()
    data["programmes"][0]["team"] = ["medecin"]  # rule
    data["slots"][0]["site"] = "nulle-part"  # reference
    data["cohorts"][0]["capacity"] = 0  # schema
    errors = validate_offer(data)
    assert [e.path for e in errors] == [
        "$.cohorts[0].capacity",
        "$.slots[0].site",
        "$.programmes[0].team",
    ]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["structures"][0].pop("name"), "$.structures[0].name", "obligatoire"),
        (lambda d: d["sites"][0].update(floor=2), "$.sites[0].floor", "inconnu"),
        (
            lambda d: d["structures"][0].update(email="pas-un-mail"),
            "$.structures[0].email",
            "e-mail",
        ),
        (lambda d: d["structures"][0].update(kind="clinique"), "$.structures[0].kind", "clinique"),
        (
            lambda d: d["slots"][0].update(start="2026-12-01T09:00:00"),
            "$.slots[0].start",
            "décalage",
        ),
        (
            lambda d: d["sites"][0].update(timezone="Europe/Angouleme"),
            "$.sites[0].timezone",
            "Fuseau",
        ),
        (
            lambda d: d["programmes"][0]["audience"].update(age_min=60),
            "$.programmes[0].audience.age_min",
            "âge",
        ),
        (lambda d: d["slots"][0].pop("site"), "$.slots[0]", "distance"),
        (lambda d: d["cohorts"][0].pop("site"), "$.cohorts[0].site", "présentiel"),
        (
            lambda d: d["programmes"][0].update(conditions=["diabete"]),
            "$.programmes[0].conditions[0]",
            "groupe",
        ),
        (
            lambda d: d["programmes"][0]["structures"].append("cpts-ouest-angoumois"),
            "$.programmes[0].structures[2]",
            "deux fois",
        ),
        (lambda d: d["sites"][0].update(structure="inconnue"), "$.sites[0].structure", "inconnu"),
        (lambda d: d["slots"].append(dict(d["slots"][1])), "$.slots[3]", "double"),
        (
            lambda d: d["programmes"][1].update(team=["infirmier", "Infirmier"]),
            "$.programmes[1].team",
            "deux professions",
        ),
        (lambda d: d["sites"][0].update(lat=45.0), "$.sites[0].lon", "longitude"),
    ],
)
def test_each_rule_names_the_field_in_plain_french(change, path, words):
    data = sample_offer()
    change(data)
    errors = validate_offer(data)
    assert [e.path for e in errors] == [path], errors
    assert words in errors[0].message


def test_a_draft_programme_may_have_a_small_team():
    data = sample_offer()
    data["programmes"][1]["team"] = []
    data["programmes"][1]["status"] = "draft"
    assert validate_offer(data) == []


def test_a_file_that_is_not_an_object_is_one_error():
    assert validate_offer([]) == [OfferError("$", "Doit être un objet.")]


def test_references_may_point_to_rows_already_in_the_database():
    _imported()
    data = {
        "structures": [],
        "sites": [],
        "programmes": [],
        "slots": [
            {
                "programme": "diabete-reunion",
                "kind": "followup",
                "site": "utep-saint-denis",
                "start": "2027-06-03T08:00:00+04:00",
                "end": "2027-06-03T09:00:00+04:00",
            }
        ],
    }
    report = _imported(data)
    assert report.slots.created == 1


def test_a_site_cannot_change_structure():
    _imported()
    data = sample_offer()
    data["sites"][0]["structure"] = "ch-angouleme"
    errors = validate_offer(data)
    assert [e.path for e in errors] == ["$.sites[0].structure"]
    assert "cpts-ouest-angoumois" in errors[0].message


def test_a_cohort_capacity_cannot_go_below_the_places_taken():
    _imported()
    cohort = _one(Cohort, code="dg-groupe-decembre")
    cohort.seats_taken = 6
    db.session.commit()
    data = sample_offer()
    data["cohorts"][0]["capacity"] = 5
    assert [e.path for e in validate_offer(data)] == ["$.cohorts[0].capacity"]


def test_moving_a_session_raises_its_revision(clock):
    _imported()
    first = _one(GroupSession, code="dg-dec-alim")
    assert first.revision == 0
    created = first.updated_at
    clock.advance(hours=2)
    data = sample_offer()
    data["cohorts"][0]["sessions"][0]["start"] = "2026-12-09T14:00:00+01:00"
    data["cohorts"][0]["sessions"][0]["end"] = "2026-12-09T15:30:00+01:00"
    report = _imported(data)
    assert (report.sessions.updated, report.sessions.unchanged) == (1, 3)
    db.session.expire_all()
    moved = _one(GroupSession, code="dg-dec-alim")
    assert moved.revision == 1
    assert moved.status == "moved"
    assert moved.start_at == datetime(2026, 12, 9, 13, 0, tzinfo=UTC)
    assert moved.updated_at == clock() != created
    assert report.moved_sessions == ["dg-dec-alim"]
    # a second import of the moved file changes nothing more
    assert not _imported(data).changed
    db.session.expire_all()
    assert _one(GroupSession, code="dg-dec-alim").revision == 1


def test_changing_a_room_or_cancelling_raises_the_revision(clock):
    _imported()
    data = sample_offer()
    data["cohorts"][0]["sessions"][0]["room"] = "Salle 3"
    data["cohorts"][0]["sessions"][1]["status"] = "cancelled"
    clock.advance(hours=1)
    report = _imported(data)
    db.session.expire_all()
    assert _one(GroupSession, code="dg-dec-alim").revision == 1
    cancelled = _one(GroupSession, code=session_code("dg-groupe-decembre", "activite", 1))
    assert report.cancelled_sessions == [cancelled.code]
    assert (cancelled.status, cancelled.revision) == ("cancelled", 1)
    assert cancelled.cancelled_at == clock()


def test_moving_a_slot_raises_its_revision_but_a_new_professional_does_not():
    _imported()
    data = sample_offer()
    data["slots"][0]["professional"] = "Mme Martin, sage-femme"
    _imported(data)
    db.session.expire_all()
    assert _one(Slot, code="bep-dg-1").revision == 0
    data["slots"][0]["site"] = "ch-angouleme-site"
    assert _imported(data).moved_slots == ["bep-dg-1"]
    db.session.expire_all()
    slot = _one(Slot, code="bep-dg-1")
    assert (slot.revision, slot.professional) == (1, "Mme Martin, sage-femme")


def test_moving_a_cohort_raises_its_sessions_revisions():
    _imported()
    data = sample_offer()
    data["cohorts"][0]["site"] = "ch-angouleme-site"
    report = _imported(data)
    assert report.cohorts.updated == 1
    assert report.sessions.updated == 3
    db.session.expire_all()
    cohort = _one(Cohort, code="dg-groupe-decembre")
    assert cohort.revision == 1
    assert {s.revision for s in cohort.sessions} == {1}


def test_rows_absent_from_the_file_are_left_alone():
    _imported()
    data = sample_offer()
    data["slots"] = data["slots"][:1]
    data["structures"] = [s for s in data["structures"] if s["code"] != "utep-reunion"]
    data["sites"] = data["sites"][:2]
    data["programmes"] = data["programmes"][:1]
    data["cohorts"] = data["cohorts"][:1]
    report = _imported(data)
    assert not report.changed
    assert _counts()["slots"] == 3
    assert _one(Programme, code="diabete-reunion") is not None


def test_a_new_team_keeps_the_details_of_members_still_listed():
    _imported()
    programme = _one(Programme, code="diabete-gestationnel-charente")
    midwife = programme.team[0]
    midwife.name = "Anne"
    db.session.commit()
    data = sample_offer()
    data["programmes"][0]["team"] = ["dieteticien", "sage-femme", "psychologue"]
    report = _imported(data)
    assert report.programmes.updated == 1
    db.session.expire_all()
    programme = _one(Programme, code="diabete-gestationnel-charente")
    assert [m.profession for m in programme.team] == ["dieteticien", "sage-femme", "psychologue"]
    assert programme.team[1].name == "Anne"


def test_changing_the_links_updates_the_programme():
    _imported()
    data = sample_offer()
    data["programmes"][0]["structures"].reverse()
    data["programmes"][0]["conditions"] = ["diabete-gestationnel", "diabete-type-2"]
    data["cohorts"][0]["facilitators"] = ["Paul Diététicien"]
    report = _imported(data)
    assert report.programmes.updated == 1
    assert report.cohorts.updated == 1
    db.session.expire_all()
    programme = _one(Programme, code="diabete-gestationnel-charente")
    assert [s.code for s in programme.structures] == ["ch-angouleme", "cpts-ouest-angoumois"]
    assert [c.code for c in programme.conditions] == ["diabete-gestationnel", "diabete-type-2"]
    assert [f.name for f in db.session.scalars(select(Facilitator))] == ["Paul Diététicien"]


def test_progress_is_reported():
    seen = []
    import_offer(sample_offer(), progress=lambda stage, done, total: seen.append(stage))
    db.session.rollback()
    assert "validation" in seen


def test_a_badly_shaped_file_gets_errors_not_a_crash():
    data = {
        "structures": {},
        "sites": [1, None],
        "programmes": [{"code": 5, "workshops": "x"}],
        "slots": [{"programme": [], "start": 3}],
        "cohorts": [{"code": "c", "sessions": [1, {"workshop": []}]}, {"sessions": "x"}],
        "extra": True,
    }
    paths = {e.path for e in validate_offer(data)}
    assert {
        "$.structures",
        "$.sites[0]",
        "$.programmes[0].code",
        "$.slots[0].programme",
        "$.cohorts[0].sessions[1].workshop",
        "$.extra",
    } <= paths
