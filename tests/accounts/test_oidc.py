"""OpenID Connect sign-in, end to end against a real provider on loopback (oidc-provider).

The app is the Flask test client; the person's browser at the provider is a
cookie session (tests.fixtures.oidc.Browser) that fills the provider's sign-in form.
"""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from etp_orient.accounts import oidc as oidc_module
from etp_orient.accounts.models import OidcIdentity, StaffSession, User
from etp_orient.catalogue.models import Structure
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import make_user
from tests.fixtures.oidc import RPPS, Browser, sign_in


def _staff(app, email, *, rpps=None, active=True):
    with app.app_context():
        structure = db.session.scalar(select(Structure).where(Structure.code == "cpts-oidc"))
        if structure is None:
            structure = Structure(code="cpts-oidc", name="CPTS OIDC", kind="cpts")
            db.session.add(structure)
        user = make_user(email, roles=[("coordinator", structure)])
        user.rpps = rpps
        user.active = active
        db.session.commit()
        return user.id


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def _identities(app):
    with app.app_context():
        rows = db.session.scalars(select(OidcIdentity)).all()
        return [(r.provider, r.subject, r.user_id, r.linked_by) for r in rows]


def _signed_in(client) -> bool:
    return client.get("/gestion/").status_code == 200


def test_login_page_shows_a_button_per_provider(client, oidc):
    page = client.get("/connexion").get_data(as_text=True)
    assert "Se connecter avec Test Santé Connect" in page
    assert 'href="/connexion/oidc/sante' in page and 'href="/connexion/oidc/agents' in page
    # the password form stays
    assert 'name="email"' in page and 'name="password"' in page


def test_login_page_has_no_provider_section_without_providers(client):
    assert "/connexion/oidc/" not in client.get("/connexion").get_data(as_text=True)


def test_the_request_carries_state_nonce_and_a_pkce_challenge(client, oidc):
    response = client.get("/connexion/oidc/sante")
    url = urlsplit(response.headers["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}" == oidc.issuer
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["scope"] == ["openid email rpps"]
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_provider_is_404(client, oidc):
    assert client.get("/connexion/oidc/nope").status_code == 404
    assert client.get("/connexion/oidc/nope/retour?code=x&state=y").status_code == 404


def test_verified_email_links_the_account_at_first_sign_in(app, client, oidc):
    user_id = _staff(app, "alice@example.org")
    response = sign_in(client, "sante", "alice")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/gestion/")
    assert _signed_in(client)
    assert _identities(app) == [("sante", "alice", user_id, "email")]
    [success] = _audit(app, "login.success")
    assert success.actor_user_id == user_id and success.detail == {"method": "oidc:sante"}
    assert len(_audit(app, "oidc.link")) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffSession)) == 1

    # later sign-ins use the link, even if the address changes on either side
    client.post("/deconnexion")
    with app.app_context():
        db.session.get(User, user_id).email = "alice.martin@example.org"
        db.session.commit()
    assert sign_in(client, "sante", "alice").status_code == 302
    assert _signed_in(client)
    assert len(_audit(app, "oidc.link")) == 1


def test_unverified_email_is_not_linked(app, client, oidc):
    _staff(app, "bob@example.org")
    response = sign_in(client, "sante", "bob")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Demandez à votre coordinateur" in page
    assert not _signed_in(client)
    assert _identities(app) == []
    [refusal] = _audit(app, "login.oidc_refused")
    assert refusal.detail == {"provider": "sante", "reason": "unknown_user"}


def test_unknown_user_gets_the_ask_your_coordinator_page_and_no_account(app, client, oidc):
    _staff(app, "alice@example.org")
    response = sign_in(client, "sante", "nobody")
    assert response.status_code == 403
    assert "Demandez à votre coordinateur" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert _identities(app) == []
    assert not _signed_in(client)


def test_rpps_number_links_the_account_without_an_email(app, client, oidc):
    user_id = _staff(app, "carol@example.org", rpps=RPPS)
    response = sign_in(client, "sante", "carol")
    assert response.status_code == 302
    assert _signed_in(client)
    assert _identities(app) == [("sante", "carol", user_id, "rpps")]


def test_an_account_holding_another_rpps_is_not_linked_by_email(app, client, oidc):
    _staff(app, "dave@example.org", rpps="10001111111")
    response = sign_in(client, "sante", "dave")
    assert response.status_code == 403
    assert _identities(app) == []


