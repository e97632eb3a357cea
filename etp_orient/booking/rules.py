"""What every booking service shares: refusals, the locking switch, eligibility.

See ``services.py`` for how capacity holds under concurrency.
"""

import os

from flask import current_app

from ..core.db import begin_write
from ..extensions import db


class BookingError(Exception):
    """A refusal the person must be told about; ``reason`` names it for the view."""

    def __init__(self, reason: str, *, detail=None):
        super().__init__(reason)
        self.reason = reason
        # what the message names, e.g. the clashing date (``transversal.Clash``)
        self.detail = detail


def locking_enabled() -> bool:
    """``app.config["BOOKING_LOCKING"]``, else the ``BOOKING_LOCKING`` variable (default on)."""
    value = current_app.config.get("BOOKING_LOCKING")
    if value is None:
        value = os.environ.get("BOOKING_LOCKING", "1").strip().lower() not in (
            "0",
            "false",
            "no",
            "off",
        )
    return bool(value)


def start(lock: bool) -> None:
    if lock:
        begin_write()


def actor(user) -> int | None:
    return getattr(user, "id", None)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def withdraw_reminders(prefix: str) -> None:
    from ..notify import services as notify

    withdraw = getattr(notify, "withdraw_pending", None)
    if withdraw is not None:
        withdraw(prefix)


def age_fits(programme, birth_year: int | None, year: int) -> bool:
    """Whether someone born in ``birth_year`` can be in the programme's age range this year.

    Without a birthday we only know the age is ``year - birth_year`` or one less,
    so we accept when either fits.
    """
    if birth_year is None:
        return True
    oldest = year - birth_year
    youngest = oldest - 1
    if programme.age_min is not None and oldest < programme.age_min:
        return False
    return not (programme.age_max is not None and youngest > programme.age_max)
