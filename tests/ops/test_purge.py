"""``etp-orient purge``: retention of participants, outbox, referrals and the audit trail."""

from datetime import timedelta

from sqlalchemy import func, select

from etp_orient.booking import services as booking_services
from etp_orient.booking.models import Attendance, Booking, Enrollment, Participant
from etp_orient.core import throttle
from etp_orient.core.clock import now
from etp_orient.core.models import AuditEvent, audit
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.ops.purge import purge
from etp_orient.orientation.models import Referral
from tests.fixtures.booking import make_referral, make_world, person


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _book(world, n=1, slot=0):
    result = booking_services.book_slot(world.slots[slot].code, person(n))
    db.session.commit()
    return result.participant.id


def test_inactive_participant_is_anonymised_and_counts_stay(app_ctx, clock, runner):
    world = make_world()
    db.session.commit()
    pid = _book(world)
    booking_services.join_cohort(world.cohort.code, participant=db.session.get(Participant, pid))
    db.session.commit()
    # two years and a day after the last group session
    clock.set(world.sessions[-1].end_at + timedelta(days=731))
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "participants_anonymised=" in result.output
    someone = db.session.get(Participant, pid)
    assert someone.anonymised_at is not None
    assert someone.email is None and someone.phone is None
    assert someone.first_name == "—" and someone.last_name == "—"
    # the anonymous counts stay
    assert _count(Booking) == 1
    assert _count(Enrollment) >= 1


def test_recent_or_upcoming_participants_are_kept(app_ctx, clock):
    world = make_world()
    db.session.commit()
    pid = _book(world)
    clock.advance(days=700)  # the slot was 7 days after booking: not yet two years
    report = purge()
    db.session.commit()
    assert report.participants_anonymised == 0
    assert db.session.get(Participant, pid).email == "camille1@example.org"


def test_a_future_date_keeps_an_old_participant(app_ctx, clock):
    world = make_world()
    db.session.commit()
    pid = _book(world)
    participant = db.session.get(Participant, pid)
    participant.last_activity_at = now() - timedelta(days=1000)
    db.session.commit()
    assert purge().participants_anonymised == 0  # their BEP is next week


def test_the_retention_is_configurable(app, app_ctx, clock):
    world = make_world()
    db.session.commit()
    pid = _book(world)
    clock.advance(days=40)
    app.config["RETENTION_DAYS"] = 30
    try:
        assert purge().participants_anonymised == 1
    finally:
        app.config["RETENTION_DAYS"] = 730
    db.session.commit()
    assert db.session.get(Participant, pid).anonymised_at is not None


def test_a_purged_person_s_messages_leave_the_outbox(app_ctx, clock):
    world = make_world()
    db.session.commit()
    _book(world)
    assert _count(OutboxMessage, OutboxMessage.recipient == "camille1@example.org") >= 1
    clock.advance(days=800)
    purge()
    db.session.commit()
    assert _count(OutboxMessage, OutboxMessage.recipient == "camille1@example.org") == 0


def test_old_sent_messages_are_deleted_pending_ones_kept(app, app_ctx, clock):
    old_sent = OutboxMessage(
        channel="email",
        recipient="x@example.org",
        template="test",
        subject="s",
        body_text="b",
        status="sent",
        created_at=now() - timedelta(days=100),
    )
    old_pending = OutboxMessage(
        channel="email",
        recipient="y@example.org",
        template="test",
        subject="s",
        body_text="b",
        status="pending",
        created_at=now() - timedelta(days=100),
    )
    recent_sent = OutboxMessage(
        channel="email",
        recipient="z@example.org",
        template="test",
        subject="s",
        body_text="b",
        status="sent",
        created_at=now() - timedelta(days=10),
    )
    db.session.add_all([old_sent, old_pending, recent_sent])
    db.session.commit()
    assert purge().outbox_deleted == 1
    db.session.commit()
    assert {m.recipient for m in db.session.scalars(select(OutboxMessage))} == {
        "y@example.org",
        "z@example.org",
    }


def test_issued_referrals_past_expiry_expire(app_ctx, clock):
    world = make_world()
    make_referral(world.programme, code="oldcode1", expires_at=now() - timedelta(days=1))
    make_referral(world.programme, code="newcode1", expires_at=now() + timedelta(days=1))
    db.session.commit()
    assert purge().referrals_expired == 1
    db.session.commit()
    statuses = dict(db.session.execute(select(Referral.code, Referral.status)).all())
    assert statuses == {"oldcode1": "expired", "newcode1": "issued"}


def test_the_audit_trail_has_its_own_longer_retention(app_ctx, clock):
    audit("login.success", obj_type="user", obj_id=1)
    db.session.commit()
    clock.advance(days=800)  # past the participants' retention: the audit stays
    purge()
    db.session.commit()
    assert _count(AuditEvent, AuditEvent.action == "login.success") == 1
    clock.advance(days=5 * 365 + 2)
    report = purge()
    db.session.commit()
    assert report.audit_events_deleted >= 1
    assert _count(AuditEvent, AuditEvent.action == "login.success") == 0
    # the purge itself is audited
    assert _count(AuditEvent, AuditEvent.action == "purge.run") == 1


def test_counters_per_address_go_after_a_day(app_ctx, clock):
    throttle.hit("reset", "old@example.org", window=timedelta(hours=1))
    clock.advance(hours=23)
    throttle.hit("reset", "new@example.org", window=timedelta(hours=1))
    db.session.commit()
    clock.advance(hours=2)
    report = purge()
    db.session.commit()
    assert report.counters_deleted == 1
    assert throttle.read("reset", "old@example.org") is None
    assert throttle.read("reset", "new@example.org").count == 1


def test_purge_twice_changes_nothing_more(app_ctx, clock):
    world = make_world()
    db.session.commit()
    _book(world)
    clock.advance(days=800)
    first = purge()
    db.session.commit()
    second = purge()
    db.session.commit()
    assert first.participants_anonymised == 1
    assert second.participants_anonymised == 0


def test_attendance_rows_survive_the_purge(app_ctx, clock):
    world = make_world()
    db.session.commit()
    booking_services.join_cohort(world.cohort.code, data=person(3))
    db.session.commit()
    enrollment = db.session.scalars(select(Enrollment)).one()
    db.session.add(
        Attendance(
            participant_id=enrollment.participant_id,
            session_id=world.sessions[0].id,
            status="present",
        )
    )
    db.session.commit()
    clock.set(world.sessions[-1].end_at + timedelta(days=731))
    assert purge().participants_anonymised == 1
    db.session.commit()
    assert _count(Attendance) == 1
