"""``etp-orient worker``: the outbox and the reminders on a schedule, stopped by SIGTERM."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.sending import REDACTED_BODY
from etp_orient.notify.services import queue_email
from etp_orient.notify.worker import Job, Worker, default_jobs
from tests.fixtures.servers import ROOT

from .conftest import reminder_context

DEADLINE_SECONDS = 60  # a bound for subprocesses to finish, never an assertion on time


def queue(n: int = 1) -> list[int]:
    messages = [
        queue_email(
            to=f"person{i}@example.org",
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
        )
        for i in range(n)
    ]
    db.session.commit()
    return [m.id for m in messages]


def test_the_worker_sends_a_queued_message(ctx, smtp_server):
    (message_id,) = queue()
    done = Worker(stream=io.StringIO()).run_once()
    assert done["send-outbox"].sent == 1
    (received,) = smtp_server.messages
    assert received["To"] == "person0@example.org"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sent"


def test_the_worker_runs_each_job_on_its_schedule(ctx):
    runs = []
    hourly = Job("hourly", timedelta(hours=1), lambda _w: runs.append(ctx.config["CLOCK"]()))
    worker = Worker(jobs=[hourly], stream=io.StringIO())
    clock = ctx.config["CLOCK"]
    worker.run_once()
    clock.advance(minutes=59)
    worker.run_once()
    clock.advance(minutes=1)
    worker.run_once()
    assert len(runs) == 2 and runs[1] - runs[0] == timedelta(hours=1)


def test_reminders_then_outbox_by_default():
    jobs = default_jobs(timedelta(minutes=30))
    assert [job.name for job in jobs] == ["send-reminders", "send-outbox"]
    assert jobs[0].every == timedelta(minutes=30) and jobs[1].every == timedelta(0)


def test_a_failing_job_does_not_stop_the_others(ctx, caplog):
    def broken(_worker):
        raise RuntimeError("smtp down")

    ran = []
    worker = Worker(
        jobs=[Job("broken", timedelta(0), broken), Job("next", timedelta(0), ran.append)],
        stream=io.StringIO(),
    )
    done = worker.run_once()
    assert done["broken"] is None and ran == [worker]
    assert "worker job broken failed" in caplog.text


def test_without_mail_server_the_whole_e_mail_is_printed(ctx):
    (message_id,) = queue()
    out = io.StringIO()
    Worker(stream=out).run_once()
    printed = out.getvalue()
    assert f"--- e-mail #{message_id}" in printed
    assert "To: person0@example.org" in printed and "From: " in printed
    assert "Subject: Rappel : votre rendez-vous" in printed
    assert "Bonjour Camille" in printed and "05 45 00 00 00" in printed
    assert f"--- end of e-mail #{message_id} ---" in printed


def _worker_process(database_url: str, smtp_port: int, *extra: str) -> subprocess.Popen:
    env = dict(os.environ)  # ETP_CLOCK_FILE: the worker follows the test's clock
    env.update(
        {
            "DATABASE_URL": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "BASE_URL": "http://etp.test",
            "PYTHONUNBUFFERED": "1",
        }
    )
    command = [str(Path(sys.executable).with_name("etp-orient")), "worker", *extra]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_line(process: subprocess.Popen, text: str) -> None:
    for line in process.stdout:  # ends when the process does
        if text in line:
            return
    raise AssertionError(f"{text!r} never printed: {process.stderr.read()}")


def test_a_worker_stops_on_sigterm(app, database_url, smtp_server):
    # an hour between runs: only a loop that waits on an event can stop at once
    process = _worker_process(database_url, smtp_server.port, "--interval", "3600")
    try:
        _wait_for_line(process, "worker: started")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "worker: stopped" in out


def test_two_workers_at_once_send_each_message_once(app, database_url, smtp_server, clock):
    with app.app_context():
        queued = len(queue(30))
    processes = [
        _worker_process(database_url, smtp_server.port, "--interval", "0.2", "--batch", "3")
        for _ in range(2)
    ]
    try:
        for process in processes:
            _wait_for_line(process, "worker: started")
        deadline = time.monotonic() + DEADLINE_SECONDS
        with app.app_context():
            while time.monotonic() < deadline:
                db.session.rollback()
                pending = db.session.scalar(
                    select(func.count()).where(OutboxMessage.status != "sent")
                )
                if not pending:
                    break
                time.sleep(0.1)  # polling a subprocess's progress, not timing anything
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.communicate(timeout=DEADLINE_SECONDS)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [p.returncode for p in processes] == [0, 0]
    assert len(smtp_server.messages) == queued
    assert len({m["To"] for m in smtp_server.messages}) == queued
    with app.app_context():
        texts = set(db.session.scalars(select(OutboxMessage.body_text)))
        assert texts == {REDACTED_BODY}