def test_a_verified_email_links_an_account_holding_an_rpps_when_none_is_given(app, client, oidc):
    # ProConnect gives no RPPS number: the account's own number is no obstacle
    user_id = _staff(app, "alice@example.org", rpps="10001111111")
    assert sign_in(client, "agents", "alice").status_code == 302
    assert _identities(app) == [("agents", "alice", user_id, "email")]


def test_a_suspended_account_is_refused(app, client, oidc):
    _staff(app, "alice@example.org", active=False)
    response = sign_in(client, "sante", "alice")
    assert response.status_code == 403
    assert not _signed_in(client)
    assert _audit(app, "login.oidc_refused")[0].detail["reason"] == "inactive"


# -- what the provider answers is checked ------------------------------------------------


def _reencoded(token: str, **changes) -> str:
    """The same signed token with its payload changed (the signature kept)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


@pytest.fixture
def token_in_transit(monkeypatch):
    """Change the provider's token answer on its way to the app (a man in the middle)."""
    from authlib.integrations.requests_client import OAuth2Session

    original = OAuth2Session.fetch_token
    seen = {}

    def install(change):
        def fetch_token(self, *args, **kwargs):
            token = original(self, *args, **kwargs)
            seen["original"] = token["id_token"]
            token["id_token"] = change(token["id_token"])
            return token

        monkeypatch.setattr(OAuth2Session, "fetch_token", fetch_token)
        return seen

    return install


def _refused(app, client, response, reason_prefix):
    assert response.status_code == 403
    assert "Connexion impossible" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _identities(app) == []
    [refusal] = _audit(app, "login.oidc_refused")
    assert refusal.detail["reason"].startswith(reason_prefix), refusal.detail
    assert _audit(app, "login.success") == []


def test_the_untouched_token_is_accepted(app, client, oidc, token_in_transit):
    _staff(app, "alice@example.org")
    seen = token_in_transit(lambda token: token)
    assert sign_in(client, "sante", "alice").status_code == 302
    assert seen["original"].count(".") == 2


def test_a_tampered_id_token_is_refused(app, client, oidc, token_in_transit):
    _staff(app, "alice@example.org")
    _staff(app, "nobody-else@example.org")
    token_in_transit(lambda token: _reencoded(token, sub="someone-else"))
    _refused(app, client, sign_in(client, "sante", "alice"), "token:BadSignatureError")


def test_a_token_signed_with_the_client_secret_is_refused(app, client, oidc, token_in_transit):
    from joserfc import jwt
    from joserfc.jwk import OctKey

    _staff(app, "alice@example.org")
    secret = OctKey.import_key(oidc.settings()[0]["client_secret"])

    def forged(token):
        header, payload, _ = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return jwt.encode({"alg": "HS256"}, claims, secret)

    token_in_transit(forged)
    _refused(app, client, sign_in(client, "sante", "alice"), "token:")


def test_a_token_signed_by_another_key_is_refused(app, client, oidc, token_in_transit):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    _staff(app, "alice@example.org")
    other = RSAKey.generate_key(2048)

    def forged(token):
        header, payload, _ = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, other)

    token_in_transit(forged)
    _refused(app, client, sign_in(client, "sante", "alice"), "token:")


def test_a_wrong_nonce_is_refused(app, client, oidc):
    """The token answers another sign-in than the one this browser started (a replay)."""
    _staff(app, "alice@example.org")

    def other_nonce(_callback):
        with client.session_transaction() as session:
            flow = dict(session[oidc_module.SESSION_FLOW])
            flow["nonce"] = "a-nonce-of-another-sign-in"
            session[oidc_module.SESSION_FLOW] = flow

    response = sign_in(client, "sante", "alice", before=other_nonce)
    _refused(app, client, response, "token:InvalidClaimError:nonce")


def test_a_wrong_state_is_refused_before_the_code_is_used(app, client, oidc):
    _staff(app, "alice@example.org")
    start = client.get("/connexion/oidc/sante")
    callback = Browser().follow(start.headers["Location"], account="alice")
    forged = callback.replace("state=", "state=x")
    response = client.get(forged[len("http://etp.test") :])
    _refused(app, client, response, "state:mismatch")


def test_a_callback_without_a_sign_in_started_here_is_refused(app, client, oidc):
    """Login CSRF: a code made for someone else's browser."""
    _staff(app, "alice@example.org")
    start = app.test_client().get("/connexion/oidc/sante")  # another browser
    callback = Browser().follow(start.headers["Location"], account="alice")
    _refused(app, client, client.get(callback[len("http://etp.test") :]), "state:missing")


