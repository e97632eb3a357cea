"""Building iCalendar documents (RFC 5545) from plain event values.

One builder for the feeds and for the invitations attached to e-mails, so that
an event has the same UID, SEQUENCE and STATUS everywhere. It knows no domain:
callers turn their rows into :class:`CalEvent`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//etp-orient//etp-orient 1//FR"
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class CalEvent:
    """One calendar event; datetimes are aware, shown in ``timezone``."""

    uid: str
    start: datetime
    end: datetime
    timezone: str
    summary: str
    updated: datetime
    sequence: int = 0
    cancelled: bool = False
    location: str | None = None
    description: str | None = None
    url: str | None = None


def event_uid(kind: str, code: str, base_url: str) -> str:
    """A stable UID: ``<kind>-<code>@<host of BASE_URL>``, never regenerated."""
    host = urlsplit(base_url).hostname or "etp-orient.invalid"
    return f"{kind}-{code}@{host}"


def _to_vevent(item: CalEvent) -> Event:
    tz = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.updated)
    event.add("last-modified", item.updated)
    event.add("dtstart", item.start.astimezone(tz))
    event.add("dtend", item.end.astimezone(tz))
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("summary", item.summary)
    event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    return event


def build_calendar(events: Iterable[CalEvent], *, name: str, method: str = "PUBLISH") -> bytes:
    """A whole calendar with one VTIMEZONE per time zone used, as bytes (CRLF lines)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for item in events:
        cal.add_component(_to_vevent(item))
    cal.add_missing_timezones()
    return cal.to_ical()
