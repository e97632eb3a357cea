"""/gestion/agenda and the subscribe partial in a real browser: axe-clean, copy button."""

import pytest

from etp_orient.accounts.passwords import hash_password
from etp_orient.extensions import db
from tests.fixtures.feeds import make_user
from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def staff(app_ctx):
    user = make_user()
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    return user


def test_new_link_page_is_accessible_and_offers_copy(live_server, axe_page, staff):
    page = axe_page
    page.goto(f"{live_server.url}/connexion")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/gestion/agenda")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Créer mon lien").click()
    address = page.locator("input.subscribe-url")
    assert "/calendar/staff/" in address.input_value()
    webcal = page.get_by_role("link", name="Ajouter à mon agenda")
    assert webcal.get_attribute("href").startswith("webcal://")
    assert page.get_by_role("button", name="Copier").count() == 1
    page.locator("details.subscribe-help summary").click()
    assert axe_violations(page) == []
