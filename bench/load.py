"""A bounded mixed load on loopback: orientation, programme pages, feeds, bookings,
joins and cancellations, against a generated offer, under gunicorn.

    .venv/bin/python bench/load.py [--duration 300] [--concurrency 8] [--workers 3]
        [--programmes 400] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (SQLite file, or a fresh PostgreSQL database with
``--postgres``), imports a synthetic offer (bench/gen_offer.py; ``--programmes
4000`` is the national scale), starts the app under gunicorn (CSRF on, rate
limits off) and runs ``--concurrency`` visitors for ``--duration`` seconds, each
picking an action at random. Prints per route the count, p50 and p95 latency
and the statuses; the 5xx count; the booking reconciliation (rows in the
database = successful POSTs = confirmation messages queued); and the workers'
memory (RSS) after warm-up and at the end.

Other engineers share this machine: keep runs short unless asked.
"""

import argparse
import math
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.booking import _database  # noqa: E402  (throw-away SQLite/PostgreSQL database)

WORDS = ["diabète", "sucre", "souffle", "tension", "coeur", "poids", "reins", "asthme", "tabac"]
MANAGE_CANCEL = re.compile(r"/gerer/[^/\"]+/rdv/(\d+)/annuler")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EMAIL_DOMAIN = "load.example.org"


