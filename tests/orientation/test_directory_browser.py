"""The directory and its map in Chromium (issue 15, points 1 and 2): markers from the API,
clustered; the list under the map holds the same sites; axe-clean in fr/en/ar; the
filters work with the keyboard and without JavaScript."""

import json
import re

import pytest

from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]


def local_only(page, base: str) -> None:
    """Refuse every request that leaves the test server (the map's tiles)."""
    page.route(
        re.compile(r"^https?://"),
        lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
    )


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


def test_map_markers_match_the_list(offer, live_server, page):
    local_only(page, live_server.url)
    page.goto(live_server.url + "/programmes/carte?condition=diabete")
    # Leaflet is not loaded until the person asks for the map (the page stays light)
    assert page.evaluate("() => typeof window.L") == "undefined"
    page.get_by_role("button", name="Afficher la carte").click()
    page.wait_for_selector("#offer-map[data-loaded]")
    assert page.get_attribute("#offer-map", "data-loaded") == "5"
    listed = page.eval_on_selector_all("li.offer-site", "els => els.map(e => e.dataset.site)")
    markers = json.loads(
        page.locator("body").evaluate(
            "async () => JSON.stringify(await (await fetch(document.getElementById('offer-map')"
            ".dataset.markers)).json())"
        )
    )
    assert sorted(listed) == sorted(s["code"] for s in markers["sites"])
    # drawn on the map, clustered: the four mainland sites in one cluster at this zoom
    # (the whole of France and La Réunion in view), the Réunion site on its own
    # (the cluster layer adds its markers after the map has loaded: wait for them)
    page.wait_for_selector(".leaflet-marker-icon.marker-cluster", timeout=15_000)
    assert page.locator(".leaflet-marker-icon").count() >= 2
    # zoomed in on Réunion, its one site is a plain marker that opens its programmes
    marker = page.locator(".leaflet-marker-icon[title='CHU Félix-Guyon']")
    marker.wait_for(timeout=15_000)
    assert marker.count() == 1, "the Réunion site has no marker of its own"
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.get_by_role("link", name="Diabète de type 2 à La Réunion").count() == 1


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize(
    "path", ["/programmes/carte?condition=diabete", "/programmes?departement=59", "/pro/offre"]
)
def test_no_accessibility_violations(offer, live_server, axe_page, lang, path):
    local_only(axe_page, live_server.url)
    axe_page.goto(
        f"{live_server.url}{path}&lang={lang}"
        if "?" in path
        else f"{live_server.url}{path}?lang={lang}"
    )
    if "carte" in path:
        assert axe_violations(axe_page) == []  # before the map is asked for
        axe_page.locator("button.show-map").click()
        axe_page.wait_for_selector("#offer-map[data-loaded]")
    assert axe_violations(axe_page) == []


def test_filters_without_javascript(offer, live_server, nojs_page):
    page = nojs_page
    page.goto(live_server.url + "/programmes")
    page.select_option("#f-condition", "respiratoire")
    page.select_option("#f-departement", "59")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher", exact=True).click()
    assert "condition=respiratoire" in page.url and "departement=59" in page.url
    titles = page.locator(".directory-row h3").all_inner_texts()
    assert titles == ["L'asthme de mon enfant", "Mieux respirer avec une BPCO"]
