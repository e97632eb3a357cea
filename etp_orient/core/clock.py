"""The injected clock: every "now" in the code goes through :func:`now`.

Tests and the demo freeze or move time by setting ``app.config["CLOCK"]`` to a
callable returning an aware datetime; a process-wide override is available
through the ``ETP_FROZEN_NOW`` environment variable (ISO 8601) for servers
started by the tests.
"""

import os
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, has_app_context


def _env_clock() -> datetime | None:
    frozen = os.environ.get("ETP_FROZEN_NOW")
    if not frozen:
        return None
    value = datetime.fromisoformat(frozen)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
