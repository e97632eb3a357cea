"""The indicators page in Chromium: a summary that fits, charts drawn without JavaScript,
mirrored in Arabic, the details one click away; axe-clean in fr, en and ar."""

from datetime import UTC, datetime

import pytest

from tests.fixtures.manage import PASSWORD, make_world
from tests.fixtures.servers import axe_violations
from tests.manage.test_indicators import _world

pytestmark = [pytest.mark.browser, pytest.mark.server]

LOCALES = {"fr": "fr-FR", "en": "en-GB", "ar": "ar"}


def new_context(browser, base: str, lang: str, **options):
    """A context in ``lang`` (1280×900) that refuses and notes every third-party request."""
    context = browser.new_context(
        locale=LOCALES[lang], viewport={"width": 1280, "height": 900}, **options
    )
    context.third_party = []

    def refuse(route):
        context.third_party.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(base), refuse)
    return context


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


@pytest.fixture
def admin(app_ctx, clock):
    clock.set(datetime(2027, 1, 10, 12, tzinfo=UTC))
    _a, _b, admin = make_world()
    _world()
    return admin.email


def _log_in(page, base, email):
    page.goto(f"{base}/connexion")
    page.fill('[name="email"]', email)
    page.fill('[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base}/gestion/")


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_indicators_are_axe_clean_and_fit(live_server, browser, admin, lang):
    base = live_server.url
    context = new_context(browser, base, lang)
    page = context.new_page()
    try:
        _log_in(page, base, admin)
        page.goto(with_lang(f"{base}/gestion/indicateurs?annee=2026", lang))
        assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
        charts = page.locator("svg.chart")
        assert charts.count() == 4
        # the summary (key figures and charts) ends within two screens; the rest is closed
        bottom = page.evaluate(
            "document.querySelector('.charts').getBoundingClientRect().bottom + window.scrollY"
        )
        assert bottom < 2 * 900
        assert page.locator("details[open]").count() == 0
        assert not page.locator("#rule-bep_patients, table.indicators .rule").first.is_visible()
        # bars grow from the start side of the reading direction
        svg = charts.nth(0).bounding_box()
        bar = page.locator("svg.chart").nth(0).locator("rect").first.bounding_box()
        if lang == "ar":
            assert abs((bar["x"] + bar["width"]) - (svg["x"] + svg["width"])) < 2
        else:
            assert abs(bar["x"] - svg["x"]) < 2
        assert axe_violations(page) == []
        page.locator("details.indicator-details summary").click()
        assert page.locator("table.indicators .rule").first.is_visible()
        assert axe_violations(page) == []
        page.locator("#by-programme ~ .table-scroll a").first.click()
        assert "/gestion/indicateurs/" in page.url
        assert page.locator("table.indicators .rule").first.is_visible()
        assert axe_violations(page) == []
        assert context.third_party == []
    finally:
        context.close()


def test_charts_are_drawn_without_javascript(live_server, browser, admin):
    base = live_server.url
    context = new_context(browser, base, "fr", java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, base, admin)
        page.goto(f"{base}/gestion/indicateurs?annee=2026")
        box = page.locator("svg.chart rect").first.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 5
        assert "Professionnel" in page.locator("#chart-channels + svg").inner_html()
    finally:
        context.close()
