"""The manage page: every change is a POST behind a confirmation page; unknown tokens 404."""

import json
import re

import pytest
from sqlalchemy import select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Cohort, Enrollment, Participant
from etp_orient.extensions import db
from tests.fixtures.booking import FORM, person


@pytest.fixture
def booked(world):
    result = services.book_slot("bep-1", person(1))
    db.session.commit()
    return result


def status_of(booking_id):
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def test_manage_page_lists_bookings_and_actions(booked, client):
    response = client.get(f"/gerer/{booked.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"/gerer/{booked.token}/rdv/{booked.booking.id}/annuler" in html
    assert f"/gerer/{booked.token}/rdv/{booked.booking.id}/deplacer" in html
    assert "/calendar/me/" in html
    assert f"/gerer/{booked.token}/agenda.ics" in html


@pytest.mark.parametrize(
    "path",
    ["", "/confirmation", "/agenda.ics", "/donnees", "/donnees.json", "/supprimer"],
)
def test_unknown_token_404(world, client, path):
    assert client.get(f"/gerer/{'x' * 43}{path}").status_code == 404


def test_cancel_get_changes_nothing_post_cancels(booked, client, outbox):
    url = f"/gerer/{booked.token}/rdv/{booked.booking.id}/annuler"
    page = client.get(url)
    assert page.status_code == 200
    assert '<form method="post"' in page.get_data(as_text=True)
    assert status_of(booked.booking.id) == "confirmed"
    response = client.post(url)
    assert response.status_code == 303
    assert status_of(booked.booking.id) == "cancelled"
    assert outbox()[-1].template == "booking_cancelled"


def test_other_persons_booking_404(booked, client):
    other = services.book_slot("bep-2", person(2))
    db.session.commit()
    url = f"/gerer/{booked.token}/rdv/{other.booking.id}/annuler"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert status_of(other.booking.id) == "confirmed"


def test_move_offers_free_slots_and_moves(booked, client, outbox):
    url = f"/gerer/{booked.token}/rdv/{booked.booking.id}/deplacer"
    html = client.get(url).get_data(as_text=True)
    assert 'value="bep-2"' in html and 'value="bep-1"' not in html
    assert client.post(url, data={"slot": "bep-3"}).status_code == 303
    assert status_of(booked.booking.id) == "cancelled"
    new = db.session.scalar(select(Booking).where(Booking.status == "confirmed"))
    assert new.slot.code == "bep-3"
    assert outbox()[-1].template == "booking_moved"


def test_move_to_slot_taken_meanwhile_keeps_old(booked, client):
    services.book_slot("bep-3", person(2))
    db.session.commit()
    url = f"/gerer/{booked.token}/rdv/{booked.booking.id}/deplacer"
    response = client.post(url, data={"slot": "bep-3"})
    assert response.status_code == 409
    assert "vient d" in response.get_data(as_text=True)
    assert status_of(booked.booking.id) == "confirmed"


def test_join_from_manage_page_and_leave(booked, client, outbox):
    html = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    join_url = f"/gerer/{booked.token}/groupes/grp-booking/rejoindre"
    assert join_url in html
    assert client.get(join_url).status_code == 405
    assert client.post(join_url).status_code == 303
    enrollment = db.session.scalar(select(Enrollment))
    assert enrollment.participant_id == booked.participant.id
    assert enrollment.status == "confirmed"
    leave_url = f"/gerer/{booked.token}/groupes/grp-booking/quitter"
    assert client.get(leave_url).status_code == 200
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == "confirmed"
    assert client.post(leave_url).status_code == 303
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == "cancelled"
    assert db.session.get(Cohort, enrollment.cohort_id).seats_taken == 0
    assert outbox()[-1].template == "enrollment_cancelled"


def test_calendar_download(booked, client):
    response = client.get(f"/gerer/{booked.token}/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"UID:slot-bep-1@etp.test" in response.data


def test_export_json(booked, client):
    response = client.get(f"/gerer/{booked.token}/donnees.json")
    data = json.loads(response.data)
    assert response.mimetype == "application/json"
    assert data["participant"]["email"] == "camille1@example.org"
    assert data["bookings"][0]["slot"] == "bep-1"
    page = client.get(f"/gerer/{booked.token}/donnees").get_data(as_text=True)
    assert "camille1@example.org" in page


def test_delete_via_post_only(booked, client):
    url = f"/gerer/{booked.token}/supprimer"
    assert client.get(url).status_code == 200
    assert db.session.scalar(select(Participant.anonymised_at)) is None
    assert client.post(url).status_code == 200
    db.session.expire_all()
    participant = db.session.scalar(select(Participant))
    assert participant.anonymised_at is not None and participant.email is None
    assert status_of(booked.booking.id) == "cancelled"
    assert client.get(f"/gerer/{booked.token}").status_code == 404


def test_reissue_link(booked, client, outbox):
    page = client.get("/gerer/nouveau-lien")
    assert page.status_code == 200
    response = client.post("/gerer/nouveau-lien", data={"email": "camille1@example.org"})
    assert response.status_code == 200
    message = outbox()[-1]
    assert message.template == "manage_link"
    confirm = re.search(r"(/gerer/nouveau-lien/\S+)", message.body_text).group(1)
    # opening the e-mail's link (a mail scanner, say) changes nothing
    assert client.get(confirm).status_code == 200
    assert client.get(f"/gerer/{booked.token}").status_code == 200
    answer = client.post(confirm)
    assert answer.status_code == 303
    token = answer.headers["Location"].rstrip("/").split("/gerer/")[1]
    assert client.get(f"/gerer/{token}").status_code == 200
    assert client.get(f"/gerer/{booked.token}").status_code == 404
    # the e-mail's link works once
    assert client.post(confirm).status_code == 404
    assert client.get(confirm).status_code == 404
    assert client.get("/gerer/nouveau-lien/forged").status_code == 404


def test_reissue_unknown_address_same_answer(world, client, outbox):
    response = client.post("/gerer/nouveau-lien", data={"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Regardez vos e-mails" in response.get_data(as_text=True)
    assert outbox() == []


def test_reissue_bad_address_error(world, client):
    response = client.post("/gerer/nouveau-lien", data={"email": "nobody"})
    assert 'href="#email"' in response.get_data(as_text=True)


# ---------------------------------------------------------------- cohort page


def test_cohort_page_shows_dates_seats_and_window(world, client):
    html = client.get("/groupes/grp-booking").get_data(as_text=True)
    assert html.count("Bien manger au quotidien") == 2
    assert "Il reste 3 places." in html
    assert "Inscriptions ouvertes jusqu" in html
    for name in ("first_name", "last_name", "birth_year", "email", "phone", "consent_contact"):
        assert f'name="{name}"' in html


def test_join_page_then_waiting_list_position(world, client):
    for n in range(3):
        response = client.post("/groupes/grp-booking", data={**FORM, "email": f"p{n}@example.org"})
        assert response.status_code == 303
    full = client.get("/groupes/grp-booking").get_data(as_text=True)
    assert "Le groupe est complet." in full
    response = client.post("/groupes/grp-booking", data={**FORM, "email": "late@example.org"})
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "liste d'attente" in confirmation.replace("&#39;", "'")
    assert "n° 1" in confirmation


def test_join_closed_registration(world, client, clock):
    world.cohort.registration_closes_at = clock()
    db.session.commit()
    html = client.get("/groupes/grp-booking").get_data(as_text=True)
    assert "Les inscriptions à ce groupe sont fermées." in html
    response = client.post("/groupes/grp-booking", data=FORM)
    assert response.status_code == 409
    assert db.session.scalar(select(Enrollment.id)) is None


def test_join_errors_keep_data(world, client):
    response = client.post("/groupes/grp-booking", data={**FORM, "birth_year": "2015"})
    html = response.get_data(as_text=True)
    assert 'href="#birth_year"' in html
    assert 'value="Camille"' in html
    assert db.session.scalar(select(Enrollment.id)) is None


def test_unknown_cohort_404(world, client):
    assert client.get("/groupes/nope").status_code == 404


def test_consents_can_be_given_and_withdrawn(booked, client, clock):
    participant_id = booked.participant.id
    html = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*name="consent_contact"|name="consent_contact"[^>]*checked', html
    )
    clock.advance(days=1)
    url = f"/gerer/{booked.token}/choix"
    assert client.get(url).status_code == 405
    response = client.post(url, data={"consent_share_gp": "y", "explicit_titles": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    participant = db.session.get(Participant, participant_id)
    assert participant.consent_contact_at is None
    assert participant.consent_share_gp_at == clock()
    assert participant.feed_explicit_titles is True


def test_personal_feed_address_on_manage_page_works(booked, client):
    html = client.get(f"/gerer/{booked.token}").get_data(as_text=True)
    path = re.search(r'value="http://etp\.test(/calendar/me/[^"]+\.ics)"', html).group(1)
    response = client.get(path)
    assert response.status_code == 200
    assert b"UID:slot-bep-1@etp.test" in response.data
