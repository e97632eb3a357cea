"""Parse a feed with both icalendar and ical.js (Thunderbird's parser, run with node)."""

import json
import subprocess
from pathlib import Path

from icalendar import Calendar

SCRIPT = Path(__file__).with_name("parse_ics.mjs")


def parse_js(body: bytes) -> dict:
    """ical.js' view of the document: calendar properties, VTIMEZONE ids, events in UTC."""
    done = subprocess.run(
        ["node", str(SCRIPT), "-"], input=body, capture_output=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def parse_py(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events_py(body: bytes) -> dict:
    """icalendar's events by UID."""
    return {str(e["uid"]): e for e in parse_py(body).walk("VEVENT")}


def events_js(body: bytes) -> dict:
    """ical.js' events by UID."""
    return {e["uid"]: e for e in parse_js(body)["events"]}
