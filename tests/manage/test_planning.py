"""The planning: who is expected on a day or a week, with how to reach them."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Booking, Facilitator, GroupSession, Slot
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.orientation.models import Referral
from tests.fixtures.manage import book, enroll, login_as, make_participant, make_user, make_world
from tests.manage.test_list_queries import statements_of

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday 1 December, 14:00 in Paris


def _world(app, client, role="coordinator", *, referred=True):
    """A and B; A's BEP slot (2 December) booked by a referred patient with needs."""
    with app.app_context():
        a, b, admin = make_world(START)
        gp = make_user("gp@example.org", full_name="Dr Lemoine", profession="médecin généraliste")
        person = make_participant("Nadia", "Haddad", "nadia@example.org", language="ar")
        person.phone = "+33612345678"
        person.needs = "interprète en arabe, fauteuil roulant"
        referral = Referral(
            code="k3m9x2pq",
            programme=a.programme,
            participant_id=person.id,
            referrer_user_id=gp.id,
            status="used",
            expires_at=START + timedelta(days=30),
        )
        db.session.add(referral)
        db.session.flush()
        book(person, a.slot, referral_id=referral.id if referred else None)
        book(make_participant("Bruno", "Secret", "bruno-b@example.org"), b.slot)
        users = {k: u.id for k, u in a.users.items()}
        db.session.commit()
        login_as(client, a.users[role] if role != "platform" else admin)
    return users


def test_a_day_names_everyone_expected_with_how_to_reach_them(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert "HADDAD Nadia" in page
    assert 'href="tel:+33612345678"' in page and 'href="mailto:nadia@example.org"' in page
    assert "arabe" in page and "interprète en arabe, fauteuil roulant" in page
    assert "Dr Lemoine" in page and "médecin généraliste" in page
    assert "Bilan éducatif (BEP)" in page and "14:00" in page  # 13:00 UTC in Paris
    assert "Bien manger" not in page  # the session is on 1 December
    assert "Bruno" not in page and "Programme B" not in page


def test_a_group_session_lists_its_confirmed_people(app, client, clock):
    _world(app, client)
    with app.app_context():
        from etp_orient.booking.models import Cohort

        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        enroll(make_participant("Zoé", "Waiting", "zoe@example.org"), cohort, "waitlisted", 1)
        enroll(make_participant("Yves", "Arnaud", "yves@example.org"), cohort)
        db.session.commit()
    page = client.get("/gestion/planning?date=2026-12-01").get_data(as_text=True)
    assert "Bien manger" in page and "14:00" in page
    assert "SECRET PatientA" in page and "ARNAUD Yves" in page
    assert "Zoé" not in page  # the waiting list is not expected
    assert page.index("ARNAUD Yves") < page.index("SECRET PatientA")  # by name
    assert "2 personnes" in page
    assert "De lui-même" in page
    assert "PatientB" not in page


def test_the_week_runs_monday_to_sunday(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/planning?date=2026-12-03&vue=semaine").get_data(as_text=True)
    assert "lundi 30 novembre 2026" in page and "dimanche 6 décembre 2026" in page
    assert "lundi 7 décembre 2026" not in page
    assert "Bien manger" in page and "HADDAD Nadia" in page
    assert "Bouger plus" not in page  # 8 December, the week after


def test_today_by_default_from_the_clock(app, client, clock):
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    _world(app, client)
    page = client.get("/gestion/planning").get_data(as_text=True)
    assert "mardi 1 décembre 2026" in page and "Bien manger" in page


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2026-13-45", "Date inconnue"),
        ("demain", "Date inconnue"),
        ("1999-12-31", "entre 2000 et 2100"),
        ("2101-01-01", "entre 2000 et 2100"),
        ("0001-01-01", "entre 2000 et 2100"),
        ("9999-12-31", "entre 2000 et 2100"),
    ],
)
def test_a_bad_date_gets_a_message_and_today(app, client, clock, raw, message):
    _world(app, client)
    response = client.get(f"/gestion/planning?date={raw}&vue=semaine")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'value="{raw}"' in page
    assert "lundi 23 novembre 2026" in page  # the week of the clock's today


def test_cancelled_bookings_are_not_expected_but_past_ones_are(app, client, clock):
    _world(app, client)
    with app.app_context():
        booking = db.session.scalar(select(Booking).join(Slot).where(Slot.code == "slot-a"))
        booking.status = "cancelled"
        db.session.commit()
    assert "Nadia" not in client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    with app.app_context():
        booking = db.session.scalar(select(Booking).join(Slot).where(Slot.code == "slot-a"))
        booking.status, booking.outcome = "confirmed", "no_show"
        db.session.commit()
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert "HADDAD Nadia" in page and "pas venu" in page


