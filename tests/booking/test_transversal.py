"""Transversal ateliers offered to the participants of the structure's other programmes,
and every join from the manage page refused when it clashes with the person's dates."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Cohort, Enrollment, GroupSession
from etp_orient.catalogue.models import Programme, Structure, Workshop
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.booking import person


def transversal_group(world, code: str, starts: list, structure=None) -> Cohort:
    """A 'tabac' programme of ``structure`` (the world's by default) with one group."""
    structure = structure or world.programme.structures[0]
    programme = Programme(
        code=f"prog-{code}",
        title="Arrêter le tabac",
        formats=["presentiel"],
        status="published",
    )
    programme.structures.append(structure)
    workshop = Workshop(code="tabac", title="Moins fumer, à mon rythme", transversal=True)
    programme.workshops.append(workshop)
    db.session.add(programme)
    cohort = Cohort(
        code=code, programme=programme, site=world.site, format="presentiel", capacity=12
    )
    db.session.add(cohort)
    db.session.flush()
    for n, start in enumerate(starts, start=1):
        db.session.add(
            GroupSession(
                code=f"{code}-{n}",
                cohort=cohort,
                workshop=workshop,
                start_at=start,
                end_at=start + timedelta(hours=2),
            )
        )
    db.session.commit()
    return cohort


@pytest.fixture
def booked(world):
    result = services.book_slot("bep-1", person(1))
    db.session.commit()
    return result


def test_the_structures_transversal_groups_are_offered(world, booked, client):
    free_day = world.sessions[0].start_at + timedelta(days=2)
    transversal_group(world, "tabac-ici", [free_day])
    elsewhere = Structure(code="cpts-ailleurs", name="CPTS Ailleurs", kind="cpts")
    db.session.add(elsewhere)
    transversal_group(world, "tabac-ailleurs", [free_day], structure=elsewhere)
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "D&#39;autres ateliers pour vous" in page or "D'autres ateliers pour vous" in page
    assert f"/gerer/{booked.token}/groupes/tabac-ici/rejoindre" in page
    assert "tabac-ailleurs" not in page
    # the programme's own group is on the path, not among the transversal ateliers
    assert page.count("/groupes/grp-booking/rejoindre") == 1


def test_joining_a_transversal_group_uses_its_places(world, booked, client):
    transversal_group(world, "tabac-ici", [world.sessions[0].start_at + timedelta(days=2)])
    response = client.post(f"/gerer/{booked.token}/groupes/tabac-ici/rejoindre")
    assert response.status_code == 303
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.cohort.code == "tabac-ici" and enrollment.status == "confirmed"
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "/groupes/tabac-ici/rejoindre" not in page


def test_a_clash_with_the_persons_group_is_refused_and_named(world, booked, client):
    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    overlapping = world.sessions[1].start_at + timedelta(hours=1)
    transversal_group(world, "tabac-ici", [overlapping])
    response = client.post(f"/gerer/{booked.token}/groupes/tabac-ici/rejoindre")
    assert response.status_code == 303
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "une séance de votre groupe, le " in page
    assert "Rien n&#39;a été enregistré" in page or "Rien n'a été enregistré" in page
    tabac = db.session.scalar(select(Cohort).where(Cohort.code == "tabac-ici"))
    assert (
        db.session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.cohort_id == tabac.id)
        )
        == 0
    )
    assert tabac.seats_taken == 0
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.refused"))
    assert refused.detail["reason"] == "clash"


def test_a_clash_with_an_appointment_is_refused(world, booked):
    at_the_bep = booked.booking.slot.start_at + timedelta(minutes=30)
    transversal_group(world, "tabac-ici", [at_the_bep])
    with pytest.raises(services.BookingError) as refused:
        services.join_cohort("tabac-ici", participant=booked.participant, token=booked.token)
    assert refused.value.reason == "clash"
    assert refused.value.detail.kind == "appointment"
    assert refused.value.detail.start == booked.booking.slot.start_at


