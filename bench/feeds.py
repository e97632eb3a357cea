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

    .venv/bin/python bench/feeds.py --national [--programmes 1000 4000 10000]
        [--workers 4] [--threads 4] [--seconds 15] [--postgres URL]

With ``--national``: builds the synthetic national offer (bench/gen_offer.py, as
bench/orientation.py does), serves it under gunicorn with several workers and
asks once for every feed (building it: the workers share what they build through
``FEED_CACHE_DIR``, a fresh folder per run; prints how long those first requests
took), then drives, in 1-s turns, a static file of the same server, programme feeds,
structure feeds, and programme feeds asked again with the ETag received
(``If-None-Match``, answered 304). Prints throughput, p50/p95 and each route's
throughput as a share of the static file's (issue 17: p95 ≤ 50 ms and at least
0.25 of the static file).

    .venv/bin/python bench/feeds.py --in-process --sqlite-file FILE [--postgres-database URL]

With ``--in-process``: the kept public feeds of a national database already built
(bench/orientation.py), timed through the Flask test client with the production
settings (compression on; plain, gzip and conditional requests), next to ``/healthz``:
CPU and wall time per request, best of 5 medians of 200 requests. These figures hold
on a busy machine, where the gunicorn ones do not.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
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
            # every run builds the feed (the kept copy would answer from the second run)
            "FEED_CACHE": False,
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


def _feed_codes(url: str) -> tuple[list[str], list[str]]:
    """Codes of published programmes and of structures that have group sessions."""
    from sqlalchemy import select

    from bench.import_offer import _app
    from etp_orient.booking.models import Cohort
    from etp_orient.catalogue.models import Programme, Structure, programme_structures
    from etp_orient.extensions import db

    app = _app(url)
    with app.app_context():
        programmes = db.session.scalars(
            select(Programme.code)
            .where(Programme.status == "published", Programme.id.in_(select(Cohort.programme_id)))
            .order_by(Programme.code)
            .limit(300)
        ).all()
        structures = db.session.scalars(
            select(Structure.code)
            .join(programme_structures, programme_structures.c.structure_id == Structure.id)
            .where(programme_structures.c.programme_id.in_(select(Cohort.programme_id)))
            .distinct()
            .order_by(Structure.code)
            .limit(300)
        ).all()
        db.engine.dispose()
    return list(programmes), list(structures)


def _etags(base: str, paths: list[str]) -> dict[str, str]:
    import urllib.request

    etags: dict[str, str] = {}
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=120) as response:  # noqa: S310
            response.read()
            etags[path] = response.headers.get("ETag", "")
    return etags


def _conditional_phase(base: str, etags: dict, threads: int, seconds: float) -> dict:
    """Like orientation._phase, each feed asked with the ETag it answered before."""
    import threading
    import urllib.error
    import urllib.request

    paths = list(etags)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        i, mine, codes = offset, [], {}
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            request = urllib.request.Request(base + path, headers={"If-None-Match": etags[path]})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                error.read()
                status = error.code
            except OSError:
                status = 599
            mine.append(time.perf_counter() - t0)
            codes[status] = codes.get(status, 0) + 1
            i += threads
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    began = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return {"latencies": latencies, "wall": time.perf_counter() - began, "statuses": statuses}


def national_run(url: str, label: str, args) -> None:
    from bench.orientation import (
        FROZEN_NOW,
        _build,
        _get,
        _merge,
        _phase,
        _upgrade,
        print_results,
        static_path,
    )
    from tests.fixtures.servers import GunicornServer

    if getattr(args, "reuse", False):
        print(f"{label}: reusing the database built before", flush=True)
        _upgrade(url)
    else:
        print(f"{label}: building the national offer ({args.programmes} programmes)…", flush=True)
        _build(url, args)
    programmes, structures = _feed_codes(url)
    # a fresh folder for the feeds the workers share: none is left from a previous run
    shared = tempfile.mkdtemp(prefix="feed-cache-")
    env = {
        "ETP_FROZEN_NOW": FROZEN_NOW,
        "RATELIMIT_ENABLED": "0",
        "GUNICORN_CMD_ARGS": "--timeout 180",
        "FEED_CACHE_DIR": shared,
    }
    server = GunicornServer(url, workers=args.workers, env=env).start(timeout=180)
    try:
        static = static_path(server.url)
        programme_paths = [f"/calendar/programme/{c}.ics" for c in programmes]
        structure_paths = [f"/calendar/structure/{c}.ics" for c in structures]
        # every feed built once (one request each, one after the other): what is timed
        # below is feeds already built, as a calendar app polling finds them
        for name, paths in (("programme", programme_paths), ("structure", structure_paths)):
            took = [_get(server.url + path)[0] for path in paths]
            print(
                f"  first request of each {name} feed (built): median "
                f"{statistics.median(took) * 1000:.1f} ms, max {max(took) * 1000:.1f} ms",
                flush=True,
            )
        etags = _etags(server.url, programme_paths[:50])
        phases = [
            ("static file", lambda: _phase(server.url, [static], args.threads, 1.0)),
            ("programme feed", lambda: _phase(server.url, programme_paths, args.threads, 1.0)),
            ("structure feed", lambda: _phase(server.url, structure_paths, args.threads, 1.0)),
            (
                "programme feed, ETag 304",
                lambda: _conditional_phase(server.url, etags, args.threads, 1.0),
            ),
        ]
        parts: dict[str, list[dict]] = {name: [] for name, _ in phases}
        for _round in range(max(1, round(args.seconds))):
            for name, phase in phases:
                parts[name].append(phase())
        results = {name: _merge(chunks) for name, chunks in parts.items()}
    finally:
        server.stop()
        shutil.rmtree(shared, ignore_errors=True)
    print_results(
        f"{label}, {args.programmes} programmes: gunicorn {args.workers} workers, "
        f"{args.threads} client threads, {args.seconds:g} s per route in 1-s turns "
        f"({len(programme_paths)} programme feeds, {len(structure_paths)} structure feeds)",
        results,
    )
    static_rps = results["static file"]["rps"]
    ok = all(
        r["p95"] <= 50 and r["rps"] >= 0.25 * static_rps
        for name, r in results.items()
        if name != "static file"
    )
    print(f"  target (p95 ≤ 50 ms, ≥ 0.25 of static): {'met' if ok else 'NOT met'}", flush=True)


