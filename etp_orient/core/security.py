"""Security headers on every answer (DESIGN §5): CSP without inline script, and friends."""

from urllib.parse import urlsplit

from flask import current_app, g, request

from ..extensions import limiter

# Looking up secret links (manage links, personal and staff feeds, password
# reset): only the failed look-ups count, per address, across all of them.
SECRET_LINK_LIMIT = "30 per minute;300 per hour"  # noqa: S105 (a rate, not a secret)


def _not_found(response) -> bool:
    return response.status_code == 404


secret_link_limit = limiter.shared_limit(
    SECRET_LINK_LIMIT, scope="secret-link", deduct_when=_not_found
)


def content_security_policy() -> str:
    tile_host = urlsplit(current_app.config["MAP_TILE_URL"].replace("{s}", "a")).netloc
    tiles = f" https://{tile_host}" if tile_host else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{tiles}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# Pages that show names, phones, e-mails or secret links: kept out of every cache.
PRIVATE_PREFIXES = ("/gestion/", "/gerer/", "/pro/", "/connexion/nouveau-mot-de-passe/")


def private_page() -> None:
    """Call in a view whose URL carries a secret token or whose page shows personal data.

    The answer gets ``Cache-Control: no-store`` (unless the view set its own caching,
    e.g. a personal calendar feed). Its Referrer-Policy stays ``same-origin``, as on
    every page: the secret URL goes only to our own origin, never to another site.
    Not ``no-referrer``: behind HTTPS, Flask-WTF's CSRF check
    (``WTF_CSRF_SSL_STRICT``) wants a same-origin Referer on every POST, so the
    forms of these pages (cancel, move, delete, new password…) would be refused.
    """
    g.private_page = True


def _private() -> bool:
    path = request.path
    return (
        g.get("private_page", False)
        or path == "/gestion"
        or path.startswith(PRIVATE_PREFIXES)
        or request.method not in ("GET", "HEAD")
    )


def set_headers(response):
    headers = response.headers
    if request.endpoint == "static":
        # a file, not a page: the page headers (CSP, frames, permissions…) would only
        # add bytes to every image, script and stylesheet
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.pop("Server", None)
        return response
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers["Referrer-Policy"] = "same-origin"
    if _private():
        headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["ETP_ENV"] == "production" or request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    headers.pop("Server", None)
    return response


def init_app(app) -> None:
    app.after_request(set_headers)
