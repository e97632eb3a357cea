"""Cohorts are named for people ("Groupe du mardi 1 décembre – Angoulême"), not by code."""

from datetime import UTC, datetime

from tests.fixtures.manage import login_as, make_world

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday 1 December, 14:00 in Paris


def test_group_pages_and_dashboard_name_the_cohort(app, client, clock):
    with app.app_context():
        a, b, admin = make_world(START)
        login_as(client, a.users["coordinator"])
    label = "Groupe du mardi 1 décembre – Angoulême"
    group = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    assert f"<h1>{label}</h1>" in group
    for path in ("/gestion/programmes/prog-a/groupes", "/gestion/groupes/grp-a/presences"):
        assert label in client.get(path).get_data(as_text=True), path


def test_codes_that_stand_for_people_or_places_are_shown_readable(app, client, clock):
    from sqlalchemy import select

    from etp_orient.booking.models import Slot
    from etp_orient.extensions import db

    with app.app_context():
        a, b, admin = make_world(START)
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        slot.site, slot.remote = None, "phone"
        db.session.commit()
        login_as(client, a.users["coordinator"])
    programme = client.get("/gestion/programmes/prog-a").get_data(as_text=True)
    assert "Infirmier ou infirmière" in programme and "Diététicien ou diététicienne" in programme
    assert "<li>infirmier" not in programme
    calendar = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "– téléphone" in calendar
    assert "– phone" not in calendar
