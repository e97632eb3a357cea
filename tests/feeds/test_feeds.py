"""The four .ics feeds, parsed with icalendar and with ical.js (Thunderbird's parser)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from etp_orient.extensions import db
from tests.feeds.ics import events_js, events_py, parse_js, parse_py
from tests.fixtures.feeds import (
    add_facilitator,
    book,
    enroll,
    make_participant,
    make_programme,
    make_session,
    make_slot,
    make_user,
)

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")


def get_feed(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data
    return response.data


def programme_feed(client):
    return get_feed(client, "/calendar/programme/prog-diabete.ics")


# --- calendar properties -------------------------------------------------------------


def test_calendar_properties_seen_by_both_parsers(client, world):
    body = programme_feed(client)
    cal = parse_py(body)
    for name, value in {
        "VERSION": "2.0",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-PUBLISHED-TTL": "PT1H",
    }.items():
        assert str(cal[name]) == value
    assert cal["X-WR-CALNAME"] == cal["NAME"]
    assert "Mieux vivre avec le diabète" in str(cal["NAME"])
    props = parse_js(body)["calendar"]
    assert props["prodid"] == str(cal["PRODID"])
    assert props["refresh-interval"] == "PT1H"
    assert props["x-published-ttl"] == "PT1H"
    assert props["method"] == "PUBLISH"


def test_headers_of_a_public_feed(client, world):
    response = client.get("/calendar/programme/prog-diabete.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]


def test_one_vtimezone_per_zone_used(client, world):
    body = programme_feed(client)
    assert sorted(parse_js(body)["timezones"]) == ["Europe/Paris", "Indian/Reunion"]
    assert body.count(b"BEGIN:VTIMEZONE") == 2
    # only the years the events cover, not 1970-2038
    assert body.count(b"BEGIN:DAYLIGHT") <= 3


def test_times_carry_a_tzid_never_floating(client, world):
    body = programme_feed(client)
    for event in parse_js(body)["events"]:
        assert not event["floating"]
        assert event["tzid"] in ("Europe/Paris", "Indian/Reunion")
    in_event = False
    for line in body.decode().splitlines():
        in_event = (in_event or line == "BEGIN:VEVENT") and line != "END:VEVENT"
        if in_event and line.startswith(("DTSTART", "DTEND")):
            assert line.startswith(("DTSTART;TZID=", "DTEND;TZID="))


# --- instants around daylight-saving changes, overseas ----------------------------------

DST_CASES = [
    # last Sunday of October 2026 (25th): 10:00 local before is 08:00 UTC, after 09:00 UTC
    (datetime(2026, 10, 24, 10, 0), "2026-10-24T08:00:00.000Z"),
    (datetime(2026, 10, 26, 10, 0), "2026-10-26T09:00:00.000Z"),
    # last Sunday of March 2027 (28th)
    (datetime(2027, 3, 27, 10, 0), "2027-03-27T09:00:00.000Z"),
    (datetime(2027, 3, 29, 10, 0), "2027-03-29T08:00:00.000Z"),
    # on the changing Sunday itself, after the change
    (datetime(2027, 3, 28, 10, 0), "2027-03-28T08:00:00.000Z"),
]


@pytest.mark.parametrize(("local", "utc"), DST_CASES)
def test_utc_instants_around_daylight_saving(client, world, local, utc):
    start = local.replace(tzinfo=PARIS)
    make_session(world.cohort, start, "ses-dst")
    db.session.commit()
    body = programme_feed(client)
    js = events_js(body)["session-ses-dst@etp.test"]
    assert js["start_utc"] == utc
    assert js["tzid"] == "Europe/Paris"
    py = events_py(body)["session-ses-dst@etp.test"]
    assert py.decoded("DTSTART").astimezone(UTC).isoformat()[:19] == utc[:19]
    assert str(py["DTSTART"].params["TZID"]) == "Europe/Paris"


def test_overseas_session_in_its_own_time_zone(client, world):
    start = datetime(2026, 12, 10, 14, 0, tzinfo=REUNION)  # 10:00 UTC
    make_session(world.overseas_cohort, start, "ses-run-2")
    db.session.commit()
    body = programme_feed(client)
    js = events_js(body)["session-ses-run-2@etp.test"]
    assert js["start_utc"] == "2026-12-10T10:00:00.000Z"
    assert js["tzid"] == "Indian/Reunion"
    assert "DTSTART;TZID=Indian/Reunion:20261210T140000" in body.decode()
    assert "Saint-Denis" in js["location"]


# --- UID, SEQUENCE, STATUS ---------------------------------------------------------------


def test_uid_and_bytes_stable_across_regenerations(client, world, clock):
    first = programme_feed(client)
    clock.advance(hours=5)
    second = programme_feed(client)
    assert first == second
    assert set(events_js(first)) == {
        "session-ses-1@etp.test",
        "session-ses-2@etp.test",
        "session-ses-3@etp.test",
        "session-ses-4@etp.test",
        "session-ses-run-1@etp.test",
    }


def test_dtstamp_from_row_not_request(client, world, clock):
    created = world.sessions[0].updated_at
    clock.advance(days=2)
    event = events_js(programme_feed(client))["session-ses-1@etp.test"]
    assert event["dtstamp"] == created.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_move_keeps_uid_and_raises_sequence(client, world, clock):
    before = events_js(programme_feed(client))["session-ses-2@etp.test"]
    clock.advance(hours=1)
    session = world.sessions[1]
    session.start_at += timedelta(days=1)
    session.end_at += timedelta(days=1)
    session.revision += 1
    session.status = "moved"
    db.session.commit()
    body = programme_feed(client)
    after = events_js(body)["session-ses-2@etp.test"]
    assert after["sequence"] == before["sequence"] + 1
    assert after["status"] == "CONFIRMED"
    assert after["start_utc"] != before["start_utc"]
    assert int(events_py(body)["session-ses-2@etp.test"]["SEQUENCE"]) == after["sequence"]


def cancel(session, at):
    session.status = "cancelled"
    session.cancelled_at = at
    db.session.commit()


def test_cancellation_status_sequence_and_summary(client, world, clock):
    before = events_js(programme_feed(client))["session-ses-3@etp.test"]
    clock.advance(hours=1)
    cancel(world.sessions[2], clock())
    body = programme_feed(client)
    for event in (events_js(body)["session-ses-3@etp.test"],):
        assert event["status"] == "CANCELLED"
        assert event["sequence"] > before["sequence"]
        assert event["summary"].startswith("Annulé – ")
    py = events_py(body)["session-ses-3@etp.test"]
    assert str(py["STATUS"]) == "CANCELLED"


def test_cancelled_session_leaves_after_30_days(client, world, clock):
    session = make_session(world.cohort, datetime(2027, 3, 1, 9, tzinfo=UTC), "ses-late")
    db.session.commit()
    cancel(session, clock())
    clock.advance(days=29, hours=23)
    assert "session-ses-late@etp.test" in events_js(programme_feed(client))
    clock.advance(hours=2)
    assert "session-ses-late@etp.test" not in events_js(programme_feed(client))


def test_leaving_updates_last_modified(client, world, clock):
    session = make_session(world.cohort, datetime(2027, 3, 1, 9, tzinfo=UTC), "ses-late")
    db.session.commit()
    cancel(session, clock())
    clock.advance(days=29)
    last = client.get("/calendar/programme/prog-diabete.ics").headers["Last-Modified"]
    clock.advance(days=2)
    response = client.get(
        "/calendar/programme/prog-diabete.ics", headers={"If-Modified-Since": last}
    )
    assert response.status_code == 200


def test_window_60_days_back_12_months_ahead(client, world, clock):
    make_session(world.cohort, clock() - timedelta(days=59), "ses-past-in")
    make_session(world.cohort, clock() - timedelta(days=62), "ses-past-out")
    make_session(world.cohort, clock() + timedelta(days=360), "ses-future-in")
    make_session(world.cohort, clock() + timedelta(days=370), "ses-future-out")
    db.session.commit()
    uids = set(events_js(programme_feed(client)))
    assert "session-ses-past-in@etp.test" in uids
    assert "session-ses-future-in@etp.test" in uids
    assert "session-ses-past-out@etp.test" not in uids
    assert "session-ses-future-out@etp.test" not in uids


def test_draft_programme_is_404(client, world):
    make_programme(world.structure, code="prog-brouillon", status="draft")
    db.session.commit()
    assert client.get("/calendar/programme/prog-brouillon.ics").status_code == 404
    assert client.get("/calendar/programme/inconnu.ics").status_code == 404


def test_structure_feed_lists_its_programmes_sessions(client, world):
    body = get_feed(client, "/calendar/structure/cpts-test.ics")
    assert "session-ses-1@etp.test" in events_js(body)
    assert client.get("/calendar/structure/inconnue.ics").status_code == 404


# --- privacy -------------------------------------------------------------------------------


def test_public_feeds_hold_no_personal_data(client, world):
    participant, _token = make_participant()
    enroll(participant, world.cohort)
    book(participant, world.slots[0])
    user = make_user()
    add_facilitator(world.cohort, user)
    db.session.commit()
    for path in ("/calendar/programme/prog-diabete.ics", "/calendar/structure/cpts-test.ics"):
        body = get_feed(client, path).decode()
        for secret in ("Camille", "Martin", "camille.martin@example.org", "Inès", "ines.educ"):
            assert secret not in body
        assert "ATTENDEE" not in body and "ORGANIZER" not in body


def test_personal_feed_titles_are_neutral(client, world):
    participant, token = make_participant()
    enroll(participant, world.cohort)
    book(participant, world.slots[0])
    db.session.commit()
    body = get_feed(client, f"/calendar/me/{token}.ics")
    events = events_js(body)
    assert events["session-ses-2@etp.test"]["summary"] == "Atelier santé – séance 2"
    assert events["slot-bep-1@etp.test"]["summary"] == "Rendez-vous santé"
    text = body.decode().lower()
    for word in ("diab", "bien manger", "mieux vivre"):
        assert word not in text


def test_personal_feed_explicit_titles_when_chosen(client, world):
    from etp_orient.feeds.services import set_explicit_titles

    participant, token = make_participant()
    enroll(participant, world.cohort)
    set_explicit_titles(participant, True)
    db.session.commit()
    events = events_js(get_feed(client, f"/calendar/me/{token}.ics"))
    assert "Mieux vivre avec le diabète" in events["session-ses-1@etp.test"]["summary"]


def test_personal_feed_has_bookings_and_group_sessions(client, world):
    participant, token = make_participant()
    enroll(participant, world.cohort)
    book(participant, world.slots[0])
    db.session.commit()
    uids = set(events_js(get_feed(client, f"/calendar/me/{token}.ics")))
    assert uids == {
        "slot-bep-1@etp.test",
        "session-ses-1@etp.test",
        "session-ses-2@etp.test",
        "session-ses-3@etp.test",
        "session-ses-4@etp.test",
    }


def test_personal_feed_shows_cancelled_booking(client, world, clock):
    participant, token = make_participant()
    booking = book(participant, world.slots[0])
    db.session.commit()
    clock.advance(hours=1)
    booking.status = "cancelled"
    booking.cancelled_at = clock()
    db.session.commit()
    event = events_js(get_feed(client, f"/calendar/me/{token}.ics"))["slot-bep-1@etp.test"]
    assert event["status"] == "CANCELLED"
    assert event["summary"] == "Annulé – Rendez-vous santé"


def test_waitlisted_sessions_not_in_personal_feed(client, world):
    from etp_orient.booking.models import Enrollment

    participant, token = make_participant()
    db.session.add(
        Enrollment(
            participant=participant, cohort=world.cohort, status="waitlisted", waitlist_rank=1
        )
    )
    db.session.commit()
    assert events_js(get_feed(client, f"/calendar/me/{token}.ics")) == {}


def test_personal_feed_headers(client, world):
    _participant, token = make_participant()
    db.session.commit()
    response = client.get(f"/calendar/me/{token}.ics")
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_staff_feed_has_sessions_run_and_slots_held(client, world):
    from etp_orient.feeds.services import issue_staff_feed_token

    user = make_user()
    add_facilitator(world.cohort, user)
    make_slot(
        world.programme,
        world.site,
        datetime(2026, 12, 3, 9, tzinfo=UTC),
        "bep-3",
        professional_user=user,
    )
    token = issue_staff_feed_token(user)
    db.session.commit()
    response = client.get(f"/calendar/staff/{token}.ics")
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Referrer-Policy"] == "same-origin"
    uids = set(events_js(response.data))
    assert uids == {
        "slot-bep-3@etp.test",
        "session-ses-1@etp.test",
        "session-ses-2@etp.test",
        "session-ses-3@etp.test",
        "session-ses-4@etp.test",
    }


# --- tokens ----------------------------------------------------------------------------------


def _comparable(response):
    headers = {k: v for k, v in response.headers.items() if k not in ("Date", "X-Request-ID")}
    return response.status_code, response.data, headers


@pytest.mark.parametrize("kind", ["me", "staff"])
def test_unknown_and_revoked_tokens_get_the_same_404(client, world, kind):
    from etp_orient.feeds.services import issue_staff_feed_token, revoke_staff_feed_token

    if kind == "me":
        participant, token = make_participant()
        db.session.commit()
        assert client.get(f"/calendar/me/{token}.ics").status_code == 200
        participant.feed_token_hash = None
    else:
        user = make_user()
        token = issue_staff_feed_token(user)
        db.session.commit()
        assert client.get(f"/calendar/staff/{token}.ics").status_code == 200
        revoke_staff_feed_token(user)
    db.session.commit()
    revoked = client.get(f"/calendar/{kind}/{token}.ics")
    unknown = client.get(f"/calendar/{kind}/{'x' * len(token)}.ics")
    assert revoked.status_code == 404
    assert _comparable(revoked) == _comparable(unknown)
    assert revoked.headers["Referrer-Policy"] == "same-origin"


def test_reissued_staff_token_replaces_the_old_one(client, world):
    from etp_orient.feeds.services import issue_staff_feed_token

    user = make_user()
    old = issue_staff_feed_token(user)
    new = issue_staff_feed_token(user)
    db.session.commit()
    assert len(new) >= 43  # 256 bits, URL-safe base64
    assert client.get(f"/calendar/staff/{old}.ics").status_code == 404
    assert client.get(f"/calendar/staff/{new}.ics").status_code == 200
    assert user.feed_token_hash != new  # only the hash is stored


# --- HTTP caching ------------------------------------------------------------------------------


def test_304_on_if_none_match(client, world):
    first = client.get("/calendar/programme/prog-diabete.ics")
    again = client.get(
        "/calendar/programme/prog-diabete.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""


def test_304_on_if_modified_since(client, world):
    first = client.get("/calendar/programme/prog-diabete.ics")
    again = client.get(
        "/calendar/programme/prog-diabete.ics",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert again.status_code == 304


def test_304_on_personal_feed(client, world):
    _participant, token = make_participant()
    db.session.commit()
    first = client.get(f"/calendar/me/{token}.ics")
    again = client.get(
        f"/calendar/me/{token}.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_200_after_a_change(client, world, clock):
    first = client.get("/calendar/programme/prog-diabete.ics")
    clock.advance(minutes=5)
    world.sessions[0].room = "Salle 2"
    world.sessions[0].revision += 1
    db.session.commit()
    again = client.get(
        "/calendar/programme/prog-diabete.ics",
        headers={
            "If-None-Match": first.headers["ETag"],
            "If-Modified-Since": first.headers["Last-Modified"],
        },
    )
    assert again.status_code == 200
    assert "Salle 2" in events_js(again.data)["session-ses-1@etp.test"]["location"]


# --- both parsers agree on every feed -----------------------------------------------------


@pytest.mark.parametrize("kind", ["programme", "structure", "me", "staff"])
def test_both_parsers_agree_on_every_feed(client, world, clock, kind):
    from etp_orient.feeds.services import issue_staff_feed_token

    participant, token = make_participant()
    enroll(participant, world.cohort)
    enroll(participant, world.overseas_cohort)
    book(participant, world.slots[1])
    user = make_user()
    add_facilitator(world.cohort, user)
    add_facilitator(world.overseas_cohort, user)
    staff_token = issue_staff_feed_token(user)
    cancel(world.sessions[3], clock())
    paths = {
        "programme": "/calendar/programme/prog-diabete.ics",
        "structure": "/calendar/structure/cpts-test.ics",
        "me": f"/calendar/me/{token}.ics",
        "staff": f"/calendar/staff/{staff_token}.ics",
    }
    body = get_feed(client, paths[kind])
    py, js = events_py(body), events_js(body)
    assert set(py) == set(js)
    assert len(js) >= 5
    for uid, event in py.items():
        start = event.decoded("DTSTART").astimezone(UTC)
        assert js[uid]["start_utc"] == start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        assert str(event["STATUS"]) == js[uid]["status"]
        assert int(event["SEQUENCE"]) == js[uid]["sequence"]
        assert str(event["SUMMARY"]) == js[uid]["summary"]
        assert not js[uid]["floating"]
    assert js["session-ses-4@etp.test"]["status"] == "CANCELLED"


# --- open sessions, cancelled cohorts, leaving a group ---------------------------------------


def test_open_session_in_programme_and_facilitator_feeds(client, world):
    from etp_orient.booking.models import Facilitator, GroupSession
    from etp_orient.feeds.services import issue_staff_feed_token

    workshop = world.programme.workshops[1]
    start = datetime(2026, 12, 15, 14, tzinfo=UTC)
    session = GroupSession(
        code="open-1",
        workshop_id=workshop.id,
        site_id=world.site.id,
        start_at=start,
        end_at=start + timedelta(hours=2),
        capacity=12,
    )
    db.session.add(session)
    db.session.flush()
    user = make_user()
    db.session.add(Facilitator(session_id=session.id, user_id=user.id, name="Inès"))
    token = issue_staff_feed_token(user)
    db.session.commit()
    public = events_js(programme_feed(client))["session-open-1@etp.test"]
    assert public["summary"] == "Bouger plus – Mieux vivre avec le diabète"
    assert public["url"] == "http://etp.test/programmes/prog-diabete"
    staff = events_js(get_feed(client, f"/calendar/staff/{token}.ics"))
    assert set(staff) == {"session-open-1@etp.test"}


def test_cancelled_cohort_cancels_its_sessions(client, world, clock):
    clock.advance(hours=1)
    world.overseas_cohort.status = "cancelled"
    db.session.commit()
    event = events_js(programme_feed(client))["session-ses-run-1@etp.test"]
    assert event["status"] == "CANCELLED"
    assert event["summary"].startswith("Annulé – ")


def test_leaving_a_group_cancels_its_sessions_in_the_personal_feed(client, world, clock):
    participant, token = make_participant()
    enrollment = enroll(participant, world.cohort)
    db.session.commit()
    clock.advance(hours=1)
    enrollment.status = "cancelled"
    enrollment.cancelled_at = clock()
    db.session.commit()
    events = events_js(get_feed(client, f"/calendar/me/{token}.ics"))
    assert events["session-ses-1@etp.test"]["status"] == "CANCELLED"
    assert events["session-ses-1@etp.test"]["summary"] == "Annulé – Atelier santé – séance 1"
    # the public feed still shows the session as taking place
    assert events_js(programme_feed(client))["session-ses-1@etp.test"]["status"] == "CONFIRMED"
    clock.advance(days=31)
    assert "session-ses-1@etp.test" not in events_js(get_feed(client, f"/calendar/me/{token}.ics"))
