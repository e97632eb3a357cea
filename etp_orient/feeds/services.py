"""Calendar feeds: which dates go in which feed, and the staff feed tokens.

Four feeds (DESIGN §4): a programme's and a structure's public dates (group
sessions), a participant's own dates (bookings and the sessions of their
groups) and a facilitator's dates (sessions they run, slots they hold).

The window runs from 60 days back to 12 months ahead. A cancelled date stays
30 days after its cancellation with STATUS:CANCELLED, then leaves.

``Last-Modified`` is the latest of: the rows' update times, the moment a date
entered the 12-month window, and the moment a date left the feed (end of its
30 days, or falling out of the 60 days back). So a date leaving the feed also
makes ``If-Modified-Since`` answer with the new feed.
"""

import gc
import gzip
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale, gettext
from flask_compress.flask_compress import _compress_data as compress_data
from sqlalchemy import and_, bindparam, event, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import User
from ..booking.calendar import (
    session_cancelled_at,
    session_event,
    slot_cancelled_at,
    slot_event,
)
from ..booking.messages import manage_url
from ..booking.models import (
    Booking,
    Cohort,
    Enrollment,
    Facilitator,
    GroupSession,
    Participant,
    Slot,
    slot_held_by,
)
from ..catalogue.models import Programme, Site, Structure, Workshop, programme_structures
from ..core.clock import now
from ..core.ical import CalEvent, build_calendar
from ..core.models import audit
from ..core.tokens import hash_token, new_token
from ..extensions import db

WINDOW_BACK = timedelta(days=60)
WINDOW_AHEAD = timedelta(days=365)
CANCELLED_KEPT = timedelta(days=30)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Feed:
    """A feed ready to serve: its events, name, and the date of its last change."""

    name: str
    events: list[CalEvent]
    last_modified: datetime
    personal: bool
    _encoded: dict[str, bytes] = field(default_factory=dict, repr=False)

    @cached_property
    def body(self) -> bytes:
        return build_calendar(self.events, name=self.name)

    @cached_property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:32]

    def encoded(self, encoding: str) -> bytes:
        """The body compressed with ``encoding`` ("gzip", "br"…, at the levels the app
        sets for Flask-Compress), made once and kept with the feed."""
        done = self._encoded.get(encoding)
        if done is None:
            if encoding == "gzip":
                # no time in the gzip header: the same bytes in every worker, as the
                # ETag promises
                level = current_app.config["COMPRESS_LEVEL"]
                done = gzip.compress(self.body, compresslevel=level, mtime=0)
            else:
                done = compress_data(current_app, self.body, encoding)
            self._encoded[encoding] = done
        return done


@dataclass
class _Selection:
    """Rows kept in a feed, and the moments the feed's content last changed."""

    at: datetime
    moments: list[datetime] = field(default_factory=list)
    # the first moment after ``at`` when a kept date leaves the feed
    next_change: datetime | None = None

    def keep(self, start: datetime, end: datetime, cancelled_at: datetime | None) -> bool:
        """Whether a date belongs in the feed now; records when it entered or left."""
        if start > self.at + WINDOW_AHEAD:
            return False
        entered = start - WINDOW_AHEAD
        if end < self.at - WINDOW_BACK:
            self.moments.append(end + WINDOW_BACK)
            return False
        if cancelled_at is not None and cancelled_at + CANCELLED_KEPT <= self.at:
            self.moments.append(cancelled_at + CANCELLED_KEPT)
            return False
        self.moments.append(entered)
        leaves = end + WINDOW_BACK
        if cancelled_at is not None:
            leaves = min(leaves, cancelled_at + CANCELLED_KEPT)
        if self.next_change is None or leaves < self.next_change:
            self.next_change = leaves
        return True

    def last_modified(self, events: Iterable[CalEvent], *extra: datetime | None) -> datetime:
        values = [e.updated for e in events] + [m for m in self.moments if m <= self.at]
        values += [v for v in extra if v is not None]
        return max(values, default=EPOCH)


def _candidate_range(at: datetime):
    """Rows worth loading: those in the window, and those that left it recently
    (for Last-Modified)."""
    return at - 2 * WINDOW_BACK, at + WINDOW_AHEAD


