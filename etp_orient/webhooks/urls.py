"""Which endpoint addresses are accepted: HTTPS, and never the platform's own network.

A webhook makes the server send requests where a coordinator says: without care it
would reach the services behind the firewall (SSRF). So an endpoint is HTTPS; plain
HTTP only to the loopback and only outside production (a partner's test receiver on
the same machine); and in production an address that resolves to a private,
loopback, link-local or otherwise non-public IP is refused, when the endpoint is
registered and again before each delivery (the name may have changed meanwhile).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class EndpointRefused(ValueError):
    """The address cannot be used; ``str()`` is the reader's message."""


def _production() -> bool:
    return current_app.config.get("ETP_ENV") == "production"


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise EndpointRefused(_l("Cette adresse ne répond pas : le nom est inconnu.")) from error
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url: str, *, resolve: bool | None = None) -> str:
    """The address, cleaned; raises :class:`EndpointRefused` with the reason.

    ``resolve`` (default: in production) looks the name up and refuses non-public IPs.
    """
    url = (url or "").strip()
    if not url:
        raise EndpointRefused(_l("Indiquez l'adresse qui recevra les événements."))
    if len(url) > 254:
        raise EndpointRefused(_l("Cette adresse est trop longue (254 caractères au plus)."))
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise EndpointRefused(_l("Écrivez une adresse complète, comme https://exemple.fr/etp."))
    if parts.username or parts.password:
        raise EndpointRefused(
            _l("L'adresse ne doit pas contenir d'identifiant ni de mot de passe.")
        )
    production = _production()
    if parts.scheme == "http" and (production or host not in LOOPBACK_NAMES):
        raise EndpointRefused(_l("L'adresse doit commencer par https://."))
    if resolve is None:
        resolve = production
    if resolve and not all(ip.is_global for ip in _addresses(host)):
        raise EndpointRefused(_l("Cette adresse mène à un réseau privé : elle n'est pas acceptée."))
    return url
