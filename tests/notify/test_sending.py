"""Sending through a real SMTP server on loopback: delivered once, retried, never twice."""

import io
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.sending import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    REDACTED_BODY,
    backoff,
    build_email,
    send_all_due,
    send_due,
)
from etp_orient.notify.services import queue_email
from tests.fixtures.servers import ROOT, SmtpSink, free_port

from .conftest import reminder_context

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:slot-abc@etp.test\r\nDTSTAMP:20261123T090000Z\r\n"
    "DTSTART:20261125T130000Z\r\nDTEND:20261125T140000Z\r\nSUMMARY:Rendez-vous santé\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def queue(n: int = 1, *, language: str = "fr", ics: str | None = ICS, method="REQUEST") -> list:
    messages = [
        queue_email(
            to=f"person{i}@example.org",
            template="reminder_booking",
            language=language,
            context=reminder_context(),
            ics=ics,
            ics_method=method,
        )
        for i in range(n)
    ]
    db.session.commit()
    return [m.id for m in messages]


def row(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def parts(message) -> dict[str, object]:
    return {part.get_content_type(): part for part in message.walk()}


def test_email_is_delivered_with_text_html_and_invitation(ctx, smtp_server, clock):
    (message_id,) = queue()
    report = send_due()
    assert (report.claimed, report.sent) == (1, 1)
    (received,) = smtp_server.messages
    assert received["To"] == "person0@example.org"
    assert received["X-Envelope-To"] == "person0@example.org"
    assert received["Subject"].startswith("Rappel : votre rendez-vous le mercredi")
    assert received["Content-Language"] == "fr"
    found = parts(received)
    assert "Bonjour Camille" in found["text/plain"].get_content()
    html = found["text/html"].get_content()
    assert '<html lang="fr" dir="ltr">' in html
    assert f"<title>{received['Subject']}</title>" in html
    assert "<img" not in html
    calendar = found["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert "UID:slot-abc@etp.test" in calendar.get_content()
    attachment = next(p for p in received.walk() if p.get_filename() == "invite.ics")
    assert attachment.get_content().decode() == ICS
    sent = row(message_id)
    assert sent.status == "sent" and sent.sent_at == clock() and sent.attempts == 1


def test_cancellation_carries_method_cancel(ctx, smtp_server):
    queue(method="CANCEL")
    send_due()
    calendar = parts(smtp_server.messages[0])["text/calendar"]
    assert calendar.get_param("method") == "CANCEL"


def test_email_in_the_persons_language(ctx, smtp_server):
    queue(language="ar")
    send_due()
    received = smtp_server.messages[0]
    assert received["Content-Language"] == "ar"
    assert 'dir="rtl"' in parts(received)["text/html"].get_content()


def test_message_without_invitation_is_text_and_html_only(ctx, smtp_server):
    queue(ics=None)
    send_due()
    assert set(parts(smtp_server.messages[0])) == {
        "multipart/alternative",
        "text/plain",
        "text/html",
    }


def test_running_twice_sends_nothing_twice(ctx, smtp_server):
    queue(3)
    first = send_due()
    second = send_due()
    assert (first.sent, second.claimed) == (3, 0)
    assert len(smtp_server.messages) == 3


def test_two_threads_at_once_send_each_message_once(app, smtp_server, clock):
    with app.app_context():
        queued = len(queue(40))
    barrier = threading.Barrier(2)
    reports = []

    def worker(name):
        with app.app_context():
            barrier.wait()
            reports.append(send_all_due(batch=5, worker_id=name))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in reports) == queued
    assert len(smtp_server.messages) == queued
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(set(recipients)) == queued


def test_two_processes_at_once_send_each_message_once(app, smtp_server, clock, database_url):
    with app.app_context():
        queued = len(queue(40))
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_server.port),
            "ETP_FROZEN_NOW": clock().isoformat(),
            "BASE_URL": "http://etp.test",
        }
    )
    command = [str(Path(sys.executable).with_name("etp-orient")), "send-outbox", "--batch", "5"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert all("send-outbox:" in out for out in outputs)
    assert len(smtp_server.messages) == queued
    assert len({m["To"] for m in smtp_server.messages}) == queued
    with app.app_context():
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
        assert statuses == ["sent"] * queued


def test_smtp_down_keeps_the_message_and_retries_later(ctx, smtp_server, clock):
    (message_id,) = queue()
    ctx.config["MAIL_PORT"] = free_port()  # nothing listens there
    report = send_due()
    assert (report.retrying, report.sent) == (0 + 1, 0)
    waiting = row(message_id)
    assert waiting.status == "pending"
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == clock() + backoff(1) > clock()
    assert waiting.last_error and len(waiting.last_error) <= 500

    ctx.config["MAIL_PORT"] = smtp_server.port  # the server is back…
    assert send_due().claimed == 0  # …but the message waits for its time
    clock.advance(minutes=1)
    assert send_due().sent == 1
    assert len(smtp_server.messages) == 1
    assert row(message_id).status == "sent"


def test_smtp_server_stopped_then_back(ctx, clock):
    from aiosmtpd.controller import Controller

    sink, port = SmtpSink(), free_port()
    ctx.config["MAIL_SERVER"], ctx.config["MAIL_PORT"] = "127.0.0.1", port
    first = Controller(sink, hostname="127.0.0.1", port=port)
    first.start()
    (message_id,) = queue()
    first.stop()
    send_due()
    assert row(message_id).attempts == 1
    second = Controller(sink, hostname="127.0.0.1", port=port)
    second.start()
    try:
        clock.advance(minutes=1)
        send_due()
    finally:
        second.stop()
        ctx.config["MAIL_SERVER"] = None
    assert row(message_id).status == "sent"
    assert len(sink.messages) == 1


def test_back_off_grows_then_gives_up(ctx, smtp_server, clock):
    (message_id,) = queue()
    ctx.config["MAIL_PORT"] = free_port()
    delays = []
    for _ in range(MAX_ATTEMPTS):
        send_due()
        message = row(message_id)
        delays.append(message.next_attempt_at - clock())
        clock.set(message.next_attempt_at)
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert row(message_id).status == "failed"
    assert row(message_id).attempts == MAX_ATTEMPTS
    assert send_due().claimed == 0


def test_a_crashed_senders_claim_expires(ctx, smtp_server, clock):
    (message_id,) = queue()
    message = row(message_id)
    message.status, message.claimed_by, message.claimed_at = "sending", "dead:1/x", clock()
    db.session.commit()
    clock.advance(minutes=1)
    assert send_due().claimed == 0  # a live claim is respected
    clock.advance(seconds=CLAIM_TIMEOUT.total_seconds())
    assert send_due().sent == 1
    assert len(smtp_server.messages) == 1


def test_without_mail_server_messages_are_printed_and_marked_sent(ctx):
    (message_id,) = queue()
    out = io.StringIO()
    report = send_due(stream=out)
    assert report.sent == 1
    printed = out.getvalue()
    assert "person0@example.org" in printed and "Bonjour Camille" in printed
    assert "METHOD:REQUEST" in printed
    assert row(message_id).status == "sent"


def test_send_outbox_command(ctx, smtp_server, runner):
    queue(2)
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert len(smtp_server.messages) == 2


class RefusingSink(SmtpSink):
    """Refuses one address for good (550), like a server that knows no such mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_mailbox_refused_for_good_fails_at_once(ctx, clock):
    from aiosmtpd.controller import Controller

    sink = RefusingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    ctx.config["MAIL_SERVER"], ctx.config["MAIL_PORT"] = "127.0.0.1", controller.port
    try:
        refused = queue_email(
            to="nobody@example.org",
            template="reminder_booking",
            language="fr",
            context=reminder_context(),
        )
        db.session.commit()
        refused_id = refused.id
        (kept_id,) = queue()
        report = send_due()
    finally:
        controller.stop()
        ctx.config["MAIL_SERVER"] = None
    assert (report.failed, report.sent) == (1, 1)
    assert row(refused_id).status == "failed" and "550" in row(refused_id).last_error
    assert row(kept_id).status == "sent"
    assert [m["To"] for m in sink.messages] == ["person0@example.org"]


def test_a_sent_message_keeps_its_delivery_status_but_not_its_text(ctx, smtp_server, clock):
    (message_id,) = queue()
    queued = row(message_id)
    subject = queued.subject
    assert queued.body_html and queued.ics
    send_due()
    sent = row(message_id)
    assert (sent.status, sent.recipient, sent.subject) == ("sent", "person0@example.org", subject)
    assert sent.sent_at == clock() and sent.created_at and sent.last_error is None
    assert sent.body_text == REDACTED_BODY
    assert sent.body_html is None and sent.ics is None


def test_a_message_given_up_loses_its_text_one_to_retry_keeps_it(ctx, clock):
    ctx.config["MAIL_SERVER"], ctx.config["MAIL_PORT"] = "127.0.0.1", free_port()  # nobody
    try:
        (message_id,) = queue()
        text = row(message_id).body_text
        send_due()
        assert row(message_id).status == "pending" and row(message_id).body_text == text
        for attempt in range(1, MAX_ATTEMPTS):
            clock.advance(minutes=backoff(attempt).total_seconds() / 60)
            send_due()
    finally:
        ctx.config["MAIL_SERVER"] = None
    given_up = row(message_id)
    assert given_up.status == "failed" and given_up.last_error
    assert given_up.body_text == REDACTED_BODY and given_up.ics is None


def test_message_id_is_stable_for_a_row(ctx):
    (message_id,) = queue()
    message = row(message_id)
    first, again = build_email(message), build_email(message)
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].startswith(f"<outbox-{message_id}-")
    assert first["Message-ID"].endswith("@etp.test>")