def prepare(url: str, programmes: int) -> dict:
    """Migrate, import a generated offer; return the codes the visitors use."""
    from flask_migrate import upgrade

    from bench.gen_offer import communes_from_db, generate_offer
    from etp_orient import create_app
    from etp_orient.catalogue.offer import import_offer
    from etp_orient.core.db import begin_write, refresh_statistics
    from etp_orient.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        data = generate_offer(
            programmes=programmes,
            sites=programmes * 2,
            dated=programmes * 50,
            communes=communes_from_db(),
        )
        started = time.perf_counter()
        begin_write()
        import_offer(data)
        db.session.commit()
        refresh_statistics()  # as import-offer does
        print(f"offer: {programmes} programmes imported in {time.perf_counter() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()
    sites = {s["code"]: s.get("commune") for s in data["sites"]}
    return {
        "programmes": [p["code"] for p in data["programmes"]],
        "communes": sorted({c for c in sites.values() if c}),
        "slots": [s["code"] for s in data["slots"] if s.get("kind") == "bep" and s.get("code")],
        "cohorts": [c["code"] for c in data["cohorts"] if c.get("code")],
    }


class Visitor:
    """One person: their own cookie and CSRF token, one connection per request."""

    def __init__(self, base_url: str, stats):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(base_url)
        self.connect = lambda: http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookie = ""
        self.token = ""
        self.stats = stats

    def call(self, route: str, method: str, path: str, data: dict | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if data is not None:
            body = urlencode({**data, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self.connect()
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            location = response.getheader("Location") or ""
            cookie = response.getheader("Set-Cookie")
        except OSError as error:
            self.stats.record(route, time.perf_counter() - started, type(error).__name__)
            return None, "", ""
        finally:
            conn.close()
        self.stats.record(route, time.perf_counter() - started, status)
        if cookie and cookie.startswith("session="):
            self.cookie = cookie.split(";", 1)[0]
        match = CSRF.search(text)
        if match:
            self.token = match.group(1)
        return status, text, location


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.booked_tokens: list[str] = []
        self.successes = Counter()

    def record(self, route, seconds, status):
        with self.lock:
            self.times[route].append(seconds)
            self.statuses[route][status] += 1


def person(n: int) -> dict:
    return {
        "first_name": f"Charge{n}",
        "last_name": "Test",
        "birth_year": "1970",
        "email": f"load{n}@{EMAIL_DOMAIN}",
        "language": "fr",
        "consent_contact": "y",
    }


def act(visitor: Visitor, rng: random.Random, codes: dict, stats: Stats, n: int) -> None:
    roll = rng.random()
    programme = rng.choice(codes["programmes"])
    if roll < 0.30:
        query = urlencode({"q": rng.choice(WORDS), "commune": rng.choice(codes["communes"])})
        visitor.call("orientation", "GET", f"/orientation/resultats?{query}")
    elif roll < 0.45:
        visitor.call("programme", "GET", f"/programmes/{programme}")
    elif roll < 0.55:
        visitor.call("programme.rdv", "GET", f"/programmes/{programme}/rdv")
    elif roll < 0.70:
        visitor.call("feed.programme", "GET", f"/calendar/programme/{programme}.ics")
    elif roll < 0.82:
        slot = rng.choice(codes["slots"])
        status, _, _ = visitor.call("book.form", "GET", f"/rdv/{slot}")
        if status == 200:
            status, _, location = visitor.call("book.post", "POST", f"/rdv/{slot}", person(n))
            if status == 303 and "/gerer/" in location:
                token = location.split("/gerer/", 1)[1].split("/", 1)[0]
                with stats.lock:
                    stats.successes["book"] += 1
                    stats.booked_tokens.append(token)
    elif roll < 0.94:
        cohort = rng.choice(codes["cohorts"])
        status, _, _ = visitor.call("join.form", "GET", f"/groupes/{cohort}")
        if status == 200:
            status, _, _ = visitor.call("join.post", "POST", f"/groupes/{cohort}", person(n))
            if status == 303:
                with stats.lock:
                    stats.successes["join"] += 1
    else:
        with stats.lock:
            token = stats.booked_tokens.pop() if stats.booked_tokens else None
        if token is None:
            return
        status, text, _ = visitor.call("manage", "GET", f"/gerer/{token}")
        found = MANAGE_CANCEL.search(text or "")
        if status != 200 or not found:
            return
        path = f"/gerer/{token}/rdv/{found.group(1)}/annuler"
        status, _, _ = visitor.call("cancel.form", "GET", path)
        if status == 200:
            status, _, _ = visitor.call("cancel.post", "POST", path, {})
            if status in (200, 303):
                with stats.lock:
                    stats.successes["cancel"] += 1


def worker_rss_kb(master_pid: int) -> dict[int, int]:
    """RSS (kB) of gunicorn's worker processes, children of the master."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == master_pid:
            found[int(status.parent.name)] = int(fields["VmRSS"].split()[0])
    return found


def reconcile(url: str, stats: Stats) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    like = f"%@{EMAIL_DOMAIN}"
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT b.status, count(*) FROM bookings b JOIN participants p "
                    "ON p.id = b.participant_id WHERE p.email LIKE :like GROUP BY b.status"
                ),
                {"like": like},
            ).all()
        )
        confirmations = conn.execute(
            text(
                "SELECT count(*) FROM outbox_messages WHERE template = 'booking_confirmed' "
                "AND recipient LIKE :like"
            ),
            {"like": like},
        ).scalar()
        enrolled = conn.execute(
            text(
                "SELECT count(*) FROM enrollments e JOIN participants p "
                "ON p.id = e.participant_id WHERE p.email LIKE :like"
            ),
            {"like": like},
        ).scalar()
        overbooked = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT slot_id FROM bookings WHERE status = 'confirmed' "
                "GROUP BY slot_id HAVING count(*) > 1) x"
            )
        ).scalar()
        over_capacity = conn.execute(
            text("SELECT count(*) FROM cohorts WHERE seats_taken > capacity")
        ).scalar()
    engine.dispose()
    total = sum(rows.values())
    print("\nreconciliation")
    print(f"  booking POSTs answered 303: {stats.successes['book']}")
    print(f"  booking rows: {total} ({rows})")
    print(f"  confirmation messages queued: {confirmations}")
    print(
        f"  cancellations answered: {stats.successes['cancel']}, rows cancelled: "
        f"{rows.get('cancelled', 0)}"
    )
    print(f"  join POSTs answered 303: {stats.successes['join']}, enrollment rows: {enrolled}")
    print(f"  slots booked twice: {overbooked}, cohorts over capacity: {over_capacity}")
    ok = (
        total == stats.successes["book"] == confirmations
        and rows.get("cancelled", 0) == stats.successes["cancel"]
        and enrolled == stats.successes["join"]
        and overbooked == 0
        and over_capacity == 0
    )
    print(f"  {'OK: every booking accounted for' if ok else 'MISMATCH'}")


def run(args) -> int:
    from tests.fixtures.servers import GunicornServer

    url, drop = _database(args.postgres)
    server = None
    try:
        codes = prepare(url, args.programmes)
        server = GunicornServer(url, workers=args.workers).start()
        stats = Stats()
        # warm-up: every worker imports, builds its offer index
        warm = Visitor(server.url, Stats())
        for _ in range(args.workers * 4):
            warm.call(
                "warm", "GET", f"/orientation/resultats?q=diabete&commune={codes['communes'][0]}"
            )
        rss_start = worker_rss_kb(server.process.pid)
        deadline = time.monotonic() + args.duration
        counter = iter(range(10**9))
        counter_lock = threading.Lock()

        def visitor_loop(seed: int):
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                with counter_lock:
                    n = next(counter)
                try:
                    act(Visitor(server.url, stats), rng, codes, stats, n)
                except Exception as error:  # a bug of the script must not stop the load
                    stats.record("script-error", 0.0, type(error).__name__)

        threads = [
            threading.Thread(target=visitor_loop, args=(i,)) for i in range(args.concurrency)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        rss_end = worker_rss_kb(server.process.pid)

        total = sum(len(v) for v in stats.times.values())
        errors = sum(
            count
            for counter_ in stats.statuses.values()
            for status, count in counter_.items()
            if not isinstance(status, int) or status >= 500
        )
        print(
            f"\n{total} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s), "
            f"{args.concurrency} visitors, {args.workers} workers, "
            f"{'PostgreSQL' if args.postgres else 'SQLite'}"
        )
        print(f"{'route':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}  statuses")
        for route in sorted(stats.times):
            times = sorted(stats.times[route])
            p50 = statistics.median(times) * 1000
            p95 = times[math.ceil(len(times) * 0.95) - 1] * 1000
            print(
                f"{route:<16}{len(times):>7}{p50:>9.0f}{p95:>9.0f}  {dict(stats.statuses[route])}"
            )
        print(f"5xx and connection errors: {errors}")
        reconcile(url, stats)
        print("\nworker memory (RSS, MB): after warm-up -> end")
        for pid in sorted(rss_start):
            end = rss_end.get(pid)
            print(
                f"  worker {pid}: {rss_start[pid] / 1024:.0f} -> {end / 1024:.0f}"
                if end
                else f"  worker {pid}: {rss_start[pid] / 1024:.0f} -> gone"
            )
        return 1 if errors else 0
    finally:
        if server is not None:
            server.stop()
        drop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--programmes", type=int, default=400)
    parser.add_argument("--postgres", default=None)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
