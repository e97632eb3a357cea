"""Checks that keep a process's in-memory indexes fresh, out of the request path.

The offer index (orientation) and the communes index (geo) are checked against
the database every few seconds. Done inside a request, that check (and a rebuild
after a change) was paid by whichever visitor came at that moment; here one daemon
thread per process runs them, in its own application context, and requests use
the index they find. Off when testing (``BACKGROUND_CHECKS``; tests check inline).
"""

import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_lock = threading.Lock()
# name → (check, period in seconds); the thread of this process (by pid: gunicorn forks)
_checks: dict[str, tuple[Callable[[], None], float]] = {}
_running: dict[str, object] = {"pid": None}


def enabled(app) -> bool:
    return bool(app.config.get("BACKGROUND_CHECKS", not app.testing))


def keep_checking(app, name: str, check: Callable[[], None], period: float) -> None:
    """Run ``check()`` every ``period`` seconds in this process's checking thread."""
    with _lock:
        _checks[name] = (check, period)
        if _running["pid"] == os.getpid():
            return
        _running["pid"] = os.getpid()
        thread = threading.Thread(target=_loop, args=(app,), name="etp-orient-checks", daemon=True)
        thread.start()


def _loop(app) -> None:
    from ..extensions import db

    done: dict[str, float] = {}
    while True:
        time.sleep(0.25)
        for name, (check, period) in list(_checks.items()):
            if time.monotonic() - done.get(name, 0.0) < period:
                continue
            done[name] = time.monotonic()
            try:
                with app.app_context():
                    try:
                        check()
                    finally:
                        db.session.remove()
            except Exception:  # noqa: BLE001 (the database away for a while: try again later)
                log.warning("background check %s failed", name, exc_info=True)