def in_process(url: str, rounds: int = 5, requests: int = 200) -> None:
    """Time kept feeds through the Flask test client, as production serves them."""
    import os

    os.environ.setdefault("ETP_FROZEN_NOW", "2026-11-30T08:00:00+00:00")
    os.environ["RATELIMIT_ENABLED"] = "0"
    os.environ["FEED_CACHE_DIR"] = ""
    os.environ["DATABASE_URL"] = url
    from etp_orient import create_app

    programmes, structures = _feed_codes(url)
    app = create_app()
    client = app.test_client()
    plain, gzip = {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip"}
    programme_paths = [f"/calendar/programme/{c}.ics" for c in programmes[:100]]
    structure_paths = [f"/calendar/structure/{c}.ics" for c in structures[:100]]
    etags = {}
    for headers in (plain, gzip):
        for path in programme_paths + structure_paths:
            etag = client.get(path, headers=headers).headers.get("ETag")
            etags[path, headers["Accept-Encoding"]] = etag
    cases = [
        ("/healthz", ["/healthz"], lambda _p: {}),
        ("programme feed", programme_paths, lambda _p: plain),
        ("programme feed, gzip", programme_paths, lambda _p: gzip),
        ("structure feed", structure_paths, lambda _p: plain),
        ("structure feed, gzip", structure_paths, lambda _p: gzip),
        (
            "programme feed, ETag 304",
            programme_paths,
            lambda p: {**plain, "If-None-Match": etags[p, "identity"]},
        ),
        (
            "programme feed, gzip ETag 304",
            programme_paths,
            lambda p: {**gzip, "If-None-Match": etags[p, "gzip"]},
        ),
    ]
    best_cpu: dict[str, float] = {}
    best_wall: dict[str, float] = {}
    for _round in range(rounds):
        for name, paths, headers in cases:
            cpu, wall = [], []
            for i in range(requests):
                path = paths[i % len(paths)]
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path, headers=headers(path))
                cpu.append(time.process_time() - started_cpu)
                wall.append(time.perf_counter() - started)
            best_cpu[name] = min(best_cpu.get(name, 1.0), statistics.median(cpu))
            best_wall[name] = min(best_wall.get(name, 1.0), statistics.median(wall))
    print(
        f"{url.split(':', 1)[0]}: kept feeds in-process (Flask test client), "
        f"best of {rounds} medians of {requests} requests"
    )
    for name, *_ in cases:
        print(
            f"  {name:30} CPU {best_cpu[name] * 1000:5.2f} ms   "
            f"wall {best_wall[name] * 1000:5.2f} ms"
        )
    with app.app_context():
        from etp_orient.extensions import db

        db.engine.dispose()


def national(args) -> None:
    from bench.orientation import has_offer
    from bench.scratch import scratch_database

    for size in args.programmes:
        sized = argparse.Namespace(**vars(args))
        sized.programmes, sized.sites, sized.dated = size, 2 * size, 50 * size
        sized.file, sized.seed = None, 1
        if args.sqlite_file:
            sized.reuse = Path(args.sqlite_file).exists()
            national_run(f"sqlite:///{Path(args.sqlite_file).resolve()}", "SQLite", sized)
        else:
            with scratch_database(None) as url:
                national_run(url, "SQLite", sized)
        if args.postgres_database:
            sized.reuse = has_offer(args.postgres_database)
            national_run(args.postgres_database, "PostgreSQL", sized)
        elif args.postgres:
            sized.reuse = False
            with scratch_database(args.postgres) as url:
                national_run(url, "PostgreSQL", sized)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgres", help="server URL; a fresh database is created and dropped")
    parser.add_argument("--national", action="store_true", help="feeds under gunicorn")
    parser.add_argument("--programmes", type=int, nargs="+", default=[4000])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--sqlite-file", help="SQLite file built by bench/orientation.py, reused")
    parser.add_argument(
        "--postgres-database", help="PostgreSQL database built by bench/orientation.py, reused"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="kept feeds timed through the Flask test client (with --sqlite-file or "
        "--postgres-database, a national database already built)",
    )
    args = parser.parse_args()
    from bench.scratch import scratch_database

    if args.in_process:
        if args.sqlite_file:
            in_process(f"sqlite:///{Path(args.sqlite_file).resolve()}")
        if args.postgres_database:
            in_process(args.postgres_database)
        return
    if args.national:
        national(args)
        return

    with scratch_database(args.postgres) as url:
        run(url, args.sessions, args.runs)


if __name__ == "__main__":
    main()
