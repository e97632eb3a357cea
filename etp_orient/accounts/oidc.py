"""OpenID Connect sign-in (Pro Santé Connect, ProConnect, any certified provider).

``OIDC_PROVIDERS`` (environment, JSON) lists the providers; :func:`parse_providers`
checks it when the app starts. The flow is the authorization code flow with PKCE
(S256), a random ``state`` and ``nonce`` kept in the signed session cookie. Authlib
builds the authorization request and redeems the code; the ID token (and a userinfo
answer sent as a signed JWT, as ProConnect does) is verified here with joserfc
(Authlib's JOSE library): signature against the provider's published keys (asymmetric
algorithms only), ``iss``, ``aud`` (and ``azp``), ``exp`` and ``iat`` on the
application's clock (:func:`etp_orient.core.clock.now`) with a small leeway for clock
skew, and ``nonce``.

Which clock checks what: the provider decides whether its own authorization code is
still valid (on its clock); this application decides whether the ID token is (on
its clock). An account is never created here: see :func:`link_account`.
"""

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address
from urllib.parse import urlencode, urlsplit

from flask import current_app
from sqlalchemy import select

from ..core.clock import now
from ..core.models import audit
from ..extensions import db
from .models import OidcIdentity, User

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
KNOWN_KEYS = {
    "name",
    "label",
    "issuer",
    "discovery_url",
    "client_id",
    "client_secret",
    "scopes",
    "acr_values",
    "rpps_claim",
    "token_endpoint_auth_method",
}
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# asymmetric only: a token signed with the client secret or not at all is refused
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_SECONDS = 60  # clock skew allowed between the provider and this server
FLOW_MAX_AGE = timedelta(minutes=10)  # from the button to the provider's answer
METADATA_TTL = timedelta(hours=1)
HTTP_TIMEOUT = 10
SESSION_FLOW = "oidc_flow"
SESSION_LOGOUT = "oidc_logout"


class ConfigError(ValueError):
    """``OIDC_PROVIDERS`` is not usable; the message says what to fix."""


class Unavailable(Exception):
    """The provider could not be reached, or answered nonsense (its metadata, its keys)."""


class Refused(Exception):
    """A sign-in refused; ``reason`` is a short code kept in the audit log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    client_id: str
    client_secret: str
    issuer: str | None = None
    discovery_url: str | None = None
    scopes: tuple[str, ...] = ("openid", "email")
    acr_values: str | None = None
    rpps_claim: str | None = None
    token_endpoint_auth_method: str = "client_secret_basic"  # noqa: S105 (a method name)

    @property
    def metadata_url(self) -> str:
        if self.discovery_url:
            return self.discovery_url
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host or "").is_loopback
    except ValueError:
        return False


def _check_url(where: str, key: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key!r} must be a URL")
    parts = urlsplit(value.strip())
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
        raise ConfigError(
            f"{where}: {key!r} must be an https:// URL (http:// only on loopback), not {value!r}"
        )
    return value.strip()


def _text(where: str, item: dict, key: str, *, required: bool = True) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key!r} is missing or empty (a string is expected)")
    return value.strip()


def parse_providers(value) -> list[Provider]:
    """The providers of ``OIDC_PROVIDERS`` (a JSON list, or the parsed list); empty if unset.

    Raises :class:`ConfigError` with a message naming the provider and the key to fix.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ConfigError(f"OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(value, list):
        raise ConfigError("OIDC_PROVIDERS must be a JSON list of providers ([{...}, ...])")
    providers: list[Provider] = []
    for index, item in enumerate(value, start=1):
        where = f"OIDC_PROVIDERS provider {index}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: each provider must be a JSON object")
        unknown = sorted(set(item) - KNOWN_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(unknown)} "
                f"(known: {', '.join(sorted(KNOWN_KEYS))})"
            )
        name = _text(where, item, "name")
        if not NAME_PATTERN.match(name):
            raise ConfigError(
                f"{where}: 'name' must be lower-case letters, digits and dashes "
                f"(at most 40), not {name!r}"
            )
        where = f"OIDC_PROVIDERS provider {name!r}"
        if any(p.name == name for p in providers):
            raise ConfigError(f"{where}: the name is used twice")
        issuer = item.get("issuer")
        discovery = item.get("discovery_url")
        if issuer is None and discovery is None:
            raise ConfigError(f"{where}: give 'issuer' or 'discovery_url'")
        if issuer is not None:
            issuer = _check_url(where, "issuer", issuer)
        if discovery is not None:
            discovery = _check_url(where, "discovery_url", discovery)
        scopes = item.get("scopes", "openid email")
        if isinstance(scopes, str):
            scopes = scopes.split()
        if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
            raise ConfigError(f"{where}: 'scopes' must be a string or a list of strings")
        if "openid" not in scopes:
            raise ConfigError(f"{where}: 'scopes' must include 'openid'")
        method = item.get("token_endpoint_auth_method", "client_secret_basic")
        if method not in AUTH_METHODS:
            raise ConfigError(
                f"{where}: 'token_endpoint_auth_method' must be one of {', '.join(AUTH_METHODS)}"
            )
        providers.append(
            Provider(
                name=name,
                label=_text(where, item, "label"),
                client_id=_text(where, item, "client_id"),
                client_secret=_text(where, item, "client_secret"),
                issuer=issuer,
                discovery_url=discovery,
                scopes=tuple(scopes),
                acr_values=_text(where, item, "acr_values", required=False),
                rpps_claim=_text(where, item, "rpps_claim", required=False),
                token_endpoint_auth_method=method,
            )
        )
    return providers


