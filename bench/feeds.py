"""Benchmark of a calendar feed of 1,000 group sessions.

    .venv/bin/python bench/feeds.py [--sessions 1000] [--runs 7]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (a SQLite file, or a fresh PostgreSQL database when
``--postgres`` is given) with one programme, 100 cohorts and ``--sessions``
sessions spread over the coming 12 months, then times the whole programme feed
(query, turning rows into events, building and serialising the calendar) as
served by ``/calendar/programme/<code>.ics``, several times in fresh database
sessions. Prints the median total and the share of it spent outside
icalendar's own serialisation (``Component.to_ical``). Target: under 200 ms.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _populate(sessions: int) -> str:
    from etp_orient.extensions import db
    from tests.fixtures.feeds import (
        make_cohort,
        make_programme,
        make_session,
        make_site,
        make_structure,
    )

    structure = make_structure()
    site = make_site(structure)
    programme = make_programme(structure, sites=[site])
    cohorts = [make_cohort(programme, site, f"grp-{i:03d}") for i in range(100)]
    per_cohort = max(1, sessions // len(cohorts))
    made = 0
    for i, cohort in enumerate(cohorts):
        first = NOW + timedelta(days=1 + (i * 3) % 300, hours=i % 8)
        for j in range(per_cohort):
            if made == sessions:
                break
            make_session(cohort, first + timedelta(weeks=j), f"ses-{i:03d}-{j:02d}")
            made += 1
    db.session.commit()
    return programme.code


def run(database_url: str, sessions: int, runs: int) -> None:
    from icalendar.cal.component import Component

    from etp_orient import create_app
    from etp_orient.extensions import db
    from etp_orient.feeds import services

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "https://etp.example",
            "CLOCK": lambda: NOW,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        code = _populate(sessions)

    # Time spent inside icalendar's serialisation (outermost to_ical call only).
    original = Component.to_ical
    spent = {"to_ical": 0.0, "to_ical_cpu": 0.0, "depth": 0}

    def timed_to_ical(self, *args, **kwargs):
        spent["depth"] += 1
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent["depth"] -= 1
            if spent["depth"] == 0:
                spent["to_ical"] += time.perf_counter() - started
                spent["to_ical_cpu"] += time.process_time() - started_cpu

    Component.to_ical = timed_to_ical
    totals, serialising, cpu_totals, cpu_serialising, size, events = [], [], [], [], 0, 0
    try:
        for _ in range(runs):
            with app.app_context():
                db.session.remove()
                spent["to_ical"] = spent["to_ical_cpu"] = 0.0
                started, started_cpu = time.perf_counter(), time.process_time()
                feed = services.build("programme", code)
                body = feed.body
                totals.append(time.perf_counter() - started)
                cpu_totals.append(time.process_time() - started_cpu)
                serialising.append(spent["to_ical"])
                cpu_serialising.append(spent["to_ical_cpu"])
                size, events = len(body), len(feed.events)
    finally:
        Component.to_ical = original
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    print(f"database: {database_url.split(':', 1)[0]}")
    print(f"events: {events}, body: {size / 1024:.0f} KiB, runs: {runs}")
    # Wall time depends on what else the machine runs; CPU time is this process's own.
    for label, whole, inside in (
        ("wall", totals, serialising),
        ("cpu", cpu_totals, cpu_serialising),
    ):
        total, within = statistics.median(whole), statistics.median(inside)
        print(
            f"{label:4} total median {total * 1000:6.1f} ms (min {min(whole) * 1000:6.1f} ms); "
            f"icalendar to_ical {within * 1000:5.1f} ms; "
            f"outside to_ical {(total - within) * 1000:5.1f} ms = {(total - within) / total:.0%}"
        )
    best = statistics.median(totals)
    print(f"target < 200 ms (wall, median): {'met' if best < 0.2 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", help="server URL; a fresh database is created and dropped")
    args = parser.parse_args()
    from bench.scratch import scratch_database

    with scratch_database(args.postgres) as url:
        run(url, args.sessions, args.runs)


if __name__ == "__main__":
    main()
