"""Structured JSON logs with a request id, and no personal data nor token in them."""

import json
import logging

import pytest
from sqlalchemy import select

from etp_orient.booking import services as booking_services
from etp_orient.core.logs import JsonFormatter
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.booking import FORM, make_world, person


@pytest.fixture
def request_logs(caplog):
    with caplog.at_level(logging.INFO, logger="etp_orient.request"):
        yield caplog


def _lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(r)) for r in caplog.records if r.name == "etp_orient.request"
    ]


def test_every_answer_has_a_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first and second and first != second


def test_the_proxy_s_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response.headers["X-Request-ID"] == "proxy-1234abcd"


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space 12345", "new\\nline-12345"])
def test_a_strange_request_id_is_replaced(client, bad):
    assert client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"] != bad


def test_one_json_line_per_request_with_its_id(client, request_logs):
    response = client.get("/healthz", headers={"X-Request-ID": "trace-0000abcd"})
    lines = _lines(request_logs)
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-0000abcd" == response.headers["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["duration_ms"] >= 0


def test_logs_hold_no_token_nor_personal_data(app_ctx, clock, client, request_logs):
    world = make_world()
    db.session.commit()
    result = booking_services.book_slot(world.slots[1].code, person(7))
    db.session.commit()
    token = result.token
    client.get(f"/gerer/{token}")
    client.get(f"/gerer/{token}/donnees.json")
    client.post(f"/rdv/{world.slots[0].code}", data={**FORM, "email": "zoe.secret@example.org"})
    client.get("/orientation/resultats", query_string={"q": "diabète enceinte", "commune": "16000"})
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in _lines(request_logs))
    assert len(_lines(request_logs)) == 4
    assert token not in text
    assert "/gerer/[masque]" in text
    for secret in ("zoe.secret", "Camille", "Martin", "enceinte", "16000", "camille7"):
        assert secret not in text, secret


def test_new_link_codes_stay_out_of_the_logs(app_ctx, clock, client, request_logs):
    world = make_world()
    db.session.commit()
    booking_services.book_slot(world.slots[1].code, person(7))
    booking_services.reissue_links("camille7@example.org")
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage.body_text).where(OutboxMessage.template == "manage_link")
    )
    code = mail.split("/gerer/nouveau-lien/")[1].split()[0]
    assert client.get(f"/gerer/nouveau-lien/{code}").status_code == 200
    client.post(f"/gerer/nouveau-lien/{code}")
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in _lines(request_logs))
    assert code not in text
    assert text.count("/gerer/nouveau-lien/[masque]") == 4  # message and path, twice


def test_messages_of_other_loggers_are_masked_too():
    record = logging.LogRecord(
        "etp_orient.x",
        logging.WARNING,
        __file__,
        1,
        "slow %s",
        ("/calendar/me/abcdef123.ics",),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "slow /calendar/me/[masque]"
    assert line["level"] == "WARNING"


def test_healthz_reports_the_database_and_the_outbox_backlog(app_ctx, clock, client):
    from datetime import timedelta

    from etp_orient.core.clock import now
    from etp_orient.notify.models import OutboxMessage

    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "outbox": {"pending": 0, "oldest_pending_age_s": 0},
    }
    for status, age in (("pending", 600), ("pending", 60), ("sent", 6000)):
        db.session.add(
            OutboxMessage(
                channel="email",
                recipient="x@example.org",
                template="t",
                body_text="b",
                status=status,
                created_at=now() - timedelta(seconds=age),
            )
        )
    db.session.commit()
    assert client.get("/healthz").get_json()["outbox"] == {
        "pending": 2,
        "oldest_pending_age_s": 600,
    }
