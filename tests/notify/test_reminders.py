"""Reminders two days ahead: once only, none inside the window, again when a date moves."""

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from etp_orient.core.ical import event_uid
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.notify.reminders import queue_reminders, run_reminders
from etp_orient.notify.sending import send_due
from tests.fixtures.notify import book, enroll, make_cohort, make_offer, make_participant, make_slot


def reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith("reminder:"))
            .order_by(OutboxMessage.id)
        )
    )


def booked_slot(clock, *, days_ahead=5, **participant):
    """A BEP slot ``days_ahead`` days from now, booked now."""
    programme, site = make_offer()
    slot = make_slot(programme, site, clock() + timedelta(days=days_ahead))
    booking = book(make_participant(**participant), slot)
    db.session.commit()
    return slot, booking


def test_reminder_is_queued_two_days_before_and_only_once(ctx, clock):
    slot, booking = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=2, hours=1))
    assert queue_reminders(clock()) == 0
    clock.advance(hours=1)
    assert queue_reminders(clock()) == 1
    db.session.commit()
    clock.advance(hours=1)
    assert queue_reminders(clock()) == 0
    (message,) = reminders()
    assert message.channel == "email" and message.recipient == "camille@example.org"
    assert message.template == "reminder_booking"
    assert message.dedupe_key.startswith(f"reminder:booking:{booking.id}:r0:")


def test_reminder_email_carries_the_event_invitation(ctx, clock):
    slot, _ = booked_slot(clock, language="en")
    clock.set(slot.start_at - timedelta(days=1))
    queue_reminders(clock())
    (message,) = reminders()
    assert message.language == "en"
    assert message.ics_method == "REQUEST"
    calendar = Calendar.from_ical(message.ics)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == event_uid("slot", slot.code, "http://etp.test")
    assert event["SEQUENCE"] == slot.revision
    assert "diab" not in str(event["SUMMARY"]).lower()  # neutral title by default
    assert "mailto:camille@example.org" in str(event["ATTENDEE"]).lower()


def test_no_reminder_for_a_booking_made_inside_the_window(ctx, clock):
    booked_slot(clock, days_ahead=1)
    assert queue_reminders(clock()) == 0
    clock.advance(hours=12)
    assert queue_reminders(clock()) == 0


def test_no_reminder_after_the_date_or_for_a_cancelled_booking(ctx, clock):
    slot, booking = booked_slot(clock)
    booking.status = "cancelled"
    db.session.commit()
    clock.set(slot.start_at - timedelta(days=1))
    assert queue_reminders(clock()) == 0
    booking.status = "confirmed"
    db.session.commit()
    clock.set(slot.start_at + timedelta(minutes=1))
    assert queue_reminders(clock()) == 0


def test_final_and_followup_appointments_are_reminded_too(ctx, clock):
    programme, site = make_offer()
    for kind in ("final", "followup"):
        slot = make_slot(programme, site, clock() + timedelta(days=5), kind=kind)
        book(make_participant(email=f"{kind}@example.org"), slot)
    db.session.commit()
    clock.advance(days=4)
    assert queue_reminders(clock()) == 2


def test_a_moved_date_gets_its_own_reminder_and_the_old_one_is_withdrawn(ctx, clock):
    slot, _ = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=1))
    assert queue_reminders(clock()) == 1
    db.session.commit()
    # moved one hour later (revision raised), before the reminder left
    slot.start_at += timedelta(hours=1)
    slot.end_at += timedelta(hours=1)
    slot.revision += 1
    db.session.commit()
    assert queue_reminders(clock()) == 1
    db.session.commit()
    old, new = reminders()
    assert (old.status, new.status) == ("failed", "pending")
    assert "withdrawn" in old.last_error
    assert ":r1:" in new.dedupe_key
    assert queue_reminders(clock()) == 0


def test_a_date_moved_later_withdraws_the_unsent_reminder(ctx, clock):
    slot, _ = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=1))
    queue_reminders(clock())
    db.session.commit()
    slot.start_at += timedelta(days=7)
    slot.end_at += timedelta(days=7)
    slot.revision += 1
    db.session.commit()
    assert queue_reminders(clock()) == 0
    db.session.commit()
    assert [m.status for m in reminders()] == ["failed"]
    clock.set(slot.start_at - timedelta(days=1))
    assert queue_reminders(clock()) == 1


def test_a_sent_reminder_stays_sent_when_the_date_moves(ctx, clock):
    slot, _ = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=1))
    queue_reminders(clock())
    db.session.commit()
    send_due()
    slot.start_at += timedelta(hours=2)
    slot.end_at += timedelta(hours=2)
    slot.revision += 1
    db.session.commit()
    assert queue_reminders(clock()) == 1
    db.session.commit()
    assert [m.status for m in reminders()] == ["sent", "pending"]


