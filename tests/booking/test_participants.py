"""The person's own data: export, deletion (anonymisation), new manage links."""

import io

from sqlalchemy import select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Cohort, Enrollment, Participant
from etp_orient.booking.participants import find_by_token
from etp_orient.extensions import db
from etp_orient.notify.sending import REDACTED_BODY, send_due
from tests.fixtures.booking import person


def test_export_lists_identity_consents_bookings_and_groups(world, clock):
    booked = services.book_slot("bep-1", person(1, consent_share_gp=True))
    db.session.commit()
    services.join_cohort("grp-booking", participant=booked.participant)
    db.session.commit()
    db.session.expire_all()
    data = services.export_data(db.session.get(Participant, booked.participant.id))
    assert data["participant"]["email"] == "camille1@example.org"
    assert data["participant"]["consent_share_gp_at"] == clock().isoformat()
    assert data["bookings"][0]["slot"] == "bep-1"
    assert data["enrollments"][0]["cohort"] == "grp-booking"
    assert len(data["enrollments"][0]["sessions"]) == 3


def test_export_shows_the_messages_their_text_erased_once_sent(world, clock):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    (pending,) = services.export_data(booked.participant)["messages"]
    assert pending["status"] == "pending" and "/gerer/" in pending["body_text"]
    send_due(stream=io.StringIO())
    db.session.expire_all()
    (sent,) = services.export_data(db.session.get(Participant, booked.participant.id))["messages"]
    assert sent["status"] == "sent" and sent["sent_at"] == clock().isoformat()
    assert sent["recipient"] == "camille1@example.org" and sent["subject"] == pending["subject"]
    assert sent["body_text"] == REDACTED_BODY


def test_delete_anonymises_frees_places_and_promotes(world, outbox):
    people = []
    for n in range(1, 5):
        people.append(services.join_cohort("grp-booking", data=person(n)))
        db.session.commit()
    booked = services.book_slot("bep-1", person(9))
    db.session.commit()
    first = people[0]
    services.delete_my_data(first.participant)
    db.session.commit()
    db.session.expire_all()
    gone = db.session.get(Participant, first.participant.id)
    assert gone.anonymised_at is not None
    assert gone.email is None and gone.first_name == "—"
    assert find_by_token(first.token) is None
    assert db.session.get(Enrollment, first.enrollment.id).status == "cancelled"
    # the freed place is offered to the first person waiting, and held for them
    assert db.session.get(Enrollment, people[3].enrollment.id).status == "offered"
    assert db.session.get(Cohort, world.cohort.id).seats_taken == 3
    assert db.session.get(Booking, booked.booking.id).status == "confirmed"
    # the row stays for anonymous counts
    assert db.session.scalar(select(Enrollment).where(Enrollment.participant_id == gone.id))
    assert outbox()[-1].template == "enrollment_offered"


def test_delete_keeps_the_messages_of_a_relative_with_the_same_address(world, outbox):
    # a daughter books for both her parents with her own address; one of them
    # deletes their data: the other's confirmation and reminders must stay
    mother = services.book_slot("bep-1", person(1, email="famille@example.org"))
    db.session.commit()
    father = services.book_slot("bep-2", person(2, email="famille@example.org"))
    db.session.commit()
    assert len([m for m in outbox() if m.recipient == "famille@example.org"]) == 2
    services.delete_my_data(mother.participant)
    db.session.commit()
    left = [m for m in outbox() if m.recipient == "famille@example.org"]
    assert [(m.template, m.owner) for m in left] == [
        ("booking_confirmed", f"participant:{father.participant.id}")
    ]


def _reissue_code(message) -> str:
    return message.body_text.split("/gerer/nouveau-lien/")[1].split()[0]


def test_reissue_request_changes_nothing_until_confirmed(world, outbox):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    assert services.reissue_links("CAMILLE1@example.org ") == 1
    db.session.commit()
    # someone who only knows the address cannot break the links
    assert find_by_token(booked.token).id == booked.participant.id
    assert outbox()[-1].template == "manage_link"


def test_confirmed_reissue_gives_a_new_link_and_old_stops(world, outbox):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.reissue_links("camille1@example.org")
    db.session.commit()
    participant, token = services.confirm_reissue(_reissue_code(outbox()[-1]))
    db.session.commit()
    assert participant.id == booked.participant.id
    assert find_by_token(booked.token) is None
    assert find_by_token(token).id == booked.participant.id


def test_reissue_code_is_single_use(world, outbox):
    services.book_slot("bep-1", person(1))
    db.session.commit()
    services.reissue_links("camille1@example.org")
    db.session.commit()
    code = _reissue_code(outbox()[-1])
    assert services.confirm_reissue(code) is not None
    db.session.commit()
    assert services.confirm_reissue(code) is None


def test_reissue_code_expires_after_a_day(world, outbox, clock):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.reissue_links("camille1@example.org")
    db.session.commit()
    clock.advance(hours=24, minutes=1)
    assert services.confirm_reissue(_reissue_code(outbox()[-1])) is None
    assert find_by_token(booked.token) is not None


def test_forged_reissue_code_is_refused(world):
    assert services.confirm_reissue("not-a-code") is None


def test_reissue_unknown_address_sends_nothing(world, outbox):
    assert services.reissue_links("nobody@example.org") == 0
    assert outbox() == []
