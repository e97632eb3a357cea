"""The programme path: who may join a group, the final assessment and the follow-up,
booked from the manage link only, and the invitation six months after the final."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from etp_orient.booking import path as path_module
from etp_orient.booking import services
from etp_orient.booking.models import Attendance, Booking, Enrollment, Participant, Slot
from etp_orient.core.clock import now
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.reminders import run_reminders
from tests.fixtures.booking import FORM, person


def add_slots(world, kind: str, days: list[int]) -> list[Slot]:
    """``kind`` slots of the world's programme, ``days`` after now, at 10:00 UTC."""
    made = []
    for n, day in enumerate(days, start=1):
        start = now().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=day)
        slot = Slot(
            code=f"{kind}-{day}-{n}",
            programme=world.programme,
            kind=kind,
            site=world.site,
            start_at=start,
            end_at=start + timedelta(hours=1),
        )
        db.session.add(slot)
        made.append(slot)
    db.session.commit()
    return made


@pytest.fixture
def in_group(world):
    """Camille booked the first BEP and has a place in the group."""
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    return booked


def after_last_session(world, clock, days=1):
    clock.set(max(s.start_at for s in world.sessions) + timedelta(days=days))


def live(kind: str, participant_id: int) -> list[Booking]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Booking)
            .join(Slot)
            .where(
                Slot.kind == kind,
                Booking.participant_id == participant_id,
                Booking.status == "confirmed",
            )
        )
    )


# ---------------------------------------------------------------- who may join a group


@pytest.fixture
def after_bep(world):
    world.programme.group_access = "after_bep"
    db.session.commit()
    return world


def test_public_join_of_an_after_bep_group_is_refused_and_recorded(after_bep, client):
    page = client.get("/groupes/grp-booking").get_data(as_text=True)
    assert "D'abord, le premier rendez-vous" in page
    assert "/programmes/prog-booking/rdv" in page
    assert 'name="first_name"' not in page
    response = client.post("/groupes/grp-booking", data=FORM)
    assert response.status_code == 409
    assert "déjà pris le premier rendez-vous" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.refused"))
    assert refused.detail == {"cohort": "grp-booking", "reason": "bep_first"}


def test_a_person_with_a_bep_joins_from_the_manage_page(after_bep, client):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    page = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    join = f"/gerer/{booked.token}/groupes/grp-booking/rejoindre"
    assert join in page
    client.post(join)
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.status == "confirmed"


def test_a_missed_bep_does_not_open_the_group(after_bep, client, clock):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    clock.set(booked.booking.slot.end_at + timedelta(hours=1))
    booked.booking.outcome = "no_show"
    db.session.commit()
    assert "/groupes/grp-booking/rejoindre" not in client.get(f"/gerer/{booked.token}").get_data(
        as_text=True
    )
    client.post(f"/gerer/{booked.token}/groupes/grp-booking/rejoindre")
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.refused"))
    assert refused.detail["reason"] == "bep_first"
    assert refused.detail["participant"] == booked.participant.id


def test_staff_add_someone_to_an_after_bep_group(after_bep):
    from etp_orient.manage.groups import add_by_phone

    result = add_by_phone(after_bep.cohort, person(5), actor=None)
    db.session.commit()
    assert result.enrollment.status == "confirmed"


def test_open_groups_still_take_anyone(world, client):
    response = client.post("/groupes/grp-booking", data=FORM)
    assert response.status_code == 303
    assert db.session.scalar(select(Enrollment)).status == "confirmed"


# ---------------------------------------------------------------- final and follow-up


def test_final_and_followup_slots_are_never_public(world, client):
    final, followup = add_slots(world, "final", [60])[0], add_slots(world, "followup", [200])[0]
    assert client.get(f"/rdv/{final.code}").status_code == 404
    assert client.get(f"/rdv/{followup.code}").status_code == 404
    listing = client.get("/programmes/prog-booking/rdv").get_data(as_text=True)
    assert final.code not in listing and followup.code not in listing
    assert client.get("/rdv/bep-1").status_code == 200


def test_the_path_page_shows_each_step(in_group, world, client):
    page = client.get(f"/gerer/{in_group.token}").get_data(as_text=True)
    assert "Mon parcours" in page
    assert "Le premier rendez-vous (le bilan)" in page and "Pris :" in page
    assert "Vous avez une place dans le groupe." in page
    assert "Bien manger au quotidien" in page
    assert "Possible à partir du" in page  # the final assessment, after the last session
    assert "/bilan-final/" not in page


