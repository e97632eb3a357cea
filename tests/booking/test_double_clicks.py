"""The same request sent several times at once (a double click, two tabs) under gunicorn.

Each undo (delete my data, leave a group, cancel an appointment) must happen
once: no 500, one audit row, a seat freed once. Several copies are fired so
that at least two of them overlap.
"""

from collections import Counter

import pytest
from sqlalchemy import func, select

from etp_orient.booking import services
from etp_orient.booking.models import Booking, Cohort, Enrollment
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.booking.test_concurrency import form, stampede
from tests.fixtures.booking import make_world, person
from tests.fixtures.booking_http import Visitor
from tests.fixtures.servers import GunicornServer

pytestmark = pytest.mark.server

COPIES = 6


@pytest.fixture(scope="module")
def server(app, database_url):
    instance = GunicornServer(database_url, workers=4).start()
    yield instance
    instance.stop()


@pytest.fixture
def two_places(app_ctx):
    """A group of 2 places, both taken by A and B: the group's id, the tokens of A and B."""
    cohort_id = make_world(capacity=2).cohort.id
    db.session.commit()
    tokens = []
    for n in (1, 2):
        result = services.join_cohort("grp-booking", data=person(n))
        db.session.commit()
        assert result.enrollment.status == "confirmed"
        tokens.append(result.token)
    db.session.remove()
    return cohort_id, tokens


def audit_count(action: str) -> int:
    db.session.rollback()  # a new read: what the servers committed since
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def seats(cohort_id: int) -> tuple[int, int]:
    """(seats_taken, confirmed enrollments) of the group."""
    db.session.rollback()  # a new read: what the servers committed since
    confirmed = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.cohort_id == cohort_id, Enrollment.status == "confirmed"
        )
    )
    return db.session.get(Cohort, cohort_id).seats_taken, confirmed


def test_simultaneous_deletes_free_the_place_once(server, two_places):
    cohort_id, (token_a, _token_b) = two_places
    path = f"/gerer/{token_a}/supprimer"
    statuses = stampede(server, [(path, path, {})] * COPIES)
    # overlapping copies get the "deleted" page; a copy arriving after the first
    # one committed finds a dead link (404), as any later visit would
    assert set(statuses) <= {200, 404} and 200 in statuses, statuses
    assert audit_count("participant.delete") == 1
    assert seats(cohort_id) == (1, 1)
    # the group has one place left: of two new joins, one is seated, one waits
    join = "/groupes/grp-booking"
    assert Counter(stampede(server, [(join, join, form(n)) for n in (1, 2)])) == {303: 2}
    assert seats(cohort_id) == (2, 2)


def test_simultaneous_leaves_leave_once(server, two_places):
    cohort_id, (token_a, _token_b) = two_places
    path = f"/gerer/{token_a}/groupes/grp-booking/quitter"
    statuses = stampede(server, [(path, path, {})] * COPIES)
    assert Counter(statuses) == {303: COPIES}
    assert audit_count("enrollment.cancel") == 1
    assert seats(cohort_id) == (1, 1)


def test_simultaneous_cancels_cancel_once(server, app_ctx):
    make_world()
    db.session.commit()
    result = services.book_slot("bep-1", data=person(1))
    db.session.commit()
    token, booking_id = result.token, result.booking.id
    db.session.remove()
    path = f"/gerer/{token}/rdv/{booking_id}/annuler"
    statuses = stampede(server, [(path, path, {})] * COPIES)
    assert Counter(statuses) == {303: COPIES}
    assert audit_count("booking.cancel") == 1
    assert db.session.get(Booking, booking_id).status == "cancelled"


def test_leaving_twice_says_it_is_done(server, two_places):
    """The second "Quitter le groupe" (the first already committed) is not an error."""
    cohort_id, (token_a, _token_b) = two_places
    path = f"/gerer/{token_a}/groupes/grp-booking/quitter"
    visitor = Visitor(server.url)
    assert visitor.get_form(path) == 200
    assert [visitor.post(path, {}), visitor.post(path, {})] == [303, 303]
    assert audit_count("enrollment.cancel") == 1
    assert seats(cohort_id) == (1, 1)