def test_each_session_reminds_each_confirmed_member(ctx, clock):
    programme, site = make_offer()
    start = clock() + timedelta(days=10)
    cohort = make_cohort(programme, site, [start, start + timedelta(days=7)])
    confirmed = [enroll(make_participant(email=f"p{i}@example.org"), cohort) for i in range(2)]
    enroll(make_participant(email="wait@example.org"), cohort, status="waitlisted")
    db.session.commit()
    clock.set(start - timedelta(days=1))
    assert queue_reminders(clock()) == 2
    db.session.commit()
    assert queue_reminders(clock()) == 0
    messages = reminders()
    assert {m.recipient for m in messages} == {"p0@example.org", "p1@example.org"}
    assert {m.template for m in messages} == {"reminder_session"}
    assert messages[0].dedupe_key.startswith(
        f"reminder:session:{cohort.sessions[0].id}:e{confirmed[0].id}:"
    )
    calendar = Calendar.from_ical(messages[0].ics)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == event_uid("session", cohort.sessions[0].code, "http://etp.test")
    clock.set(start + timedelta(days=6))
    assert queue_reminders(clock()) == 2


def test_no_session_reminder_for_someone_who_joined_inside_the_window(ctx, clock):
    programme, site = make_offer()
    start = clock() + timedelta(days=1)
    cohort = make_cohort(programme, site, [start])
    enroll(make_participant(), cohort)
    db.session.commit()
    assert queue_reminders(clock()) == 0


def test_no_reminder_for_a_cancelled_session(ctx, clock):
    programme, site = make_offer()
    start = clock() + timedelta(days=5)
    cohort = make_cohort(programme, site, [start])
    enroll(make_participant(), cohort)
    cohort.sessions[0].status = "cancelled"
    db.session.commit()
    clock.set(start - timedelta(days=1))
    assert queue_reminders(clock()) == 0


def test_without_email_the_reminder_is_an_sms_that_names_no_condition(ctx, clock):
    slot, _ = booked_slot(clock, email=None, phone="+33612345678")
    participant = slot.bookings[0].participant
    participant.feed_explicit_titles = True  # even then, never in an SMS
    db.session.commit()
    clock.set(slot.start_at - timedelta(days=1))
    assert queue_reminders(clock()) == 1
    (message,) = reminders()
    assert message.channel == "sms" and message.recipient == "+33612345678"
    text = message.body_text.lower()
    assert "diab" not in text and "mieux vivre" not in text
    assert "rappel" in text and "maison de santé du centre" in text


def test_reminder_delivered_through_smtp_with_its_invitation(ctx, clock, smtp_server):
    slot, _ = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=1))
    queue_reminders(clock())
    db.session.commit()
    send_due()
    (received,) = smtp_server.messages
    assert received["To"] == "camille@example.org"
    assert received["Subject"].startswith("Rappel : votre rendez-vous le")
    calendar_part = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    uid = event_uid("slot", slot.code, "http://etp.test")
    assert f"UID:{uid}" in calendar_part.get_content().replace("\r\n ", "")
    text = next(p for p in received.walk() if p.get_content_type() == "text/plain")
    assert "Maison de santé du Centre" in text.get_content()


def test_send_reminders_command(ctx, clock, runner):
    slot, _ = booked_slot(clock)
    clock.set(slot.start_at - timedelta(days=1))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) queued" in result.output
    again = runner.invoke(args=["send-reminders"])
    assert "0 reminder(s) queued" in again.output


def test_two_reminder_runs_at_once_queue_each_reminder_once(app, clock):
    import threading

    with app.app_context():
        for i in range(5):
            booked_slot_for(clock, f"p{i}@example.org")
        clock.advance(days=4)
    barrier = threading.Barrier(2)
    counts = []

    def run():
        with app.app_context():
            barrier.wait()
            counts.append(run_reminders())  # what the command does
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 5]
    with app.app_context():
        assert len(reminders()) == 5


def booked_slot_for(clock, email):
    from etp_orient.catalogue.models import Programme

    programme = db.session.scalar(select(Programme).where(Programme.code == "prog-notify"))
    if programme is None:
        programme, site = make_offer()
    else:
        site = programme.sites[0]
    slot = make_slot(programme, site, clock() + timedelta(days=5))
    book(make_participant(email=email), slot)
    db.session.commit()


def test_a_moved_session_can_withdraw_its_reminders_at_once(ctx, clock):
    from etp_orient.notify.reminders import withdraw_session_reminders

    programme, site = make_offer()
    start = clock() + timedelta(days=5)
    cohort = make_cohort(programme, site, [start])
    for i in range(2):
        enroll(make_participant(email=f"p{i}@example.org"), cohort)
    db.session.commit()
    clock.set(start - timedelta(days=1))
    queue_reminders(clock())
    db.session.commit()
    assert withdraw_session_reminders(cohort.sessions[0].id) == 2
    db.session.commit()
    assert [m.status for m in reminders()] == ["failed", "failed"]
