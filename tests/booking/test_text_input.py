"""The booking form and the login form refuse control characters with a message next to
the field and drop invisible ones (``core.forms.BaseForm``)."""

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Participant
from etp_orient.extensions import db
from tests.core.test_clean import ARABIC
from tests.fixtures.booking import FORM


def test_a_booking_keeps_the_name_without_the_override_and_arabic_intact(client, world):
    data = dict(FORM, first_name="Ana\u202e", last_name=ARABIC, email="ana@example.org")
    response = client.post("/rdv/bep-1", data=data)
    assert response.status_code == 303
    person = db.session.scalar(select(Participant).where(Participant.email == "ana@example.org"))
    assert person.first_name == "Ana"
    assert person.last_name == ARABIC


@pytest.mark.parametrize("field", ["first_name", "last_name", "needs", "referral_code", "email"])
def test_an_escape_in_the_booking_form_gets_a_message_and_nothing_is_saved(client, world, field):
    data = dict(FORM, email="esc@example.org")
    data[field] = "x\x1b[31my" if field != "email" else "esc\x1b@example.org"
    response = client.post("/rdv/bep-1", data=data)
    assert response.status_code == 200
    assert "Ce texte contient un caractère invisible non autorisé." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Participant.id)) is None


def test_a_line_break_in_a_name_asks_for_one_line(client, world):
    response = client.post("/rdv/bep-1", data=dict(FORM, last_name="Mar\ntin"))
    assert response.status_code == 200
    assert "Écrivez ce texte sur une seule ligne." in response.get_data(as_text=True)
    assert db.session.scalar(select(Participant.id)) is None


def test_an_escape_in_the_login_email_gets_a_message(client, app_ctx):
    response = client.post("/connexion", data={"email": "a\x1b@b.fr", "password": "x"})
    assert response.status_code == 200
    assert "Ce texte contient un caractère invisible non autorisé." in response.get_data(
        as_text=True
    )


def test_back_office_lists_isolate_names(app, client, clock):
    """A name that ends in a right-to-left word does not reorder the phone after it."""
    from tests.fixtures.manage import login_as, make_world

    with app.app_context():
        a, _b, _admin = make_world()
        login_as(client, a.users["coordinator"])
    group = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    assert "<bdi>PatientA Secret</bdi>" in group
    attendance = client.get("/gestion/groupes/grp-a/presences").get_data(as_text=True)
    assert "<bdi>PatientA Secret</bdi>" in attendance
