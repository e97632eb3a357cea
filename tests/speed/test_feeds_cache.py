"""Public feeds kept per feed and data version; ETag answered before building (issue 17)."""

import gzip
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from etp_orient.booking.models import GroupSession
from etp_orient.catalogue.models import Site
from etp_orient.extensions import db
from etp_orient.feeds import services
from tests.fixtures.feeds import World, make_cohort, make_programme, make_session, make_structure

FIRST_SESSION = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
FEED = "/calendar/programme/prog-diabete.ics"


@pytest.fixture
def world(app_ctx, clock):
    world = World(FIRST_SESSION)
    # another programme with its own sessions, which a programme's feed must not read
    other = make_programme(make_structure("cpts-autre"), code="prog-autre")
    cohort = make_cohort(other, None, "grp-autre")
    make_session(cohort, FIRST_SESSION, "ses-autre")
    db.session.commit()
    return world


@pytest.fixture
def builds(monkeypatch):
    """How many calendars were serialised."""
    made = []
    original = services.build_calendar

    def counting(*args, **kwargs):
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "build_calendar", counting)
    return made


def test_feed_is_built_once_then_kept(world, client, builds, count_statements):
    first = client.get(FEED)
    assert first.status_code == 200
    with count_statements() as statements:
        second = client.get(FEED)
    assert second.status_code == 200
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert len(builds) == 1
    # the programme, then one fingerprint query: no session row loaded again
    assert len(statements) == 2, statements


def test_feed_reads_only_its_own_sessions_without_or(world, client, count_statements):
    with count_statements() as statements:
        body = client.get(FEED).get_data(as_text=True)
    assert "ses-autre" not in body and "UID:" in body
    loading = [s for s in statements if "FROM group_sessions" in s and " OR " in s.upper()]
    assert loading == []


def test_changed_session_rebuilds_the_feed(world, client, clock, builds):
    before = client.get(FEED)
    # another process (another worker, an import) moves a session: a plain UPDATE that
    # this process's ORM never sees
    clock.advance(minutes=5)
    moved = FIRST_SESSION + timedelta(hours=2)
    db.session.execute(
        update(GroupSession)
        .where(GroupSession.code == "ses-1")
        .values(start_at=moved, end_at=moved + timedelta(hours=2), updated_at=clock())
    )
    db.session.commit()
    after = client.get(FEED)
    assert len(builds) == 2
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "DTSTART;TZID=Europe/Paris:20261201T160000" in after.get_data(as_text=True)


def test_change_in_the_same_instant_through_this_process_rebuilds(world, client, builds):
    before = client.get(FEED)
    world.sessions[0].status = "cancelled"
    db.session.commit()
    after = client.get(FEED)
    assert len(builds) == 2
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "STATUS:CANCELLED" in after.get_data(as_text=True)


def test_structure_feed_follows_its_programmes_sessions(world, client, clock, builds):
    url = "/calendar/structure/cpts-test.ics"
    before = client.get(url)
    clock.advance(minutes=5)
    db.session.execute(
        update(GroupSession)
        .where(GroupSession.code == "ses-2")
        .values(status="cancelled", updated_at=clock())
    )
    db.session.commit()
    after = client.get(url)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert len(builds) == 2


def test_site_of_its_dates_changed_elsewhere_rebuilds_the_feed(world, client, clock, builds):
    before = client.get(FEED).get_data(as_text=True)
    assert "12 rue des Lilas" in before
    clock.advance(minutes=5)
    # the site's row alone changes (another process, a plain UPDATE)
    db.session.execute(
        update(Site)
        .where(Site.code == "site-angouleme")
        .values(address="14 rue des Lilas", updated_at=clock())
    )
    db.session.commit()
    after = client.get(FEED).get_data(as_text=True)
    assert len(builds) == 2
    assert "14 rue des Lilas" in after and "12 rue des Lilas" not in after


def test_etag_answered_304_without_building(world, client, builds, count_statements):
    etag = client.get(FEED).headers["ETag"]
    with count_statements() as statements:
        response = client.get(FEED, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert len(builds) == 1
    assert len(statements) == 2
    # a stale ETag gets the whole feed
    assert client.get(FEED, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_date_leaving_the_window_rebuilds_the_feed(world, client, clock, builds):
    before = client.get(FEED).get_data(as_text=True)
    assert "ses-1" in before or "UID:" in before
    # the first session ends on 1 December 15:00; 60 days later it leaves the feed
    clock.set(FIRST_SESSION + timedelta(days=61))
    after = client.get(FEED).get_data(as_text=True)
    assert len(builds) == 2
    assert after.count("BEGIN:VEVENT") == before.count("BEGIN:VEVENT") - 1


# --- Feeds shared between the workers of a machine (FEED_CACHE_DIR) ---------------------


@pytest.fixture
def workers(app, clock, tmp_path, monkeypatch, database_url):
    """Two workers on the same database and shared folder: the test app and another app
    (another engine, its own kept feeds), as two gunicorn workers would be."""
    from etp_orient import create_app

    folder = str(tmp_path / "feed-cache")
    monkeypatch.setitem(app.config, "FEED_CACHE_DIR", folder)
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": None,
            "BASE_URL": "http://etp.test",
            "MAIL_SERVER": None,
            "CLOCK": clock,
            "FEED_CACHE_DIR": folder,
        }
    )
    yield app.test_client(), other.test_client()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_feed_built_by_one_worker_is_taken_by_another(world, workers, builds):
    first, second = workers
    built = first.get(FEED)
    taken = second.get(FEED)
    assert len(builds) == 1
    assert taken.data == built.data
    assert taken.headers["ETag"] == built.headers["ETag"]
    assert taken.headers["Last-Modified"] == built.headers["Last-Modified"]
    # and its ETag is answered 304 by the worker that never built it
    again = second.get(FEED, headers={"If-None-Match": built.headers["ETag"]})
    assert again.status_code == 304


