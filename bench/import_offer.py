"""Benchmark of the offer import: a national file into a fresh database.

    .venv/bin/python bench/import_offer.py [--programmes 4000] [--sites 8000] [--dated 200000]
        [--file OFFER.json] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Generates the file with bench/gen_offer.py when it does not exist yet, then,
for each database (a fresh SQLite file, and a fresh PostgreSQL database when
``--postgres`` is given), in a fresh process: migrates, reads the file, imports
it (validation included) and commits, then imports it a second time (which
must change nothing). Prints the elapsed times and the process's peak memory
(RSS). The target: under 2 minutes on SQLite for 4,000 programmes, 8,000 sites
and 200,000 dated rows.
"""

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _app(url: str):
    from etp_orient import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})


def fresh_database(url: str) -> None:
    """Migrate an empty database; without the communes data yet, add stand-in communes."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from etp_orient.extensions import db
    from etp_orient.geo.models import Commune

    app = _app(url)
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count()).select_from(Commune)) == 0:
            print("  (communes table empty: adding 3,000 stand-in communes for the benchmark)")
            db.session.execute(Commune.__table__.insert(), _stand_in_communes(3000))
            db.session.commit()
        db.engine.dispose()


def _stand_in_communes(n: int) -> list[dict]:
    import random

    rng = random.Random(7)
    deps = [f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]
    rows, seen = [], set()
    while len(rows) < n:
        dep = rng.choice(deps)
        insee = f"{dep}{rng.randint(1, 700):03d}"
        if insee in seen:
            continue
        seen.add(insee)
        rows.append(
            {
                "insee": insee,
                "name": f"Commune {insee}",
                "search_name": f"commune {insee.lower()}",
                "departement": dep,
                "population": rng.randint(100, 50000),
                "lat": rng.uniform(42.5, 50.9),
                "lon": rng.uniform(-4.5, 7.9),
                "coord_source": "departement",
            }
        )
    return rows


def _worker(url: str, path: str, queue) -> None:
    from etp_orient.catalogue.offer import import_offer
    from etp_orient.core.db import refresh_statistics
    from etp_orient.extensions import db

    app = _app(url)
    figures = {"rss_start_mb": round(_current_rss_mb())}
    last = {"stage": None}

    def progress(stage, done, total):
        if stage != last["stage"] or done == total:
            print(f"    {stage}: {done}/{total}", flush=True)
            last["stage"] = stage

    with app.app_context():
        began = time.perf_counter()
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        figures["read_s"] = time.perf_counter() - began
        t0 = time.perf_counter()
        report = import_offer(data, progress=progress)
        figures["import_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        db.session.commit()
        figures["commit_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        refresh_statistics()  # as import-offer does after a change
        figures["analyze_s"] = time.perf_counter() - t0
        figures["first_total_s"] = time.perf_counter() - began
        figures["first"] = report.as_dict()
        figures["rss_peak_first_mb"] = round(_rss_mb())
        t0 = time.perf_counter()
        again = import_offer(data)
        db.session.commit()
        figures["second_s"] = time.perf_counter() - t0
        figures["second_changed"] = again.changed
        db.engine.dispose()
    figures["rss_peak_mb"] = round(_rss_mb())
    queue.put(figures)


def measure(url: str, path: str) -> dict:
    """Import the file twice into the (migrated) database at ``url`` in a fresh process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_worker, args=(url, path, queue))
    child.start()
    figures = queue.get()
    child.join()
    return figures


def _print(label: str, f: dict) -> None:
    created = {k: v["created"] for k, v in f["first"].items()}
    print(f"{label}:")
    print(f"  rows created: {created}")
    print(
        f"  first import: {f['first_total_s']:.1f} s "
        f"(read JSON {f['read_s']:.1f} s, validate + write {f['import_s']:.1f} s, "
        f"commit {f['commit_s']:.1f} s, planner statistics {f['analyze_s']:.1f} s)"
    )
    print(
        f"  second import (same file): {f['second_s']:.1f} s, changed anything: {f['second_changed']}"
    )
    print(
        f"  memory: {f['rss_start_mb']} MB before reading, peak RSS {f['rss_peak_first_mb']} MB "
        f"after the first import, {f['rss_peak_mb']} MB overall"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark of import-offer.")
    parser.add_argument("--programmes", type=int, default=4000)
    parser.add_argument("--sites", type=int, default=8000)
    parser.add_argument("--dated", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", help="offer file (generated when missing)")
    parser.add_argument("--postgres", help="also run on a fresh database next to this URL")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="etp-bench-offer-"))
    try:
        _run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args, workdir: Path) -> None:
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    print("Preparing a fresh SQLite database…")
    fresh_database(sqlite_url)

    path = Path(
        args.file
        or Path(tempfile.gettempdir())
        / f"etp-orient-offer-{args.programmes}-{args.sites}-{args.dated}-{args.seed}.json"
    )
    if not path.exists():
        print(f"Generating {path}…")
        subprocess.run(  # noqa: S603 (our own script)
            [
                sys.executable,
                str(ROOT / "bench" / "gen_offer.py"),
                str(path),
                f"--programmes={args.programmes}",
                f"--sites={args.sites}",
                f"--dated={args.dated}",
                f"--seed={args.seed}",
                f"--database-url={sqlite_url}",
            ],
            check=True,
        )
    print(f"File: {path} ({path.stat().st_size / 1e6:.0f} MB)")

    print("Importing into SQLite…")
    _print("SQLite", measure(sqlite_url, str(path)))

    if args.postgres:
        from bench.scratch import scratch_database

        with scratch_database(args.postgres) as url:
            print("Preparing a fresh PostgreSQL database…")
            fresh_database(url)
            print("Importing into PostgreSQL…")
            _print("PostgreSQL", measure(url, str(path)))


if __name__ == "__main__":
    main()
