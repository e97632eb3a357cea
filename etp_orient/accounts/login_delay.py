"""A growing wait between failed logins on one account, instead of a lock-out.

After ``FREE_FAILURES`` failures in a row on an address (an account or not, so
that the wait tells nothing about which addresses have one), each further try
must wait 1, 2, 4, … seconds after the last failure, at most ``MAX_DELAY``. A
try inside the wait is refused before the password is read, and does not count.
Failures are forgotten after ``MEMORY`` without one, or at a successful login.

Anyone can still make someone wait a minute, no longer: the real user logs in
once the wait has passed. The limit per client IP (views) stays.
"""

import math
from datetime import timedelta

from ..core import throttle
from ..core.clock import now
from .services import normalise_email

SCOPE = "login"
FREE_FAILURES = 5
MAX_DELAY = timedelta(seconds=60)
MEMORY = timedelta(minutes=15)


def delay_after(failures: int) -> timedelta:
    """The wait after ``failures`` failures in a row: 0, then 1 s, 2 s, 4 s … up to MAX_DELAY."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    # min() on the exponent first: 2 ** a huge count would be a huge integer
    seconds = 2 ** min(failures - FREE_FAILURES, 16)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def seconds_to_wait(email: str) -> int:
    """Whole seconds before this address may try again (0: it may try now)."""
    if not throttle.enabled():
        return 0
    counted = throttle.read(SCOPE, normalise_email(email))
    if counted is None:
        return 0
    at = now()
    if at - counted.last_at >= MEMORY:
        return 0
    left = counted.last_at + delay_after(counted.count) - at
    return max(0, math.ceil(left.total_seconds()))


def failed(email: str) -> None:
    """Count a failed login on this address."""
    if throttle.enabled():
        throttle.hit(SCOPE, normalise_email(email), window=MEMORY, sliding=True)


def succeeded(email: str) -> None:
    """A good password: the failures before it are forgotten."""
    if throttle.enabled():
        throttle.clear(SCOPE, normalise_email(email))
