"""Stable codes for the slots and sessions a file gives without one.

The same file always gives the same codes, so that importing it again updates
the same rows and an export (which writes every code) imports back unchanged.

- a slot: ``rdv-`` + 16 hex digits of SHA-256 over its programme, kind, start
  (in UTC), and site code (or remote mode). Moving such a slot makes a new one:
  give slots a code when you want to move them.
- a session: the cohort's code (cut to 60 characters), a dash and 12 hex digits
  of SHA-256 over the cohort, the workshop and the rank of this session among
  the cohort's sessions of the same workshop in the file (1, 2, …). Moving a
  session keeps its code, as long as the order of that workshop's sessions in
  the cohort stays the same.
"""

import hashlib
from datetime import UTC, datetime


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def slot_code(
    programme: str, kind: str, start: datetime, site: str | None, remote: str | None
) -> str:
    """The derived code of a slot given without one."""
    when = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    place = site if site else f"remote:{remote or ''}"
    return "rdv-" + _digest(programme, kind, when, place)[:16]


def session_code(cohort: str, workshop: str, rank: int) -> str:
    """The derived code of a cohort's session given without one (rank starts at 1)."""
    return f"{cohort[:60]}-{_digest(cohort, workshop, str(rank))[:12]}"
