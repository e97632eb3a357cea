"""No overbooking under concurrency: many simultaneous requests against gunicorn.

The app runs under gunicorn with several worker processes on the suite's
database (SQLite file or PostgreSQL). Every simulated person is a thread with
its own HTTP connection and cookie: it GETs the form first (real session and
CSRF token, CSRF stays on), then all threads wait at a barrier and POST at once.

A control run starts a second server with ``BOOKING_LOCKING=0`` (the naive
check-then-write) and must see the cohort overbooked or its counter wrong,
which shows these tests can fail. The slot is still protected there by the
partial unique index, so the control uses the cohort.
"""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Cohort, Enrollment
from etp_orient.extensions import db
from tests.fixtures.booking import make_world, person
from tests.fixtures.booking_http import Visitor
from tests.fixtures.servers import GunicornServer

pytestmark = pytest.mark.server

WORKERS = 4


def form(n: int) -> dict:
    return {
        "first_name": f"Pers{n}",
        "last_name": "Test",
        "birth_year": "1970",
        "email": f"p{n}@example.org",
        "language": "fr",
        "consent_contact": "y",
    }


def stampede(server, jobs):
    """Run ``jobs`` (visitor, form path, post path, data) at once; return statuses in order."""
    visitors = [Visitor(server.url) for _ in jobs]
    for visitor, (form_path, _post, _data) in zip(visitors, jobs, strict=True):
        assert visitor.get_form(form_path) in (200, 409)
        assert visitor.token
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i):
        _form, post_path, data = jobs[i]
        barrier.wait()
        try:
            results[i] = visitors[i].post(post_path, data)
        except Exception as error:  # a dropped connection counts as an error
            results[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.fixture(scope="module")
def server(app, database_url):
    instance = GunicornServer(database_url, workers=WORKERS).start()
    yield instance
    instance.stop()


@pytest.fixture
def world10(app_ctx):
    world = make_world(slots=4, capacity=10)
    db.session.commit()
    return world


def cohort_state(cohort_id):
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort_id)
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.status, Enrollment.waitlist_rank)
        .where(Enrollment.cohort_id == cohort_id)
        .order_by(Enrollment.id)
    ).all()
    return cohort, rows


def test_fifty_bookings_of_one_slot(server, world10):
    path = "/rdv/bep-1"
    statuses = stampede(server, [(path, path, form(n)) for n in range(50)])
    counts = Counter(statuses)
    assert counts[303] == 1, counts
    assert counts[409] == 49, counts
    db.session.expire_all()
    confirmed = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id == world10.slots[0].id, Booking.status == "confirmed"
        )
    )
    assert confirmed == 1


def test_two_hundred_joins_of_ten_places(server, world10):
    path = "/groupes/grp-booking"
    statuses = stampede(server, [(path, path, form(n)) for n in range(200)])
    assert Counter(statuses) == {303: 200}
    cohort, rows = cohort_state(world10.cohort.id)
    confirmed = [r for r in rows if r.status == "confirmed"]
    waiting = [r for r in rows if r.status == "waitlisted"]
    assert len(confirmed) == 10
    assert cohort.seats_taken == 10
    assert len(waiting) == 190
    # arrival order: ranks 1..190 without gap or duplicate, in the order rows were written
    assert [r.waitlist_rank for r in waiting] == list(range(1, 191))


def test_simultaneous_leaves_and_joins_keep_counts(server, world10):
    cohort_id = world10.cohort.id
    tokens = []
    for n in range(15):
        result = services.join_cohort("grp-booking", data=person(100 + n))
        db.session.commit()
        tokens.append((result.token, result.enrollment.status))
    db.session.remove()
    leaving = [t for t, status in tokens if status == "confirmed"][:8]
    jobs = [
        (
            f"/gerer/{t}/groupes/grp-booking/quitter",
            f"/gerer/{t}/groupes/grp-booking/quitter",
            {},
        )
        for t in leaving
    ]
    path = "/groupes/grp-booking"
    jobs += [(path, path, form(n)) for n in range(20)]
    statuses = stampede(server, jobs)
    assert Counter(statuses) == {303: len(jobs)}
    cohort, rows = cohort_state(cohort_id)
    # a freed seat is offered to the first person waiting: the offer holds it
    seated = [r for r in rows if r.status in ("confirmed", "offered")]
    ranks = [r.waitlist_rank for r in rows if r.status == "waitlisted"]
    assert cohort.seats_taken == len(seated) == 10
    assert len(ranks) == len(set(ranks))
    assert len([r for r in rows if r.status == "cancelled"]) == 8
    # everyone who stayed is either seated (or offered a seat) or waiting
    assert len(seated) + len(ranks) == 15 - 8 + 20


def test_control_run_without_locking_detects_overbooking(app, database_url, world10):
    """With BOOKING_LOCKING=0 the cohort must end up overbooked or miscounted."""
    unlocked = GunicornServer(database_url, workers=WORKERS, env={"BOOKING_LOCKING": "0"}).start()
    try:
        path = "/groupes/grp-booking"
        statuses = stampede(unlocked, [(path, path, form(n)) for n in range(120)])
    finally:
        unlocked.stop()
    cohort, rows = cohort_state(world10.cohort.id)
    confirmed = [r for r in rows if r.status == "confirmed"]
    ranks = [r.waitlist_rank for r in rows if r.status == "waitlisted"]
    broken = (
        len(confirmed) > cohort.capacity
        or cohort.seats_taken != len(confirmed)
        or len(ranks) != len(set(ranks))
    )
    print(
        "control run:",
        Counter(statuses),
        "confirmed",
        len(confirmed),
        "seats_taken",
        cohort.seats_taken,
    )
    assert broken, (Counter(statuses), len(confirmed), cohort.seats_taken)


def test_two_people_taking_the_last_final_slot_get_one_booking(server, app_ctx, clock):
    """The final assessment is booked from the manage link: twenty people of the group
    who may book it now, one free final slot, all at once: one booking, 19 told."""
    from datetime import timedelta

    from etp_orient.booking.models import Slot

    world = make_world(slots=1, capacity=30)
    db.session.commit()
    tokens = []
    for n in range(20):
        result = services.join_cohort("grp-booking", data=person(400 + n))
        db.session.commit()
        tokens.append(result.token)
    last = max(s.start_at for s in world.sessions)
    slot = Slot(
        code="final-last",
        programme=world.programme,
        kind="final",
        site=world.site,
        start_at=last + timedelta(days=10),
        end_at=last + timedelta(days=10, hours=1),
    )
    db.session.add(slot)
    db.session.commit()
    clock.set(last + timedelta(days=1))  # the server follows: the final is open
    jobs = [
        (f"/gerer/{t}/bilan-final/prog-booking", f"/gerer/{t}/bilan-final/prog-booking",
         {"slot": "final-last"})
        for t in tokens
    ]  # fmt: skip
    statuses = stampede(server, jobs)
    assert Counter(statuses) == {303: 1, 409: 19}, Counter(statuses)
    db.session.expire_all()
    booked = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id == slot.id, Booking.status == "confirmed"
        )
    )
    assert booked == 1
