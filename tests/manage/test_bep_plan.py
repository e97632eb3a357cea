"""The plan agreed at a BEP: the workshops the person follows, recorded by the team;
completion and the person's path follow it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Attendance, Booking, Enrollment
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.manage import slots as slot_service
from tests.fixtures.manage import book, booked_past_final, login_as, make_world


@pytest.fixture
def side(app_ctx, clock):
    a, b, _admin = make_world()
    a.b = b
    db.session.commit()
    return a


def held(side, clock) -> Booking:
    booking = book(side.participant, side.slot)
    db.session.commit()
    clock.set(side.slot.end_at + timedelta(hours=1))
    slot_service.set_outcome(side.slot, "held", actor=side.users["coordinator"])
    db.session.commit()
    return booking


def test_the_plan_is_all_workshops_by_default_and_saved(side, clock, client):
    booking = held(side, clock)
    login_as(client, side.users["coordinator"])
    page = client.get(f"/gestion/creneaux/{side.slot.code}/plan").get_data(as_text=True)
    assert page.count("checked") == 3
    response = client.post(
        f"/gestion/creneaux/{side.slot.code}/plan", data={"workshops": ["alim", "traitement"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).plan == {"workshops": ["alim", "traitement"]}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking.plan"))


def test_an_empty_plan_is_refused_next_to_the_field(side, clock, client):
    booking = held(side, clock)
    login_as(client, side.users["coordinator"])
    response = client.post(f"/gestion/creneaux/{side.slot.code}/plan", data={})
    assert response.status_code == 400
    assert "Choisissez au moins un atelier." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).plan is None


def test_no_plan_before_the_bep_was_held(side, clock, client):
    book(side.participant, side.slot)
    db.session.commit()
    clock.set(side.slot.end_at + timedelta(hours=1))
    login_as(client, side.users["coordinator"])
    response = client.post(f"/gestion/creneaux/{side.slot.code}/plan", data={"workshops": "alim"})
    assert response.status_code == 400
    assert "abord que le bilan a eu lieu." in response.get_data(as_text=True)


def test_another_structure_cannot_see_or_set_the_plan(side, clock, client):
    held(side, clock)
    login_as(client, side.b.users["coordinator"])
    assert client.get(f"/gestion/creneaux/{side.slot.code}/plan").status_code == 404
    assert (
        client.post(
            f"/gestion/creneaux/{side.slot.code}/plan", data={"workshops": "alim"}
        ).status_code
        == 404
    )


def test_completion_follows_the_plan(side, clock):
    """The programme's rule asks for 2 workshops; the plan agreed only one."""
    booking = held(side, clock)
    slot_service.set_plan(side.slot, ["traitement"], actor=side.users["coordinator"])
    db.session.commit()
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.participant_id == side.participant.id)
    )
    clock.set(side.sessions[-1].end_at + timedelta(days=1))
    final = booked_past_final(side, "final-plan")
    # two workshops attended, but not the one of the plan: not completed
    for session in side.sessions[:2]:
        db.session.add(
            Attendance(participant_id=side.participant.id, session_id=session.id, status="present")
        )
    db.session.commit()
    slot_service.set_outcome(final, "held", actor=side.users["coordinator"])
    db.session.commit()
    assert db.session.get(Enrollment, enrollment.id).status == "confirmed"
    # the planned workshop attended: completed
    from etp_orient.manage.groups import mark

    mark(
        side.sessions[2],
        db.session.get(Enrollment, enrollment.id),
        status="present",
        actor=side.users["coordinator"],
    )
    db.session.commit()
    assert db.session.get(Enrollment, enrollment.id).status == "completed"
    assert booking.plan == {"workshops": ["traitement"]}


def test_the_plan_page_proposes_the_structures_transversal_ateliers(side, clock, client):
    from etp_orient.catalogue.models import Programme, Workshop

    tabac = Programme(code="tabac-ici", title="Arrêter le tabac", formats=["presentiel"])
    tabac.structures.append(side.slot.programme.structures[0])
    tabac.workshops.append(Workshop(code="tabac", title="Moins fumer", transversal=True))
    db.session.add(tabac)
    db.session.commit()
    booking = held(side, clock)
    login_as(client, side.users["coordinator"])
    page = client.get(f"/gestion/creneaux/{side.slot.code}/plan").get_data(as_text=True)
    assert "Ateliers transversaux proposés" in page
    # proposed by default, like the workshops
    assert 'name="transversal" value="tabac-ici/tabac" checked' in page
    response = client.post(f"/gestion/creneaux/{side.slot.code}/plan", data={"workshops": ["alim"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).plan == {"workshops": ["alim"], "transversal": []}
    # an error keeps what was ticked
    response = client.post(
        f"/gestion/creneaux/{side.slot.code}/plan", data={"transversal": "tabac-ici/tabac"}
    )
    assert response.status_code == 400
    assert 'value="tabac-ici/tabac" checked' in response.get_data(as_text=True)
