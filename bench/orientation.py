"""Benchmark of orientation at national scale, under gunicorn, next to a trivial route.

    .venv/bin/python bench/orientation.py [--programmes 4000] [--sites 8000] [--dated 200000]
        [--workers 4] [--threads 4] [--seconds 20] [--file OFFER.json] [--sqlite-file DB]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--dates-ttl SECONDS]

Builds the synthetic national offer (bench/gen_offer.py) into a fresh SQLite
database (and a fresh PostgreSQL one with ``--postgres``), starts the app under
gunicorn with several workers, then, for a bounded time per phase and from a few
client threads, drives:

  * ``/healthz`` (the trivial route: one ``SELECT 1``),
  * ``/api/v1/orientation`` with varied queries (everyday words, typos, codes,
    postal codes, INSEE codes, names, ages, pregnancy, formats, radius),
  * ``/orientation/resultats`` (the patient's results page) with the same queries,

and prints throughput and p50/p95 latency of each. Target: orientation p95 ≤ 50 ms
and throughput ≥ 40 % of the trivial route's.
"""

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Instant the server believes it is (the generated dates start on 1 December 2026).
FROZEN_NOW = "2026-11-30T08:00:00+00:00"

WORDS = [
    "j'ai du sucre dans le sang",
    "diabette",
    "diabète de type 2",
    "je m'essouffle",
    "bpc0",
    "astme",
    "tension",
    "coeur fatigué",
    "enceinte et diabète",
    "mon enfant a un problème de poids",
    "je fume trop",
    "covid long",
    "insufisance renale",
    "mal au dos",
    "polyarthrite",
    "chimio",
    "anticoagulant",
    "cholestérol",
    "perdre du poids",
    "hypertention",
]
CODES = ["diabete-type-2", "bpco", "asthme", "hypertension", "cardio", "diabete", "obesite-adulte"]


def _queries(communes: list[dict], count: int, seed: int = 3) -> list[str]:
    """Varied query strings, each with a commune the API resolves without asking."""
    rng = random.Random(seed)
    queries = []
    usable = [c for c in communes if c["postal_code"]]
    for _ in range(count):
        # a postal code that serves one commune only: five digits are read as a postal
        # code first, and a shared one asks "which commune?" (a 400 in the API)
        place = rng.choice(usable)["postal_code"]
        params = {"commune": place}
        if rng.random() < 0.75:
            params["q"] = rng.choice(WORDS)
        else:
            params["condition"] = rng.choice(CODES)
        extra = rng.random()
        if extra < 0.3:
            params["age"] = str(rng.randint(5, 85))
        elif extra < 0.4:
            params["pregnant"] = "true"
        elif extra < 0.5:
            params["format"] = rng.choice(["presentiel", "distanciel"])
        elif extra < 0.6:
            params["radius_km"] = str(rng.choice([10, 50, 100]))
        queries.append(urllib.parse.urlencode(params))
    return queries


def _communes_for_queries(url: str) -> list[dict]:
    """Communes that have a site within 30 km or so (where people search) plus random ones,
    with a postal code when it serves that commune alone."""
    from sqlalchemy import func, select

    from bench.import_offer import _app
    from etp_orient.catalogue.models import Site
    from etp_orient.extensions import db
    from etp_orient.geo.models import Commune, CommunePostalCode

    app = _app(url)
    with app.app_context():
        single = (
            select(CommunePostalCode.code)
            .group_by(CommunePostalCode.code)
            .having(func.count() == 1)
            .subquery()
        )
        postal = dict(
            db.session.execute(
                select(CommunePostalCode.insee, CommunePostalCode.code).where(
                    CommunePostalCode.code.in_(select(single.c.code))
                )
            ).all()
        )
        with_sites = db.session.scalars(select(Site.commune_insee).distinct()).all()
        others = db.session.scalars(
            select(Commune.insee).order_by(Commune.population.desc().nulls_last()).limit(3000)
        ).all()
        db.engine.dispose()
    insees = list(dict.fromkeys(list(with_sites) + list(others)))
    return [{"insee": i, "postal_code": postal.get(i)} for i in insees]


