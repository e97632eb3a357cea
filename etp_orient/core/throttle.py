"""Counters per thing typed (a login, an e-mail address), whatever the client IP.

Flask-Limiter counts per client IP, on the wall clock, in its own storage. These
count per login or per address, in the database (shared by every process) and
on the injected clock (so tests move them). They follow ``RATELIMIT_ENABLED``
like the limits per IP: off, nothing is counted nor refused.

The value is kept as an HMAC keyed by ``SECRET_KEY``: the table holds no address.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from .clock import now
from .models import Throttle
from .types import UTCDateTime


@dataclass(frozen=True)
class Count:
    count: int
    first_at: datetime
    last_at: datetime


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def key_for(scope: str, value: str) -> str:
    """HMAC-SHA256 of ``scope:value`` (the value lower-cased and stripped)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    text = f"{scope}:{(value or '').strip().lower()}".encode()
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


def hit(scope: str, value: str, *, window: timedelta, sliding: bool = False) -> int:
    """Count one event for ``value``; return how many fell in the window, this one included.

    The window starts at the first event (``sliding=False``: "3 per hour"), or the
    count starts again after ``window`` without events (``sliding=True``: failures
    forgotten after a quiet while). One atomic upsert, so concurrent requests and
    processes each get their own number.
    """
    at = now()
    table = Throttle.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(
        scope=scope, key_hash=key_for(scope, value), count=1, first_at=at, last_at=at
    )
    since = table.c.last_at if sliding else table.c.first_at
    stale = since <= literal(at - window, UTCDateTime())
    stmt = stmt.on_conflict_do_update(
        index_elements=["scope", "key_hash"],
        set_={
            "count": case((stale, 1), else_=table.c.count + 1),
            "first_at": case((stale, stmt.excluded.first_at), else_=table.c.first_at),
            "last_at": stmt.excluded.last_at,
        },
    ).returning(table.c.count)
    return db.session.execute(stmt).scalar_one()


def read(scope: str, value: str) -> Count | None:
    """The counter of ``value``, or None when nothing was counted."""
    row = db.session.execute(
        select(Throttle.count, Throttle.first_at, Throttle.last_at).where(
            Throttle.scope == scope, Throttle.key_hash == key_for(scope, value)
        )
    ).first()
    return Count(*row) if row else None


def clear(scope: str, value: str) -> None:
    """Forget the counter of ``value`` (e.g. after a successful login)."""
    db.session.execute(
        delete(Throttle).where(Throttle.scope == scope, Throttle.key_hash == key_for(scope, value))
    )


def purge(before: datetime) -> int:
    """Delete the counters with no event since ``before``; return how many."""
    deleted = db.session.execute(
        delete(Throttle)
        .where(Throttle.last_at < before)
        .execution_options(synchronize_session=False)
    )
    return deleted.rowcount or 0
