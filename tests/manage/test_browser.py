"""The coordinator's day in headless Chromium, against the app under gunicorn:
log in, open BEP slots in bulk, plan a cohort, move a session (the participant
gets the e-mail through a real SMTP server after send-outbox), take attendance
on a phone-sized screen."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from etp_orient.booking.models import Attendance, Cohort, Slot
from etp_orient.extensions import db
from tests.fixtures.manage import PASSWORD, make_world

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def world(app_ctx):
    a, b, admin = make_world()
    return {
        "coordinator": a.users["coordinator"].email,
        # the team member linked to the educator's account
        "educator_member_id": a.members["educator"].id,
        "participant_id": a.participant.id,
    }


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/connexion")
    page.fill('[name="email"]', email)
    page.fill('[name="password"]', PASSWORD)
    page.click('button[type="submit"]:has-text("Se connecter")')
    page.wait_for_url(f"{base}/gestion/")


def test_coordinator_day(live_server, world, page, browser, smtp_server, runner, app, clock):
    base = live_server.url
    log_in(page, base, world["coordinator"])
    assert page.locator("h1").inner_text() == "Tableau de bord"

    # BEP slots in bulk: Tuesdays 9:00–12:00, 45 minutes, December, except the 22nd.
    page.goto(f"{base}/gestion/programmes/prog-a/creneaux")
    page.select_option('[name="site"]', "site-a")
    page.check('input[name="weekdays"][value="1"]')
    page.fill('[name="start_time"]', "09:00")
    page.fill('[name="end_time"]', "12:00")
    page.fill('[name="duration"]', "45")
    page.fill('[name="date_from"]', "2026-12-01")
    page.fill('[name="date_to"]', "2026-12-31")
    page.fill('[name="except_dates"]', "2026-12-22")
    page.click('button[value="preview"]')
    assert "Aperçu : 16 créneaux" in page.locator("#preview-title").inner_text()
    page.click('button[value="create"]')
    assert "16 créneaux créés" in page.locator(".flashes").inner_text()
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(Slot.id)).where(Slot.code.not_in(["slot-a", "slot-b"]))
            )
            == 16
        )

    # A cohort of the three workshops on Mondays, with the educator.
    page.goto(f"{base}/gestion/programmes/prog-a/groupes")
    page.select_option('[name="site"]', "site-a")
    page.fill('[name="capacity"]', "8")
    page.fill('[name="first_day"]', "2026-12-07")
    page.fill('[name="start_time"]', "14:00")
    page.select_option('[name="every"]', "1")
    page.fill('[name="room"]', "Salle bleue")
    page.check(f'input[name="facilitators"][value="{world["educator_member_id"]}"]')
    page.click('button[value="preview"]')
    assert "Aperçu : 3 séances" in page.locator("#plan-title").inner_text()
    page.click('button[value="create"]')
    assert "Groupe créé avec 3 séances" in page.locator(".flashes").inner_text()
    with app.app_context():
        assert db.session.scalar(select(func.count(Cohort.id))) == 3

    # Move a session of the group that has a participant.
    page.goto(f"{base}/gestion/groupes/grp-a")
    page.locator("a:has-text('Déplacer')").first.click()
    page.fill('[name="day"]', "2026-12-18")
    page.fill('[name="start_time"]', "10:00")
    page.click('button:has-text("Déplacer et prévenir")')
    assert "personnes sont prévenues" in page.locator(".flashes").inner_text()
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    to_patient = [m for m in smtp_server.messages if "patient-a@example.org" in m["To"]]
    assert len(to_patient) == 1
    message = to_patient[0]
    assert "change de date" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "18 décembre 2026" in body
    calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendars and "SEQUENCE:1" in calendars[0].get_content()

    # Attendance at the door, on a phone, on the day of the group's next session (2 December).
    clock.set(datetime(2026, 12, 2, 8, 30, tzinfo=UTC))
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    try:
        log_in(mobile, base, world["coordinator"])
        mobile.goto(f"{base}/gestion/groupes/grp-a/presences")
        button = mobile.locator("button.roll-present").first
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        with mobile.expect_navigation():
            button.tap()
        assert mobile.locator("button.roll-present").first.get_attribute("aria-pressed") == "true"
        assert "présent" in mobile.locator(".roll-state").first.inner_text()
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        phone.close()
    with app.app_context():
        assert db.session.scalar(select(Attendance.status)) == "present"


PAGES = [
    "/gestion/",
    "/gestion/calendrier?date=2026-12-01",
    "/gestion/calendrier?vue=mois&date=2026-12-01",
    "/gestion/programmes",
    "/gestion/programmes/prog-a",
    "/gestion/programmes/prog-a/creneaux",
    "/gestion/programmes/prog-a/groupes",
    "/gestion/groupes/grp-a",
    "/gestion/groupes/grp-a/presences",
    "/gestion/planning?date=2026-11-25&vue=semaine",
    "/gestion/seances/ses-a-2/deplacer",
    "/gestion/sites",
    "/gestion/indicateurs",
    "/gestion/webhooks",
]


def test_back_office_pages_have_no_accessibility_violations(live_server, world, page):
    from tests.fixtures.servers import axe_violations

    page.goto(f"{live_server.url}/connexion")
    assert axe_violations(page) == []
    log_in(page, live_server.url, world["coordinator"])
    found = {}
    for path in [*PAGES, f"/gestion/personnes/{world['participant_id']}/messages"]:
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
