"""Before an appointment, the team sees who booked it: the slot table, the calendar and
the move page name the person (and the slot table and move page give phone, language and
needs), only to staff of that structure; each such read is audited."""

from datetime import UTC, datetime

from sqlalchemy import select

from etp_orient.booking.models import Slot
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import book, login_as, make_participant, make_world

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # the slot is on 2 December, 14:00 in Paris


def _world(app, client, role="coordinator", who="a"):
    with app.app_context():
        a, b, admin = make_world(START)
        for side in (a, b):
            person = make_participant(
                first=f"Rdv{side.structure.code[-1].upper()}",
                last="Attendu",
                email=f"rdv-{side.structure.code}@example.org",
                language="ar",
            )
            person.phone = "+33612345678"
            person.needs = "interprète, accès sans marche"
            book(person, side.slot)
        db.session.commit()
        user = admin if who == "admin" else (a if who == "a" else b).users[role]
        login_as(client, user)


def _reads(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_slot_table_names_the_person_with_phone_language_and_needs(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/programmes/prog-a/creneaux").get_data(as_text=True)
    assert "RdvA Attendu" in page
    assert 'href="tel:+33612345678"' in page
    assert "arabe" in page
    assert "interprète, accès sans marche" in page
    assert "RdvB" not in page
    assert _reads(app, "participants.read.slots")


def test_the_move_page_names_the_person(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/creneaux/slot-a/deplacer").get_data(as_text=True)
    assert "RdvA Attendu" in page and "interprète" in page and "arabe" in page
    # another structure's slot does not exist for this user
    assert client.get("/gestion/creneaux/slot-b/deplacer").status_code == 404


def test_the_calendar_names_the_person_to_the_coordinator(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "RdvA Attendu" in page
    assert "RdvB" not in page
    assert _reads(app, "participants.read.calendar")


def test_the_calendar_says_only_booked_to_an_educator_who_does_not_receive_them(app, client, clock):
    _world(app, client, role="educator")
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "réservé" in page
    assert "RdvA" not in page
    assert not _reads(app, "participants.read.calendar")


def test_the_professional_who_receives_them_sees_the_name(app, client, clock):
    _world(app, client, role="educator")
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        from etp_orient.accounts.models import User

        slot.professional_user_id = db.session.scalar(
            select(User.id).where(User.email == "educator-a@example.org")
        )
        db.session.commit()
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "RdvA Attendu" in page


def test_a_platform_admin_sees_every_name(app, client, clock):
    _world(app, client, who="admin")
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "RdvA Attendu" in page and "RdvB Attendu" in page