def test_the_final_opens_once_the_last_session_started(in_group, world, client, clock):
    slots = add_slots(world, "final", [50, 51])
    token, pid = in_group.token, in_group.participant.id
    # before: nothing offered, a POST is refused and changes nothing
    response = client.post(f"/gerer/{token}/bilan-final/prog-booking", data={"slot": slots[0].code})
    assert response.status_code == 303
    assert live("final", pid) == []
    after_last_session(world, clock)
    page = client.get(f"/gerer/{token}").get_data(as_text=True)
    assert f"/gerer/{token}/bilan-final/prog-booking" in page
    choose = client.get(f"/gerer/{token}/bilan-final/prog-booking").get_data(as_text=True)
    assert slots[0].code in choose and slots[1].code in choose
    response = client.post(f"/gerer/{token}/bilan-final/prog-booking", data={"slot": slots[0].code})
    assert response.status_code == 303
    assert [b.slot.code for b in live("final", pid)] == [slots[0].code]
    confirmation = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.template == "booking_confirmed")
        .order_by(OutboxMessage.id.desc())
    )
    assert confirmation.recipient == "camille1@example.org"


def test_a_second_final_assessment_is_refused(in_group, world, clock):
    slots = add_slots(world, "final", [50, 51])
    after_last_session(world, clock)
    path_module.book_path_slot(in_group.participant, slots[0].code, "final")
    db.session.commit()
    with pytest.raises(services.BookingError) as refused:
        path_module.book_path_slot(in_group.participant, slots[1].code, "final")
    assert refused.value.reason == "already_booked"
    db.session.rollback()
    assert len(live("final", in_group.participant.id)) == 1


def test_only_people_of_the_programme_book_its_final(world, clock):
    slots = add_slots(world, "final", [50])
    booked = services.book_slot("bep-1", person(2))  # a BEP, no group
    db.session.commit()
    after_last_session(world, clock)
    with pytest.raises(services.BookingError) as refused:
        path_module.book_path_slot(booked.participant, slots[0].code, "final")
    assert refused.value.reason == "not_open"


def test_a_bep_slot_cannot_be_booked_as_a_final(in_group, world, clock):
    after_last_session(world, clock, days=-30)
    with pytest.raises(services.BookingError) as refused:
        path_module.book_path_slot(in_group.participant, "bep-4", "final")
    assert refused.value.reason == "slot_unavailable"


def test_without_groups_the_final_opens_once_the_bep_was_held(world, clock):
    db.session.delete(world.sessions[0])
    for session in world.sessions[1:]:
        db.session.delete(session)
    db.session.delete(world.cohort)
    db.session.commit()
    slots = add_slots(world, "final", [30])
    booked = services.book_slot("bep-1", person(3))
    db.session.commit()
    path = path_module.path_for(booked.participant, world.programme.id)
    assert not path.final_open
    clock.set(booked.booking.slot.end_at + timedelta(hours=1))
    booked.booking.outcome = "held"
    db.session.commit()
    path_module.book_path_slot(booked.participant, slots[0].code, "final")
    db.session.commit()
    assert len(live("final", booked.participant.id)) == 1


@pytest.fixture
def final_held(in_group, world, clock):
    """Camille's final assessment took place two weeks after the last session."""
    (final,) = add_slots(world, "final", [56])
    after_last_session(world, clock)
    booking = path_module.book_path_slot(in_group.participant, final.code, "final")
    booking.outcome = "held"
    db.session.commit()
    clock.set(final.end_at + timedelta(hours=1))
    return booking


def test_the_followup_opens_five_months_after_the_final(final_held, in_group, world, clock):
    start = final_held.slot.start_at
    (followup,) = add_slots(world, "followup", [(start - now()).days + 160])
    path = path_module.path_for(in_group.participant, world.programme.id)
    assert path.followup_opens_at == path_module.add_months(start, 5)
    with pytest.raises(services.BookingError) as refused:
        path_module.book_path_slot(in_group.participant, followup.code, "followup")
    assert refused.value.reason == "not_open"
    db.session.rollback()
    clock.set(path_module.add_months(start, 5) + timedelta(minutes=1))
    path_module.book_path_slot(in_group.participant, followup.code, "followup")
    db.session.commit()
    assert len(live("followup", in_group.participant.id)) == 1


def _invitations() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "followup_invitation")
        )
    )


def test_one_invitation_six_months_after_the_final(final_held, app, clock):
    start = final_held.slot.start_at
    clock.set(path_module.add_months(start, 6) - timedelta(hours=1))
    run_reminders()
    assert _invitations() == []
    clock.set(path_module.add_months(start, 6) + timedelta(hours=1))
    run_reminders()
    run_reminders()
    invitations = _invitations()
    assert len(invitations) == 1
    assert invitations[0].recipient == "camille1@example.org"
    assert "rendez-vous de suivi" in invitations[0].subject
    # the outbox forgets sent messages after a while; the booking remembers
    db.session.delete(invitations[0])
    db.session.commit()
    run_reminders()
    assert _invitations() == []


