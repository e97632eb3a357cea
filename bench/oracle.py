"""Timing oracles: the answer time of a known and of an unknown address, side by side.

    .venv/bin/python bench/oracle.py [--accounts 20] [--rounds 3] [--workers 1]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database with ``--accounts`` staff accounts and as many
patients (each with a booking), and serves the app under gunicorn as the tests
do, with the rate limits on (``PROXY_COUNT=1``, each request from its own
``X-Forwarded-For``, so only the caps per address apply). Then, for the staff
password reset (``/connexion/mot-de-passe-oublie``) and the patient's new link
(``/gerer/nouveau-lien``), it asks ``--rounds`` times for each known address
and as many times for as many unknown ones, known and unknown in turn. Keep
``--rounds`` at 3 or less: past the cap per address (3 an hour) a known address
does what an unknown one does, which would hide a difference.

Each visitor GETs the form first (cookie and CSRF token, not timed); only the
POST is timed. Prints, per route, the median and the 90th percentile of each
case and the difference of the medians, then the messages queued (one per
known request, none for the unknown ones). Figures only: the tests check that
both cases do the same work (tests/accounts/test_reset.py,
tests/booking/test_reissue_limits.py), never the time.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ROUTES = {
    "staff password reset": ("/connexion/mot-de-passe-oublie", "staff{}@example.org"),
    "patient new link": ("/gerer/nouveau-lien", "camille{}@example.org"),
}


def _populate(url: str, accounts: int) -> None:
    from flask_migrate import upgrade

    from etp_orient import create_app
    from etp_orient.booking import services
    from etp_orient.extensions import db
    from tests.fixtures.booking import make_world, person
    from tests.fixtures.manage import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        world = make_world(slots=accounts)
        for n in range(accounts):
            make_user(f"staff{n}@example.org")
        db.session.commit()
        for n, slot in enumerate(world.slots[:accounts]):
            services.book_slot(slot.code, person(n))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _timed_post(server_url: str, path: str, email: str, n: int) -> float:
    from tests.fixtures.booking_http import Visitor

    visitor = Visitor(server_url, address=f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}")
    assert visitor.get_form(path) == 200
    started = time.perf_counter()
    status = visitor.post(path, {"email": email})
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return elapsed


def _summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms  p90 {p90 * 1000:6.1f} ms"


def _queued(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT template, count(*) FROM outbox_messages GROUP BY template")
        ).all()
    engine.dispose()
    return dict(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()

    from bench.booking import _database
    from tests.fixtures.servers import GunicornServer

    url, drop = _database(args.postgres)
    server = None
    try:
        _populate(url, args.accounts)
        env = {"RATELIMIT_ENABLED": "1", "PROXY_COUNT": "1"}
        server = GunicornServer(url, workers=args.workers, env=env).start()
        database = "PostgreSQL" if args.postgres else "SQLite"
        asked = args.rounds * args.accounts
        print(
            f"timing oracle: {database}, gunicorn {args.workers} worker(s), "
            f"{asked} known and {asked} unknown addresses per route"
        )
        n = 0
        for name, (path, pattern) in ROUTES.items():
            _timed_post(server.url, path, "warm-up@example.org", n)  # first-request set-up
            known, unknown = [], []
            for round_ in range(args.rounds):
                for account in range(args.accounts):
                    n += 2
                    stranger = f"nobody{round_}-{account}@example.net"
                    known.append(_timed_post(server.url, path, pattern.format(account), n))
                    unknown.append(_timed_post(server.url, path, stranger, n + 1))
            gap = (statistics.median(known) - statistics.median(unknown)) * 1000
            print(f"  {name}")
            print(f"    known    {_summary(known)}")
            print(f"    unknown  {_summary(unknown)}")
            print(f"    difference of the medians {gap:+.1f} ms")
        queued = _queued(url)
        print(
            f"  messages queued: password_reset {queued.get('password_reset', 0)}, "
            f"manage_link {queued.get('manage_link', 0)} (expected {asked} each)"
        )
    finally:
        if server is not None:
            server.stop()
        drop()


if __name__ == "__main__":
    main()