def _session_options():
    return (
        selectinload(GroupSession.workshop).selectinload(Workshop.programme),
        selectinload(GroupSession.site),
        selectinload(GroupSession.cohort).selectinload(Cohort.site),
        selectinload(GroupSession.cohort).selectinload(Cohort.programme),
    )


def _indexes(sessions: Iterable[GroupSession]) -> dict[int, int]:
    """Each session's rank among its cohort's sessions that take place ("séance 2").

    One light query over the cohorts' sessions (ids, times and statuses only).
    """
    cohort_ids = sorted({s.cohort_id for s in sessions if s.cohort_id is not None})
    ranks: dict[int, int] = {}
    for first in range(0, len(cohort_ids), 500):
        rows = db.session.execute(
            select(GroupSession.id, GroupSession.cohort_id, GroupSession.status)
            .where(GroupSession.cohort_id.in_(cohort_ids[first : first + 500]))
            .order_by(GroupSession.cohort_id, GroupSession.start_at, GroupSession.id)
        ).all()
        cohort, rank = None, 0
        for session_id, cohort_id, status in rows:
            if cohort_id != cohort:
                cohort, rank = cohort_id, 0
            if status != "cancelled":
                rank += 1
                ranks[session_id] = rank
            else:
                ranks[session_id] = rank + 1
    return ranks


def _session_query(condition, at: datetime):
    low, high = _candidate_range(at)
    return (
        select(GroupSession)
        .join(Workshop, GroupSession.workshop_id == Workshop.id)
        .outerjoin(Cohort, GroupSession.cohort_id == Cohort.id)
        .where(condition, GroupSession.end_at >= low, GroupSession.start_at <= high)
        .options(*_session_options())
        .order_by(GroupSession.start_at, GroupSession.id)
    )


def _public_conditions(programme_ids):
    """The sessions of these programmes, as two conditions each served by an index (their
    cohorts' sessions; the open sessions of their workshops), never an OR across tables."""
    cohorts = select(Cohort.id).where(Cohort.programme_id.in_(programme_ids))
    workshops = select(Workshop.id).where(Workshop.programme_id.in_(programme_ids))
    return (
        GroupSession.cohort_id.in_(cohorts),
        and_(GroupSession.cohort_id.is_(None), GroupSession.workshop_id.in_(workshops)),
    )


def _public_session_events(programme_ids: list[int], selection: _Selection) -> list[CalEvent]:
    low, high = _candidate_range(selection.at)
    sessions: list[GroupSession] = []
    for condition in _public_conditions(programme_ids):
        sessions += db.session.scalars(
            select(GroupSession)
            .where(condition, GroupSession.end_at >= low, GroupSession.start_at <= high)
            .options(*_session_options())
        ).all()
    sessions.sort(key=lambda s: (s.start_at, s.id))
    ranks = _indexes(sessions)
    events = []
    for session in sessions:
        if selection.keep(session.start_at, session.end_at, session_cancelled_at(session)):
            events.append(session_event(session, index=ranks.get(session.id)))
    return events


def _public_version(programme_ids: list[int], at: datetime) -> tuple:
    """A fingerprint of what a public feed of these programmes shows (one query over
    their own rows, on indexes): counts, id sums and latest changes of their sessions,
    cohorts, workshops and the sites of their dates, and the start of the first date
    beyond the 12-month window (when the feed must change by itself; columns 3 and 7).

    The statement is built once per process (``_version_statement``) and takes the
    programme ids and the window's end as parameters: building it again on every request
    (a few dozen SQLAlchemy expressions and their cache key) cost more than running it.
    """
    _low, high = _candidate_range(at)
    parameters = {"ids": programme_ids, "high": high}
    return tuple(_connection().execute(_version_statement(), parameters).one())


def _connection():
    """The session's connection: statements of plain columns run on it without the ORM's
    per-statement work (a third of their cost), inside the same transaction."""
    return db.session.connection()


