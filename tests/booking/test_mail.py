"""Booking messages delivered through a real SMTP server by ``etp-orient send-outbox``."""

import re

from etp_orient.booking import services
from etp_orient.extensions import db
from tests.fixtures.booking import person


def parts(message):
    return {p.get_content_type(): p for p in message.walk() if not p.is_multipart()}


def ics_of(message):
    part = parts(message)["text/calendar"]
    return part.get_param("method"), part.get_content().replace("\r\n ", "")


def send(runner):
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output


def test_confirmation_email_with_manage_link_and_invitation(world, runner, smtp_server):
    result = services.book_slot("bep-1", person(1))
    db.session.commit()
    send(runner)
    (received,) = smtp_server.messages
    assert received["To"] == "camille1@example.org"
    assert received["Subject"] == "Votre rendez-vous est réservé"
    found = parts(received)
    text = found["text/plain"].get_content()
    assert "Bonjour Camille1" in text
    assert f"http://etp.test/gerer/{result.token}" in text
    assert f"/gerer/{result.token}" in found["text/html"].get_content()
    method, ics = ics_of(received)
    assert method == "REQUEST"
    assert "METHOD:REQUEST" in ics
    assert "UID:slot-bep-1@etp.test" in ics
    # sent once: a second run sends nothing more
    send(runner)
    assert len(smtp_server.messages) == 1


def test_cancellation_email_with_cancel_invitation(world, runner, smtp_server):
    result = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.cancel_booking(result.participant, result.booking.id, token=result.token)
    db.session.commit()
    send(runner)
    cancelled = smtp_server.messages[-1]
    assert cancelled["Subject"] == "Votre rendez-vous est annulé"
    method, ics = ics_of(cancelled)
    assert method == "CANCEL"
    assert "UID:slot-bep-1@etp.test" in ics
    assert "STATUS:CANCELLED" in ics


def test_offer_then_confirmation_email_with_the_groups_dates(world, runner, smtp_server):
    """A freed place is offered first (no dates yet); accepting it sends the group's dates."""
    from etp_orient.booking.offers import accept_offer

    people = []
    for n in range(1, 5):
        people.append(services.join_cohort("grp-booking", data=person(n)))
        db.session.commit()
    services.leave_cohort(people[0].participant, "grp-booking", token=people[0].token)
    db.session.commit()
    send(runner)
    offered = [m for m in smtp_server.messages if m["To"] == "camille4@example.org"]
    assert offered[0]["Subject"] == "Vous êtes sur la liste d'attente"
    assert offered[-1]["Subject"].startswith("Une place se libère pour vous")
    accept_offer(people[3].participant, "grp-booking", token=people[3].token)
    db.session.commit()
    send(runner)
    promoted = [m for m in smtp_server.messages if m["To"] == "camille4@example.org"]
    method, ics = ics_of(promoted[-1])
    assert method == "REQUEST"
    assert len(re.findall(r"UID:session-ses-\d@etp.test", ics)) == 3
    waitlisted_text = parts(promoted[0])["text/plain"].get_content()
    assert "Votre place dans la liste : 1." in waitlisted_text
    left = [m for m in smtp_server.messages if m["To"] == "camille1@example.org"][-1]
    assert ics_of(left)[0] == "CANCEL"