def test_a_change_made_elsewhere_is_seen_by_both_workers(world, workers, clock, builds):
    first, second = workers
    first.get(FEED)
    second.get(FEED)
    # another process moves a session (a plain UPDATE: no ORM event in this process)
    clock.advance(minutes=5)
    moved = FIRST_SESSION + timedelta(hours=2)
    db.session.execute(
        update(GroupSession)
        .where(GroupSession.code == "ses-1")
        .values(start_at=moved, end_at=moved + timedelta(hours=2), updated_at=clock())
    )
    db.session.commit()
    for worker in (second, first):
        body = worker.get(FEED).get_data(as_text=True)
        assert "DTSTART;TZID=Europe/Paris:20261201T160000" in body
    # built once more, by the first worker to be asked; the other took it
    assert len(builds) == 2


def test_a_shared_feed_is_not_taken_once_a_date_left_the_window(world, workers, clock, builds):
    first, second = workers
    before = first.get(FEED).get_data(as_text=True)
    # the first session ends on 1 December 15:00; 60 days later it leaves the feed,
    # with no change in the database: the shared copy's time limit says so
    clock.set(FIRST_SESSION + timedelta(days=61))
    after = second.get(FEED).get_data(as_text=True)
    assert len(builds) == 2
    assert after.count("BEGIN:VEVENT") == before.count("BEGIN:VEVENT") - 1


def test_a_same_instant_change_here_is_not_hidden_by_the_shared_copy(world, workers, builds):
    first, _second = workers
    before = first.get(FEED)
    # the clock does not move: the rows' updated_at stay the same
    world.sessions[0].status = "cancelled"
    db.session.commit()
    after = first.get(FEED)
    assert len(builds) == 2
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "STATUS:CANCELLED" in after.get_data(as_text=True)


def test_without_a_shared_folder_each_worker_builds(world, workers, app, monkeypatch, builds):
    first, second = workers
    for worker in workers:
        monkeypatch.setitem(worker.application.config, "FEED_CACHE_DIR", "")
    first.get(FEED)
    second.get(FEED)
    assert len(builds) == 2


# --- Compressed once, kept with the feed ------------------------------------------------

GZIP = {"Accept-Encoding": "gzip"}


def test_compressed_once_and_its_etag_answered_without_compressing(
    world, client, builds, monkeypatch
):
    compressed = []
    original = gzip.compress

    def counting(*args, **kwargs):
        compressed.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(services.gzip, "compress", counting)
    first = client.get(FEED, headers=GZIP)
    second = client.get(FEED, headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip"
    assert second.data == first.data
    assert first.headers["ETag"].endswith(':gzip"')
    assert "Accept-Encoding" in first.headers["Vary"]
    conditional = client.get(FEED, headers={**GZIP, "If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304
    assert len(compressed) == 1 and len(builds) == 1
    # the same calendar as the plain answer, whose ETag has no suffix
    plain = client.get(FEED)
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(first.data) == plain.data
    assert first.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'


def test_brotli_when_preferred(world, client):
    import brotli

    response = client.get(FEED, headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data).startswith(b"BEGIN:VCALENDAR")


def test_not_compressed_when_the_app_leaves_it_to_a_proxy(world, client, monkeypatch, app):
    monkeypatch.setitem(app.config, "COMPRESS_RESPONSES", False)
    response = client.get(FEED, headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"BEGIN:VCALENDAR")


def test_a_feed_checked_a_moment_ago_is_answered_without_the_database(
    world, client, clock, builds, count_statements, monkeypatch, app
):
    """FEED_RECHECK_SECONDS: within it, no statement at all (the offer's overall
    fingerprint is trusted); another process's change shows once it has passed; this
    process's own change at once."""
    monkeypatch.setitem(app.config, "FEED_RECHECK_SECONDS", 30)
    ticks = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: ticks[0])
    first = client.get(FEED).get_data(as_text=True)
    with count_statements() as statements:
        again = client.get(FEED)
    assert again.get_data(as_text=True) == first and statements == []
    # another process moves a session (a plain UPDATE: no ORM event here)
    clock.advance(minutes=5)
    moved = FIRST_SESSION + timedelta(hours=2)
    db.session.execute(
        update(GroupSession)
        .where(GroupSession.code == "ses-1")
        .values(start_at=moved, end_at=moved + timedelta(hours=2), updated_at=clock())
    )
    db.session.commit()
    ticks[0] += 10  # within the 30 s: still the feed checked before
    assert client.get(FEED).get_data(as_text=True) == first
    ticks[0] += 25  # past it: checked again, the move is seen
    body = client.get(FEED).get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Paris:20261201T160000" in body
    # a change made through this process is seen at once
    session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-1"))
    session.room = "Salle 9"
    db.session.commit()
    assert "Salle 9" in client.get(FEED).get_data(as_text=True)
    assert len(builds) == 3