def test_an_expired_code_is_refused_by_the_provider(app, client, oidc):
    _staff(app, "alice@example.org")
    # the code lives 60 s at the provider: its clock moves on 2 minutes
    response = sign_in(client, "sante", "alice", before=lambda _url: oidc.advance(120))
    _refused(app, client, response, "code:refused")


def test_a_code_is_used_once(app, client, oidc):
    _staff(app, "alice@example.org")
    captured = {}
    response = sign_in(client, "sante", "alice", before=lambda url: captured.update(url=url))
    assert response.status_code == 302
    client.post("/deconnexion")
    # the same answer again, with the flow put back: the provider refuses its used code
    query = parse_qs(urlsplit(captured["url"]).query)
    with client.session_transaction() as session:
        session[oidc_module.SESSION_FLOW] = {
            "provider": "sante",
            "state": query["state"][0],
            "nonce": "n",
            "verifier": "v" * 43,
            "next": None,
            "at": oidc_module.now().isoformat(),
        }
    response = client.get(captured["url"][len("http://etp.test") :])
    assert response.status_code == 403
    assert not _signed_in(client)


def test_the_id_token_expiry_is_read_on_the_apps_clock(app, client, oidc, clock):
    """The provider mints a token valid 1 hour; two hours later on the app's clock it is not."""
    _staff(app, "alice@example.org")
    clock.advance(hours=2)
    _refused(app, client, sign_in(client, "sante", "alice"), "token:ExpiredTokenError")


def test_a_token_issued_in_the_apps_future_is_refused(app, client, oidc, clock):
    _staff(app, "alice@example.org")
    clock.advance(minutes=-10)  # beyond the 60 s allowed for clock skew
    _refused(app, client, sign_in(client, "sante", "alice"), "token:InvalidClaimError:iat")


def test_a_slow_sign_in_is_refused(app, client, oidc, clock):
    _staff(app, "alice@example.org")
    response = sign_in(client, "sante", "alice", before=lambda _url: clock.advance(minutes=11))
    _refused(app, client, response, "state:expired")


def test_the_person_cancelling_at_the_provider_is_refused(app, client, oidc):
    _staff(app, "alice@example.org")
    client.get("/connexion/oidc/sante")
    with client.session_transaction() as session:
        state = session[oidc_module.SESSION_FLOW]["state"]
    response = client.get(f"/connexion/oidc/sante/retour?error=access_denied&state={state}")
    _refused(app, client, response, "provider:access_denied")


# -- userinfo as a signed JWT (ProConnect) ---------------------------------------------


def test_signed_userinfo_is_verified_and_used(app, client, oidc, monkeypatch):
    user_id = _staff(app, "alice@example.org")
    kinds = []
    original = requests.get

    def get(url, **kwargs):
        response = original(url, **kwargs)
        if url.endswith("/me"):
            kinds.append(response.headers["Content-Type"])
        return response

    monkeypatch.setattr(requests, "get", get)
    assert sign_in(client, "agents", "alice").status_code == 302
    assert kinds and kinds[0].startswith("application/jwt")
    # the ID token holds no e-mail: the link comes from the verified userinfo
    assert _identities(app) == [("agents", "alice", user_id, "email")]


def test_tampered_signed_userinfo_is_refused(app, client, oidc, monkeypatch):
    _staff(app, "alice@example.org")
    _staff(app, "mallory@example.org")
    original = requests.get

    def get(url, **kwargs):
        response = original(url, **kwargs)
        if url.endswith("/me"):
            response._content = _reencoded(response.text, email="mallory@example.org").encode()
        return response

    monkeypatch.setattr(requests, "get", get)
    _refused(app, client, sign_in(client, "agents", "alice"), "token:BadSignatureError")


# -- logout --------------------------------------------------------------------------------


def test_logout_ends_the_session_at_the_provider_too(app, client, oidc):
    _staff(app, "alice@example.org")
    browser = Browser()
    assert sign_in(client, "sante", "alice", browser).status_code == 302
    # signed in at the provider: a new request there comes straight back
    assert not browser.login_prompted(client.get("/connexion/oidc/sante").headers["Location"])
    response = client.post("/deconnexion")
    assert response.status_code == 302
    end = urlsplit(response.headers["Location"])
    assert f"{end.scheme}://{end.netloc}" == oidc.issuer
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://etp.test/connexion"]
    assert query["id_token_hint"][0].count(".") == 2
    assert not _signed_in(client)
    # the provider asks to confirm, then sends the person back to the login page
    assert browser.follow(response.headers["Location"]) == "http://etp.test/connexion"
    assert "déconnecté" in client.get("/connexion").get_data(as_text=True)
    # signed out at the provider: the next sign-in asks who it is
    start = client.get("/connexion/oidc/sante")
    assert browser.login_prompted(start.headers["Location"])


