"""Clashes across slots and sessions: the same named person (team member or staff account)
or the same room at overlapping times is warned about; two individual appointments of
one named professional at the same time are refused, the message next to the field."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from etp_orient.booking.models import Facilitator, Slot
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # session 1: Tuesday 1 December, 14:00 Paris

RULE = {
    "kind": "bep",
    "site": "site-a",
    "weekdays": ["1"],
    "start_time": "14:00",
    "end_time": "15:00",
    "duration": "30",
    "date_from": "2026-12-01",
    "date_to": "2026-12-01",
    "professional": "Inès",
}


def _setup(app, client):
    with app.app_context():
        a, b, admin = make_world(START)
        # the team member Inès facilitates group A's sessions
        db.session.add(Facilitator(cohort=a.cohort, name="Inès", profession="infirmier"))
        db.session.commit()
        login_as(client, a.users["coordinator"])


def _new_slots(app) -> list[Slot]:
    with app.app_context():
        return db.session.scalars(
            select(Slot).where(Slot.code.not_in(["slot-a", "slot-b"])).order_by(Slot.start_at)
        ).all()


def test_the_bulk_preview_lists_every_clash_with_a_session(app, client, clock):
    _setup(app, client)
    page = client.post("/gestion/programmes/prog-a/creneaux", data=RULE).get_data(as_text=True)
    assert "Attention, 2 chevauchement(s)" in page
    assert page.count("Inès a déjà une séance de groupe") == 2
    assert "ses-a-1" in page
    # a warning, not a refusal: the slots can be created
    response = client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    assert response.status_code == 302
    assert len(_new_slots(app)) == 2


def test_two_appointments_of_one_named_professional_at_once_are_refused(app, client, clock):
    _setup(app, client)
    client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    # the same person (other case, no accent), at the same times, by phone
    again = {**RULE, "site": "", "remote": "phone", "professional": "  ines ", "action": "create"}
    response = client.post("/gestion/programmes/prog-a/creneaux", data=again)
    page = response.get_data(as_text=True)
    assert "2 créneau(x) tomberaient en même temps qu&#39;un autre rendez-vous" in page
    assert (
        'id="professional-error"' in page or "professional" in page.split("tomberaient")[0][-400:]
    )
    assert 'value="  ines "' in page  # what was typed is kept
    assert len(_new_slots(app)) == 2


def test_a_name_that_is_no_team_member_takes_no_part(app, client, clock):
    _setup(app, client)
    free = {**RULE, "professional": "Dr Quelqu'un", "action": "create"}
    assert client.post("/gestion/programmes/prog-a/creneaux", data=free).status_code == 302
    again = {**free, "site": "", "remote": "phone"}
    assert client.post("/gestion/programmes/prog-a/creneaux", data=again).status_code == 302
    assert len(_new_slots(app)) == 4


def test_moving_a_slot_onto_another_appointment_of_the_professional_is_refused(app, client, clock):
    _setup(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.professional = "Paul"  # a team member
        other = Slot(
            code="slot-paul",
            programme=slot.programme,
            kind="bep",
            remote="phone",
            start_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
            end_at=datetime(2026, 12, 3, 9, 45, tzinfo=UTC),
            timezone="Europe/Paris",
            professional="Paul",
        )
        db.session.add(other)
        db.session.commit()
    response = client.post(
        "/gestion/creneaux/slot-a/deplacer", data={"date": "2026-12-03", "time": "10:15"}
    )
    assert response.status_code == 400
    assert "Paul a déjà un rendez-vous" in response.get_data(as_text=True)
    with app.app_context():
        moved = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        assert moved.start_at == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)  # unchanged
    # back to back is no clash
    response = client.post(
        "/gestion/creneaux/slot-a/deplacer", data={"date": "2026-12-03", "time": "10:45"}
    )
    assert response.status_code == 302


def test_moving_a_slot_onto_a_session_of_the_same_person_warns(app, client, clock):
    _setup(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.professional = "Inès"
        db.session.commit()
    response = client.post(
        "/gestion/creneaux/slot-a/deplacer",
        data={"date": "2026-12-01", "time": "14:30"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Créneau déplacé" in page
    assert "Inès a déjà une séance de groupe" in page


def test_moving_a_session_onto_a_slot_of_a_facilitator_warns(app, client, clock):
    _setup(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.professional = "Inès"
        db.session.commit()
    # slot-a is on Wednesday 2 December 14:00 Paris; move session 2 there
    response = client.post(
        "/gestion/seances/ses-a-2/deplacer",
        data={"day": "2026-12-02", "start_time": "13:30", "room": "Salle 9"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Séance déplacée" in page
    assert "Inès a déjà un rendez-vous" in page and "slot-a" in page


def test_planning_a_cohort_warns_of_a_facilitators_slot(app, client, clock):
    _setup(app, client)
    with app.app_context():
        from etp_orient.accounts.models import User
        from etp_orient.catalogue.models import TeamMember

        educator = db.session.scalar(select(User).where(User.email == "educator-a@example.org"))
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.professional_user_id = educator.id
        # Inès, the team member linked to the educator's account
        ines_id = db.session.scalar(select(TeamMember.id).where(TeamMember.user_id == educator.id))
        db.session.commit()
    response = client.post(
        "/gestion/programmes/prog-a/groupes",
        data={
            "first_day": "2026-12-02",
            "start_time": "13:30",
            "every": "1",
            "site": "site-a",
            "room": "Salle 7",
            "capacity": "8",
            "facilitators": [str(ines_id)],
        },
    )
    page = response.get_data(as_text=True)
    assert "un animateur a déjà un rendez-vous" in page
    assert "slot-a" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Slot.id))) == 2
