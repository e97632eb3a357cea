"""Benchmark of the communes table: loading it, building the search index, searching.

    .venv/bin/python bench/communes.py [--repeat 50]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Creates a fresh SQLite database (and a fresh PostgreSQL one with ``--postgres``,
dropped at the end), loads the shipped communes twice (the second load changes
nothing), builds the in-process name index, then times ``search_communes`` and
``resolve_commune`` on typical autocomplete and orientation inputs and prints the
median and worst time of each. Target: a search in a few milliseconds.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUERIES = [
    "angouleme",
    "st omer",
    "saint etiene",
    "bezier",
    "marseile",
    "sain",
    "Saint-Denis 974",
    "Angoulême (16000)",
    "75011",
    "01400",
    "160",
    "16015",
    "mamoudzou",
    "lisle adam",
]


def _time(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def run(url: str, repeat: int) -> None:
    from etp_orient import create_app
    from etp_orient.extensions import db
    from etp_orient.geo import services
    from etp_orient.geo.loader import load_communes

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        db.metadata.create_all(db.engine)
        for label in ("first load", "second load"):
            start = time.perf_counter()
            with db.engine.begin() as conn:
                count = load_communes(conn)
            print(f"  {label:24} {time.perf_counter() - start:6.2f} s   ({count} communes)")
        services.reset_index()
        start = time.perf_counter()
        services.search_communes("angouleme")
        print(f"  {'index build':24} {time.perf_counter() - start:6.2f} s")
        for q in QUERIES:
            median, worst = _time(lambda q=q: services.search_communes(q), repeat)
            first = services.search_communes(q, limit=1)
            found = f"{first[0].insee} {first[0].name}" if first else "-"
            print(f"  search {q!r:22} {median:6.2f} ms median {worst:6.2f} ms max   -> {found}")
        for q in ("saint etiene", "01400", "Saint-Denis"):
            median, worst = _time(lambda q=q: services.resolve_commune(q), repeat)
            print(f"  resolve {q!r:21} {median:6.2f} ms median {worst:6.2f} ms max")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", help="server URL; a fresh database is created there")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        run(f"sqlite:///{tmp}/communes.sqlite", args.repeat)
    if args.postgres:
        from bench.scratch import scratch_database

        with scratch_database(args.postgres, "bench_communes") as url:
            print("PostgreSQL")
            run(url, args.repeat)


if __name__ == "__main__":
    main()
