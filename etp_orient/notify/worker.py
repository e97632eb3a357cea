"""``etp-orient worker``: the scheduled jobs in one long-running process.

It sends the outbox every ``interval`` seconds and queues the reminders every
hour, so that ``make run`` shows (prints) its e-mails without anyone running
``send-outbox`` by hand; in production it replaces the cron lines (docs/deploy.md).

Safe to run twice at once (two hosts, or a restart overlapping): each job is
one of the commands that are already safe so (the outbox claims each message
before sending it; reminders have a unique key). Schedules follow the injected
clock (``core.clock.now``), so tests move time instead of waiting. SIGTERM and
SIGINT stop it between two messages: the loop waits on an event, not in a sleep.
"""

import logging
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from threading import Event
from typing import TextIO

from ..core.clock import now
from ..extensions import db

log = logging.getLogger("etp_orient.worker")

DEFAULT_INTERVAL_SECONDS = 10.0
DEFAULT_REMINDERS_EVERY = timedelta(hours=1)


@dataclass
class Job:
    """A task run at most once every ``every`` (on the injected clock)."""

    name: str
    every: timedelta
    run: Callable[["Worker"], object]
    last_run: datetime | None = None

    def due(self, at: datetime) -> bool:
        return self.last_run is None or at - self.last_run >= self.every


def _send_outbox(worker: "Worker") -> object:
    from .sending import SendReport, send_due

    total = SendReport()
    while not worker.stopping.is_set():  # one batch at a time: SIGTERM is heard between
        report = send_due(worker.batch, worker.worker_id, stream=worker.stream)
        for name in ("claimed", "sent", "retrying", "failed", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.claimed < worker.batch:
            break
    return total


def _send_reminders(_worker: "Worker") -> object:
    from .reminders import run_reminders

    return run_reminders()


def default_jobs(reminders_every: timedelta = DEFAULT_REMINDERS_EVERY) -> list[Job]:
    """The worker's jobs, in the order they run in a tick.

    A new periodic job goes here, e.g. the coming "expire waiting-list offers"
    (the place offered to the next person when a deadline passes)::

        Job("expire-offers", timedelta(minutes=1), _expire_offers),

    before ``send-outbox``, so the messages it queues leave in the same tick.
    """
    return [
        # (expire waiting-list offers: its Job goes here, see above)
        Job("send-reminders", reminders_every, _send_reminders),
        Job("send-outbox", timedelta(0), _send_outbox),  # every tick
    ]


@dataclass
class Worker:
    """Runs :func:`default_jobs` (or ``jobs``) every ``interval`` seconds until stopped."""

    interval: float = DEFAULT_INTERVAL_SECONDS
    jobs: list[Job] = field(default_factory=default_jobs)
    batch: int = 100
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stream: TextIO = field(default_factory=lambda: sys.stdout)
    stopping: Event = field(default_factory=Event)

    def run_once(self) -> dict[str, object]:
        """Run the jobs that are due now; a failing job is logged and tried next tick."""
        done = {}
        for job in self.jobs:
            if self.stopping.is_set():
                break
            at = now()
            if not job.due(at):
                continue
            try:
                done[job.name] = job.run(self)
            except Exception:  # noqa: BLE001 - a database or SMTP outage must not end the worker
                log.exception("worker job %s failed", job.name)
                done[job.name] = None
            finally:
                db.session.remove()  # no transaction (nor SQLite snapshot) kept between ticks
            job.last_run = at
        return done

    def run(self) -> None:
        """Tick until :meth:`stop` (or a signal handler calling it)."""
        while not self.stopping.is_set():
            self.run_once()
            self.stopping.wait(self.interval)

    def stop(self, *_signal_args) -> None:
        self.stopping.set()
