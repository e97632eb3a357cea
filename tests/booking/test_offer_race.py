"""Waiting-list offers under concurrency: gunicorn with several workers, real CSRF tokens
(see ``test_concurrency.py`` for the method). One seat is held by one person at a time;
two accepts at once for one seat give one seat."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Cohort, Enrollment
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.booking.test_concurrency import WORKERS, form, stampede
from tests.fixtures.booking import make_world, person
from tests.fixtures.servers import GunicornServer

pytestmark = pytest.mark.server

CODE = "grp-booking"


@pytest.fixture(scope="module")
def server(app, database_url):
    instance = GunicornServer(database_url, workers=WORKERS).start()
    yield instance
    instance.stop()


def _state(cohort_id):
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort_id)
    rows = db.session.execute(
        select(Enrollment.participant_id, Enrollment.status).where(
            Enrollment.cohort_id == cohort_id
        )
    ).all()
    return cohort, Counter(r.status for r in rows), {r.participant_id: r.status for r in rows}


def _count(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_two_accepts_at_once_for_one_seat_give_one_seat(server, app_ctx):
    """One seat freed, offered to the first person waiting. At once: that person
    accepts from ten tabs, the second person waiting tries to accept from ten more.
    One seat, one accept, one confirmation; the second person still waits."""
    world = make_world(capacity=2)
    db.session.commit()
    people = []
    for n in range(4):  # two places, two waiting
        people.append(services.join_cohort(CODE, data=person(500 + n)))
        db.session.commit()
    services.leave_cohort(people[0].participant, CODE)
    db.session.commit()
    cohort_id = world.cohort.id
    (holder, holder_token), (second, second_token) = [
        (p.participant.id, p.token) for p in people[2:4]
    ]
    db.session.remove()
    jobs = [
        (f"/gerer/{t}", f"/gerer/{t}/groupes/{CODE}/accepter", {})
        for t in [holder_token] * 10 + [second_token] * 10
    ]
    statuses = stampede(server, jobs)
    assert Counter(statuses) == {303: 20}
    cohort, counts, by_person = _state(cohort_id)
    assert by_person[holder] == "confirmed"
    assert by_person[second] == "waitlisted"
    assert cohort.seats_taken == counts["confirmed"] + counts["offered"] == 2
    assert _count("enrollment.accept") == 1


def test_accepts_declines_leaves_and_joins_at_once_keep_one_holder_per_seat(server, app_ctx):
    """Ten places, twenty waiting, four offers running. At once: the four accept
    (twice each), four people with a place leave, two people far down the waiting
    list try to decline (they have no offer), ten newcomers join. Every seat has one
    holder; every freed seat is offered to exactly one person."""
    world = make_world(capacity=10)
    db.session.commit()
    people = []
    for n in range(30):
        people.append(services.join_cohort(CODE, data=person(600 + n)))
        db.session.commit()
    for p in people[:4]:
        services.leave_cohort(p.participant, CODE)
        db.session.commit()
    cohort_id = world.cohort.id
    ids = [(p.participant.id, p.token) for p in people]
    offered = ids[10:14]
    leaving = ids[4:8]
    waiting = ids[20:22]  # far down the list: no offer reaches them
    cohort, counts, _ = _state(cohort_id)
    assert counts["offered"] == 4 and cohort.seats_taken == 10
    db.session.remove()
    jobs = [
        (f"/gerer/{t}", f"/gerer/{t}/groupes/{CODE}/accepter", {}) for _i, t in offered + offered
    ]
    jobs += [
        (f"/gerer/{t}/groupes/{CODE}/quitter", f"/gerer/{t}/groupes/{CODE}/quitter", {})
        for _i, t in leaving
    ]
    jobs += [(f"/gerer/{t}", f"/gerer/{t}/groupes/{CODE}/refuser", {}) for _i, t in waiting]
    path = f"/groupes/{CODE}"
    jobs += [(path, path, form(700 + n)) for n in range(10)]
    statuses = stampede(server, jobs)
    assert Counter(statuses) == {303: len(jobs)}
    cohort, counts, by_person = _state(cohort_id)
    assert all(by_person[i] == "confirmed" for i, _t in offered)
    assert all(by_person[i] == "cancelled" for i, _t in leaving)
    assert all(by_person[i] == "waitlisted" for i, _t in waiting)
    assert cohort.seats_taken == counts["confirmed"] + counts["offered"] == 10
    # the four freed seats went to four people, one offer each
    assert counts["offered"] == 4
    assert _count("enrollment.accept") == 4
    assert _count("enrollment.offer") == 8
