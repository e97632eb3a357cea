"""Benchmark of the offer directory at national scale, under gunicorn (issue 15, point 7).

    .venv/bin/python bench/directory.py [--programmes 4000] [--sites 8000] [--dated 200000]
        [--workers 3] [--threads 4] [--seconds 20] [--file OFFER.json] [--sqlite-file DB]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds the synthetic national offer (bench/gen_offer.py, as bench/orientation.py does)
into a fresh SQLite database (and a fresh PostgreSQL one with ``--postgres``), starts
the app under gunicorn, then drives in one-second turns, from a few client threads:

  * ``/healthz`` (the trivial route),
  * ``GET /api/v1/programmes`` with varied filters (condition, département, format,
    audience, language, structure; sorted by title or by the next date; pages 1–3),
  * ``/programmes`` (the directory page) with the same filters,
  * ``/pro/offre`` (the professionals' table, 100 rows) by département,
  * ``GET /api/v1/programmes/carte`` (the map's markers) by département,

and prints throughput and p50/p95 latency of each. Target: p95 ≤ 50 ms for a filtered page.
"""

import argparse
import random
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.orientation import FROZEN_NOW, _build, _get, _merge, _phase  # noqa: E402

CODES = ["diabete", "diabete-type-2", "bpco", "respiratoire", "cardio", "hypertension",
         "obesite-adulte", "asthme", "covid-long", "tabac"]  # fmt: skip


def _samples(url: str) -> tuple[list[str], list[str]]:
    """Départements that have sites, and a few structure codes, from the built database."""
    from sqlalchemy import select

    from bench.import_offer import _app
    from etp_orient.catalogue.models import Site, Structure
    from etp_orient.extensions import db
    from etp_orient.geo.models import Commune

    app = _app(url)
    with app.app_context():
        departements = db.session.scalars(
            select(Commune.departement)
            .join(Site, Site.commune_insee == Commune.insee)
            .distinct()
            .order_by(Commune.departement)
        ).all()
        structures = db.session.scalars(select(Structure.code).order_by(Structure.code)).all()
        db.engine.dispose()
    return list(departements), list(structures)


def _queries(departements: list[str], structures: list[str], count: int, seed: int = 5):
    """Filtered directory queries, as people bookmark them."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        params = {}
        if rng.random() < 0.8:
            params["departement"] = rng.choice(departements)
        if rng.random() < 0.6:
            params["condition"] = rng.choice(CODES)
        roll = rng.random()
        if roll < 0.2:
            params["format"] = rng.choice(["presentiel", "distanciel"])
        elif roll < 0.3:
            params["audience"] = rng.choice(["adults", "children", "pregnancy"])
        elif roll < 0.35:
            params["language"] = "ar"
        elif roll < 0.45:
            params = {"structure": rng.choice(structures)}
        if rng.random() < 0.3:
            params["sort"] = "next"
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(2, 3))
        queries.append(urllib.parse.urlencode(params))
    return queries


def run(url: str, label: str, args) -> None:
    from tests.fixtures.servers import GunicornServer

    if getattr(args, "reuse", False):
        print(f"{label}: reusing the database built before", flush=True)
    else:
        print(f"{label}: building the national offer…", flush=True)
        _build(url, args)
    departements, structures = _samples(url)
    queries = _queries(departements, structures, 400)
    env = {"ETP_FROZEN_NOW": FROZEN_NOW, "RATELIMIT_ENABLED": "0"}
    server = GunicornServer(url, workers=args.workers, env=env).start()
    try:
        # warm every worker (each reads the offer once)
        for q in queries[: 5 * args.workers]:
            _get(f"{server.url}/api/v1/programmes?{q}")
        by_dep = [urllib.parse.urlencode({"departement": d}) for d in departements]
        phases = [
            ("/healthz (trivial)", ["/healthz"]),
            ("/api/v1/programmes", [f"/api/v1/programmes?{q}" for q in queries]),
            ("/programmes", [f"/programmes?{q}" for q in queries]),
            ("/pro/offre", [f"/pro/offre?{q}" for q in by_dep]),
            ("/api/v1/programmes/carte", [f"/api/v1/programmes/carte?{q}" for q in by_dep]),
        ]
        parts: dict[str, list[dict]] = {name: [] for name, _ in phases}
        for _round in range(max(1, round(args.seconds))):
            for name, paths in phases:
                parts[name].append(_phase(server.url, paths, args.threads, 1.0))
        results = {name: _merge(chunks) for name, chunks in parts.items()}
    finally:
        server.stop()
    trivial = results["/healthz (trivial)"]["rps"]
    print(
        f"\n{label}: gunicorn {args.workers} workers, {args.threads} client threads, "
        f"{args.seconds:g} s per route, in 1-s turns"
    )
    print(f"  {'route':<28}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'vs trivial':>12}")
    for name, r in results.items():
        print(
            f"  {name:<28}{r['requests']:>9}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
            f"{r['rps'] / trivial:>11.0%}  statuses {r['statuses']}"
        )
    filtered = ("/api/v1/programmes", "/programmes")
    ok = all(results[name]["p95"] <= 50 for name in filtered)
    print(f"  target (filtered page p95 ≤ 50 ms): {'met' if ok else 'NOT met'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programmes", type=int, default=4000)
    parser.add_argument("--sites", type=int, default=8000)
    parser.add_argument("--dated", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", help="offer file (generated when missing)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--postgres", help="also run on a fresh database next to this URL")
    parser.add_argument(
        "--sqlite-file", help="SQLite file to build into, or to reuse when it already exists"
    )
    args = parser.parse_args(argv)

    if args.sqlite_file:
        path = Path(args.sqlite_file).resolve()
        args.reuse = path.exists()
    else:
        path = Path(tempfile.mkdtemp(prefix="etp-bench-directory-")) / "bench.sqlite"
    run(f"sqlite:///{path}", "SQLite", args)
    args.reuse = False

    if args.postgres:
        from bench.scratch import scratch_database

        with scratch_database(args.postgres) as url:
            run(url, "PostgreSQL", args)


if __name__ == "__main__":
    main()