def init_app(app) -> None:
    """Check ``OIDC_PROVIDERS`` at start-up: a clear message rather than a failing button."""
    try:
        providers = parse_providers(app.config.get("OIDC_PROVIDERS"))
    except ConfigError as error:
        raise RuntimeError(str(error)) from None
    app.extensions["oidc_providers"] = {p.name: p for p in providers}
    app.extensions["oidc_cache"] = {}


def providers() -> list[Provider]:
    return list(current_app.extensions.get("oidc_providers", {}).values())


def provider(name: str) -> Provider | None:
    return current_app.extensions.get("oidc_providers", {}).get(name)


# -- the provider's metadata and keys -------------------------------------------------


# Authlib, joserfc and requests are imported when a provider is used, not at start-up:
# most sites have none, and every worker starts faster without them.


def _get_json(url: str) -> dict:
    import requests

    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(f"{url}: {error}") from None
    if not isinstance(data, dict):
        raise Unavailable(f"{url} did not answer a JSON object")
    return data


def _cache() -> dict:
    return current_app.extensions.setdefault("oidc_cache", {})


def metadata(p: Provider) -> dict:
    """The provider's discovery document (cached for an hour per process)."""
    cached = _cache().get(("metadata", p.name))
    if cached and now() - cached[0] < METADATA_TTL:
        return cached[1]
    data = _get_json(p.metadata_url)
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(key), str):
            raise Unavailable(f"{p.name}: the discovery document has no {key}")
    if p.issuer and data["issuer"].rstrip("/") != p.issuer.rstrip("/"):
        raise Unavailable(f"{p.name}: the discovery document names another issuer")
    _cache()[("metadata", p.name)] = (now(), data)
    return data


def _keys(p: Provider, *, refresh: bool = False):
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    cached = _cache().get(("jwks", p.name))
    if cached and not refresh and now() - cached[0] < METADATA_TTL:
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(metadata(p)["jwks_uri"]))
    except (JoseError, ValueError, TypeError) as error:
        raise Unavailable(f"{p.name}: unusable keys: {error}") from None
    _cache()[("jwks", p.name)] = (now(), keys)
    return keys


