"""Booking services: slots, cancellation, atomic moves, referrals, consents, eligibility."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Participant
from etp_orient.booking.participants import feed_token_for, find_by_token
from etp_orient.booking.services import BookingError
from etp_orient.catalogue.models import Programme
from etp_orient.core.models import AuditEvent
from etp_orient.core.tokens import hash_token
from etp_orient.extensions import db
from tests.fixtures.booking import make_referral, person


def book(code="bep-1", n=1, **kwargs):
    result = services.book_slot(code, person(n), **kwargs)
    db.session.commit()
    return result


def test_book_slot_confirms_and_returns_token(world):
    result = book()
    assert result.booking.status == "confirmed"
    assert result.booking.oriented_by == "self"
    assert find_by_token(result.token).id == result.participant.id


def test_tokens_stored_hashed(world):
    result = book()
    participant = db.session.get(Participant, result.participant.id)
    assert participant.manage_token_hash == hash_token(result.token)
    assert participant.feed_token_hash == hash_token(feed_token_for(result.token))
    assert result.token not in (participant.manage_token_hash, participant.feed_token_hash)
    assert len(result.token) >= 43  # 256 bits, URL-safe base64


def test_confirmation_queued_in_same_transaction(world, outbox):
    result = book()
    [message] = outbox()
    assert message.template == "booking_confirmed"
    assert message.recipient == "camille1@example.org"
    assert f"/gerer/{result.token}" in message.body_text
    assert message.ics_method == "REQUEST"
    assert "UID:slot-bep-1@etp.test" in message.ics


def test_failed_booking_queues_nothing(world, outbox):
    book()
    with pytest.raises(BookingError):
        services.book_slot("bep-1", person(2))
    db.session.rollback()
    assert [m.template for m in outbox()] == ["booking_confirmed"]


def test_taken_slot_is_refused(world):
    book()
    with pytest.raises(BookingError) as error:
        services.book_slot("bep-1", person(2))
    assert error.value.reason == "slot_taken"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_unique_index_refuses_second_confirmed_booking(world):
    result = book()
    other = services.create_participant(person(2))[0]
    db.session.add(Booking(participant=other, slot=world.slots[0], status="confirmed"))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()
    assert result.booking.status == "confirmed"


def test_past_or_cancelled_slot_is_unavailable(world, clock):
    world.slots[1].status = "cancelled"
    db.session.commit()
    with pytest.raises(BookingError, match="slot_unavailable"):
        services.book_slot("bep-2", person())
    db.session.rollback()
    clock.advance(days=30)
    with pytest.raises(BookingError, match="slot_unavailable"):
        services.book_slot("bep-1", person())


def test_unknown_slot_is_unavailable(world):
    with pytest.raises(BookingError, match="slot_unavailable"):
        services.book_slot("nope", person())


@pytest.mark.parametrize(
    ("birth_year", "ok"),
    [(2026 - 17, False), (2026 - 18, True), (2026 - 81, True), (2026 - 82, False)],
)
def test_eligibility_by_age_range(world, birth_year, ok):
    if ok:
        assert services.book_slot("bep-1", person(birth_year=birth_year)).booking.id
    else:
        with pytest.raises(BookingError, match="not_eligible"):
            services.book_slot("bep-1", person(birth_year=birth_year))


def test_consents_recorded_with_time_stamps(world, clock):
    result = services.book_slot("bep-1", person(consent_contact=True, consent_share_gp=True))
    db.session.commit()
    assert result.participant.consent_contact_at == clock()
    assert result.participant.consent_share_gp_at == clock()
    other = services.book_slot("bep-2", person(2, consent_contact=False))
    assert other.participant.consent_contact_at is None
    assert other.participant.consent_share_gp_at is None


def test_referral_marked_used_and_sets_oriented_by(world, clock):
    referral = make_referral(world.programme, referrer_kind="hospital_consultation")
    db.session.commit()
    result = services.book_slot("bep-1", person(), referral_code="K3M9X2PQ")
    db.session.commit()
    db.session.refresh(referral)
    assert referral.status == "used"
    assert referral.used_at == clock()
    assert referral.participant_id == result.participant.id
    assert result.booking.referral_id == referral.id
    assert result.booking.oriented_by == "hospital_consultation"


@pytest.mark.parametrize("case", ["unknown", "used", "expired", "other_programme"])
def test_unusable_referral_is_refused(world, case):
    values = {}
    if case == "used":
        values["status"] = "used"
    if case == "expired":
        values["expires_at"] = services.now() - timedelta(days=1)
    if case == "other_programme":
        other = Programme(code="other", title="Autre", formats=["presentiel"])
        db.session.add(other)
        make_referral(other)
    elif case != "unknown":
        make_referral(world.programme, **values)
    db.session.commit()
    with pytest.raises(BookingError, match="referral_invalid"):
        services.book_slot("bep-1", person(), referral_code="k3m9x2pq")


def test_professional_booking_records_who(world):
    result = services.book_slot("bep-1", person(), oriented_by="professional")
    assert result.booking.oriented_by == "professional"


def test_cancel_frees_the_slot_and_sends_cancel_invitation(world, outbox):
    result = book()
    services.cancel_booking(result.participant, result.booking.id, token=result.token)
    db.session.commit()
    assert result.booking.status == "cancelled"
    message = outbox()[-1]
    assert message.template == "booking_cancelled"
    assert message.ics_method == "CANCEL"
    assert "STATUS:CANCELLED" in message.ics
    assert "UID:slot-bep-1@etp.test" in message.ics
    assert services.book_slot("bep-1", person(2)).booking.status == "confirmed"


def test_cancel_someone_elses_booking_is_refused(world):
    mine = book()
    other = book("bep-2", n=2)
    with pytest.raises(BookingError, match="not_found"):
        services.cancel_booking(mine.participant, other.booking.id)


def test_move_is_atomic(world, outbox):
    result = book()
    new = services.move_booking(result.participant, result.booking.id, "bep-3", token=result.token)
    db.session.commit()
    old = db.session.get(Booking, result.booking.id)
    assert old.status == "cancelled"
    assert new.status == "confirmed" and new.slot.code == "bep-3"
    assert new.participant_id == result.participant.id
    message = outbox()[-1]
    assert message.template == "booking_moved"
    assert "UID:slot-bep-3@etp.test" in message.ics


def test_move_to_taken_slot_changes_nothing(world, outbox):
    result = book()
    book("bep-3", n=2)
    with pytest.raises(BookingError, match="slot_taken"):
        services.move_booking(result.participant, result.booking.id, "bep-3")
    db.session.rollback()
    assert db.session.get(Booking, result.booking.id).status == "confirmed"
    assert [m.template for m in outbox()] == ["booking_confirmed", "booking_confirmed"]


def test_phone_only_person_gets_an_sms(world, outbox):
    services.book_slot("bep-1", person(email=None, phone="+33612345678"))
    db.session.commit()
    [message] = outbox()
    assert message.channel == "sms"
    assert message.recipient == "+33612345678"
    assert "diab" not in message.body_text.lower()


def test_booking_is_audited(world):
    result = book()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "booking.create"))
    assert event.object_id == str(result.booking.id)


def test_free_slots_leave_out_booked_ones(world):
    book()
    codes = [s.code for s in services.free_slots(world.programme.id)]
    assert codes == ["bep-2", "bep-3", "bep-4"]


def test_past_booking_cannot_be_cancelled_or_moved(world, clock):
    result = book()
    clock.set(world.slots[0].end_at)
    with pytest.raises(BookingError, match="past"):
        services.cancel_booking(result.participant, result.booking.id)
    db.session.rollback()
    with pytest.raises(BookingError, match="past"):
        services.move_booking(result.participant, result.booking.id, "bep-4")
