"""What became of each message to a person, and the flag that tells the team to call."""

from datetime import timedelta

import pytest

from etp_orient.core.clock import now
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.services import unreachable
from tests.fixtures.manage import login_as, make_world


@pytest.fixture
def sides(app_ctx, clock):
    a, b, _admin = make_world()
    return a, b


def message(participant, status, *, channel="email", error=None, minutes=0):
    row = OutboxMessage(
        channel=channel,
        recipient=participant.email if channel == "email" else "+33612345678",
        template="reminder",
        subject="Rappel : votre atelier",
        body_text="…",
        owner=f"participant:{participant.id}",
        status=status,
        attempts=7 if status == "failed" else 1,
        last_error=error,
        created_at=now() + timedelta(minutes=minutes),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_failed_email_shows_on_the_group_page_and_the_planning(sides, client):
    a, _b = sides
    message(a.participant, "sent")
    message(a.participant, "failed", error="SMTPRecipientsRefused: 550 mailbox unknown", minutes=1)
    assert unreachable([a.participant.id]) == {a.participant.id}
    login_as(client, a.users["coordinator"])
    page = client.get(f"/gestion/groupes/{a.cohort.code}").get_data(as_text=True)
    assert "message non remis : appeler" in page
    day = a.sessions[0].local_start.date().isoformat()
    planning = client.get(f"/gestion/planning?date={day}").get_data(as_text=True)
    assert "message non remis : appeler" in planning
    listing = client.get(f"/gestion/personnes/{a.participant.id}/messages").get_data(as_text=True)
    assert "non remis" in listing and "550 mailbox unknown" in listing
    assert "envoyé" in listing


def test_a_later_message_that_went_through_clears_the_flag(sides, client):
    a, _b = sides
    message(a.participant, "failed", error="timeout")
    message(a.participant, "sent", channel="sms", minutes=1)
    message(a.participant, "pending", minutes=2)  # its fate is not known yet
    assert unreachable([a.participant.id]) == set()
    login_as(client, a.users["coordinator"])
    page = client.get(f"/gestion/groupes/{a.cohort.code}").get_data(as_text=True)
    assert "message non remis : appeler" not in page


# (one staff user per test: the tests' app context keeps the first user in ``g``)
def test_another_structure_cannot_read_a_persons_messages(sides, client):
    a, b = sides
    message(a.participant, "failed", error="timeout")
    login_as(client, b.users["coordinator"])
    assert client.get(f"/gestion/personnes/{a.participant.id}/messages").status_code == 404
    assert client.get("/gestion/personnes/999999/messages").status_code == 404


def test_an_educator_of_the_structure_reads_them(sides, client):
    a, _b = sides
    message(a.participant, "failed", error="timeout")
    login_as(client, a.users["educator"])
    assert client.get(f"/gestion/personnes/{a.participant.id}/messages").status_code == 200