@cache
def _version_statement():
    ids = bindparam("ids", expanding=True)
    high = bindparam("high", type_=GroupSession.__table__.c.start_at.type)
    columns = []
    for condition in _public_conditions(ids):
        columns += [
            select(func.count(GroupSession.id)).where(condition).scalar_subquery(),
            select(func.sum(GroupSession.id)).where(condition).scalar_subquery(),
            select(func.max(GroupSession.updated_at)).where(condition).scalar_subquery(),
            select(func.min(GroupSession.start_at))
            .where(condition, GroupSession.start_at > high)
            .scalar_subquery(),
        ]
    of_programmes = (Cohort.programme_id.in_(ids),)
    columns += [
        select(func.count(Cohort.id)).where(*of_programmes).scalar_subquery(),
        select(func.max(Cohort.updated_at)).where(*of_programmes).scalar_subquery(),
        select(func.count(Workshop.id)).where(Workshop.programme_id.in_(ids)).scalar_subquery(),
        select(func.sum(Workshop.id)).where(Workshop.programme_id.in_(ids)).scalar_subquery(),
    ]
    # The latest change of the sites of their dates, each site read by its key from the
    # row that names it: PostgreSQL planned "sites IN (the feed's site ids)" as a scan of
    # every site (3 ms at 8,000 sites).
    session_site = select(Site.updated_at).where(Site.id == GroupSession.site_id)
    cohort_site = select(Site.updated_at).where(Site.id == Cohort.site_id)
    for condition in _public_conditions(ids):
        columns.append(
            select(func.max(session_site.scalar_subquery())).where(condition).scalar_subquery()
        )
    columns.append(
        select(func.max(cohort_site.scalar_subquery())).where(*of_programmes).scalar_subquery()
    )
    return select(*columns)


@dataclass
class _Kept:
    """A finished public feed, kept for as long as its data and the window hold."""

    version: tuple
    valid_until: datetime | None
    feed: Feed


# The finished public feeds of this process, per (database, kind, code). A feed is
# served from here while its fingerprint (_public_version, plus the count of changes
# this process made to feed rows) is the same and no date has entered or left the
# window since; then it is looked up in the shared folder (_read_shared), else built.
_kept: dict[tuple, _Kept] = {}
_kept_lock = threading.Lock()
_KEPT_SIZE = 4000
_local_changes = [0]
# when this process last flushed a change to feed rows (time.time()); a feed another
# process wrote to the shared folder before that is not taken (same-instant changes)
_local_change_time = [0.0]
_FEED_MODELS: tuple = (GroupSession, Cohort, Workshop, Programme, Site, Structure)
# shared folders written by this process (forget_feeds empties them)
_shared_dirs: set[str] = set()
_SHARED_FORMAT = 1