def test_back_to_back_is_not_a_clash(world, booked):
    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    right_after = world.sessions[0].end_at
    transversal_group(world, "tabac-ici", [right_after])
    result = services.join_cohort("tabac-ici", participant=booked.participant, token=booked.token)
    assert result.enrollment.status == "confirmed"


def test_staff_may_still_move_someone_between_parallel_groups(world, booked):
    """A coordinator moving a person is not refused for the group they leave."""
    from etp_orient.booking.cohorts import move_enrollment

    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    parallel = Cohort(
        code="grp-parallele",
        programme=world.programme,
        site=world.site,
        format="presentiel",
        capacity=5,
    )
    db.session.add(parallel)
    db.session.flush()
    for n, session in enumerate(world.sessions, start=1):
        db.session.add(
            GroupSession(
                code=f"par-{n}",
                cohort=parallel,
                workshop=session.workshop,
                start_at=session.start_at,
                end_at=session.end_at,
            )
        )
    db.session.commit()
    move_enrollment(booked.participant, "grp-booking", "grp-parallele")
    db.session.commit()
    live = db.session.scalar(select(Enrollment).where(Enrollment.status == "confirmed"))
    assert live.cohort.code == "grp-parallele"


def _held_with_plan(world, booked, transversal):
    """The BEP held, the plan recorded by a coordinator with these proposals."""
    from etp_orient.accounts.services import create_user
    from etp_orient.manage import slots as slot_service

    coordinator = create_user(
        "coord@example.org",
        "une phrase de passe assez longue",
        role="coordinator",
        structures=[world.programme.structures[0].code],
    )
    booked.booking.outcome = "held"
    db.session.commit()
    slot_service.set_plan(
        booked.booking.slot,
        [w.code for w in world.programme.workshops],
        actor=coordinator,
        transversal=transversal,
    )
    db.session.commit()


def test_the_bep_plan_keeps_the_proposed_transversal_ateliers(world, booked):
    from etp_orient.booking.transversal import transversal_choices

    free_day = world.sessions[0].start_at + timedelta(days=2)
    transversal_group(world, "tabac-ici", [free_day])
    transversal_group(world, "stress-ici", [free_day + timedelta(days=1)])
    keys = sorted(f"prog-{c}/tabac" for c in ("tabac-ici", "stress-ici"))
    assert (
        sorted(f"{w.programme.code}/{w.code}" for w in transversal_choices(world.programme)) == keys
    )
    # an unknown key is dropped, never stored
    _held_with_plan(world, booked, ["prog-tabac-ici/tabac", "ailleurs/tabac"])
    plan = db.session.get(type(booked.booking), booked.booking.id).plan
    assert plan["transversal"] == ["prog-tabac-ici/tabac"]
    assert plan["workshops"] == [w.code for w in world.programme.workshops]


def test_the_manage_page_offers_what_the_bep_proposed(world, booked, client):
    free_day = world.sessions[0].start_at + timedelta(days=2)
    transversal_group(world, "tabac-ici", [free_day])
    transversal_group(world, "stress-ici", [free_day + timedelta(days=1)])
    # before the plan: both, none marked
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "/groupes/tabac-ici/rejoindre" in page and "/groupes/stress-ici/rejoindre" in page
    assert "Proposé lors de votre bilan" not in page
    _held_with_plan(world, booked, ["prog-stress-ici/tabac"])
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "/groupes/stress-ici/rejoindre" in page
    assert "/groupes/tabac-ici/rejoindre" not in page
    assert page.count("Proposé lors de votre bilan") == 1


def test_a_plan_proposing_nothing_offers_nothing(world, booked, client):
    transversal_group(world, "tabac-ici", [world.sessions[0].start_at + timedelta(days=2)])
    _held_with_plan(world, booked, [])
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert "/groupes/tabac-ici/rejoindre" not in page
