"""core.ical: the builder's own guarantees (folding, VTIMEZONE, invitations)."""

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.parser.string import _foldline

from etp_orient.core.ical import CalEvent, _vtimezone, build_calendar, fast_foldline

ALPHABET = st.sampled_from(list("abc XYZ,;:\\^éàçœ€–😀ا\t\"'"))


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(st.text(alphabet=ALPHABET, max_size=400))
def test_fast_folding_is_byte_for_byte_icalendars(line):
    assert fast_foldline(line) == _foldline(line)


@settings(deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=200), st.integers(min_value=8, max_value=80))
def test_fast_folding_same_for_other_limits(line, limit):
    assert fast_foldline(line, limit) == _foldline(line, limit)


def test_escape_never_ends_a_folded_line():
    line = "DESCRIPTION:" + "a" * 61 + "\\n" + "b" * 100
    assert fast_foldline(line) == _foldline(line)
    assert not any(part.endswith("\\") for part in fast_foldline(line).split("\r\n "))


def test_vtimezone_one_observance_per_change():
    paris = _vtimezone("Europe/Paris", date(2026, 1, 1), date(2028, 1, 1))
    kinds = [c.name for c in paris.subcomponents]
    assert kinds == ["STANDARD", "DAYLIGHT", "STANDARD", "DAYLIGHT", "STANDARD"]
    spring = paris.subcomponents[1]
    # the onset in the local time in force before it: 02:00 CET
    assert spring.decoded("DTSTART") == datetime(2026, 3, 29, 2, 0)
    autumn = paris.subcomponents[2]
    assert autumn.decoded("DTSTART") == datetime(2026, 10, 25, 3, 0)


def test_vtimezone_without_changes_overseas():
    reunion = _vtimezone("Indian/Reunion", date(2026, 1, 1), date(2028, 1, 1))
    assert [c.name for c in reunion.subcomponents] == ["STANDARD"]


def test_invitation_has_organizer_and_attendee():
    event = CalEvent(
        uid="slot-a@etp.test",
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 1, 10, tzinfo=UTC),
        timezone="Europe/Paris",
        summary="Rendez-vous santé",
        updated=datetime(2026, 11, 1, tzinfo=UTC),
        organizer="no-reply@etp.test",
        attendees=("camille@example.org",),
    )
    cal = Calendar.from_ical(build_calendar([event], name="x", method="REQUEST"))
    assert str(cal["METHOD"]) == "REQUEST"
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["ORGANIZER"]) == "mailto:no-reply@etp.test"
    assert str(vevent["ATTENDEE"]) == "mailto:camille@example.org"


def test_an_empty_calendar_covers_the_year_of_the_injected_clock(app_ctx, clock):
    from etp_orient.core.ical import timezone_window

    clock.set(datetime(2031, 6, 1, 12, tzinfo=UTC))
    assert timezone_window([]) == (date(2031, 1, 1), date(2032, 1, 1))
