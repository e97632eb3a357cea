"""The whole patient path, home → orientation → programme → BEP booking, in Chromium.

Once with the keyboard alone (Tab, Enter and Space, typing in the fields) with
JavaScript on, so the enhancements (commune autocomplete) must not trap or
steal the focus; once with JavaScript off, in French and in Arabic. The booking
engineer's tests (tests/booking/test_browser.py) cover the booking and join
forms themselves; these cover the path that leads to them.
"""

import re

import pytest
from sqlalchemy import func, select

from etp_orient.booking.models import Booking
from etp_orient.extensions import db
from tests.browser.conftest import new_context, with_lang

pytestmark = [pytest.mark.browser, pytest.mark.server]


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} never got the focus with the Tab key")


def press(page, key: str) -> None:
    """Press ``key`` on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def confirmed_bookings() -> int:
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    return db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.status == "confirmed")
    )


def test_home_to_booking_with_the_keyboard_alone(app_ctx, site, live_server, browser):
    base = live_server.url
    before = confirmed_bookings()
    context = new_context(browser, base, "fr")
    page = context.new_page()
    page.goto(base + "/")

    # the skip link comes first
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link")
    tab_to(page, 'main a[href="/orientation"]')
    press(page, "Enter")

    # step 1: a pictogram button, activated with Space
    tab_to(page, "button[name=condition][value=diabete]")
    press(page, "Space")
    assert "Étape 2 sur 2" in page.content()

    # step 2: typing opens the autocomplete; Tab leaves it and goes on
    tab_to(page, "input#commune")
    page.keyboard.type("Douai")
    page.wait_for_selector("#commune-options li", state="visible")
    page.keyboard.press("Tab")
    tab_to(page, "input#age")
    page.keyboard.type("62")
    tab_to(page, "form.orientation-where button[type=submit]")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/orientation/resultats\?"))

    # results → the programme page → its dates
    tab_to(page, f'ol.results h3 a[href="/programmes/{site.programme}"]')
    press(page, "Enter")
    page.wait_for_url(f"**/programmes/{site.programme}")
    tab_to(page, f'main a.button[href="/programmes/{site.programme}/rdv"]')
    press(page, "Enter")
    slot = site.spare_slots.pop(0)  # the walk keeps site.slot free
    tab_to(page, f'a.booking-slot[href="/rdv/{slot}"]')
    press(page, "Enter")
    page.wait_for_url(f"**/rdv/{slot}")

    # the form: typed in, the consent ticked with Space, sent with Enter
    for name, value in [
        ("first_name", "Alex"),
        ("last_name", "Dupont"),
        ("birth_year", "1964"),
        ("email", "alex.dupont@example.org"),
    ]:
        tab_to(page, f'[name="{name}"]')
        page.keyboard.type(value)
    tab_to(page, '[name="consent_contact"]')
    page.keyboard.press("Space")
    assert page.is_checked('[name="consent_contact"]')
    tab_to(page, 'main form button[type="submit"]')
    press(page, "Enter")
    page.wait_for_url("**/confirmation**")
    assert "Votre rendez-vous est réservé" in page.content()
    assert confirmed_bookings() == before + 1
    context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_orientation_to_booking_without_javascript(app_ctx, site, live_server, browser, lang):
    base = live_server.url
    before = confirmed_bookings()
    context = new_context(browser, base, lang, java_script_enabled=False)
    page = context.new_page()
    page.goto(with_lang(base + "/orientation", lang))
    page.fill("input#q", "j'ai du diabète")
    with page.expect_navigation():
        page.click("form.orientation-what button[type=submit]")

    # the commune as a name with a typo and no accent; the server understands it
    page.fill("input#commune", "douaii")
    with page.expect_navigation():
        page.click("form.orientation-where button[type=submit]")
    if page.locator("input[name=commune][type=radio]").count():
        # a typo may need a choice between close names: the page asks, without JS
        page.check("input[name=commune][type=radio][value='insee:59178']")
        with page.expect_navigation():
            page.click("form.orientation-where button[type=submit]")
    page.wait_for_url(re.compile(r"/orientation/resultats\?"))

    with page.expect_navigation():
        page.click(f'ol.results h3 a[href="/programmes/{site.programme}"]')
    with page.expect_navigation():
        page.click(f'main a.button[href="/programmes/{site.programme}/rdv"]')
    with page.expect_navigation():
        page.click(f'a.booking-slot[href="/rdv/{site.spare_slots.pop(0)}"]')
    assert page.locator("main form[method=post]").count() == 1

    # first sent incomplete: the errors, what was typed kept
    page.fill('[name="first_name"]', "Samira")
    with page.expect_navigation():
        page.click('main form button[type="submit"]')
    assert page.locator(".error-summary a").count() >= 1
    assert page.input_value('[name="first_name"]') == "Samira"
    page.fill('[name="last_name"]', "Haddad")
    page.fill('[name="birth_year"]', "1971")
    page.fill('[name="phone"]', "06 12 34 56 78")
    page.check('[name="consent_contact"]')
    with page.expect_navigation():
        page.click('main form button[type="submit"]')
    page.wait_for_url("**/confirmation**")
    assert page.locator(".manage-link a").count() == 1
    assert page.evaluate("() => document.documentElement.lang") == lang
    assert confirmed_bookings() == before + 1
    context.close()