def test_days_are_cut_in_the_sites_time_zone(app, client, clock):
    _world(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        # 22:00 UTC on 2 December is 02:00 on 3 December in Réunion
        slot.start_at = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
        slot.end_at = slot.start_at + timedelta(minutes=45)
        slot.timezone = "Indian/Reunion"
        db.session.commit()
    assert "Nadia" not in client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    page = client.get("/gestion/planning?date=2026-12-03").get_data(as_text=True)
    assert "HADDAD Nadia" in page and "02:00" in page


def test_an_educator_sees_only_what_they_run(app, client, clock):
    users = _world(app, client, "educator")
    page = client.get("/gestion/planning?date=2026-12-01").get_data(as_text=True)
    assert "Bien manger" in page and "SECRET PatientA" in page  # they facilitate grp-a
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert "Nadia" not in page  # the BEP is not theirs
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.professional_user_id = users["educator"]
        db.session.execute(Facilitator.__table__.delete())
        db.session.commit()
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert "HADDAD Nadia" in page
    page = client.get("/gestion/planning?date=2026-12-01").get_data(as_text=True)
    assert "Bien manger" not in page


def test_an_educator_who_runs_one_session_sees_that_one(app, client, clock):
    users = _world(app, client, "educator")
    with app.app_context():
        db.session.execute(Facilitator.__table__.delete())
        second = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-2"))
        db.session.add(Facilitator(session=second, user_id=users["educator"], name="Educ"))
        db.session.commit()
    assert "Bien manger" not in client.get("/gestion/planning?date=2026-12-01").get_data(
        as_text=True
    )
    assert "Bouger plus" in client.get("/gestion/planning?date=2026-12-08").get_data(as_text=True)


def test_a_platform_admin_sees_every_structure(app, client, clock):
    _world(app, client, "platform")
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert "HADDAD Nadia" in page and "SECRET Bruno" in page


def test_reading_the_planning_is_audited(app, client, clock):
    users = _world(app, client)
    client.get("/gestion/planning?date=2026-12-02")
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "participants.read.planning")
        )
        assert event.actor_user_id == users["coordinator"] and event.object_id == "2026-12-02"


def test_the_page_prints_without_navigation(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/planning?date=2026-12-02").get_data(as_text=True)
    assert 'media="print"' in page
    assert 'class="no-print planning-form"' in page and "data-print" in page
    css = (Path(app.static_folder) / "css" / "print.css").read_text()
    assert ".planning-people" in css and "size: A4" in css and "nav" in css


def test_the_calendar_links_each_day_to_its_planning(app, client, clock):
    _world(app, client)
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert 'href="/gestion/planning?date=2026-12-02"' in page
    page = client.get("/gestion/calendrier?vue=mois&date=2026-12-02").get_data(as_text=True)
    assert 'href="/gestion/planning?date=2026-12-31"' in page


def test_the_dashboard_shows_today(app, client, clock):
    clock.set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    _world(app, client)
    page = client.get("/gestion/").get_data(as_text=True)
    today = page.split('id="today-title"')[1].split("</section>")[0]
    assert "14:00" in today and "Bilan éducatif (BEP)" in today and "1 personne" in today
    assert 'href="/gestion/planning"' in today
    assert "Nadia" not in today  # a compact list: no names on the dashboard


def test_a_bounded_number_of_statements_whatever_the_rows(app, client, clock):
    _world(app, client)
    with app.app_context():
        from etp_orient.booking.models import Cohort

        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        programme, site = cohort.programme, cohort.site
    url = "/gestion/planning?date=2026-12-01&vue=semaine"
    with app.app_context(), statements_of(db.engine) as few:
        assert client.get(url).status_code == 200
    with app.app_context():
        cohort = db.session.merge(cohort)
        for n in range(6):
            enroll(make_participant(f"P{n}", "Extra", f"p{n}@example.org"), cohort)
            slot = Slot(
                code=f"extra-{n}",
                programme=db.session.merge(programme),
                kind="final" if n % 2 else "followup",
                site=db.session.merge(site),
                start_at=START + timedelta(days=2, hours=n),
                end_at=START + timedelta(days=2, hours=n, minutes=30),
                timezone="Europe/Paris",
            )
            db.session.add(slot)
            book(make_participant(f"S{n}", "Extra", f"s{n}@example.org"), slot)
        db.session.commit()
    with app.app_context(), statements_of(db.engine) as many:
        page = client.get(url).get_data(as_text=True)
    assert "EXTRA P5" in page and "EXTRA S5" in page
    assert len(many) == len(few), "\n".join(s[:150] for s in many)


def test_an_open_session_without_a_group_is_listed(app, client, clock):
    _world(app, client)
    with app.app_context():
        ses = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-3"))
        db.session.add(
            GroupSession(
                code="open-a",
                workshop=ses.workshop,
                site=ses.cohort.site,
                start_at=datetime(2026, 12, 4, 9, 0, tzinfo=UTC),
                end_at=datetime(2026, 12, 4, 11, 0, tzinfo=UTC),
                timezone="Europe/Paris",
                capacity=10,
            )
        )
        db.session.commit()
    page = client.get("/gestion/planning?date=2026-12-04").get_data(as_text=True)
    assert "Mes traitements" in page and "10:00" in page and "Personne d" in page
    assert "/gestion/groupes/prog-a" not in page  # no group to link to