def verify_jwt(p: Provider, token: str, **claims) -> dict:
    """The claims of a JWT signed by the provider, checked on the app's clock.

    ``iss`` must be the provider's, ``aud`` this client; ``exp`` and ``iat`` are
    required (leeway :data:`LEEWAY_SECONDS`) unless passed as ``None``; other keyword
    arguments are claims that must have that exact value (``nonce=…``).
    """
    from joserfc import jwt
    from joserfc.errors import JoseError

    meta = metadata(p)
    try:
        try:
            decoded = jwt.decode(token, _keys(p), algorithms=ALGORITHMS)
        except JoseError:
            # maybe a key the provider has just rotated in: fetch its keys once more
            decoded = jwt.decode(token, _keys(p, refresh=True), algorithms=ALGORITHMS)
        options = {
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": p.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        for name, value in claims.items():
            if value is None:
                options.pop(name, None)
            else:
                options[name] = {"essential": True, "value": value}
        registry = jwt.JWTClaimsRegistry(
            now=int(now().timestamp()), leeway=LEEWAY_SECONDS, **options
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError) as error:
        claim = getattr(error, "claim", None)
        reason = f"token:{type(error).__name__}" + (f":{claim}" if claim else "")
        raise Refused(reason) from None
    data = decoded.claims
    audience = data.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and data.get("azp") != p.client_id:
        raise Refused("token:azp")
    return data


# -- the flow --------------------------------------------------------------------------


def redirect_uri(p: Provider) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/connexion/oidc/{p.name}/retour"


def post_logout_uri() -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/connexion"


def _client(p: Provider):
    from authlib.integrations.requests_client import OAuth2Session

    return OAuth2Session(
        p.client_id,
        p.client_secret,
        scope=" ".join(p.scopes),
        redirect_uri=redirect_uri(p),
        code_challenge_method="S256",
        token_endpoint_auth_method=p.token_endpoint_auth_method,
    )


def begin(p: Provider, session: dict, next_url: str | None = None) -> str:
    """Keep a new state, nonce and PKCE verifier in the session; return the provider's URL."""
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    extra = {"nonce": nonce}
    if p.acr_values:
        extra["acr_values"] = p.acr_values
    with _client(p) as client:
        url, _state = client.create_authorization_url(
            metadata(p)["authorization_endpoint"], state=state, code_verifier=verifier, **extra
        )
    session[SESSION_FLOW] = {
        "provider": p.name,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "at": now().isoformat(),
    }
    return url


@dataclass
class Identity:
    subject: str
    claims: dict
    id_token: str


def _userinfo(p: Provider, access_token: str, subject: str) -> dict:
    import requests

    endpoint = metadata(p).get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = requests.get(
            endpoint,
            timeout=HTTP_TIMEOUT,
            headers={"Authorization": f"Bearer {access_token}"},
        )
    except requests.RequestException as error:
        raise Unavailable(f"{p.name}: userinfo: {error}") from None
    if response.status_code != 200:
        raise Refused("userinfo:http")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind == "application/jwt":
        # a signed answer (ProConnect): verified like the ID token, times optional
        data = verify_jwt(p, response.text.strip(), exp=None, iat=None)
    else:
        try:
            data = response.json()
        except ValueError:
            raise Refused("userinfo:format") from None
    if not isinstance(data, dict) or data.get("sub") != subject:
        raise Refused("userinfo:sub")
    return data


def finish(p: Provider, session: dict, args) -> tuple[Identity, str | None]:
    """Check the provider's answer against the flow kept in the session; redeem the code.

    Returns the verified identity and the page asked for before the sign-in.
    """
    flow = session.pop(SESSION_FLOW, None)
    if not isinstance(flow, dict) or flow.get("provider") != p.name:
        raise Refused("state:missing")
    if not secrets.compare_digest(str(args.get("state", "")), flow["state"]):
        raise Refused("state:mismatch")
    if now() - datetime.fromisoformat(flow["at"]) > FLOW_MAX_AGE:
        raise Refused("state:expired")
    if args.get("error"):
        # the person cancelled, or the provider refused (e.g. access_denied)
        raise Refused(f"provider:{str(args.get('error'))[:40]}")
    code = args.get("code")
    if not code:
        raise Refused("code:missing")
    meta = metadata(p)
    try:
        with _client(p) as client:
            token = client.fetch_token(
                meta["token_endpoint"],
                code=code,
                code_verifier=flow["verifier"],
                grant_type="authorization_code",
            )
    except Exception as error:  # noqa: BLE001 (any refusal of the token endpoint)
        current_app.logger.info("oidc %s: token endpoint refused: %s", p.name, error)
        raise Refused("code:refused") from None
    id_token = token.get("id_token")
    if not id_token:
        raise Refused("token:missing")
    claims = verify_jwt(p, id_token, nonce=flow["nonce"])
    subject = claims["sub"]
    access_token = token.get("access_token")
    info = _userinfo(p, access_token, subject) if access_token else {}
    return Identity(subject=subject, claims={**info, **claims}, id_token=id_token), flow.get("next")


def end_session_url(name: str, id_token: str) -> str | None:
    """The provider's logout address (RP-initiated logout), if it offers one."""
    p = provider(name)
    if p is None:
        return None
    try:
        endpoint = metadata(p).get("end_session_endpoint")
    except Unavailable:
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_uri(),
            "client_id": p.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


# -- linking to an account ---------------------------------------------------------------


def rpps_from(value) -> str | None:
    """An RPPS number (11 digits) from a claim: the number itself, or Pro Santé
    Connect's national identifier ("8" then the RPPS number)."""
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) == 12 and value.startswith("8") and value.isdigit():
        value = value[1:]
    return value if len(value) == 11 and value.isdigit() else None


def link_account(p: Provider, identity: Identity) -> User:
    """The staff account of this identity; linked at the first sign-in, never created.

    Already linked: that account. Else the account with the RPPS number the provider
    gives (``rpps_claim``), else the account with the provider's e-mail when the
    provider says it is verified (``email_verified`` true), unless the provider
    gives an RPPS number and the account holds another one. Anything else is refused.
    """
    linked = db.session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.provider == p.name, OidcIdentity.subject == identity.subject
        )
    )
    at = now()
    if linked is not None:
        user = linked.user
        how = linked.linked_by
    else:
        claims = identity.claims
        rpps = rpps_from(claims.get(p.rpps_claim)) if p.rpps_claim else None
        user = None
        how = None
        if rpps:
            user = db.session.scalar(select(User).where(User.rpps == rpps))
            how = "rpps"
        email = claims.get("email")
        if user is None and isinstance(email, str) and claims.get("email_verified") is True:
            from .services import find_user

            candidate = find_user(email)
            if candidate is not None and candidate.rpps in (None, rpps or candidate.rpps):
                user, how = candidate, "email"
        if user is None:
            raise Refused("unknown_user")
        if db.session.scalar(
            select(OidcIdentity).where(
                OidcIdentity.provider == p.name, OidcIdentity.user_id == user.id
            )
        ):
            # the account is already linked to another identity at this provider
            raise Refused("already_linked")
        linked = OidcIdentity(
            user_id=user.id, provider=p.name, subject=identity.subject, linked_by=how, created_at=at
        )
        db.session.add(linked)
        db.session.flush()
        audit(
            "oidc.link", actor_id=user.id, obj_type="user", obj_id=user.id, provider=p.name, by=how
        )
    if not user.active:
        raise Refused("inactive")
    linked.last_login_at = at
    audit(
        "login.success", actor_id=user.id, obj_type="user", obj_id=user.id, method=f"oidc:{p.name}"
    )
    return user
