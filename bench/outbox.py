"""Benchmark of the outbox: queueing rate, then sending with 1 and 2 concurrent senders.

    .venv/bin/python bench/outbox.py [--messages 500] [--senders 1 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Builds a throw-away database (a SQLite file, or a fresh PostgreSQL database when
``--postgres`` is given), starts a real SMTP server on loopback (aiosmtpd),
queues ``--messages`` reminder e-mails with an invitation (timing
``queue_email``), then runs ``etp-orient send-outbox`` in N processes at once
and prints the sending throughput. Checks that every message arrived exactly
once (received == queued, distinct recipients).

On this 2-core shared machine the figures are bound by Python's ``email``
package (building and, in the loopback server, parsing each MIME message) and
by the single SMTP server thread, not by the database: a second sender shares
the work without duplicates but does not add throughput here.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _context() -> dict:
    start = datetime.now(UTC) + timedelta(days=2)
    return {
        "first_name": "Camille",
        "kind": "bep",
        "start": start,
        "end": start + timedelta(hours=1),
        "tz": "Europe/Paris",
        "remote": None,
        "place": {"name": "Maison de santé du Centre", "address": "12 rue des Lilas"},
        "professional": "Infirmière",
        "contact_phone": "05 45 00 00 00",
        "relink_url": "https://etp.example/gerer/nouveau-lien",
    }


def _invitation() -> bytes:
    from etp_orient.core.ical import CalEvent, build_calendar

    start = datetime.now(UTC) + timedelta(days=2)
    event = CalEvent(
        uid="slot-bench@etp.example",
        start=start,
        end=start + timedelta(hours=1),
        timezone="Europe/Paris",
        summary="Rendez-vous santé",
        updated=datetime.now(UTC),
    )
    return build_calendar([event], name="etp-orient", method="REQUEST")


def run(database_url: str, messages: int, senders: list[int]) -> None:
    from aiosmtpd.controller import Controller

    from etp_orient import create_app
    from etp_orient.extensions import db
    from etp_orient.notify.models import OutboxMessage
    from etp_orient.notify.services import queue_email
    from tests.fixtures.servers import SmtpSink, free_port

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BASE_URL": "https://etp.example"})
    with app.app_context():
        db.create_all()
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    print(f"database: {database_url.split(':', 1)[0]}, messages per run: {messages}")
    try:
        ics = _invitation()
        for count in senders:
            sink.messages.clear()
            with app.app_context():
                db.session.query(OutboxMessage).delete()
                db.session.commit()
                started = time.perf_counter()
                for i in range(messages):
                    queue_email(
                        to=f"person{i}@example.org",
                        template="reminder_booking",
                        language=("fr", "en", "ar")[i % 3],
                        context=_context(),
                        ics=ics,
                        ics_method="REQUEST",
                        dedupe_key=f"bench:{count}:{i}",
                    )
                db.session.commit()
                queued_in = time.perf_counter() - started
                db.session.remove()
            env = dict(os.environ)
            env.update(
                {
                    "DATABASE_URL": database_url,
                    "MAIL_SERVER": "127.0.0.1",
                    "MAIL_PORT": str(controller.port),
                    "BASE_URL": "https://etp.example",
                }
            )
            command = [str(Path(sys.executable).with_name("etp-orient")), "send-outbox"]
            command += ["--batch", "50"]
            started = time.perf_counter()
            processes = [
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
                for _ in range(count)
            ]
            outputs = [p.communicate(timeout=600)[0].strip() for p in processes]
            sent_in = time.perf_counter() - started
            received = len(sink.messages)
            distinct = len({m["To"] for m in sink.messages})
            print(
                f"senders {count}: queue {messages / queued_in:6.0f} msg/s; "
                f"send {received / sent_in:6.0f} msg/s ({sent_in:.2f} s incl. start-up); "
                f"received {received}, distinct {distinct}, "
                f"{'OK' if received == distinct == messages else 'DUPLICATES OR LOSSES'}"
            )
            for output in outputs:
                print(f"    {output}")
    finally:
        controller.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--senders", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--postgres", help="server URL; a fresh database is created and dropped")
    args = parser.parse_args()
    from bench.scratch import scratch_database

    with scratch_database(args.postgres) as url:
        run(url, args.messages, args.senders)


if __name__ == "__main__":
    main()
