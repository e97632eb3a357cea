"""Faults under load: the database goes away for a while, the mail server is down.

    .venv/bin/python bench/faults.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
        [--outage 10] [--duration 30] [--concurrency 4] [--workers 3]

1. Database outage. The app (gunicorn) reaches PostgreSQL through a small TCP
   relay run by this script; after a few seconds of load the relay cuts every
   connection and refuses new ones for ``--outage`` seconds (what the app sees
   when PostgreSQL stops), then lets them through again. The shared PostgreSQL
   server itself is never stopped. Prints, second by second, the statuses seen;
   checks that the outage gives clear 503 pages (never a 500), that the app
   recovers by itself, and that no booking is half-made (every participant has
   their booking, every booking its confirmation message).
2. Mail server down. Messages are queued; ``send-outbox`` runs while the SMTP
   server is stopped (they stay in the outbox, to be retried), then again once
   it is back and the retry time has come: every message leaves, once.
"""

import argparse
import contextlib
import random
import socket
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.booking import _database  # noqa: E402
from bench.load import EMAIL_DOMAIN, Stats, Visitor, person, prepare  # noqa: E402


class Relay:
    """A TCP relay to PostgreSQL that can cut and refuse connections for a while."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            with self.lock:
                self.sockets.discard(source)
                self.sockets.discard(sink)

    def cut(self):
        """Drop every open connection and refuse new ones."""
        self.down.set()
        with self.lock:
            for s in list(self.sockets):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def restore(self):
        self.down.clear()


def database_outage(args, url: str, codes: dict) -> bool:
    from sqlalchemy.engine import make_url

    from tests.fixtures.servers import GunicornServer

    real = make_url(url)
    relay = Relay(real.host or "127.0.0.1", real.port or 5432)
    relayed = real.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    server = GunicornServer(relayed, workers=args.workers).start()
    stats = Stats()
    timeline = defaultdict(Counter)  # second -> statuses
    bodies_503 = []
    start = time.monotonic()
    deadline = start + args.duration
    outage_at, outage_end = 5.0, 5.0 + args.outage
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def note(status, text):
        second = int(time.monotonic() - start)
        timeline[second][status] += 1
        if status == 503 and len(bodies_503) < 1:
            bodies_503.append(text)

    def loop(seed):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            with counter_lock:
                n = next(counter)
            visitor = Visitor(server.url, stats)
            if rng.random() < 0.5:
                status, text, _ = visitor.call(
                    "programme", "GET", f"/programmes/{rng.choice(codes['programmes'])}"
                )
                note(status, text)
                continue
            slot = rng.choice(codes["slots"])
            status, text, _ = visitor.call("book.form", "GET", f"/rdv/{slot}")
            note(status, text)
            if status != 200:
                continue
            status, text, location = visitor.call("book.post", "POST", f"/rdv/{slot}", person(n))
            note(status, text)
            if status == 303 and "/gerer/" in location:
                with stats.lock:
                    stats.successes["book"] += 1

    try:
        threads = [threading.Thread(target=loop, args=(i,)) for i in range(args.concurrency)]
        for thread in threads:
            thread.start()
        time.sleep(outage_at)
        print(f"t={outage_at:.0f}s: database connections cut for {args.outage:.0f} s")
        relay.cut()
        time.sleep(args.outage)
        relay.restore()
        print(f"t={outage_end:.0f}s: database reachable again")
        for thread in threads:
            thread.join()
    finally:
        server.stop()

    print("\nsecond  statuses")
    for second in sorted(timeline):
        marker = " (outage)" if outage_at <= second < outage_end else ""
        print(f"{second:>6}  {dict(timeline[second])}{marker}")
    statuses = Counter()
    for c in timeline.values():
        statuses.update(c)
    after = Counter()
    for second, c in timeline.items():
        if second >= outage_end + 3:
            after.update(c)
    errors_500 = sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500 and k != 503)
    clear = bool(bodies_503) and "indisponible" in bodies_503[0]
    recovered = after.get(200, 0) > 0 and all(
        not (isinstance(k, int) and k >= 500) and k is not None for k in after
    )
    consistent = reconcile_bookings(url, stats.successes["book"])
    print(f"\nall statuses: {dict(statuses)}")
    print(f"503 during the outage: {statuses.get(503, 0)}, with the clear page: {clear}")
    print(f"other 5xx: {errors_500}")
    print(f"recovered by itself (only non-5xx answers from t={outage_end + 3:.0f}s): {recovered}")
    return errors_500 == 0 and clear and recovered and consistent


def reconcile_bookings(url: str, answered: int) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    like = f"%@{EMAIL_DOMAIN}"
    with engine.connect() as conn:
        people = conn.execute(
            text("SELECT count(*) FROM participants WHERE email LIKE :like"), {"like": like}
        ).scalar()
        bookings = conn.execute(
            text(
                "SELECT count(*) FROM bookings b JOIN participants p ON p.id = b.participant_id "
                "WHERE p.email LIKE :like"
            ),
            {"like": like},
        ).scalar()
        messages = conn.execute(
            text(
                "SELECT count(*) FROM outbox_messages WHERE template = 'booking_confirmed' "
                "AND recipient LIKE :like"
            ),
            {"like": like},
        ).scalar()
    engine.dispose()
    print(
        f"\nbookings: {answered} answered 303, {people} participants, {bookings} booking rows, "
        f"{messages} confirmations queued"
    )
    # a booking whose answer was lost in the outage may exist without a 303 seen:
    # what must hold is that none is half-made
    ok = people == bookings == messages and bookings >= answered
    print(f"no half-made booking: {ok}")
    return ok


def smtp_down(url: str) -> bool:
    from aiosmtpd.controller import Controller

    from etp_orient import create_app
    from etp_orient.core.clock import now
    from etp_orient.extensions import db
    from etp_orient.notify.models import OutboxMessage
    from etp_orient.notify.sending import send_all_due
    from etp_orient.notify.services import queue_email
    from tests.fixtures.servers import SmtpSink, free_port

    port = free_port()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_TIMEOUT": 3,
        }
    )
    with app.app_context():
        db.session.execute(db.delete(OutboxMessage))  # start from an empty outbox
        for i in range(20):
            queue_email(
                to=f"smtp{i}@{EMAIL_DOMAIN}",
                template="manage_link",
                language="fr",
                context={
                    "first_name": "Test",
                    "links": ["http://etp.test/gerer/x"],
                    "manage_url": "http://etp.test/gerer/x",
                },
            )
        db.session.commit()
        print("\nSMTP server down: send-outbox runs")
        down = send_all_due(100, "bench-faults")
        pending = db.session.scalar(
            db.select(db.func.count()).where(OutboxMessage.status == "pending")
        )
        print(f"  {down}; still in the outbox: {pending}")
        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            later = now() + timedelta(hours=2)  # past the retry delay
            app.config["CLOCK"] = lambda: later
            print("SMTP server back, retry time reached: send-outbox runs")
            up = send_all_due(100, "bench-faults")
            again = send_all_due(100, "bench-faults")
        finally:
            controller.stop()
        db.session.expire_all()
        sent = db.session.scalar(db.select(db.func.count()).where(OutboxMessage.status == "sent"))
        received = [m["To"] for m in sink.messages]
        print(f"  {up}; a second run: {again}")
        print(
            f"  sent: {sent}/20, received by the server: {len(received)}, "
            f"duplicates: {len(received) - len(set(received))}"
        )
        db.session.remove()
        db.engine.dispose()
    return (
        pending == 20
        and sent == 20
        and sorted(set(received)) == sorted(received)
        and len(received) == 20
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres", required=True, help="PostgreSQL server URL (a database is created)"
    )
    parser.add_argument("--outage", type=float, default=10)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--programmes", type=int, default=100)
    args = parser.parse_args(argv)
    url, drop = _database(args.postgres)
    try:
        codes = prepare(url, args.programmes)
        db_ok = database_outage(args, url, codes)
        mail_ok = smtp_down(url)
    finally:
        drop()
    print(
        f"\ndatabase outage: {'OK' if db_ok else 'FAILED'}; mail server down: "
        f"{'OK' if mail_ok else 'FAILED'}"
    )
    return 0 if db_ok and mail_ok else 1


if __name__ == "__main__":
    sys.exit(main())
