"""Orientation in a real browser: keyboard only, with and without JavaScript, the A4 sheet."""

import re
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def press_enter_and_wait(page) -> None:
    """Press Enter on the focused control and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def french_day(at) -> str:
    """'3 décembre': a date as the French pages write it, in Paris time."""
    from babel.dates import format_date

    return format_date(at.astimezone(ZoneInfo("Europe/Paris")).date(), "d MMMM", locale="fr")


def patient_flow_with_words(page, base, next_slot):
    page.goto(base + "/orientation")
    tab_to(page, "input#q")
    page.keyboard.type("j'ai du sucre dans le sang")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/orientation\?"))
    assert "Étape 2 sur 2" in page.content()
    tab_to(page, "input[name=commune], input#commune")
    page.keyboard.type("59000")
    page.keyboard.press("Escape")
    tab_to(page, "form.orientation-where button[type=submit]")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/orientation/resultats"))
    assert page.get_by_role("heading", name="Vivre avec un diabète de type 2").is_visible()
    assert f"Prochain rendez-vous le {french_day(next_slot.start_at)}" in page.content()


def test_patient_steps_keyboard_with_js(offer, live_server, page):
    patient_flow_with_words(page, live_server.url, offer["slots"]["bep-dt2-lille-2"])
    tab_to(page, "a[href^='/orientation/carte']")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/orientation/carte"))
    page.wait_for_selector("#map.leaflet-container")
    assert page.locator(".leaflet-marker-icon").count() >= 1


def test_patient_steps_keyboard_without_js(offer, live_server, nojs_page):
    patient_flow_with_words(nojs_page, live_server.url, offer["slots"]["bep-dt2-lille-2"])


def test_pictogram_and_shared_postal_code_without_js(offer, live_server, nojs_page):
    page = nojs_page
    page.goto(live_server.url + "/orientation")
    tab_to(page, "button[name=condition][value=diabete]")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"condition=diabete"))
    tab_to(page, "input[name=commune]")
    page.keyboard.type("16730")
    tab_to(page, "form.orientation-where button[type=submit]")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/orientation/resultats"))
    # a shared postal code is enough: results around it, the exact commune optional
    assert "Plusieurs communes correspondent" not in page.content()
    assert "Autour de" in page.content()
    assert page.get_by_role("heading", name="Diabète de type 2 en Angoumois").is_visible()
    tab_to(page, "details.place-communes summary")
    page.keyboard.press("Enter")
    tab_to(page, "a[href*='commune=insee:16187']")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"commune=insee(:|%3A)16187"))
    assert "Autour de" not in page.content()
    assert page.get_by_role("heading", name="Diabète de type 2 en Angoumois").is_visible()


def pro_flow(page, base):
    page.goto(base + "/pro/orienter")
    tab_to(page, "input#q")
    page.keyboard.type("bpco")
    tab_to(page, "input[name=commune]")
    page.keyboard.type("59000")
    page.keyboard.press("Escape")
    tab_to(page, "input#age")
    page.keyboard.type("64")
    tab_to(page, "form.pro-form button[type=submit]")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/pro/orienter\?"))
    tab_to(page, "form[action='/pro/orienter/bpco-lille'] button")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/pro/orientation/[a-z2-9]{8}$"))
    code = page.url.rsplit("/", 1)[1]
    assert code.upper() in page.locator(".sheet-code").inner_text()
    assert page.locator(".sheet-qr svg").count() == 1
    tab_to(page, "input#email")
    page.keyboard.type("patient@example.org")
    tab_to(page, "input#consent")
    page.keyboard.press("Space")
    tab_to(page, "form[action$='/envoyer'] button")
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/pro/orientation/[a-z2-9]{8}$"))
    assert "Le lien a été envoyé au patient." in page.content()
    return code


def test_pro_flow_keyboard_with_js(offer, live_server, page):
    pro_flow(page, live_server.url)


def test_pro_flow_keyboard_without_js(offer, live_server, nojs_page):
    pro_flow(nojs_page, live_server.url)


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", data))


def test_printed_sheet_fits_one_a4_page(offer, live_server, page):
    page.goto(live_server.url + "/pro/orienter?condition=diabete-type-2&commune=59000")
    page.locator("form[action='/pro/orienter/dt2-lille'] button").click()
    page.wait_for_url(re.compile(r"/pro/orientation/"))
    page.emulate_media(media="print")
    assert not page.locator("form[action$='/envoyer']").is_visible()
    assert page.locator(".sheet-code").is_visible()
    pdf = page.pdf(format="A4", print_background=False)
    assert _pdf_pages(pdf) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/orientation",
        "/orientation?q=sucre",
        "/orientation/resultats?q=sucre&commune=59000",
        "/orientation/resultats?q=sucre&commune=16730",
        "/orientation/resultats?q=sucre&commune=59000&lang=ar",
        "/orientation/carte?q=sucre&commune=59000",
        "/programmes/dt2-lille",
        "/pro/orienter?condition=bpco&commune=59000",
    ],
)
def test_pages_have_no_accessibility_violations(offer, live_server, axe_page, path):
    axe_page.goto(live_server.url + path)
    assert axe_violations(axe_page) == []


def test_commune_autocomplete_with_keyboard(offer, live_server, page):
    page.goto(live_server.url + "/orientation?q=diab%C3%A8te+de+type+2")
    tab_to(page, "input[name=commune]")
    page.keyboard.type("Trois-Pal")
    page.wait_for_selector("#commune-options li[role=option]")
    assert page.get_attribute("input#commune", "aria-expanded") == "true"
    found = page.locator("#commune-options li[role=option]").count()
    # what a screen reader hears, in the page's language
    assert page.text_content(".commune-autocomplete [role=status]") == (
        f"Communes proposées : {found}. Flèche du bas pour les parcourir."
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("input#commune").startswith("Trois-Palis")
    assert page.locator("input[type=hidden][value='insee:16388']").count() == 1
    tab_to(page, "form.orientation-where button[type=submit]")
    press_enter_and_wait(page)
    assert "commune=insee%3A16388" in page.url
    assert page.get_by_role("heading", name="Diabète de type 2 en Angoumois").is_visible()


def test_commune_autocomplete_speaks_the_page_language(offer, live_server, page):
    page.goto(live_server.url + "/orientation?q=diab%C3%A8te+de+type+2&lang=en")
    tab_to(page, "input[name=commune]")
    page.keyboard.type("Trois-Pal")
    page.wait_for_selector("#commune-options li[role=option]")
    found = page.locator("#commune-options li[role=option]").count()
    status = page.text_content(".commune-autocomplete [role=status]")
    assert status == f"Suggested communes: {found}. Press the down arrow to go through them."
    page.keyboard.type("zzqx")
    page.wait_for_selector("#commune-options", state="hidden")
    assert page.text_content(".commune-autocomplete [role=status]") == "No commune found."
