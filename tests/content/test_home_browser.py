"""The home page in a real browser: no axe-core violations, in French and in Arabic."""

import pytest

from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def axe_page(browser):
    """A page whose context lets axe-core be injected despite the site's CSP."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_home_has_no_accessibility_violations(live_server, axe_page, lang):
    axe_page.goto(f"{live_server.url}/?lang={lang}")
    assert axe_page.locator("h1").count() == 1
    assert axe_violations(axe_page) == []


def test_call_to_action_is_reachable_by_keyboard(live_server, page):
    page.goto(live_server.url + "/")
    link = page.get_by_role("link", name="Trouver un programme près de chez moi")
    link.focus()
    assert link.evaluate("el => el === document.activeElement")