def test_no_invitation_when_the_followup_is_booked(final_held, in_group, world, clock):
    start = final_held.slot.start_at
    (followup,) = add_slots(world, "followup", [(start - now()).days + 170])
    clock.set(path_module.add_months(start, 5) + timedelta(days=1))
    path_module.book_path_slot(in_group.participant, followup.code, "followup")
    db.session.commit()
    clock.set(path_module.add_months(start, 6) + timedelta(days=1))
    run_reminders()
    assert _invitations() == []


def test_no_invitation_after_leaving_the_programme(final_held, in_group, clock):
    clock.set(path_module.add_months(final_held.slot.start_at, 6) + timedelta(days=1))
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.participant_id == in_group.participant.id)
    )
    enrollment.status = "cancelled"
    db.session.commit()
    run_reminders()
    assert _invitations() == []


def test_no_invitation_after_erasure(final_held, in_group, clock):
    services.delete_my_data(in_group.participant)
    db.session.commit()
    clock.set(path_module.add_months(final_held.slot.start_at, 6) + timedelta(days=1))
    run_reminders()
    assert _invitations() == []


def test_attendance_shows_on_the_path(in_group, world, client, clock):
    after_last_session(world, clock)
    db.session.add(
        Attendance(
            participant_id=in_group.participant.id,
            session_id=world.sessions[0].id,
            status="present",
        )
    )
    db.session.commit()
    page = client.get(f"/gerer/{in_group.token}").get_data(as_text=True)
    assert "vous êtes venu" in page


def test_a_cancelled_bep_keeps_the_place_and_the_team_sees_it(after_bep, client, app):
    from tests.fixtures.manage import login_as, make_user

    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    services.cancel_booking(booked.participant, booked.booking.id)
    db.session.commit()
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.status == "confirmed"
    coordinator = make_user(
        "coord-path@example.org", roles=[("coordinator", after_bep.programme.structures[0])]
    )
    db.session.commit()
    login_as(client, coordinator)
    page = client.get("/gestion/groupes/grp-booking").get_data(as_text=True)
    assert "bilan annulé ou manqué : à appeler" in page


def test_the_path_marks_workshops_outside_the_agreed_plan(in_group, world, client, clock):
    booking = db.session.get(Booking, in_group.booking.id)
    booking.outcome = "held"
    booking.plan = {"workshops": ["activite"]}
    db.session.commit()
    page = client.get(f"/gerer/{in_group.token}").get_data(as_text=True)
    # "Bien manger au quotidien" twice and "Bouger plus" once: two sessions out of the plan
    assert page.count("hors de votre plan, si vous le souhaitez") == 2


# ---------------------------------------------------------------- the easy-read path


def _steps(page: str) -> list[str]:
    """Each step of the easy-read path (the text of its <li>)."""
    import re

    return re.findall(r'<li class="path-step[^"]*">(.*?)</li>', page, flags=re.S)


def test_the_easy_read_path_has_one_action_per_step(world, client, clock):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    full = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert f"/gerer/{booked.token}?facile=1" in full
    page = client.get(f"/gerer/{booked.token}?facile=1").get_data(as_text=True)
    assert "Cette page est facile à lire." in page
    steps = _steps(page)
    assert len(steps) == 5
    for step in steps:
        assert step.count("<button") + step.count('class="button"') <= 1
    # the group can be joined, in one button; the final assessment is for later
    assert "Entrer dans le groupe" in steps[1]
    assert f"/gerer/{booked.token}/groupes/grp-booking/rejoindre" in steps[1]
    assert "Plus tard." in steps[3]
    # none of the full page's other sections
    assert "Enregistrer mes choix" not in page and "Supprimer mes données" not in page


def test_the_easy_read_path_follows_the_person(in_group, world, client, clock):
    slots = add_slots(world, "final", [50])
    page = client.get(f"/gerer/{in_group.token}?facile=1").get_data(as_text=True)
    steps = _steps(page)
    assert "Vous êtes dans le groupe." in steps[1]
    assert "Prochain atelier :" in steps[2]
    after_last_session(world, clock)
    steps = _steps(client.get(f"/gerer/{in_group.token}?facile=1").get_data(as_text=True))
    assert "Vous êtes venu 0 fois." in steps[2]
    assert f"/gerer/{in_group.token}/bilan-final/prog-booking" in steps[3]
    assert "Choisir la date" in steps[3]
    client.post(f"/gerer/{in_group.token}/bilan-final/prog-booking", data={"slot": slots[0].code})
    steps = _steps(client.get(f"/gerer/{in_group.token}?facile=1").get_data(as_text=True))
    assert "Choisir la date" not in steps[3] and "bilan-final" not in steps[3]
