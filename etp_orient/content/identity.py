"""A platform's own identity, by configuration (docs/deploy.md "A platform's identity").

``PLATFORM_NAME``, ``PLATFORM_SHORT_NAME``, ``PLATFORM_LOGO`` (a file), ``PLATFORM_ACCENT_COLOR``
(``#rrggbb``, at least 4.5:1 on white, checked at start-up), ``PLATFORM_CONTACT_PHONE`` and
``PLATFORM_CONTACT_EMAIL`` (unset: no contact is shown anywhere). The legal pages are
content files (``pages/<lang>/legal/<slug>.md``) the platform edits.
"""

import hashlib
import os
import re

from flask import Blueprint, abort, current_app, render_template, send_file, url_for

from .pages import get

DEFAULT_NAME = "Plateforme ETP de démonstration"
DEFAULT_ACCENT = "#0b5cad"
MIN_CONTRAST = 4.5
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".webp": "image/webp"}
LEGAL_PAGES = {
    "mentions-legales": "/mentions-legales",
    "donnees-personnelles": "/donnees-personnelles",
    "accessibilite": "/accessibilite",
}

bp = Blueprint("platform", __name__)


class IdentityError(RuntimeError):
    """A platform setting the app cannot start with; the message says which and why."""


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(color: str) -> float:
    return 1.05 / (relative_luminance(color) + 0.05)


def darker(color: str, factor: float = 0.75) -> str:
    """The hover shade: the colour towards black."""
    return "#" + "".join(f"{round(int(color[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def check_identity(config) -> None:
    """Refuse to start with an unreadable accent colour or a missing logo file."""
    color = config.get("PLATFORM_ACCENT_COLOR") or DEFAULT_ACCENT
    if not COLOR_RE.match(color):
        raise IdentityError(
            f"PLATFORM_ACCENT_COLOR must be a colour written #rrggbb, not {color!r}."
        )
    ratio = contrast_on_white(color)
    if ratio < MIN_CONTRAST:
        raise IdentityError(
            f"PLATFORM_ACCENT_COLOR {color} has a contrast of {ratio:.2f}:1 on white; "
            f"links and buttons need at least {MIN_CONTRAST}:1 (WCAG AA). Choose a darker colour."
        )
    logo = config.get("PLATFORM_LOGO")
    if logo:
        if not os.path.isfile(logo):
            raise IdentityError(f"PLATFORM_LOGO {logo!r} is not a file.")
        if os.path.splitext(logo)[1].lower() not in LOGO_TYPES:
            raise IdentityError("PLATFORM_LOGO must be an .svg, .png or .webp file.")
    if not (config.get("PLATFORM_NAME") or "").strip():
        raise IdentityError("PLATFORM_NAME must not be empty.")


def _version(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:10]


def identity() -> dict:
    """What the templates show: name, logo, accent, contact (``None`` when unset)."""
    config = current_app.config
    name = config.get("PLATFORM_NAME") or DEFAULT_NAME
    accent = config.get("PLATFORM_ACCENT_COLOR") or DEFAULT_ACCENT
    logo = config.get("PLATFORM_LOGO")
    if logo:
        logo_url = url_for("platform.logo", v=_version(logo, os.path.getmtime(logo)))
    else:
        logo_url = url_for("static", filename="img/logo.svg")
    return {
        "name": name,
        "short_name": config.get("PLATFORM_SHORT_NAME") or name,
        "demo": name == DEFAULT_NAME,
        "logo_url": logo_url,
        "theme_url": (
            url_for("platform.theme", v=_version(accent))
            if accent.lower() != DEFAULT_ACCENT
            else None
        ),
        "phone": config.get("PLATFORM_CONTACT_PHONE") or None,
        "email": config.get("PLATFORM_CONTACT_EMAIL") or None,
        "legal": LEGAL_PAGES,
    }


@bp.get("/platform/theme.css")
def theme():
    """The accent colour as CSS custom properties (only linked when not the default)."""
    accent = (current_app.config.get("PLATFORM_ACCENT_COLOR") or DEFAULT_ACCENT).lower()
    css = f":root {{ --brand: {accent}; --brand-dark: {darker(accent)}; }}\n"
    response = current_app.response_class(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/platform/logo")
def logo():
    """The platform's own logo file (``PLATFORM_LOGO``)."""
    path = current_app.config.get("PLATFORM_LOGO")
    if not path or not os.path.isfile(path):
        abort(404)
    mimetype = LOGO_TYPES.get(os.path.splitext(path)[1].lower())
    if mimetype is None:
        abort(404)
    response = send_file(os.path.abspath(path), mimetype=mimetype, max_age=31536000)
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _legal(slug: str):
    from .views_comprendre import render_page

    page = get(slug, "legal")
    if page is None:
        abort(404)
    return render_template("content/legal.html", page=page, body=render_page(page))


def _make_view(slug):
    def view():
        return _legal(slug)

    view.__name__ = "legal_" + slug.replace("-", "_")
    view.__doc__ = f"The legal page {LEGAL_PAGES[slug]} (content file legal/{slug}.md)."
    return view


for _slug, _path in LEGAL_PAGES.items():
    bp.add_url_rule(_path, endpoint=_slug, view_func=_make_view(_slug), methods=["GET"])


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"platform": identity()})
