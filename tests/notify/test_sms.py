"""SMS through a pluggable backend: console, JSONL file, or any provider's class."""

import io
import json

import pytest

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.sending import send_due
from etp_orient.notify.services import queue_sms
from etp_orient.notify.sms import ConsoleBackend, FileBackend, SmsBackend, get_backend

from .conftest import reminder_context

SENT: list[tuple[str, str]] = []


class RecordingBackend:
    """What a provider's backend looks like (see docs/messages.md)."""

    def __init__(self, app):
        self.sender = app.config.get("SMS_SENDER", "ETP")

    def send(self, to: str, text: str) -> None:
        SENT.append((to, text))


class BrokenBackend:
    def send(self, to: str, text: str) -> None:
        raise ConnectionError("provider unreachable")


def make_backend(app):
    return RecordingBackend(app)


def make_broken(app):
    return BrokenBackend()


@pytest.fixture
def sms_backend(app):
    previous = app.config.get("SMS_BACKEND")
    yield lambda name: app.config.__setitem__("SMS_BACKEND", name)
    app.config["SMS_BACKEND"] = previous


def queue_one() -> int:
    message = queue_sms(
        to="+33612345678", template="reminder_booking", language="fr", context=reminder_context()
    )
    db.session.commit()
    return message.id


def test_console_backend_prints_the_sms():
    out = io.StringIO()
    ConsoleBackend(out).send("+33612345678", "Rappel : rendez-vous demain.")
    assert "+33612345678" in out.getvalue()
    assert "Rappel : rendez-vous demain." in out.getvalue()


def test_file_backend_appends_json_lines(tmp_path, ctx):
    path = tmp_path / "sms.jsonl"
    backend = FileBackend(str(path))
    backend.send("+33612345678", "un")
    backend.send("+262692000000", "deux – é")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["text"]) for line in lines] == [
        ("+33612345678", "un"),
        ("+262692000000", "deux – é"),
    ]
    assert lines[0]["at"].startswith("2026-11-23T09:00")


def test_backends_follow_the_protocol(tmp_path):
    assert isinstance(ConsoleBackend(), SmsBackend)
    assert isinstance(FileBackend(str(tmp_path / "x")), SmsBackend)


def test_send_outbox_hands_sms_to_the_file_backend(ctx, sms_backend, tmp_path):
    path = tmp_path / "out.jsonl"
    sms_backend(f"file:{path}")
    message_id = queue_one()
    assert send_due().sent == 1
    (line,) = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert line["to"] == "+33612345678"
    assert line["text"].startswith("Rappel : rendez-vous le mercredi 25 novembre 2026")
    assert db.session.get(OutboxMessage, message_id).status == "sent"


def test_console_is_the_default(ctx, sms_backend, capsys):
    sms_backend("console")
    queue_one()
    send_due()
    assert "--- SMS to +33612345678 ---" in capsys.readouterr().out


def test_a_providers_backend_is_plugged_by_name(ctx, sms_backend):
    SENT.clear()
    sms_backend("tests.notify.test_sms:make_backend")
    assert isinstance(get_backend(), RecordingBackend)
    queue_one()
    send_due()
    assert SENT and SENT[0][0] == "+33612345678"


def test_a_failing_provider_is_retried_later(ctx, sms_backend, clock):
    sms_backend("tests.notify.test_sms:make_broken")
    message_id = queue_one()
    report = send_due()
    assert report.retrying == 1
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == "pending" and message.attempts == 1
    assert "provider unreachable" in message.last_error
    assert message.next_attempt_at > clock()


def test_a_misconfigured_backend_loses_no_message(ctx, sms_backend):
    sms_backend("carrier-pigeon")
    message_id = queue_one()
    send_due()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == "pending"
    assert "unknown SMS_BACKEND" in message.last_error
