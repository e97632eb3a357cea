"""The booking path in headless Chromium: keyboard only, JavaScript off, and axe-clean pages."""

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Booking, Enrollment
from etp_orient.extensions import db
from tests.fixtures.booking import make_world
from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def live_world(app_ctx):
    world = make_world(slots=4, capacity=2)
    db.session.commit()
    return world


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    yield context.new_page()
    context.close()


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} never got the focus")


def fill_by_keyboard(page) -> None:
    for name, value in [
        ("first_name", "Camille"),
        ("last_name", "Martin"),
        ("birth_year", "1970"),
        ("email", "camille@example.org"),
    ]:
        tab_to(page, f'[name="{name}"]')
        page.keyboard.type(value)
    tab_to(page, '[name="consent_contact"]')
    page.keyboard.press("Space")


def test_book_then_join_with_keyboard_only_without_javascript(live_server, live_world, no_js_page):
    page = no_js_page
    page.goto(f"{live_server.url}/programmes/prog-booking/rdv")
    tab_to(page, 'a[href^="/rdv/bep-1"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/rdv/bep-1")
    fill_by_keyboard(page)
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirmation**")
    assert "Votre rendez-vous est réservé" in page.content()
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    assert db.session.scalar(select(Booking.status)) == "confirmed"

    # then join the group from the manage page, still by keyboard
    tab_to(page, ".manage-link a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/gerer/*")
    tab_to(page, 'form[action$="/rejoindre"] button')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Vous avez une place dans le groupe" in page.content()
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    assert db.session.scalar(select(Enrollment.status)) == "confirmed"


def test_join_form_with_keyboard_only_without_javascript(live_server, live_world, no_js_page):
    page = no_js_page
    page.goto(f"{live_server.url}/groupes/grp-booking")
    fill_by_keyboard(page)
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/confirmation**")
    assert "Votre inscription est enregistrée" in page.content()


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_booking_pages_have_no_accessibility_violations(live_server, live_world, axe_page):
    page = axe_page
    found = {}
    page.goto(f"{live_server.url}/programmes/prog-booking/rdv")
    found["slots"] = axe_violations(page)
    page.goto(f"{live_server.url}/rdv/bep-1?pro=1")
    found["form"] = axe_violations(page)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    assert page.locator(".error-summary").count() == 1
    found["form with errors"] = axe_violations(page)
    page.goto(f"{live_server.url}/rdv/bep-1")
    page.fill('[name="first_name"]', "Camille")
    page.fill('[name="last_name"]', "Martin")
    page.fill('[name="birth_year"]', "1970")
    page.fill('[name="email"]', "camille@example.org")
    page.click('button[type="submit"]')
    page.wait_for_url("**/confirmation**")
    found["confirmation"] = axe_violations(page)
    page.click(".manage-link a")
    page.wait_for_url("**/gerer/*")
    found["manage"] = axe_violations(page)
    page.goto(f"{live_server.url}/rdv/bep-1")
    found["taken"] = axe_violations(page)
    page.goto(f"{live_server.url}/groupes/grp-booking")
    found["cohort"] = axe_violations(page)
    page.goto(f"{live_server.url}/gerer/nouveau-lien")
    found["new link"] = axe_violations(page)
    page.goto(f"{live_server.url}/rdv/bep-2?lang=ar")
    found["form in Arabic"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


def test_an_offer_on_the_manage_page_is_accessible_and_accepted_without_javascript(
    live_server, live_world, no_js_page, axe_page
):
    """A freed place offered from the waiting list: the manage page shows the deadline and
    the two buttons (axe-clean in French and Arabic); accepting works without JavaScript."""
    from etp_orient.booking import services
    from etp_orient.booking.models import Enrollment
    from etp_orient.extensions import db
    from tests.fixtures.booking import person

    people = []
    for n in range(4):  # two places, two waiting
        people.append(services.join_cohort("grp-booking", data=person(800 + n)))
        db.session.commit()
    services.leave_cohort(people[0].participant, "grp-booking")
    db.session.commit()
    token, enrollment_id = people[2].token, people[2].enrollment.id
    found = {}
    axe_page.goto(f"{live_server.url}/gerer/{token}")
    assert "Répondez avant le" in axe_page.content()
    found["offer"] = axe_violations(axe_page)
    axe_page.goto(f"{live_server.url}/gerer/{token}?lang=ar")
    found["offer in Arabic"] = axe_violations(axe_page)
    assert {name: v for name, v in found.items() if v} == {}
    page = no_js_page
    page.goto(f"{live_server.url}/gerer/{token}")
    with page.expect_navigation():
        page.get_by_role("button", name="Je prends la place").click()
    assert "Vous avez une place dans le groupe. Un e-mail vous le confirme." in page.content()
    db.session.rollback()  # end the test's read snapshot: see the server's write
    assert db.session.get(Enrollment, enrollment_id).status == "confirmed"