@event.listens_for(Session, "after_flush")
def _count_feed_changes(session, _context) -> None:
    """Changes made through this process count at once (even within the same instant)."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _FEED_MODELS):
            _local_changes[0] += 1
            _local_change_time[0] = time.time()
            return


def forget_feeds() -> None:
    """Forget every kept feed, here and in the shared folders this process wrote to
    (tests that empty the tables use it)."""
    with _kept_lock:
        _kept.clear()
        _recent.clear()
        _overall.clear()
        for folder in _shared_dirs:
            for name in os.listdir(folder) if os.path.isdir(folder) else ():
                if name.endswith(".feed"):
                    with suppress(OSError):
                        os.remove(os.path.join(folder, name))


def _shared_path(kind: str, code: str) -> str | None:
    """The file where the workers of this machine share the feed ``kind``/``code``
    (``FEED_CACHE_DIR``; by default ``<instance>/feed-cache``, none when testing unless
    set; "" turns it off)."""
    config = current_app.config
    folder = config.get("FEED_CACHE_DIR")
    if folder is None:
        if current_app.testing:
            return None
        folder = os.path.join(current_app.instance_path, "feed-cache")
    if not folder:
        return None
    if folder not in _shared_dirs:
        os.makedirs(folder, exist_ok=True)
        _shared_dirs.add(folder)
    name = hashlib.sha256(f"{db.engine.url}|{kind}|{code}".encode()).hexdigest()[:40]
    return os.path.join(folder, f"{name}.feed")


def _version_digest(version: tuple) -> str:
    # the data version without this process's own change count
    return hashlib.sha256(repr((_SHARED_FORMAT, version[1:])).encode()).hexdigest()


def _read_shared(path: str, version: tuple, at: datetime) -> tuple[Feed, datetime | None] | None:
    """The feed another worker (or this one) built for the same data version, if still
    inside its time limit; None otherwise."""
    try:
        with open(path, "rb") as handle:
            header = json.loads(handle.readline())
            body = handle.read()
    except (OSError, ValueError):
        return None
    if header.get("version") != _version_digest(version):
        return None
    if header["built_at"] <= _local_change_time[0]:
        return None
    valid_until = header["valid_until"] and datetime.fromisoformat(header["valid_until"])
    if valid_until is not None and at >= valid_until:
        return None
    feed = Feed(header["name"], [], datetime.fromisoformat(header["last_modified"]), False)
    feed.body = body  # the cached_property's value
    return feed, valid_until


def _write_shared(
    path: str, version: tuple, feed: Feed, valid_until: datetime | None, built_at: float
) -> None:
    header = {
        "version": _version_digest(version),
        "built_at": built_at,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "last_modified": feed.last_modified.isoformat(),
        "name": feed.name,
    }
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(json.dumps(header).encode() + b"\n" + feed.body)
        os.replace(temporary, path)  # atomic: a reader sees the old file or the new one
    except OSError:
        with suppress(OSError):
            os.remove(temporary)


# feeds answered lately, by (engine, kind, code): (the offer's overall fingerprint when
# checked, this process's change count then, the feed, the instant it stops being right)
_recent: dict[tuple, tuple[tuple, int, "Feed", datetime | None]] = {}
# the offer's overall fingerprint by engine: (monotonic time read, fingerprint)
_overall: dict[int, tuple[float, tuple]] = {}


def _recheck_seconds() -> float:
    """``FEED_RECHECK_SECONDS``: how long a process trusts the offer's overall
    fingerprint before reading it again (default 1 s, 0 when testing: every request
    checks its own feed). A calendar app asks every few hours; another process's change
    shows within this time, this process's own changes at once."""
    config = current_app.config
    default = 0.0 if config.get("TESTING") else 1.0
    return float(config.get("FEED_RECHECK_SECONDS", default))


@cache
def _overall_statement():
    """Counts, id sums and latest changes of every table a public feed reads: one row
    that changes whenever any feed's data does (a delete changes a count or a sum)."""
    columns = []
    for model in (GroupSession, Cohort, Programme, Site, Structure):
        columns += [
            select(func.count(model.id)).scalar_subquery(),
            select(func.sum(model.id)).scalar_subquery(),
            select(func.max(model.updated_at)).scalar_subquery(),
        ]
    columns += [
        select(func.count(Workshop.id)).scalar_subquery(),
        select(func.sum(Workshop.id)).scalar_subquery(),
        select(func.count()).select_from(programme_structures).scalar_subquery(),
    ]
    return select(*columns)


def _overall_fingerprint(ttl: float) -> tuple:
    """The offer's overall fingerprint, read at most every ``ttl`` seconds."""
    key = id(db.engine)
    known = _overall.get(key)
    tick = time.monotonic()
    if known is not None and tick - known[0] < ttl:
        return known[1]
    value = tuple(_connection().execute(_overall_statement()).one())
    _overall[key] = (tick, value)
    return value


def overall_now():
    """The offer's overall fingerprint for this request (None: not used), read before
    anything else of the feed."""
    ttl = _recheck_seconds()
    if ttl <= 0 or not current_app.config.get("FEED_CACHE", True):
        return None
    return _overall_fingerprint(ttl)


def recently_checked(kind: str, code: str, overall) -> "Feed | None":
    """The public feed last answered for ``kind``/``code``, when nothing of the offer
    has changed since (``overall``, the fingerprint read at most every
    ``FEED_RECHECK_SECONDS``; this process's own changes) and the clock has not moved it
    out of its window: answered without a statement of its own."""
    if overall is None:
        return None
    entry = _recent.get((id(db.engine), kind, code))
    if entry is None:
        return None
    overall_then, changes, feed, valid_until = entry
    if changes != _local_changes[0]:
        return None
    if valid_until is not None and now() >= valid_until:
        return None
    if overall_then != overall:
        return None
    return feed


