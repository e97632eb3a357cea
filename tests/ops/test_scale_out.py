"""Scale-out: two app servers (two gunicorn masters, several workers each) on ONE database.

Flask-Limiter's storage is a Redis database (127.0.0.1:6379), so a rate limit is
shared by every worker of both servers. Each test run claims an empty Redis
database number (SET NX of a claim key), flushes it at start and at the end, so
concurrent runs of the suite never share counters.

The bookings and joins are real forms with CSRF tokens and cookies (the
``Visitor`` of the booking concurrency tests), spread over both servers.
The suite's database is either a PostgreSQL database or a SQLite file: both
servers share it (SQLite by file, with WAL and a busy timeout), so the test
runs on both.
"""

import signal
import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Booking, Cohort, Enrollment
from etp_orient.extensions import db
from tests.booking.test_concurrency import form
from tests.fixtures.booking import make_world
from tests.fixtures.booking_http import Visitor
from tests.fixtures.servers import GunicornServer

pytestmark = pytest.mark.server

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM_KEY = "etp-orient:scale-out-test:claim"
WORKERS = 2


def _redis(number: int):
    redis = pytest.importorskip("redis")
    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number, socket_timeout=5)


@pytest.fixture(scope="module")
def redis_db():
    """An empty Redis database number claimed for this run; flushed at start and end."""
    claim = uuid.uuid4().hex
    probe = _redis(0)
    try:
        probe.ping()
    except Exception as error:  # noqa: BLE001 - any connection failure
        pytest.fail(f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT}: {error!r}")
    finally:
        probe.close()
    for number in range(15, 0, -1):
        client = _redis(number)
        if client.dbsize() == 0 and client.set(CLAIM_KEY, claim, nx=True, ex=900):
            client.flushdb()
            client.set(CLAIM_KEY, claim, ex=900)
            yield number
            client.flushdb()
            client.close()
            return
        client.close()
    pytest.fail("no free Redis database number (1-15) for the scale-out test")


def _stop(servers) -> None:
    """Quick shutdown (SIGINT) of both masters; ``stop()`` then reaps them."""
    for server in servers:
        if server.process and server.process.poll() is None:
            server.process.send_signal(signal.SIGINT)
    for server in servers:
        server.stop()


def _pair(database_url, env, workers=WORKERS):
    """Two gunicorn masters on two ports, started side by side."""
    servers = [GunicornServer(database_url, workers=workers, env=env) for _ in range(2)]
    errors = []

    def start(server):
        try:
            server.start()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        _stop(servers)
        raise errors[0]
    return servers


@pytest.fixture(scope="module")
def servers(app, database_url, redis_db):
    """Two servers, rate limits off (the booking forms have their own per-address limit)."""
    env = {
        "RATELIMIT_STORAGE_URI": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "RATELIMIT_ENABLED": "0",
    }
    pair = _pair(database_url, env)
    yield pair
    _stop(pair)


@pytest.fixture
def world(app_ctx):
    world = make_world(slots=4, capacity=10)
    db.session.commit()
    return world


def spread_stampede(servers, jobs):
    """Run ``jobs`` (form path, post path, data) at once, alternating servers.

    Every visitor GETs its form (cookie and CSRF token) from its own server, then
    all POST together. Returns (server index, status) per job, in order.
    """
    visitors = [Visitor(servers[i % len(servers)].url) for i in range(len(jobs))]
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
        except Exception as error:  # noqa: BLE001 - a dropped connection counts as an error
            results[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [(i % len(servers), status) for i, status in enumerate(results)]


def test_one_slot_booked_once_across_two_servers(servers, world):
    path = "/rdv/bep-1"
    results = spread_stampede(servers, [(path, path, form(n)) for n in range(40)])
    counts = Counter(status for _server, status in results)
    # exactly one confirmation; every other person gets the clear "already taken" page
    assert counts == {303: 1, 409: 39}, counts
    # both servers really answered
    assert {server for server, status in results if status == 409} == {0, 1}
    db.session.expire_all()
    bookings = db.session.execute(
        select(Booking.status).where(Booking.slot_id == world.slots[0].id)
    ).all()
    assert [row.status for row in bookings] == ["confirmed"]


def test_joins_over_two_servers_fill_the_cohort_then_the_waiting_list(servers, world):
    path = "/groupes/grp-booking"
    results = spread_stampede(servers, [(path, path, form(n)) for n in range(120)])
    assert Counter(status for _server, status in results) == {303: 120}
    db.session.expire_all()
    cohort = db.session.get(Cohort, world.cohort.id)
    rows = db.session.execute(
        select(Enrollment.status, Enrollment.waitlist_rank)
        .where(Enrollment.cohort_id == cohort.id)
        .order_by(Enrollment.id)
    ).all()
    confirmed = [r for r in rows if r.status == "confirmed"]
    waiting = [r for r in rows if r.status == "waitlisted"]
    assert len(confirmed) == cohort.capacity == cohort.seats_taken == 10
    assert len(waiting) == 110
    assert [r.waitlist_rank for r in waiting] == list(range(1, 111))


def _hit_reissue(servers, hits):
    """POST /gerer/nouveau-lien ``hits`` times, alternating servers; return the statuses."""
    statuses = []
    for i in range(hits):
        visitor = Visitor(servers[i % 2].url)
        assert visitor.get_form("/gerer/nouveau-lien") == 200
        statuses.append(visitor.post("/gerer/nouveau-lien", {"email": f"r{i}@example.org"}))
    return statuses


def test_rate_limit_is_shared_by_both_servers(app, database_url, redis_db):
    """The reissue form allows 5 POSTs per hour per address, whichever server answers."""
    env = {
        "RATELIMIT_STORAGE_URI": f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
        "RATELIMIT_ENABLED": "1",
    }
    store = _redis(redis_db)
    store.flushdb()
    store.set(CLAIM_KEY, "in use", ex=900)
    pair = _pair(database_url, env)
    try:
        statuses = _hit_reissue(pair, 12)
    finally:
        _stop(pair)
    counters = [key for key in store.keys("*") if key != CLAIM_KEY.encode()]
    store.close()
    assert statuses[:5] == [200] * 5, statuses
    assert statuses[5:] == [429] * 7, statuses
    assert counters, "the counters are not in Redis"


def test_control_per_process_memory_storage_does_not_hold_the_limit(app, database_url):
    """Control: with ``memory://`` each worker counts alone, so more than 5 POSTs pass.

    Shows the shared-limit test above can fail: each server (one worker each, to
    keep the suite short) gets 6 of the 12 POSTs and 5 of them pass there, so 10
    pass in all.
    """
    env = {"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": "1"}
    pair = _pair(database_url, env, workers=1)
    try:
        statuses = _hit_reissue(pair, 12)
    finally:
        _stop(pair)
    assert statuses.count(200) >= 10, statuses