def _upgrade(url: str) -> None:
    """Bring a database kept from an earlier run to the current migrations."""
    from flask_migrate import upgrade

    from bench.import_offer import _app
    from etp_orient.extensions import db

    app = _app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def has_offer(url: str) -> bool:
    """Whether the database exists and holds programmes (a kept one)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM programmes")).scalar())
    except Exception:  # noqa: BLE001 (missing database or table: build it)
        return False
    finally:
        engine.dispose()


def _build(url: str, args) -> None:
    """Migrate, generate (or reuse) the national offer file, import it."""
    import json

    from bench.import_offer import _app, fresh_database

    fresh_database(url)
    path = Path(
        args.file
        or Path(tempfile.gettempdir())
        / f"etp-orient-offer-{args.programmes}-{args.sites}-{args.dated}-{args.seed}.json"
    )
    if not path.exists():
        print(f"  generating {path}…", flush=True)
        subprocess.run(  # noqa: S603 (our own script)
            [
                sys.executable,
                str(ROOT / "bench" / "gen_offer.py"),
                str(path),
                f"--programmes={args.programmes}",
                f"--sites={args.sites}",
                f"--dated={args.dated}",
                f"--seed={args.seed}",
                f"--database-url={url}",
            ],
            check=True,
        )
    from etp_orient.catalogue.offer import import_offer
    from etp_orient.core.db import refresh_statistics
    from etp_orient.extensions import db

    app = _app(url)
    with app.app_context():
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        report = import_offer(data)
        db.session.commit()
        refresh_statistics()  # as import-offer does
        created = {k: v["created"] for k, v in report.as_dict().items()}
        print(f"  imported in {time.perf_counter() - t0:.0f} s: {created}", flush=True)
        db.engine.dispose()


def _get(url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (loopback)
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except OSError:  # a time-out on a loaded machine: counted, not fatal
        status = 599
    return time.perf_counter() - t0, status


def _phase(base: str, paths: list[str], threads: int, seconds: float) -> dict:
    """Drive ``paths`` (cycled) from ``threads`` clients for ``seconds``."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int) -> None:
        i = offset
        mine, codes = [], {}
        while time.perf_counter() < stop:
            elapsed, status = _get(base + paths[i % len(paths)])
            mine.append(elapsed)
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


def _merge(chunks: list[dict]) -> dict:
    latencies = sorted(x for c in chunks for x in c["latencies"])
    wall = sum(c["wall"] for c in chunks)
    statuses: dict[int, int] = {}
    for c in chunks:
        for k, v in c["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "statuses": statuses,
    }


def static_path(base: str) -> str:
    """The address of the logo as the home page links it (hashed name or not)."""
    import re

    with urllib.request.urlopen(base + "/", timeout=120) as response:  # noqa: S310 (loopback)
        page = response.read().decode("utf-8")
    found = re.search(r'(/static/[^"?]*logo[^"]*\.svg[^"]*)"', page)
    return found.group(1).replace("&amp;", "&") if found else "/static/img/logo.svg"


def _programme_codes(base: str, queries: list[str]) -> list[str]:
    """Codes of programmes the API returns for some of the queries (for the programme page)."""
    import json

    codes: list[str] = []
    for q in queries:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/orientation?{q}", timeout=120) as r:  # noqa: S310
                data = json.loads(r.read())
        except urllib.error.HTTPError:
            continue
        for item in data.get("results", [])[:3]:
            code = item.get("programme")
            if code and code not in codes:
                codes.append(code)
    return codes or ["unknown"]


def print_results(title: str, results: dict) -> None:
    """A table of each route's figures and its throughput as a share of the static file's."""
    static = results["static file"]["rps"]
    print(f"\n{title}")
    print(f"  {'route':<28}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'÷ static':>10}")
    for name, r in results.items():
        print(
            f"  {name:<28}{r['requests']:>9}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
            f"{r['rps'] / static:>10.2f}  statuses {r['statuses']}",
            flush=True,
        )


