"""Asking for a new manage link (/gerer/nouveau-lien) tells nothing about the address:
the same page and the same work whether it is a patient's or not, and at most three
e-mails per address per hour, whatever the client IP."""

import pytest

from etp_orient.booking import services
from etp_orient.extensions import db
from tests.fixtures.booking import person
from tests.fixtures.work import recorded_work


@pytest.fixture
def booked(world):
    result = services.book_slot("bep-1", person(1))
    db.session.commit()
    return result


def _ask(client, email, n=0):
    """Ask for a new link from client IP number ``n``."""
    return client.post(
        "/gerer/nouveau-lien",
        data={"email": email},
        environ_base={"REMOTE_ADDR": f"10.2.0.{n + 1}"},
    )


def _links(outbox, address):
    db.session.rollback()  # a fresh read: the requests ran in another app's session
    return [m for m in outbox() if m.recipient == address and m.template == "manage_link"]


def test_a_patient_and_a_stranger_get_the_same_page_and_work(
    booked, limited_client, outbox, monkeypatch
):
    _ask(limited_client, "warm-up@example.org")  # first-request set-up out of the comparison
    with recorded_work(monkeypatch) as patient:
        patient_page = _ask(limited_client, "camille1@example.org", 1)
    with recorded_work(monkeypatch) as stranger:
        stranger_page = _ask(limited_client, "stranger@example.org", 2)
    assert patient_page.status_code == stranger_page.status_code == 200
    assert patient_page.get_data(as_text=True).replace("camille1", "stranger") == (
        stranger_page.get_data(as_text=True)
    )
    assert patient.statements == stranger.statements
    assert any(s.startswith("INSERT INTO outbox_messages") for s in stranger.statements)
    assert patient.rendered == stranger.rendered == [("emails", "manage_link", "fr")]
    # … and only the patient's request leaves a message
    assert len(_links(outbox, "camille1@example.org")) == 1
    assert _links(outbox, "stranger@example.org") == []


def test_three_links_per_address_per_hour_whatever_the_ip(booked, limited_client, outbox, clock):
    pages = [_ask(limited_client, "camille1@example.org", n) for n in range(5)]
    assert {p.status_code for p in pages} == {200}
    assert len({p.get_data() for p in pages}) == 1  # the cap tells nothing either
    assert len(_links(outbox, "camille1@example.org")) == 3
    clock.advance(hours=1)
    _ask(limited_client, "camille1@example.org", 9)
    assert len(_links(outbox, "camille1@example.org")) == 4


def test_over_the_cap_a_patient_works_like_a_stranger(booked, limited_client, monkeypatch):
    for n in range(3):
        _ask(limited_client, "camille1@example.org", n)
        _ask(limited_client, "stranger@example.org", n)
    with recorded_work(monkeypatch) as capped:
        _ask(limited_client, "camille1@example.org", 5)
    with recorded_work(monkeypatch) as stranger:
        _ask(limited_client, "stranger@example.org", 6)
    assert capped.statements == stranger.statements
    assert capped.rendered == stranger.rendered
