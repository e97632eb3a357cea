"""booking.calendar: slots and sessions as CalEvents (titles, UID, SEQUENCE, STATUS)."""

from datetime import timedelta

from etp_orient.booking.calendar import session_event, slot_event
from etp_orient.extensions import db


def test_session_uid_is_kind_code_at_host(world):
    event = session_event(world.sessions[0])
    assert event.uid == "session-ses-1@etp.test"


def test_slot_uid_is_kind_code_at_host(world):
    assert slot_event(world.slots[0]).uid == "slot-bep-1@etp.test"


def test_public_session_title_names_workshop_and_programme(world):
    event = session_event(world.sessions[0])
    assert event.summary == "Bien manger au quotidien – Mieux vivre avec le diabète"


def test_personal_session_title_is_neutral(world):
    event = session_event(world.sessions[1], personal=True)
    assert event.summary == "Atelier santé – séance 2"
    assert "diab" not in (event.description or "").lower()


def test_personal_session_title_explicit_when_chosen(world):
    event = session_event(world.sessions[1], personal=True, explicit_titles=True)
    assert "Mieux vivre avec le diabète" in event.summary


def test_personal_slot_title_is_neutral(world):
    assert slot_event(world.slots[0], personal=True).summary == "Rendez-vous santé"


def test_location_is_site_address(world):
    event = session_event(world.sessions[0])
    assert event.location == "Maison de santé du Centre, 12 rue des Lilas, 16000 Angoulême"


def test_remote_slot_location(world):
    assert slot_event(world.slots[1]).location == "À distance"


def test_manage_link_only_in_personal_event(world):
    url = "http://etp.test/gerer/secret"
    assert url in slot_event(world.slots[0], personal=True, manage_url=url).description
    assert url not in (slot_event(world.slots[0], manage_url=url).description or "")


def test_cancelled_session(world, clock):
    session = world.sessions[0]
    session.status = "cancelled"
    session.cancelled_at = clock()
    db.session.commit()
    event = session_event(session)
    assert event.cancelled
    assert event.summary.startswith("Annulé – ")
    assert event.sequence == session.revision + 1


def test_updated_comes_from_row(world, clock):
    clock.advance(days=3)
    event = session_event(world.sessions[0])
    assert event.updated == world.sessions[0].updated_at
    assert event.updated < clock() - timedelta(days=2)