def run(url: str, label: str, args) -> None:
    from tests.fixtures.servers import GunicornServer

    if getattr(args, "reuse", False):
        print(f"{label}: reusing the database built before", flush=True)
        _upgrade(url)
    else:
        print(f"{label}: building the national offer…", flush=True)
        _build(url, args)
    communes = _communes_for_queries(url)
    queries = _queries(communes, 400)
    env = {
        "ETP_FROZEN_NOW": FROZEN_NOW,
        "RATELIMIT_ENABLED": "0",
        # a worker that builds its indexes on a loaded machine is not killed
        "GUNICORN_CMD_ARGS": "--timeout 180",
    }
    if args.dates_ttl is not None:  # 0: every search reads its next dates from the database
        env["ORIENTATION_DATES_TTL"] = str(args.dates_ttl)
    server = GunicornServer(url, workers=args.workers, env=env).start(timeout=180)
    try:
        # warm every worker (each builds its offer index once)
        for q in queries[: 10 * args.workers]:
            _get(f"{server.url}/api/v1/orientation?{q}")
        static = static_path(server.url)
        programmes = _programme_codes(server.url, queries[:60])
        phases = [
            ("static file", [static]),
            ("/healthz", ["/healthz"]),
            ("/api/v1/orientation", [f"/api/v1/orientation?{q}" for q in queries]),
            ("/orientation/resultats", [f"/orientation/resultats?{q}" for q in queries]),
            ("/programmes/<code>", [f"/programmes/{c}" for c in programmes]),
        ]
        # The routes take turns in one-second slices, so that the load of the machine
        # (other processes) weighs on each the same way.
        parts: dict[str, list[dict]] = {name: [] for name, _ in phases}
        for _round in range(max(1, round(args.seconds))):
            for name, paths in phases:
                parts[name].append(_phase(server.url, paths, args.threads, 1.0))
        results = {name: _merge(chunks) for name, chunks in parts.items()}
    finally:
        server.stop()
    print_results(
        f"{label}, {args.size} programmes: gunicorn {args.workers} workers, "
        f"{args.threads} client threads, {args.seconds:g} s per route in 1-s turns",
        results,
    )
    static_rps = results["static file"]["rps"]
    ok = (
        results["/api/v1/orientation"]["rps"] >= 0.35 * static_rps
        and results["/orientation/resultats"]["rps"] >= 0.25 * static_rps
    )
    print(
        f"  target at 4,000 (API ≥ 0.35, results page ≥ 0.25 of static): {'met' if ok else 'NOT met'}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--programmes", type=int, nargs="+", default=[4000])
    parser.add_argument("--sites", type=int, help="default: twice the programmes")
    parser.add_argument("--dated", type=int, help="default: 50 per programme")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", help="offer file (generated when missing)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--postgres", help="also run on a fresh database next to this URL")
    parser.add_argument(
        "--dates-ttl",
        type=float,
        help="ORIENTATION_DATES_TTL for the server (0: no next date remembered between searches)",
    )
    parser.add_argument(
        "--sqlite-file", help="SQLite file to build into, or to reuse when it already exists"
    )
    parser.add_argument(
        "--postgres-database",
        help="a PostgreSQL database URL to build into and keep, or to reuse when it holds "
        "an offer (instead of a fresh one next to --postgres); one size only",
    )
    args = parser.parse_args(argv)
    sizes, sites, dated = args.programmes, args.sites, args.dated
    for size in sizes:
        args.size = args.programmes = size
        args.sites = sites or 2 * size
        args.dated = dated or 50 * size
        run_size(args)


def run_size(args) -> None:
    if args.sqlite_file:
        path = Path(args.sqlite_file).resolve()
        args.reuse = path.exists()
    else:
        path = Path(tempfile.mkdtemp(prefix="etp-bench-orientation-")) / "bench.sqlite"
    run(f"sqlite:///{path}", "SQLite", args)
    args.reuse = False

    if args.postgres_database:
        args.reuse = has_offer(args.postgres_database)
        if not args.reuse:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            target = make_url(args.postgres_database)
            admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
                ).scalar()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            admin.dispose()
        run(args.postgres_database, "PostgreSQL", args)
        args.reuse = False

    if args.postgres:
        from bench.scratch import scratch_database

        with scratch_database(args.postgres) as url:
            run(url, "PostgreSQL", args)
        args.reuse = False


if __name__ == "__main__":
    main()
