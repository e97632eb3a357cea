"""The injected clock: every "now" in the code goes through :func:`now`.

Tests and the demo freeze or move time by setting ``app.config["CLOCK"]`` to a
callable returning an aware datetime. Servers started by the tests (gunicorn,
in other processes) follow the tests' clock through the environment, outside
production only (``create_app`` refuses to start in production with either set):

- ``ETP_FROZEN_NOW``: one fixed ISO 8601 date-time for the whole process;
- ``ETP_CLOCK_FILE``: a file holding one ISO 8601 date-time, read again whenever
  it changes, so that a test can move the clock of a running server.
"""

import os
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context

CLOCK_ENVIRONMENT = ("ETP_CLOCK_FILE", "ETP_FROZEN_NOW")

# path -> ((inode, mtime_ns, size), the date-time the file held then); each write
# replaces the file, so a new time always comes with a new inode
_file_cache: dict[str, tuple[tuple[int, int, int], datetime]] = {}


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _file_clock(path: str) -> datetime | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _file_cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    try:
        with open(path, encoding="utf-8") as handle:
            content = handle.read()
    except OSError:
        return None
    if not content.strip():
        # caught between the truncation and the write of a new time: keep the last
        return cached[1] if cached else None
    value = _parse(content)
    _file_cache[path] = (signature, value)
    return value


def _env_clock() -> datetime | None:
    frozen = os.environ.get("ETP_FROZEN_NOW")
    if frozen:
        return _parse(frozen)
    path = os.environ.get("ETP_CLOCK_FILE")
    return _file_clock(path) if path else None


def write_clock_file(path: str, at: datetime) -> None:
    """Set the time that processes reading ``path`` (``ETP_CLOCK_FILE``) see."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(at.astimezone(UTC).isoformat())
    os.replace(temporary, path)  # atomic: a reader sees the old time or the new one


def check_not_in_production(config) -> None:
    """Refuse a test clock in production: time there is the real time.

    The test suite also runs the app with production settings (headers, cookies,
    TLS behind a proxy) on its own clock: it marks its processes with
    ``ETP_TESTING=1``, which no deployment sets.
    """
    if config.get("ETP_ENV") == "production" and os.environ.get("ETP_TESTING") != "1":
        set_names = [name for name in CLOCK_ENVIRONMENT if os.environ.get(name)]
        if set_names:
            raise RuntimeError(
                f"{', '.join(set_names)} moves the clock for tests; unset it in production"
            )


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
        if clock is not None:
            return clock().astimezone(UTC)
    frozen = _env_clock()
    if frozen is not None:
        return frozen
    return datetime.now(UTC)


def today_utc():
    """The current date in UTC."""
    return now().date()
