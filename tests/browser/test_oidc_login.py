"""The login page with an OpenID provider's button, in a real browser, against a real
provider on loopback: axe-clean in fr/en/ar, and the whole sign-in by the keyboard-free
click path (button, the provider's form, back to the app)."""

import pytest
from sqlalchemy import delete

from etp_orient.accounts.models import OidcIdentity, User
from etp_orient.accounts.services import create_user
from etp_orient.extensions import db
from tests.browser.conftest import new_context, with_lang
from tests.fixtures.oidc import OidcProvider, clients
from tests.fixtures.servers import axe_violations, free_port

pytestmark = pytest.mark.browser
REFERRER = "referrer.oidc@example.org"  # the provider's account "petit"


class ThreadServer:
    """The app with ``OIDC_PROVIDERS`` set, served by Werkzeug in a thread of this process
    (on the tests' database and clock file), at ``url``."""

    def __init__(self, app, url: str):
        import threading

        from werkzeug.serving import make_server

        self.url = url
        self.server = make_server("127.0.0.1", int(url.rsplit(":", 1)[1]), app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def oidc_site(app, database_url, tmp_path_factory):
    """A provider on loopback, and the app served with it as its OpenID provider."""
    from etp_orient import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = OidcProvider(tmp_path_factory.mktemp("oidc-browser"), clients(base))
    while provider.port == port:
        provider.port = free_port()
    provider.issuer = f"http://127.0.0.1:{provider.port}"
    provider.start()
    served = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_ENABLED": False,
            "BASE_URL": base,
            "MAIL_SERVER": None,
            "OIDC_PROVIDERS": provider.settings(base),
        }
    )
    with app.app_context():
        user = create_user(REFERRER, "une phrase de passe assez longue 2026", role="referrer")
        db.session.commit()
        user_id = user.id
    server = ThreadServer(served, base)
    yield server, provider
    server.stop()
    provider.stop()
    with app.app_context():
        db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()
    with served.app_context():
        from etp_orient.extensions import db as served_db

        served_db.engine.dispose()


@pytest.fixture
def real_time(clock):
    """The provider mints on the real time: the app (its clock file) reads that time."""
    from datetime import UTC, datetime

    clock.set(datetime.now(UTC).replace(microsecond=0))
    return clock


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_login_page_with_provider_buttons_is_accessible(oidc_site, browser, lang):
    server, _provider = oidc_site
    context = new_context(browser, server.url, lang)
    page = context.new_page()
    try:
        page.goto(with_lang(server.url + "/connexion", lang))
        assert page.locator("html").get_attribute("lang") == lang
        if lang == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        label = {"fr": "Se connecter avec", "en": "Sign in with", "ar": "تسجيل الدخول عبر"}[lang]
        buttons = page.get_by_role("link", name=f"{label} Test Santé Connect")
        assert buttons.count() == 1
        assert page.locator("input[name=email]").count() == 1  # the password form stays
        assert axe_violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_signing_in_with_the_provider_in_a_browser(app, oidc_site, browser, real_time, lang):
    server, provider = oidc_site
    # the provider's own pages are on another origin: allowed for this test
    context = browser.new_context(locale={"fr": "fr-FR", "ar": "ar"}[lang])
    page = context.new_page()
    try:
        page.goto(with_lang(server.url + "/connexion", lang))
        page.locator("a[href^='/connexion/oidc/sante']").click()
        page.wait_for_url(f"{provider.issuer}/**")
        page.fill("input[name=login]", "petit")
        page.fill("input[name=password]", "any")
        page.locator("button[type=submit]").first.click()
        # consent, then back to the app: the referrer lands on the professional's page
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(f"{server.url}/pro/orienter")
        assert axe_violations(page) == []
    finally:
        context.close()
        with app.app_context():
            db.session.execute(delete(OidcIdentity))
            db.session.commit()


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_ask_your_coordinator_page_is_accessible(oidc_site, browser, real_time, lang):
    server, provider = oidc_site
    context = browser.new_context(locale={"fr": "fr-FR", "en": "en-GB", "ar": "ar"}[lang])
    page = context.new_page()
    try:
        page.goto(with_lang(server.url + "/connexion", lang))
        page.locator("a[href^='/connexion/oidc/sante']").click()
        page.fill("input[name=login]", "nobody")
        page.fill("input[name=password]", "any")
        page.locator("button[type=submit]").first.click()
        page.locator("button[type=submit]").first.click()
        page.wait_for_url(f"{server.url}/connexion/oidc/sante/retour*")
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == lang
        assert axe_violations(page) == []
    finally:
        context.close()
