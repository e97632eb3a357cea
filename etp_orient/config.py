"""Configuration: defaults first, then the environment (DESIGN §4)."""

import os
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Build the configuration dictionary from defaults and environment variables."""
    env = os.environ
    default_db = "sqlite:///" + str(Path(instance_path) / "etp-orient.sqlite")
    database_url = env.get("DATABASE_URL") or default_db
    # Heroku-style URLs and plain "postgresql://" both go through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+psycopg://" + database_url[len(prefix) :]
    production = env.get("ETP_ENV", "development") == "production"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or ("" if production else "dev-only-not-secret"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ETP_ENV": "production" if production else "development",
        "BASE_URL": _base_url(env),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(env.get("MAIL_PORT") or 25),
        "MAIL_FROM": env.get("MAIL_FROM", "etp-orient <no-reply@etp-orient.localhost>"),
        "SMS_BACKEND": env.get("SMS_BACKEND", "console"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        # several sites (or test runs) sharing one Redis keep their counters apart
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "etp-orient"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "MAP_ATTRIBUTION": env.get(
            "MAP_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        ),
        # OpenID Connect providers (a JSON list; see docs/deploy.md), checked at start-up
        "OIDC_PROVIDERS": env.get("OIDC_PROVIDERS", ""),
        # the platform's identity (docs/deploy.md "A platform's identity"); a demo by default
        "PLATFORM_NAME": env.get("PLATFORM_NAME") or "Plateforme ETP de démonstration",
        "PLATFORM_SHORT_NAME": env.get("PLATFORM_SHORT_NAME") or "ETP démo",
        "PLATFORM_LOGO": env.get("PLATFORM_LOGO") or None,
        "PLATFORM_ACCENT_COLOR": env.get("PLATFORM_ACCENT_COLOR") or "#0b5cad",
        "PLATFORM_CONTACT_PHONE": env.get("PLATFORM_CONTACT_PHONE") or None,
        "PLATFORM_CONTACT_EMAIL": env.get("PLATFORM_CONTACT_EMAIL") or None,
        "PLATFORM_WEBSITE": env.get("PLATFORM_WEBSITE") or None,
        # the folder of the plain pages, the glossary and the legal pages (content/ by default)
        "CONTENT_DIR": env.get("CONTENT_DIR") or None,
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS") or 730),
        # how long a person has to accept a place offered from the waiting list
        "WAITLIST_OFFER_HOURS": float(env.get("WAITLIST_OFFER_HOURS") or 48),
        # reverse proxies in front of gunicorn that set X-Forwarded-* (0: none)
        "PROXY_COUNT": int(env.get("PROXY_COUNT") or 0),
        "OUTBOX_RETENTION_DAYS": int(env.get("OUTBOX_RETENTION_DAYS") or 90),
        "AUDIT_RETENTION_DAYS": int(env.get("AUDIT_RETENTION_DAYS") or 1826),
        "SESSION_COOKIE_SECURE": production or _bool(env.get("SESSION_COOKIE_SECURE"), False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ["fr", "en", "ar"],
        **_optional_ints(env, "ORIENTATION_LOG_BATCH"),
        # how long a process may reuse what it read of the offer, the communes and the
        # next dates before it checks again (seconds; the code has defaults)
        **_optional_floats(
            env,
            "ORIENTATION_INDEX_TTL",
            "ORIENTATION_DATES_TTL",
            "GEO_INDEX_TTL",
            "FEED_RECHECK_SECONDS",
        ),
        # compress HTML, JSON, calendars, CSS and scripts when the client accepts it (off:
        # leave it to a reverse proxy; docs/deploy.md). Never the BREACH-exposed pages.
        "COMPRESS_RESPONSES": _bool(env.get("COMPRESS_RESPONSES"), True),
        # where the workers of one machine share the public feeds they built (default
        # <instance>/feed-cache; "" for none: each worker keeps its own; docs/calendar.md)
        **({"FEED_CACHE_DIR": env["FEED_CACHE_DIR"]} if "FEED_CACHE_DIR" in env else {}),
    }


def _base_url(env) -> str:
    """BASE_URL, else the local server's address on PORT (``PORT=8000 make run``): every
    manage link, feed address, QR code and e-mail link of the session must reach it."""
    if env.get("BASE_URL"):
        return env["BASE_URL"].rstrip("/")
    port = (env.get("PORT") or "5000").strip()
    if not port.isdigit():
        raise ValueError(f"PORT must be a port number, not {port!r}")
    return f"http://127.0.0.1:{int(port)}"


def _optional_ints(env, *names: str) -> dict:
    """Integer settings that only exist when the environment sets them (the code has defaults)."""
    return {name: int(env[name]) for name in names if env.get(name)}


def _optional_floats(env, *names: str) -> dict:
    """Number settings that only exist when the environment sets them (the code has defaults)."""
    return {name: float(env[name]) for name in names if env.get(name)}
