"""Public feeds kept per feed and data version; ETag answered before building (issue 17)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from etp_orient.booking.models import GroupSession
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
