"""The GP's notices at entry and at the end: only with consent and an address, once each,
naming the patient and the structure but never the condition or the programme."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from etp_orient.booking import services
from etp_orient.booking.models import Attendance, Booking, Enrollment
from etp_orient.core.clock import now
from etp_orient.extensions import db
from etp_orient.manage import slots as slot_service
from etp_orient.manage.groups import update_completion
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.booking import FORM, person
from tests.fixtures.manage import book, booked_past_final, make_world


@pytest.fixture
def side(app_ctx, clock):
    a, _b, _admin = make_world()
    a.structure.phone = "05 45 11 22 33"
    db.session.commit()
    return a


def gp_messages(template=None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.template.in_(("gp_entry", "gp_end")))
    if template:
        query = query.where(OutboxMessage.template == template)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def held_bep(side, clock, *, consent=True, gp_email="dr.house@example.org") -> Booking:
    person = side.participant
    person.consent_share_gp_at = now() if consent else None
    person.gp_email = gp_email
    person.birth_year = 1958
    booking = book(person, side.slot)
    db.session.commit()
    clock.set(side.slot.end_at + timedelta(hours=1))
    slot_service.set_outcome(side.slot, "held", actor=side.users["coordinator"])
    db.session.commit()
    return booking


def test_the_gp_is_told_of_the_entry_once(side, clock):
    booking = held_bep(side, clock)
    (notice,) = gp_messages()
    assert notice.recipient == "dr.house@example.org"
    assert "PatientA Secret" in notice.subject and "PatientA Secret" in notice.body_text
    assert "Structure A" in notice.body_text and "05 45 11 22 33" in notice.body_text
    assert db.session.get(Booking, booking.id).gp_informed_at == now()
    # the outcome recorded again: no second notice
    slot_service.set_outcome(side.slot, "held", actor=side.users["coordinator"])
    db.session.commit()
    assert len(gp_messages()) == 1


def test_nothing_about_the_condition_or_the_programme(side, clock):
    held_bep(side, clock)
    (notice,) = gp_messages()
    for part in (notice.subject, notice.body_text, notice.body_html):
        assert "Programme secret" not in part and "Programme A" not in part
        assert "diab" not in part.lower()


@pytest.mark.parametrize("consent, address", [(False, "dr.house@example.org"), (True, None)])
def test_no_notice_without_consent_or_address(side, clock, consent, address):
    booking = held_bep(side, clock, consent=consent, gp_email=address)
    assert gp_messages() == []
    assert db.session.get(Booking, booking.id).gp_informed_at is None


def test_a_no_show_tells_the_gp_nothing(side, clock):
    side.participant.consent_share_gp_at = now()
    side.participant.gp_email = "dr.house@example.org"
    book(side.participant, side.slot)
    db.session.commit()
    clock.set(side.slot.end_at + timedelta(hours=1))
    slot_service.set_outcome(side.slot, "no_show", actor=side.users["coordinator"])
    db.session.commit()
    assert gp_messages() == []


def test_the_referring_professional_is_the_gp_when_none_was_typed(side, clock):
    from tests.fixtures.booking import make_referral

    referral = make_referral(side.programme, code="gp7x2kq9", referrer_user_id=None)
    referral.referrer_user_id = side.users["referrer"].id
    db.session.commit()
    booking = held_bep(side, clock, gp_email=None)
    booking.referral_id = referral.id
    db.session.commit()
    booking.gp_informed_at = None
    slot_service.set_outcome(side.slot, "held", actor=side.users["coordinator"])
    db.session.commit()
    (notice,) = gp_messages()
    assert notice.recipient == side.users["referrer"].email


def test_the_gp_is_told_of_the_end_once(side, clock):
    held_bep(side, clock)
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.participant_id == side.participant.id)
    )
    clock.set(side.sessions[-1].end_at + timedelta(days=1))
    for session in side.sessions[:2]:
        db.session.add(
            Attendance(participant_id=side.participant.id, session_id=session.id, status="present")
        )
    final = booked_past_final(side, "final-a")
    db.session.commit()
    slot_service.set_outcome(final, "held", actor=side.users["coordinator"])
    db.session.commit()
    assert db.session.get(Enrollment, enrollment.id).status == "completed"
    (end,) = gp_messages("gp_end")
    assert "terminé" in end.body_text and "Programme secret" not in end.body_text
    update_completion(db.session.get(Enrollment, enrollment.id))
    db.session.commit()
    assert len(gp_messages("gp_end")) == 1


def test_the_booking_form_takes_the_gps_address(app, client, clock):
    from tests.fixtures.booking import make_world as booking_world

    with app.app_context():
        booking_world()
        db.session.commit()
    page = client.get("/rdv/bep-1").get_data(as_text=True)
    assert 'name="gp_email"' in page
    bad = client.post("/rdv/bep-1", data={**FORM, "gp_email": "dr house@"})
    assert bad.status_code == 200 and 'value="dr house@"' in bad.get_data(as_text=True)
    ok = client.post(
        "/rdv/bep-1", data={**FORM, "consent_share_gp": "y", "gp_email": "Dr@Example.org"}
    )
    assert ok.status_code == 303
    with app.app_context():
        booked = db.session.scalar(select(Booking))
        assert booked.participant.gp_email == "Dr@example.org"


def test_erasure_forgets_the_gps_address(app_ctx, clock):
    from tests.fixtures.booking import make_world as booking_world

    booking_world()
    db.session.commit()
    result = services.book_slot(
        "bep-1", person(1, consent_share_gp=True, gp_email="dr@example.org")
    )
    db.session.commit()
    assert result.participant.gp_email == "dr@example.org"
    assert services.export_data(result.participant)["participant"]["gp_email"] == "dr@example.org"
    services.delete_my_data(result.participant)
    db.session.commit()
    assert result.participant.gp_email is None
