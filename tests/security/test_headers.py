"""Security headers on every answer of every GET route, and no stack trace or banner."""

import pytest

from etp_orient import create_app
from etp_orient.core.clock import CLOCK_ENVIRONMENT
from etp_orient.extensions import db
from tests.security.conftest import build_url, routes


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_every_get_route_sends_the_security_headers(app, admin_client, sec_world):
    checked = 0
    for rule in routes(app, "GET"):
        url = build_url(rule, sec_world)
        response = admin_client.get(url)
        response.close()
        assert response.status_code < 500, url
        if rule.endpoint == "static":
            # a file, not a page: no page headers (issue 17), still nosniff
            assert "Content-Security-Policy" not in response.headers, url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            checked += 1
            continue
        csp = _csp(response)
        assert "'unsafe-inline'" not in csp["script-src"], url
        assert "'unsafe-eval'" not in csp["script-src"], url
        assert csp["frame-ancestors"] == "frame-ancestors 'none'", url
        assert csp["object-src"] == "object-src 'none'", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        # never no-referrer: the CSRF check over HTTPS needs a same-origin Referer
        assert response.headers["Referrer-Policy"] == "same-origin", url
        assert "Server" not in response.headers, url
        assert "Strict-Transport-Security" not in response.headers  # development, plain HTTP
        checked += 1
    assert checked > 40


def test_pages_with_a_secret_in_their_url_send_no_referrer_elsewhere(admin_client, sec_world):
    for url in (
        f"/gerer/{sec_world.manage_token}",
        f"/calendar/me/{sec_world.feed_token}.ics",
        f"/calendar/staff/{sec_world.staff_token}.ics",
        f"/connexion/nouveau-mot-de-passe/{sec_world.reset_token}",
    ):
        assert admin_client.get(url).headers["Referrer-Policy"] == "same-origin", url


PRIVATE = ("/gestion", "/gerer/", "/pro/", "/connexion/nouveau-mot-de-passe/")


def test_pages_with_personal_data_are_never_cached(app, admin_client, sec_world):
    checked = 0
    for rule in routes(app, "GET"):
        if not rule.rule.startswith(PRIVATE):
            continue
        url = build_url(rule, sec_world)
        response = admin_client.get(url)
        response.close()
        assert response.status_code in (200, 404), url  # 404: not in that group
        assert response.headers["Cache-Control"] == "no-store", url
        checked += 1
    assert checked > 25


def test_the_answer_to_a_form_is_never_cached(client, sec_world):
    response = client.post("/gerer/nouveau-lien", data={"email": "someone@example.org"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_stay_cacheable(client, sec_world):
    response = client.get(f"/programmes/{sec_world.values['code']}")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.fixture
def production_app(database_url, monkeypatch):
    monkeypatch.setenv("ETP_ENV", "production")
    for name in CLOCK_ENVIRONMENT:  # production refuses a test clock
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-long-production-secret-for-the-test")
    prod = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    yield prod
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts(production_app):
    response = production_app.test_client().get("/")
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000


def test_production_session_cookie_is_host_prefixed_secure_httponly_lax(production_app):
    # The login form puts the CSRF secret in the session: the cookie is set.
    response = production_app.test_client().get("/connexion", base_url="https://etp.test")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    session = [c for c in cookies if c.startswith("__Host-session=")]
    assert session, cookies
    flags = [part.strip().lower() for part in session[0].split(";")]
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert not any(f.startswith("domain=") for f in flags)  # required by __Host-


def test_production_language_cookie_is_secure_httponly_lax(production_app):
    response = production_app.test_client().get("/?lang=en", base_url="https://etp.test")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    assert cookies
    for cookie in cookies:
        flags = [part.strip().lower() for part in cookie.split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookie


@pytest.fixture
def crashing_app(database_url):
    """An app outside TESTING mode (errors are handled, not propagated) with a failing page."""
    crashing = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_ENABLED": False,
        }
    )

    @crashing.get("/boom")
    def boom():
        raise RuntimeError("secret internals: /srv/etp/app.py line 42")

    yield crashing
    with crashing.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_error_shows_no_stack_trace(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert "secret internals" not in body
    assert "RuntimeError" not in body
    assert "Server" not in response.headers


@pytest.mark.server
def test_gunicorn_answers_carry_no_version_banner(live_server):
    import urllib.request

    with urllib.request.urlopen(live_server.url + "/") as response:
        server = response.headers.get("Server", "")
        powered = response.headers.get("X-Powered-By")
    assert "/" not in server and not any(ch.isdigit() for ch in server), server
    assert powered is None


@pytest.fixture
def proxied_app(database_url):
    proxied = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_ENABLED": False,
            "PROXY_COUNT": 1,
        }
    )

    @proxied.get("/whoami")
    def whoami():
        from flask import request

        return {"addr": request.remote_addr, "secure": request.is_secure}

    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_behind_one_proxy_the_visitor_address_and_https_are_seen(proxied_app):
    response = proxied_app.test_client().get(
        "/whoami",
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.get_json() == {"addr": "203.0.113.7", "secure": True}
    assert "Strict-Transport-Security" in response.headers


def test_without_a_proxy_forwarded_headers_are_ignored(app, client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
