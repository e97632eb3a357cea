"""Scale-out: two app servers (two gunicorn masters, several workers each) on one
PostgreSQL database, with the rate-limit counters in Redis.

Each visitor has its own address (sent as X-Forwarded-For through PROXY_COUNT=1,
as behind a reverse proxy), fetches the form on one server and posts it to the
other: sessions and CSRF tokens work across servers, a slot is still booked
once, and a rate limit counts the requests of both servers together.
"""

import secrets
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from etp_orient.booking.models import Booking, Cohort
from etp_orient.extensions import db
from tests.fixtures.booking import make_world
from tests.fixtures.booking_http import Visitor
from tests.fixtures.servers import GunicornServer

pytestmark = pytest.mark.server

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def servers(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("several app servers share PostgreSQL (run with TEST_DATABASE_URL)")
    import redis

    redis.Redis.from_url(REDIS_URL).ping()
    env = {
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # this run's own counters, whatever else uses the Redis server
        "RATELIMIT_KEY_PREFIX": f"etp-test-{secrets.token_hex(6)}",
        "PROXY_COUNT": "1",
    }
    started = []
    try:
        for _ in range(2):
            started.append(GunicornServer(database_url, workers=3, env=env).start())
        yield started
    finally:
        for server in started:
            server.stop()


def form(n: int) -> dict:
    return {
        "first_name": f"Pers{n}",
        "last_name": "Test",
        "birth_year": "1970",
        "email": f"p{n}@example.org",
        "language": "fr",
        "consent_contact": "y",
    }


def stampede(servers, jobs):
    """Each job (form path, post path, data): GET on one server, POST on the other, all at once."""
    clients = [
        Visitor(servers[i % 2].url, f"198.51.{i // 250}.{i % 250 + 1}") for i in range(len(jobs))
    ]
    for client, (form_path, _post, _data) in zip(clients, jobs, strict=True):
        assert client.get_form(form_path) == 200
        assert client.token
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i):
        _form, post_path, data = jobs[i]
        barrier.wait()
        try:
            results[i] = clients[i].post(post_path, data, on=servers[(i + 1) % 2].url)
        except Exception as error:
            results[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.fixture
def world(app_ctx):
    world = make_world(slots=2, capacity=10)
    db.session.commit()
    return world


def test_one_slot_booked_by_forty_people_across_two_servers(servers, world):
    path = "/rdv/bep-1"
    counts = Counter(stampede(servers, [(path, path, form(n)) for n in range(40)]))
    assert counts == {303: 1, 409: 39}, counts
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.slot_id == world.slots[0].id, Booking.status == "confirmed"
            )
        )
        == 1
    )


def test_sixty_joins_of_ten_places_across_two_servers(servers, world):
    path = "/groupes/grp-booking"
    counts = Counter(stampede(servers, [(path, path, form(n)) for n in range(60)]))
    assert counts == {303: 60}, counts
    db.session.expire_all()
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.seats_taken == 10
    statuses = Counter(e.status for e in cohort.enrollments)
    assert statuses == {"confirmed": 10, "waitlisted": 50}


def test_a_rate_limit_holds_across_both_servers(servers, world):
    guesser = Visitor(servers[0].url, "203.0.113.66")
    statuses = [
        guesser.get_form(f"/gerer/{secrets.token_urlsafe(32)}", on=servers[i % 2].url)
        for i in range(31)
    ]
    # 30 failed look-ups per minute per address, counted by both servers together
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    # another address is not blocked
    assert Visitor(servers[0].url, "203.0.113.67").get_form("/gerer/unknown-token") == 404
