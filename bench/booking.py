"""Benchmark of booking and joining under gunicorn.

    .venv/bin/python bench/booking.py [--workers 4] [--concurrency 16]
        [--bookings 200] [--joins 300] [--capacity 50]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (a SQLite file, or a fresh PostgreSQL database when
``--postgres`` is given), migrates it, adds one programme with ``--bookings``
BEP slots and one cohort of ``--capacity`` places, and starts the app under
gunicorn with ``--workers`` processes (CSRF on, rate limits off). Then:

* bookings: ``--bookings`` visitors each book a different slot;
* joins: ``--joins`` visitors join the same cohort (the rest go to the waiting list);
* contention: 4 x ``--concurrency`` visitors book the same slot at once.

Each visitor first GETs the form (session cookie and CSRF token, not timed),
then the POST is timed, ``--concurrency`` at a time. Prints, per phase,
throughput (POSTs per second of wall time), p50 and p95 latency, and the HTTP
statuses; then checks that nothing was overbooked.
"""

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _database(postgres: str | None) -> tuple[str, callable]:
    """A throw-away database URL and the function that removes it."""
    from contextlib import ExitStack

    from bench.scratch import scratch_database

    stack = ExitStack()
    url = stack.enter_context(scratch_database(postgres, "bench_booking"))
    return url, stack.close


def _populate(url: str, bookings: int, capacity: int) -> None:
    from flask_migrate import upgrade

    from etp_orient import create_app
    from etp_orient.extensions import db
    from tests.fixtures.booking import make_world

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        make_world(slots=bookings + 1, capacity=capacity)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _form(n: int) -> dict:
    return {
        "first_name": f"Bench{n}",
        "last_name": "Test",
        "birth_year": "1970",
        "email": f"bench{n}@example.org",
        "language": "fr",
        "consent_contact": "y",
    }


def _phase(server_url: str, jobs: list[tuple[str, dict]], concurrency: int) -> dict:
    from tests.fixtures.booking_http import Visitor

    visitors = []
    with ThreadPoolExecutor(concurrency) as pool:

        def prepare(job):
            visitor = Visitor(server_url)
            visitor.get_form(job[0])
            return visitor

        visitors = list(pool.map(prepare, jobs))

        def timed(pair):
            visitor, (path, data) = pair
            start = time.perf_counter()
            try:
                status = visitor.post(path, data)
            except OSError as error:
                status = type(error).__name__
            return status, time.perf_counter() - start

        started = time.perf_counter()
        results = list(pool.map(timed, zip(visitors, jobs, strict=True)))
        wall = time.perf_counter() - started
    latencies = sorted(r[1] for r in results)
    return {
        "requests": len(results),
        "wall_s": wall,
        "throughput": len(results) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
        "statuses": dict(Counter(r[0] for r in results)),
    }


def _check(url: str, capacity: int) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        double = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT slot_id FROM bookings WHERE status = 'confirmed' "
                "GROUP BY slot_id HAVING count(*) > 1) AS d"
            )
        ).scalar()
        confirmed = conn.execute(
            text("SELECT count(*) FROM enrollments WHERE status = 'confirmed'")
        ).scalar()
        seats = conn.execute(text("SELECT seats_taken FROM cohorts")).scalar()
    engine.dispose()
    ok = double == 0 and confirmed == seats <= capacity
    return (
        f"slots booked twice: {double}; cohort confirmed rows {confirmed}, "
        f"seats_taken {seats}, capacity {capacity} -> {'OK' if ok else 'OVERBOOKED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()

    from tests.fixtures.servers import GunicornServer

    url, drop = _database(args.postgres)
    server = None
    try:
        _populate(url, args.bookings, args.capacity)
        server = GunicornServer(url, workers=args.workers).start()
        database = "PostgreSQL" if args.postgres else "SQLite"
        print(
            f"booking benchmark: {database}, gunicorn {args.workers} workers, "
            f"{args.concurrency} concurrent clients"
        )
        phases = {
            "bookings (distinct slots)": [
                (f"/rdv/bep-{i + 1}", _form(i)) for i in range(args.bookings)
            ],
            "joins (one cohort)": [
                ("/groupes/grp-booking", _form(10_000 + i)) for i in range(args.joins)
            ],
            "contention (one slot)": [
                (f"/rdv/bep-{args.bookings + 1}", _form(20_000 + i))
                for i in range(4 * args.concurrency)
            ],
        }
        for name, jobs in phases.items():
            jobs = [(path, data) for path, data in jobs]
            report = _phase(server.url, jobs, args.concurrency)
            print(
                f"  {name:28s} {report['requests']:4d} POSTs  "
                f"{report['throughput']:7.1f}/s  p50 {report['p50_ms']:6.1f} ms  "
                f"p95 {report['p95_ms']:6.1f} ms  statuses {report['statuses']}"
            )
        print("  check: " + _check(url, args.capacity))
    finally:
        if server is not None:
            server.stop()
        drop()


if __name__ == "__main__":
    main()
