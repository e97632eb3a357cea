"""Joining a cohort: confirmed places, the waiting list in arrival order, promotion."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Cohort, Enrollment, GroupSession
from etp_orient.booking.services import BookingError
from etp_orient.extensions import db
from tests.fixtures.booking import person


def join(n, code="grp-booking", **values):
    result = services.join_cohort(code, data=person(n, **values))
    db.session.commit()
    return result


def confirmed_count(cohort_id):
    return db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == "confirmed"
        )
    )


def test_join_confirms_while_seats_remain(world, outbox):
    result = join(1)
    assert result.enrollment.status == "confirmed"
    assert result.position is None
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.seats_taken == 1
    message = outbox()[-1]
    assert message.template == "enrollment_confirmed"
    # one invitation for every session of the cohort
    assert message.ics.count("BEGIN:VEVENT") == 3
    for code in ("ses-1", "ses-2", "ses-3"):
        assert f"UID:session-{code}@etp.test" in message.ics


def test_full_cohort_puts_people_on_the_waiting_list_in_order(world, outbox):
    for n in range(1, 4):
        join(n)
    fourth, fifth = join(4), join(5)
    assert fourth.enrollment.status == "waitlisted"
    assert (fourth.position, fifth.position) == (1, 2)
    assert fourth.enrollment.waitlist_rank < fifth.enrollment.waitlist_rank
    assert db.session.get(Cohort, world.cohort.id).seats_taken == 3
    message = outbox()[-1]
    assert message.template == "enrollment_waitlisted"
    assert "2" in message.body_text
    assert message.ics is None


def test_full_cohort_without_waiting_list_refuses(world):
    world.cohort.waitlist_enabled = False
    db.session.commit()
    for n in range(1, 4):
        join(n)
    with pytest.raises(BookingError, match="cohort_full"):
        services.join_cohort("grp-booking", data=person(4))


def test_registration_closed(world, clock):
    world.cohort.registration_closes_at = clock()
    db.session.commit()
    with pytest.raises(BookingError, match="registration_closed"):
        services.join_cohort("grp-booking", data=person(1))


def test_registration_closes_at_first_session_by_default(world, clock):
    clock.set(world.sessions[0].start_at)
    with pytest.raises(BookingError, match="registration_closed"):
        services.join_cohort("grp-booking", data=person(1))


def test_join_checks_eligibility(world):
    with pytest.raises(BookingError, match="not_eligible"):
        services.join_cohort("grp-booking", data=person(1, birth_year=2015))


def test_same_person_cannot_join_twice(world):
    result = join(1)
    with pytest.raises(BookingError, match="already_enrolled"):
        services.join_cohort("grp-booking", participant=result.participant)


def test_existing_participant_joins_from_manage_page(world):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    result = services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    assert result.participant.id == booked.participant.id
    assert result.token == booked.token


def test_leaving_offers_the_seat_to_the_first_waiting_and_tells_them(world, outbox):
    people = [join(n) for n in range(1, 6)]
    services.leave_cohort(people[0].participant, "grp-booking", token=people[0].token)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Enrollment, people[0].enrollment.id).status == "cancelled"
    assert db.session.get(Enrollment, people[3].enrollment.id).status == "offered"
    assert db.session.get(Enrollment, people[4].enrollment.id).status == "waitlisted"
    assert services.waitlist_position(db.session.get(Enrollment, people[4].enrollment.id)) == 1
    cohort = db.session.get(Cohort, world.cohort.id)
    # the offer holds the seat
    assert cohort.seats_taken == confirmed_count(cohort.id) + 1 == 3
    templates = [(m.template, m.recipient) for m in outbox()[-2:]]
    assert templates == [
        ("enrollment_cancelled", "camille1@example.org"),
        ("enrollment_offered", "camille4@example.org"),
    ]
    assert outbox()[-2].ics_method == "CANCEL"
    assert outbox()[-1].ics is None  # no invitation before the place is accepted


def test_leaving_the_waiting_list_frees_no_seat(world, outbox):
    people = [join(n) for n in range(1, 6)]
    services.leave_cohort(people[3].participant, "grp-booking")
    db.session.commit()
    assert db.session.get(Cohort, world.cohort.id).seats_taken == 3
    assert services.waitlist_position(db.session.get(Enrollment, people[4].enrollment.id)) == 1
    assert outbox()[-1].template == "enrollment_cancelled"
    assert outbox()[-1].ics is None


def test_rejoining_after_leaving_goes_to_the_end(world):
    people = [join(n) for n in range(1, 5)]
    services.leave_cohort(people[3].participant, "grp-booking")
    db.session.commit()
    again = services.join_cohort("grp-booking", participant=people[3].participant)
    db.session.commit()
    assert again.enrollment.status == "waitlisted"
    assert again.position == 1
    assert again.enrollment.waitlist_rank > people[3].enrollment.waitlist_rank


def _second_cohort(world, capacity=2) -> Cohort:
    source = world.cohort
    other = Cohort(
        code="grp-other",
        programme=source.programme,
        site=source.site,
        format="presentiel",
        capacity=capacity,
        waitlist_enabled=True,
    )
    db.session.add(other)
    for session in source.sessions:
        db.session.add(
            GroupSession(
                code=f"{session.code}-other",
                cohort=other,
                workshop=session.workshop,
                start_at=session.start_at + timedelta(days=1),
                end_at=session.end_at + timedelta(days=1),
            )
        )
    db.session.commit()
    return other


def _live(participant_id):
    db.session.expire_all()
    return {
        (e.cohort.code, e.status)
        for e in db.session.scalars(
            select(Enrollment).where(
                Enrollment.participant_id == participant_id, Enrollment.status != "cancelled"
            )
        )
    }


def test_moving_to_another_group_offers_the_seat_to_the_first_waiting(world, outbox):
    other = _second_cohort(world)
    people = [join(n) for n in range(1, 5)]  # three places, the fourth waits
    result = services.move_enrollment(people[0].participant, "grp-booking", "grp-other")
    db.session.commit()
    assert result.enrollment.status == "confirmed"
    assert _live(people[0].participant.id) == {("grp-other", "confirmed")}
    assert _live(people[3].participant.id) == {("grp-booking", "offered")}
    assert db.session.get(Cohort, world.cohort.id).seats_taken == 3
    assert db.session.get(Cohort, other.id).seats_taken == 1
    templates = [m.template for m in outbox()[-3:]]
    assert templates == ["enrollment_confirmed", "enrollment_cancelled", "enrollment_offered"]


def test_a_move_that_cannot_leave_changes_nothing(world, outbox):
    # the person left the old group meanwhile (another tab, the coordinator's
    # colleague): the move fails as a whole, they are not put in the new group
    other = _second_cohort(world)
    first = join(1)
    services.leave_cohort(first.participant, "grp-booking")
    db.session.commit()
    queued = len(outbox())
    with pytest.raises(BookingError, match="not_found"):
        services.move_enrollment(first.participant, "grp-booking", "grp-other")
    db.session.rollback()
    assert _live(first.participant.id) == set()
    assert db.session.get(Cohort, other.id).seats_taken == 0
    assert len(outbox()) == queued


def test_a_move_to_a_full_group_without_waiting_list_changes_nothing(world):
    other = _second_cohort(world, capacity=1)
    other.waitlist_enabled = False
    db.session.commit()
    join(1, code="grp-other")
    second = join(2)
    with pytest.raises(BookingError, match="cohort_full"):
        services.move_enrollment(second.participant, "grp-booking", "grp-other")
    db.session.rollback()
    assert _live(second.participant.id) == {("grp-booking", "confirmed")}