def test_password_logout_stays_local(app, client, oidc, clock):
    from tests.fixtures.manage import login

    _staff(app, "alice@example.org")
    assert login(client, "alice@example.org").status_code == 302
    response = client.post("/deconnexion")
    assert response.headers["Location"].endswith("/connexion")


# -- the setting --------------------------------------------------------------------------


GOOD = {
    "name": "psc",
    "label": "Pro Santé Connect",
    "issuer": "https://auth.example.fr/realm",
    "client_id": "id",
    "client_secret": "secret",
}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"name": "psc"}', "must be a JSON list"),
        ([{**GOOD, "name": "PSC!"}], "'name' must be lower-case"),
        ([{k: v for k, v in GOOD.items() if k != "client_id"}], "'client_id' is missing"),
        ([{k: v for k, v in GOOD.items() if k != "issuer"}], "give 'issuer' or 'discovery_url'"),
        ([{**GOOD, "issuer": "http://auth.example.fr"}], "must be an https:// URL"),
        ([{**GOOD, "scopes": "email"}], "must include 'openid'"),
        ([{**GOOD, "client_secet": "x"}], "unknown key(s) client_secet"),
        ([GOOD, GOOD], "the name is used twice"),
        ([{**GOOD, "token_endpoint_auth_method": "none"}], "token_endpoint_auth_method"),
    ],
)
def test_a_bad_setting_stops_the_start_with_a_clear_message(value, message, monkeypatch):
    from etp_orient import create_app

    monkeypatch.setenv("OIDC_PROVIDERS", value if isinstance(value, str) else json.dumps(value))
    with pytest.raises(RuntimeError) as error:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert str(error.value).startswith("OIDC_PROVIDERS")
    assert message in str(error.value)


def test_a_good_setting_is_read(monkeypatch):
    providers = oidc_module.parse_providers(
        json.dumps([{**GOOD, "scopes": ["openid", "scope_all"], "acr_values": "eidas1"}])
    )
    assert providers[0].scopes == ("openid", "scope_all") and providers[0].acr_values == "eidas1"
    assert (
        providers[0].metadata_url
        == "https://auth.example.fr/realm/.well-known/openid-configuration"
    )
    assert oidc_module.parse_providers("") == []


def test_an_unreachable_provider_gets_a_clear_page(app, client):
    from tests.fixtures.servers import free_port

    closed = {**GOOD, "issuer": f"http://127.0.0.1:{free_port()}"}
    saved = app.extensions.get("oidc_providers", {})
    app.extensions["oidc_providers"] = {"psc": oidc_module.parse_providers([closed])[0]}
    app.extensions["oidc_cache"] = {}
    try:
        response = client.get("/connexion/oidc/psc")
    finally:
        app.extensions["oidc_providers"] = saved
    assert response.status_code == 503
    assert "ne répond pas" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("claim", "rpps"),
    [("810001234567", "10001234567"), ("10001234567", "10001234567"), ("0123", None), (None, None)],
)
def test_rpps_from_a_claim(claim, rpps):
    assert oidc_module.rpps_from(claim) == rpps


def test_a_token_issued_to_another_client_is_refused(app, client, oidc, token_in_transit):
    """A genuine token of the same provider, made for another client (its nonce even
    matching): only its audience is wrong."""
    _staff(app, "alice@example.org")
    seen = token_in_transit(lambda token: token)
    assert sign_in(client, "agents", "alice").status_code == 302
    client.post("/deconnexion")
    other = seen["original"]
    payload = other.split(".")[1]
    nonce = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["nonce"]
    token_in_transit(lambda _token: other)

    def same_nonce(_callback):
        with client.session_transaction() as session:
            flow = dict(session[oidc_module.SESSION_FLOW])
            flow["nonce"] = nonce
            session[oidc_module.SESSION_FLOW] = flow

    with app.app_context():
        db.session.execute(OidcIdentity.__table__.delete())
        db.session.execute(AuditEvent.__table__.delete())
        db.session.commit()
    response = sign_in(client, "sante", "alice", before=same_nonce)
    _refused(app, client, response, "token:InvalidClaimError:aud")
