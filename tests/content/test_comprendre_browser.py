"""The /comprendre pages in Chromium: no axe-core violation, and the "Écouter" button."""

import pytest

from tests.content.comprendre_paths import ALL_PATHS
from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

# A stand-in for the browser's speech synthesis that records what it is asked to say.
FAKE_SPEECH = """
window.__spoken = [];
window.__cancelled = 0;
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  speak: function (u) { window.__spoken.push({text: u.text, lang: u.lang}); },
  cancel: function () { window.__cancelled += 1; },
  getVoices: function () { return []; }
}});
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def test_every_comprendre_page_has_no_accessibility_violation(live_server, page):
    found = {}
    for path in ALL_PATHS:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1, path
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_comprendre_pages_have_no_violation_in_english_and_arabic(live_server, page, lang):
    for path in ("/comprendre/", "/comprendre/etp", "/comprendre/facile/etp"):
        page.goto(f"{live_server.url}{path}?lang={lang}")
        assert axe_violations(page) == [], path


def test_listen_button_reads_the_main_text_in_the_page_language(live_server, page):
    page.add_init_script(FAKE_SPEECH)
    page.goto(live_server.url + "/comprendre/premier-rendez-vous")
    button = page.get_by_role("button", name="Écouter")
    button.click()
    spoken = page.evaluate("window.__spoken")
    texts = [item["text"] for item in spoken]
    assert texts[0] == "Le premier rendez-vous"
    assert any(text.startswith("Tout commence par un rendez-vous") for text in texts)
    assert not any("etp-orient" in text for text in texts)  # header and footer are not read
    assert {item["lang"] for item in spoken} == {"fr-FR"}
    assert page.get_by_role("button", name="Arrêter la lecture").is_visible()


def test_listen_button_stops_the_reading(live_server, page):
    page.add_init_script(FAKE_SPEECH)
    page.goto(live_server.url + "/comprendre/etp")
    page.get_by_role("button", name="Écouter").click()
    before = page.evaluate("window.__cancelled")
    page.get_by_role("button", name="Arrêter la lecture").click()
    assert page.evaluate("window.__cancelled") == before + 1
    assert page.get_by_role("button", name="Écouter").is_visible()


def test_no_listen_button_without_speech_synthesis(live_server, page):
    page.add_init_script(NO_SPEECH)
    page.goto(live_server.url + "/comprendre/etp")
    assert page.locator(".listen-button").count() == 0


def test_no_listen_button_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/comprendre/etp")
        assert page.locator("h1").count() == 1
        assert page.locator("button").count() == 0
    finally:
        context.close()


def test_comprendre_pages_reflow_at_320_pixels(live_server, browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        for path in ("/comprendre/", "/comprendre/mes-donnees", "/comprendre/facile/etp"):
            page.goto(live_server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (path, width)
    finally:
        context.close()