def _remember(key: tuple, overall, changes: int, feed: "Feed", valid_until) -> None:
    """Remember the feed answered, with the overall fingerprint read *before* its own
    check (a change made meanwhile changes the next fingerprint: checked again)."""
    if overall is None:
        return
    if len(_recent) >= _KEPT_SIZE:
        _recent.clear()
    _recent[key] = (overall, changes, feed, valid_until)


def _public_feed(
    kind: str, code: str, programmes: list, extra: tuple, build_feed, overall=None
) -> Feed:
    """The kept feed if still right, else the one shared by another worker for the same
    data version, else ``build_feed(selection)``; kept, and shared."""
    at = now()
    ids = sorted(p.id for p in programmes)
    version = (
        _local_changes[0],
        tuple((p.id, p.status, p.updated_at) for p in programmes),
        extra,
        _public_version(ids, at) if ids else (),
    )
    caching = current_app.config.get("FEED_CACHE", True)
    key = (id(db.engine), kind, code)
    kept = _kept.get(key) if caching else None
    if (
        kept is not None
        and kept.version == version
        and (kept.valid_until is None or at < kept.valid_until)
    ):
        _remember(key, overall, version[0], kept.feed, kept.valid_until)
        return kept.feed
    path = _shared_path(kind, code) if caching else None
    shared = _read_shared(path, version, at) if path else None
    if shared is not None:
        feed, valid_until = shared
    else:
        built_at = time.time()
        selection = _Selection(at)
        feed = build_feed(selection)
        with _cyclic_gc_paused():
            _ = feed.body, feed.etag
        entering = [v for v in version[3][3::4][:2] if v is not None] if ids else []
        limits = [m - WINDOW_AHEAD for m in entering]
        if selection.next_change is not None:
            limits.append(selection.next_change)
        valid_until = min(limits, default=None)
        if path:
            _write_shared(path, version, feed, valid_until, built_at)
    if caching:
        with _kept_lock:
            if len(_kept) >= _KEPT_SIZE:
                _kept.clear()
            _kept[key] = _Kept(version, valid_until, feed)
        _remember(key, overall, version[0], feed, valid_until)
    return feed


@cache
def _programme_row_statement():
    return select(Programme.id, Programme.status, Programme.updated_at).where(
        Programme.code == bindparam("code")
    )


@cache
def _structure_rows_statement():
    """The structure's row with its published programmes' rows (one row per programme;
    one row of NULL programme columns when it has none)."""
    published = and_(
        Programme.id == programme_structures.c.programme_id, Programme.status != "draft"
    )
    return (
        select(
            Structure.id,
            Structure.updated_at,
            Structure.name,
            Programme.id.label("programme_id"),
            Programme.status.label("programme_status"),
            Programme.updated_at.label("programme_updated_at"),
        )
        .select_from(Structure)
        .outerjoin(programme_structures, programme_structures.c.structure_id == Structure.id)
        .outerjoin(Programme, published)
        .where(Structure.code == bindparam("code"))
        .order_by(Programme.id)
    )


class _ProgrammeRow(NamedTuple):
    id: int
    status: str
    updated_at: datetime


def programme_feed(code: str) -> Feed | None:
    """A programme's public dates (group sessions); None if unknown or draft.

    A kept feed costs two prepared statements (the programme's row, the version);
    the programme itself is loaded only to build the feed."""
    overall = overall_now()
    recent = recently_checked("programme", code, overall)
    if recent is not None:
        return recent
    row = _connection().execute(_programme_row_statement(), {"code": code}).first()
    if row is None or row.status == "draft":
        return None

    def build_feed(selection: _Selection) -> Feed:
        programme = db.session.get(Programme, row.id)
        with force_locale("fr"):
            events = _public_session_events([programme.id], selection)
            name = gettext("%(title)s – dates", title=programme.display_title)
        return Feed(name, events, selection.last_modified(events, programme.updated_at), False)

    return _public_feed("programme", code, [row], (), build_feed, overall)


