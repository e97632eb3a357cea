"""Signed webhooks: registered by a coordinator, written with the change, POSTed signed
to a real HTTP receiver on loopback, retried after a failure, scoped to the structure."""

import hashlib
import hmac
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from etp_orient.booking import services as booking
from etp_orient.extensions import db
from etp_orient.manage import cohorts as cohort_service
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.sending import send_due
from etp_orient.webhooks.models import WebhookEndpoint
from etp_orient.webhooks.urls import EndpointRefused, check_url
from tests.fixtures.booking import person
from tests.fixtures.manage import login_as, make_world


class Receiver:
    """An HTTP server on loopback that records each POST and checks its signature."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []  # status codes to give, in order (then 200)
        self.secret: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                timestamp = self.headers["X-ETP-Timestamp"]
                expected = (
                    "sha256="
                    + hmac.new(
                        (receiver.secret or "").encode(),
                        f"{timestamp}.{body}".encode(),
                        hashlib.sha256,
                    ).hexdigest()
                )
                receiver.received.append(
                    {
                        "event_id": self.headers["X-ETP-Event-Id"],
                        "signature_ok": hmac.compare_digest(
                            expected, self.headers["X-ETP-Signature"]
                        ),
                        "timestamp": timestamp,
                        "body": json.loads(body),
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/etp/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def sides(app_ctx, clock):
    a, b, _admin = make_world()
    return a, b


def register(client, side, url, personal=False):
    login_as(client, side.users["coordinator"])
    data = {"structure": side.structure.code, "url": url}
    if personal:
        data["include_personal"] = "y"
    return client.post("/gestion/webhooks", data=data)


def secret_of(response) -> str:
    return re.search(
        r'<code class="secret">([0-9a-f]{64})</code>', response.get_data(as_text=True)
    )[1]


def webhook_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "webhook")
            .order_by(OutboxMessage.id)
        )
    )


def test_the_secret_is_shown_once(sides, client, receiver):
    a, _b = sides
    response = register(client, a, receiver.url)
    assert response.status_code == 201
    secret = secret_of(response)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint.secret == secret and endpoint.structure_id == a.structure.id
    page = client.get("/gestion/webhooks").get_data(as_text=True)
    assert receiver.url in page
    assert secret not in page


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "Indiquez l&#39;adresse"),
        ("ftp://exemple.fr/x", "Écrivez une adresse complète"),
        ("http://exemple.fr/etp", "doit commencer par https://"),
        ("https://user:pw@exemple.fr/etp", "identifiant"),
    ],
)
def test_bad_addresses_are_refused_next_to_the_field(sides, client, url, message):
    a, _b = sides
    response = register(client, a, url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{url}"' in page  # what was typed is kept
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_in_production_private_and_plain_http_addresses_are_refused(app, app_ctx):
    app.config["ETP_ENV"] = "production"
    try:
        for url in (
            "http://127.0.0.1:8080/x",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://192.168.0.10/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/x",
        ):
            with pytest.raises(EndpointRefused):
                check_url(url)
        assert check_url("https://93.184.215.14/etp") == "https://93.184.215.14/etp"
    finally:
        app.config["ETP_ENV"] = "development"


def test_a_booking_is_posted_signed_and_minimal(sides, client, receiver, clock):
    a, _b = sides
    receiver.secret = secret_of(register(client, a, receiver.url))
    booked = booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    [row] = webhook_rows()
    assert row.template == "booking.created" and row.status == "pending"
    report = send_due(stream=io.StringIO())
    assert report.sent == 2  # the person's e-mail and the event
    [got] = receiver.received
    assert got["signature_ok"]
    assert got["event_id"] == row.subject
    assert got["timestamp"] == str(int(clock().timestamp()))
    body = got["body"]
    assert body["type"] == "booking.created" and body["id"] == row.subject
    assert body["data"]["booking"] == {"id": booked.booking.id, "status": "confirmed"}
    assert body["data"]["slot"]["code"] == a.slot.code
    assert body["data"]["programme"] == a.programme.code
    assert "person" not in body["data"]
    assert "Camille" not in json.dumps(body)
    assert webhook_rows()[0].status == "sent"


def test_a_500_is_retried_with_the_same_event_id(sides, client, receiver, clock):
    a, _b = sides
    receiver.secret = secret_of(register(client, a, receiver.url))
    receiver.answers = [500]
    booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    send_due(stream=io.StringIO())
    [row] = webhook_rows()
    assert (
        row.status == "pending"
        and row.attempts == 1
        and row.last_error == "DeliveryFailed: HTTP 500"
    )
    page = client.get("/gestion/webhooks").get_data(as_text=True)
    assert "HTTP 500" in page
    # not due yet: nothing sent
    assert send_due(stream=io.StringIO()).claimed == 0
    clock.advance(minutes=2)
    assert send_due(stream=io.StringIO()).sent == 1  # the e-mail went the first time
    assert [r["event_id"] for r in receiver.received] == [row.subject, row.subject]
    assert all(r["signature_ok"] for r in receiver.received)
    assert webhook_rows()[0].status == "sent"


def test_a_receiver_that_never_answers_is_retried_then_given_up(sides, client, clock):
    a, _b = sides
    closed = Receiver()
    url = closed.url
    closed.close()  # nobody listens there any more
    register(client, a, url)
    booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    for _ in range(10):
        send_due(stream=io.StringIO())
        clock.advance(hours=13)
    [row] = webhook_rows()
    assert row.status == "failed" and "no answer" in row.last_error


def test_personal_data_only_when_the_structure_turns_it_on(sides, client, receiver):
    a, _b = sides
    receiver.secret = secret_of(register(client, a, receiver.url, personal=True))
    booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    send_due(stream=io.StringIO())
    data = receiver.received[0]["body"]["data"]
    assert data["person"]["first_name"] == "Camille1"
    assert data["person"]["email"] == "camille1@example.org"


def _endpoint(side, url) -> WebhookEndpoint:
    from etp_orient.webhooks import services

    endpoint, _secret = services.register(
        side.structure, url, include_personal=False, actor=side.users["coordinator"]
    )
    db.session.commit()
    return endpoint


# (one staff user per test: the tests' app context keeps the first user in ``g``)
def test_events_follow_the_programme_s_structure(sides, client, receiver):
    a, b = sides
    _endpoint(b, receiver.url)
    booking.book_slot(a.slot.code, person(1))  # structure A's programme
    db.session.commit()
    assert webhook_rows() == []


def test_a_coordinator_neither_sees_nor_stops_another_structures_endpoints(sides, client):
    a, b = sides
    endpoint_a = _endpoint(a, "https://partenaire-a.example.org/etp")
    _endpoint(b, "https://partenaire-b.example.org/etp")
    login_as(client, b.users["coordinator"])
    page = client.get("/gestion/webhooks").get_data(as_text=True)
    assert "partenaire-b" in page and "partenaire-a" not in page
    assert client.post(f"/gestion/webhooks/{endpoint_a.id}/supprimer").status_code == 404
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint_a.id).active


def test_group_and_session_events(sides, client, receiver, clock):
    a, _b = sides
    receiver.secret = secret_of(register(client, a, receiver.url))
    booked = booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    booking.join_cohort(a.cohort.code, participant=booked.participant, token=booked.token)
    db.session.commit()
    cohort_service.cancel_session(a.sessions[1], actor=a.users["coordinator"])
    db.session.commit()
    booking.leave_cohort(booked.participant, a.cohort.code, token=booked.token)
    db.session.commit()
    booking.cancel_booking(booked.participant, booked.booking.id, token=booked.token)
    db.session.commit()
    assert [r.template for r in webhook_rows()] == [
        "booking.created",
        "enrollment.created",
        "session.cancelled",
        "enrollment.cancelled",
        "booking.cancelled",
    ]
    send_due(stream=io.StringIO())
    session_event = next(r for r in receiver.received if r["body"]["type"] == "session.cancelled")
    assert session_event["body"]["data"]["session"]["code"] == a.sessions[1].code
    assert session_event["body"]["data"]["session"]["status"] == "cancelled"


def test_a_change_that_fails_leaves_no_event(sides, client, receiver):
    a, _b = sides
    register(client, a, receiver.url)
    booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    with pytest.raises(booking.BookingError):
        booking.book_slot(a.slot.code, person(2))  # taken
    db.session.rollback()
    assert [r.template for r in webhook_rows()] == ["booking.created"]


def test_a_stopped_endpoint_gets_nothing_more(sides, client, receiver):
    a, _b = sides
    register(client, a, receiver.url)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    booking.book_slot(a.slot.code, person(1))
    db.session.commit()
    response = client.post(f"/gestion/webhooks/{endpoint.id}/supprimer")
    assert response.status_code == 302
    send_due(stream=io.StringIO())
    assert receiver.received == []
    [row] = webhook_rows()
    assert row.status == "failed" and "turned off" in row.last_error
