"""Waiting-list offers: a freed place is offered with a deadline, accepted or declined
from the manage link, expired by ``send-reminders`` (and the worker), then offered on."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Cohort, Enrollment
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.booking import person

CODE = "grp-booking"


def join(n):
    result = services.join_cohort(CODE, data=person(n))
    db.session.commit()
    return result


def status(result) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(Enrollment.status)
        .where(
            Enrollment.participant_id == result.participant.id,
            Enrollment.cohort.has(Cohort.code == CODE),
        )
        .order_by(Enrollment.id.desc())
        .limit(1)
    )


def seats() -> tuple[int, int]:
    """(seats_taken, confirmed + offered): always equal."""
    db.session.expire_all()
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == CODE))
    holders = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == cohort.id, Enrollment.status.in_(("confirmed", "offered"))
        )
    )
    return cohort.seats_taken, holders


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def full(world):
    """Three places taken (capacity 3), two people waiting; the first leaves."""
    people = [join(n) for n in range(1, 6)]
    services.leave_cohort(people[0].participant, CODE, token=people[0].token)
    db.session.commit()
    return people


def test_freed_place_is_offered_with_a_deadline_and_holds_the_seat(full, clock, outbox):
    assert status(full[3]) == "offered"
    assert status(full[4]) == "waitlisted"
    assert seats() == (3, 3)
    offer = db.session.get(Enrollment, full[3].enrollment.id)
    assert offer.offer_expires_at == clock() + timedelta(hours=48)
    message = outbox()[-1]
    assert (message.template, message.recipient) == (
        "enrollment_offered",
        "camille4@example.org",
    )
    assert "Répondez" in message.body_text or "répondez" in message.body_text
    assert [e.object_id for e in audits("enrollment.offer")] == [str(offer.id)]
    # the person still waiting is now first
    assert services.waitlist_position(db.session.get(Enrollment, full[4].enrollment.id)) == 1
    # a newcomer still waits: the offered seat is not free
    assert join(6).enrollment.status == "waitlisted"


def test_offer_hours_come_from_the_setting(app, world, clock, monkeypatch):
    monkeypatch.setitem(app.config, "WAITLIST_OFFER_HOURS", 24)
    people = [join(n) for n in range(1, 5)]
    services.leave_cohort(people[0].participant, CODE)
    db.session.commit()
    offer = db.session.get(Enrollment, people[3].enrollment.id)
    assert offer.offer_expires_at == clock() + timedelta(hours=24)


def test_the_manage_page_shows_the_offer_and_accepting_confirms(full, client, outbox):
    token = full[3].token
    html = client.get(f"/gerer/{token}").get_data(as_text=True)
    accept = f"/gerer/{token}/groupes/{CODE}/accepter"
    decline = f"/gerer/{token}/groupes/{CODE}/refuser"
    assert accept in html and decline in html
    assert "Répondez avant le" in html
    assert client.get(accept).status_code == 405  # a mail scanner's GET changes nothing
    response = client.post(accept)
    assert response.status_code == 303
    assert status(full[3]) == "confirmed"
    assert seats() == (3, 3)
    message = outbox()[-1]
    assert message.template == "enrollment_confirmed"
    assert message.ics_method == "REQUEST" and "BEGIN:VEVENT" in message.ics
    assert len(audits("enrollment.accept")) == 1
    # a second click says it is done
    page = client.post(accept, follow_redirects=True).get_data(as_text=True)
    assert "déjà une place" in page
    assert status(full[3]) == "confirmed"


def test_declining_offers_the_seat_to_the_next_person(full, client, outbox):
    response = client.post(f"/gerer/{full[3].token}/groupes/{CODE}/refuser")
    assert response.status_code == 303
    assert status(full[3]) == "cancelled"
    assert status(full[4]) == "offered"
    assert seats() == (3, 3)
    assert [(m.template, m.recipient) for m in outbox()[-2:]] == [
        ("enrollment_cancelled", "camille4@example.org"),
        ("enrollment_offered", "camille5@example.org"),
    ]
    assert len(audits("enrollment.decline")) == 1


def test_someone_without_an_offer_cannot_accept(full, client):
    # the second person waiting, and someone with a confirmed place
    page = client.post(
        f"/gerer/{full[4].token}/groupes/{CODE}/accepter", follow_redirects=True
    ).get_data(as_text=True)
    assert "Aucune place ne vous est proposée" in page
    assert status(full[4]) == "waitlisted"
    assert client.post(f"/gerer/{full[1].token}/groupes/{CODE}/refuser").status_code == 303
    assert status(full[1]) == "confirmed"
    assert client.post(f"/gerer/{'x' * 43}/groupes/{CODE}/accepter").status_code == 404


def test_after_the_deadline_accepting_is_refused_and_send_reminders_expires(
    full, client, clock, runner, outbox
):
    clock.advance(hours=48, minutes=1)
    page = client.post(
        f"/gerer/{full[3].token}/groupes/{CODE}/accepter", follow_redirects=True
    ).get_data(as_text=True)
    assert "Le délai pour répondre est passé" in page
    assert status(full[3]) == "offered"  # the expiry has not run yet
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert status(full[3]) == "cancelled"
    assert status(full[4]) == "offered"
    assert seats() == (3, 3)
    templates = {(m.template, m.recipient) for m in outbox()}
    assert ("enrollment_offer_expired", "camille4@example.org") in templates
    assert ("enrollment_offered", "camille5@example.org") in templates
    assert len(audits("enrollment.offer_expired")) == 1
    # a second run changes nothing
    runner.invoke(args=["send-reminders"])
    assert status(full[4]) == "offered"
    assert len(audits("enrollment.offer_expired")) == 1


def test_before_the_deadline_nothing_expires(full, clock, runner):
    clock.advance(hours=47)
    runner.invoke(args=["send-reminders"])
    assert status(full[3]) == "offered"


def test_the_worker_expires_offers(full, clock):
    import io

    from etp_orient.notify.worker import Worker

    clock.advance(hours=49)
    ids = [full[3].enrollment.id, full[4].enrollment.id]
    done = Worker(stream=io.StringIO()).run_once()
    assert done["send-reminders"] is not None
    assert [db.session.get(Enrollment, i).status for i in ids] == ["cancelled", "offered"]


def test_an_offer_made_after_registration_closed_runs_to_its_deadline(world, clock, client):
    people = [join(n) for n in range(1, 5)]
    world.cohort.registration_closes_at = clock() + timedelta(hours=1)
    db.session.commit()
    clock.advance(hours=2)
    services.leave_cohort(people[0].participant, CODE)
    db.session.commit()
    assert status(people[3]) == "offered"
    assert client.post(f"/gerer/{people[3].token}/groupes/{CODE}/accepter").status_code == 303
    assert status(people[3]) == "confirmed"


def test_last_in_line_expires_and_the_seat_is_free_again(world, clock, runner):
    people = [join(n) for n in range(1, 5)]
    services.leave_cohort(people[0].participant, CODE)
    db.session.commit()
    clock.advance(hours=49)
    runner.invoke(args=["send-reminders"])
    assert status(people[3]) == "cancelled"
    assert seats() == (2, 2)
    assert join(7).enrollment.status == "confirmed"


def test_leaving_while_offered_frees_the_seat_for_the_next(full):
    services.leave_cohort(full[3].participant, CODE)
    db.session.commit()
    assert status(full[3]) == "cancelled"
    assert status(full[4]) == "offered"
    assert seats() == (3, 3)


def test_deleting_my_data_while_offered_passes_the_offer_on(full):
    services.delete_my_data(full[3].participant)
    db.session.commit()
    assert status(full[4]) == "offered"
    assert seats() == (3, 3)


def test_offered_dates_are_not_in_the_personal_calendar(full, client):
    body = client.get(f"/gerer/{full[3].token}/agenda.ics").get_data(as_text=True)
    assert "session-ses-1" not in body
    client.post(f"/gerer/{full[3].token}/groupes/{CODE}/accepter")
    body = client.get(f"/gerer/{full[3].token}/agenda.ics").get_data(as_text=True)
    assert "session-ses-1" in body