def structure_feed(code: str) -> Feed | None:
    """The public dates of a structure's published programmes; None if unknown."""
    overall = overall_now()
    recent = recently_checked("structure", code, overall)
    if recent is not None:
        return recent
    rows = _connection().execute(_structure_rows_statement(), {"code": code}).all()
    if not rows:
        return None
    structure = rows[0]
    programmes = [
        _ProgrammeRow(r.programme_id, r.programme_status, r.programme_updated_at)
        for r in rows
        if r.programme_id is not None
    ]

    def build_feed(selection: _Selection) -> Feed:
        with force_locale("fr"):
            events = (
                _public_session_events([p.id for p in programmes], selection) if programmes else []
            )
            name = gettext("%(name)s – dates", name=structure.name)
        latest = [structure.updated_at] + [p.updated_at for p in programmes]
        return Feed(name, events, selection.last_modified(events, *latest), False)

    extra = (structure.id, structure.updated_at, structure.name)
    return _public_feed("structure", code, list(programmes), extra, build_feed, overall)


def _by_token(model, token: str):
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(model).where(model.feed_token_hash == hash_token(token)))


def find_participant_by_feed_token(token: str) -> Participant | None:
    """The participant whose live feed token this is; None if unknown or revoked."""
    participant = _by_token(Participant, token)
    if participant is None or participant.anonymised_at is not None:
        return None
    return participant


def find_user_by_feed_token(token: str) -> User | None:
    """The active staff user whose live feed token this is; None otherwise, and None
    for someone who holds no role any more (no membership)."""
    user = _by_token(User, token)
    if user is None or not user.active or not user.memberships:
        return None
    return user


def _dedupe(events: list[CalEvent]) -> list[CalEvent]:
    """One event per UID; a live date wins over a cancelled one."""
    chosen: dict[str, CalEvent] = {}
    for item in events:
        current = chosen.get(item.uid)
        if current is None or (current.cancelled and not item.cancelled):
            chosen[item.uid] = item
    return sorted(chosen.values(), key=lambda e: (e.start, e.uid))


def _cancel_moment(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def participant_events(participant: Participant, selection: _Selection) -> list[CalEvent]:
    """The participant's bookings and the sessions of their groups, as events."""
    explicit = participant.feed_explicit_titles
    # Only hashes are stored, so the feed cannot hold the manage link itself:
    # it points to the page that sends it again.
    manage = manage_url(None)
    low, high = _candidate_range(selection.at)
    events: list[CalEvent] = []
    bookings = db.session.scalars(
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(
            Booking.participant_id == participant.id,
            Slot.end_at >= low,
            Slot.start_at <= high,
        )
        .options(selectinload(Booking.slot).selectinload(Slot.site))
    ).all()
    for booking in bookings:
        slot = booking.slot
        left = (
            (booking.cancelled_at or booking.updated_at) if booking.status == "cancelled" else None
        )
        cancelled = _cancel_moment(left, slot_cancelled_at(slot))
        if selection.keep(slot.start_at, slot.end_at, cancelled):
            events.append(
                slot_event(
                    slot,
                    personal=True,
                    explicit_titles=explicit,
                    manage_url=manage,
                    cancelled_at=left,
                    language=participant.language,
                )
            )
    enrollments = db.session.scalars(
        select(Enrollment).where(
            Enrollment.participant_id == participant.id,
            Enrollment.status.in_(("confirmed", "completed", "cancelled")),
        )
    ).all()
    cohort_ids = {e.cohort_id for e in enrollments}
    if cohort_ids:
        sessions = db.session.scalars(
            _session_query(GroupSession.cohort_id.in_(cohort_ids), selection.at)
        ).all()
        ranks = _indexes(sessions)
        left_at: dict[int, datetime | None] = {}
        for enrollment in enrollments:
            if enrollment.status == "cancelled":
                when = enrollment.cancelled_at or enrollment.updated_at
                # a confirmed enrollment in the same cohort wins
                left_at.setdefault(enrollment.cohort_id, when)
            else:
                left_at[enrollment.cohort_id] = None
        for session in sessions:
            left = left_at.get(session.cohort_id)
            cancelled = _cancel_moment(left, session_cancelled_at(session))
            if selection.keep(session.start_at, session.end_at, cancelled):
                events.append(
                    session_event(
                        session,
                        personal=True,
                        explicit_titles=explicit,
                        manage_url=manage,
                        index=ranks.get(session.id),
                        cancelled_at=left,
                        language=participant.language,
                    )
                )
    return _dedupe(events)


def participant_feed(token: str) -> Feed | None:
    """A participant's own dates, from their feed token; None if unknown or revoked."""
    participant = find_participant_by_feed_token(token)
    if participant is None:
        return None
    selection = _Selection(now())
    events = participant_events(participant, selection)
    with force_locale(participant.language):
        name = gettext("Mes rendez-vous santé")
    return Feed(name, events, selection.last_modified(events, participant.updated_at), True)


def staff_events(user: User, selection: _Selection) -> list[CalEvent]:
    """Sessions of cohorts (or open sessions) the user runs, and slots they hold."""
    run_cohorts = select(Facilitator.cohort_id).where(
        Facilitator.user_id == user.id, Facilitator.cohort_id.is_not(None)
    )
    run_sessions = select(Facilitator.session_id).where(
        Facilitator.user_id == user.id, Facilitator.session_id.is_not(None)
    )
    sessions = db.session.scalars(
        _session_query(
            or_(GroupSession.cohort_id.in_(run_cohorts), GroupSession.id.in_(run_sessions)),
            selection.at,
        )
    ).all()
    ranks = _indexes(sessions)
    events: list[CalEvent] = []
    for session in sessions:
        if selection.keep(session.start_at, session.end_at, session_cancelled_at(session)):
            events.append(
                session_event(
                    session,
                    personal=True,
                    explicit_titles=True,
                    index=ranks.get(session.id),
                    language=user.language,
                )
            )
    low, high = _candidate_range(selection.at)
    slots = db.session.scalars(
        select(Slot)
        .where(slot_held_by(user.id), Slot.end_at >= low, Slot.start_at <= high)
        .options(selectinload(Slot.site), selectinload(Slot.programme))
        .order_by(Slot.start_at)
    ).all()
    for slot in slots:
        if selection.keep(slot.start_at, slot.end_at, slot_cancelled_at(slot)):
            events.append(
                slot_event(slot, personal=True, explicit_titles=True, language=user.language)
            )
    return _dedupe(events)


def staff_feed(token: str) -> Feed | None:
    """A staff member's dates, from their feed token; None if unknown or revoked."""
    user = find_user_by_feed_token(token)
    if user is None:
        return None
    selection = _Selection(now())
    events = staff_events(user, selection)
    with force_locale(user.language):
        name = gettext("Mes séances – etp-orient")
    return Feed(name, events, selection.last_modified(events, user.updated_at), True)


FEEDS: dict[str, Callable[[str], Feed | None]] = {
    "programme": programme_feed,
    "structure": structure_feed,
    "me": participant_feed,
    "staff": staff_feed,
}


@contextmanager
def _cyclic_gc_paused():
    # Building 1,000 events allocates ~100,000 short-lived objects, which makes
    # Python run full collections over the whole application heap; those took
    # a third of the time (bench/feeds.py). These objects are freed by reference
    # counting; pending cycles are collected as usual once the GC is back on.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(kind: str, key: str) -> Feed | None:
    """The feed ``kind`` ("programme", "structure", "me", "staff") for a code or a
    token, with its body built; None when there is no such feed (answer 404)."""
    with _cyclic_gc_paused():
        feed = FEEDS[kind](key)
        if feed is not None:
            _ = feed.body
    return feed


def issue_staff_feed_token(user: User) -> str:
    """Give the user a new feed token (the old one stops working); returns it in clear.

    Only its hash is stored: the clear token is shown once, then only a new one
    can be issued.
    """
    token = new_token()
    user.feed_token_hash = hash_token(token)
    audit("feed_token.issue", actor_id=user.id, obj_type="user", obj_id=user.id)
    db.session.flush()
    return token


def revoke_staff_feed_token(user: User) -> None:
    """Stop the user's feed link from working."""
    user.feed_token_hash = None
    audit("feed_token.revoke", actor_id=user.id, obj_type="user", obj_id=user.id)
    db.session.flush()


def set_explicit_titles(participant: Participant, explicit: bool) -> None:
    """Whether the participant's feed names the programme in titles (default: neutral)."""
    participant.feed_explicit_titles = bool(explicit)
    db.session.flush()
