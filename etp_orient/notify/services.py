"""Queueing messages in the outbox: rendered now, sent later by ``etp-orient send-outbox``.

A message is written in the caller's transaction (added and flushed, never
committed), so it exists if and only if the change that causes it is saved.
Rendering happens here, in the person's language, so the sender only moves
bytes and a message reads the same however late it leaves.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import now
from ..extensions import db
from .models import OutboxMessage

LANGUAGES = ("fr", "en", "ar")
RTL_LANGUAGES = {"ar"}
DEFAULT_TIMEZONE = "Europe/Paris"


def _language(language: str | None) -> str:
    code = (language or "fr").split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else "fr"


def _formatters(language: str) -> dict:
    """Date helpers for templates, in the message's language and the event's time zone."""

    def tz_of(tz: str | None) -> ZoneInfo:
        return ZoneInfo(tz or DEFAULT_TIMEZONE)

    def when(value: datetime, tz: str | None = None) -> str:
        """E.g. "mercredi 25 novembre 2026 à 14:00"."""
        zone = tz_of(tz)
        local = value.astimezone(zone)
        day = format_date(local, format="full", locale=language)
        hour = format_time(local, format="short", locale=language)
        return f"{day}, {hour}"

    def day(value: datetime, tz: str | None = None) -> str:
        return format_date(value.astimezone(tz_of(tz)), format="full", locale=language)

    def hour(value: datetime, tz: str | None = None) -> str:
        return format_time(value.astimezone(tz_of(tz)), format="short", locale=language)

    def stamp(value: datetime, tz: str | None = None) -> str:
        return format_datetime(value.astimezone(tz_of(tz)), format="medium", locale=language)

    return {"format_when": when, "format_day": day, "format_hour": hour, "format_stamp": stamp}


def _platform_contact_line() -> str:
    """The site's own contact on one line (name – phone – e-mail – website), "" when unset."""
    config = current_app.config
    contact = [config.get(f"PLATFORM_{k}") for k in ("CONTACT_PHONE", "CONTACT_EMAIL", "WEBSITE")]
    if not any(contact):
        return ""
    return " – ".join(p for p in [config.get("PLATFORM_NAME"), *contact] if p)


def render_message(kind: str, template: str, language: str, context: dict) -> dict:
    """Render ``templates/<kind>/<template>.*`` in ``language``; returns the parts found.

    ``kind`` is ``emails`` (subject, text, optional HTML) or ``sms`` (text). The
    templates see the caller's ``context`` plus ``base_url``, ``lang``, ``dir``,
    ``platform_contact`` and the date helpers ``format_when/day/hour(dt, tz)``.
    """
    language = _language(language)
    env = current_app.jinja_env
    values = {
        "base_url": current_app.config.get("BASE_URL", "").rstrip("/"),
        "platform_contact": _platform_contact_line(),
        "lang": language,
        "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
        **_formatters(language),
        **context,
    }
    parts: dict[str, str | None] = {}
    with force_locale(language):
        if kind == "sms":
            text = env.get_template(f"sms/{template}.txt").render(values)
            parts["text"] = " ".join(text.split())
            return parts
        subject = env.get_template(f"emails/{template}.subject.txt").render(values)
        parts["subject"] = " ".join(subject.split())[:300]
        values["subject"] = parts["subject"]
        text = env.get_template(f"emails/{template}.txt").render(values)
        parts["text"] = _tidy(text) + "\n"
        try:
            parts["html"] = env.get_template(f"emails/{template}.html").render(values)
        except TemplateNotFound:
            parts["html"] = None
    return parts


def _tidy(text: str) -> str:
    """Plain text without trailing spaces nor runs of blank lines left by template tags."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _ics_text(ics: str | bytes | None) -> str | None:
    if ics is None:
        return None
    return ics.decode("utf-8") if isinstance(ics, bytes) else ics


def _store(message: OutboxMessage, dedupe_key: str | None) -> OutboxMessage | None:
    """Add and flush; with a dedupe key, inside a SAVEPOINT so a duplicate leaves no trace."""
    if dedupe_key is not None and len(dedupe_key) > 120:
        raise ValueError("dedupe_key is longer than 120 characters")
    if dedupe_key is None:
        db.session.add(message)
        db.session.flush()
        return message
    exists = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    )
    if exists is not None:
        return None
    try:
        # The unique constraint decides under concurrency; the SAVEPOINT keeps
        # the caller's transaction usable when it refuses.
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


@contextmanager
def kept_if(keep: bool) -> Iterator[None]:
    """Queue (and audit) inside a SAVEPOINT, released when ``keep``, else rolled back.

    For answers that must not tell whether an address is known: the request for
    an unknown address renders and writes the same message, and throws it away,
    so it runs the same statements and takes the same time, and leaves nothing.
    """
    savepoint = db.session.begin_nested()
    try:
        yield
        db.session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if keep:
        savepoint.commit()
    else:
        savepoint.rollback()


def queue_email(
    *,
    to: str,
    template: str,
    language: str,
    context: dict,
    ics: str | bytes | None = None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
    owner: str | None = None,
) -> OutboxMessage | None:
    """Render ``templates/emails/<template>.*`` in ``language`` and put it in the outbox.

    ``ics`` (a whole VCALENDAR) is attached as ``text/calendar; method=<ics_method>``
    (``REQUEST`` by default, ``CANCEL`` for a cancellation). The message joins
    the caller's transaction (flushed, not committed). With a ``dedupe_key`` that
    was already used, nothing is queued and ``None`` is returned.
    """
    language = _language(language)
    parts = render_message("emails", template, language, context)
    method = None
    if ics is not None:
        method = (ics_method or "REQUEST").upper()
        if method not in ("REQUEST", "CANCEL", "PUBLISH"):
            raise ValueError(f"unknown iCalendar method {ics_method!r}")
    message = OutboxMessage(
        channel="email",
        recipient=to.strip(),
        owner=owner,
        language=language,
        template=template[:40],
        subject=parts["subject"],
        body_text=parts["text"],
        body_html=parts["html"],
        ics=_ics_text(ics),
        ics_method=method,
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        created_at=now(),
        next_attempt_at=now(),
    )
    return _store(message, dedupe_key)


def queue_for_person(
    *,
    email: str | None,
    phone: str | None,
    template: str,
    language: str,
    context: dict,
    ics: str | bytes | None = None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
    sms_dedupe_key: str | None = None,
    owner: str | None = None,
) -> OutboxMessage | None:
    """Queue ``template`` for a person: by e-mail when they gave an address, else by
    SMS when they gave a phone (the invitation only rides with the e-mail).

    ``sms_dedupe_key`` defaults to ``dedupe_key``. Returns None when nothing was
    queued (no way to reach them, or a duplicate).
    """
    if email:
        return queue_email(
            to=email,
            template=template,
            language=language,
            context=context,
            ics=ics,
            ics_method=ics_method,
            dedupe_key=dedupe_key,
            owner=owner,
        )
    if phone:
        return queue_sms(
            to=phone,
            template=template,
            language=language,
            context=context,
            dedupe_key=sms_dedupe_key if sms_dedupe_key is not None else dedupe_key,
            owner=owner,
        )
    return None


def queue_sms(
    *,
    to: str,
    template: str,
    language: str,
    context: dict,
    dedupe_key: str | None = None,
    owner: str | None = None,
) -> OutboxMessage | None:
    """Render ``templates/sms/<template>.txt`` and put it in the outbox (see :func:`queue_email`).

    SMS show on lock screens: templates never name a condition or a programme.
    """
    language = _language(language)
    parts = render_message("sms", template, language, context)
    message = OutboxMessage(
        channel="sms",
        recipient=to.strip(),
        owner=owner,
        language=language,
        template=template[:40],
        subject=None,
        body_text=parts["text"],
        body_html=None,
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        created_at=now(),
        next_attempt_at=now(),
    )
    return _store(message, dedupe_key)


def withdraw_pending(dedupe_prefix: str, *, keep: str | None = None) -> int:
    """Stop unsent messages whose dedupe key starts with ``dedupe_prefix`` (except ``keep``).

    For messages made obsolete before they left, e.g. the reminder of a booking
    just cancelled or moved. They are marked ``failed`` with the reason, in the
    caller's transaction. Returns how many were withdrawn.
    """
    conditions = [
        OutboxMessage.status == "pending",
        OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True),
    ]
    if keep is not None:
        conditions.append(OutboxMessage.dedupe_key != keep)
    result = db.session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(status="failed", last_error="withdrawn: no longer valid")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_outbox(before: datetime) -> int:
    """Delete sent and given-up messages created before ``before`` (retention); flushes.

    Their bodies hold names, dates and addresses: they are kept only as long as
    useful (``RETENTION_DAYS``). Pending messages are never deleted here.
    """
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status.in_(("sent", "failed")), OutboxMessage.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _theirs(owner: str, addresses: list[str | None]):
    addresses = [a.strip() for a in addresses if a]
    mine = OutboxMessage.owner == owner
    if addresses:
        mine = or_(
            mine, and_(OutboxMessage.owner.is_(None), OutboxMessage.recipient.in_(addresses))
        )
    return mine


def messages_of(owner: str, addresses: list[str | None]) -> list[OutboxMessage]:
    """A person's messages, oldest first (the same ones :func:`forget_messages` deletes).

    Those sent or given up hold only :data:`.sending.REDACTED_BODY` as text.
    """
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(_theirs(owner, addresses))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def forget_messages(owner: str, addresses: list[str | None]) -> int:
    """Delete a person's messages, sent or not; flushes. Returns how many.

    Theirs are those queued for ``owner``, and those to one of their ``addresses``
    that belong to nobody in particular (a referral link, a manage link sent
    again). A message to the same address for someone else (a relative who
    books with the same e-mail) stays. Messages being sent at this very moment
    are left to finish.
    """
    result = db.session.execute(
        delete(OutboxMessage)
        .where(_theirs(owner, addresses), OutboxMessage.status != "sending")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def unreachable(participant_ids: list[int]) -> set[int]:
    """The people whose last e-mail or SMS could not be delivered (the team should call).

    "Last" among the messages whose fate is known (sent or given up): a failure followed
    by a message that went through is no longer a reason to call.
    """
    if not participant_ids:
        return set()
    owners = {f"participant:{pid}": pid for pid in participant_ids}
    rows = db.session.execute(
        select(OutboxMessage.owner, OutboxMessage.status)
        .where(
            OutboxMessage.owner.in_(list(owners)),
            OutboxMessage.channel.in_(("email", "sms")),
            OutboxMessage.status.in_(("sent", "failed")),
        )
        .order_by(OutboxMessage.id)
    )
    last: dict[str, str] = {}
    for owner, status in rows:
        last[owner] = status
    return {owners[owner] for owner, status in last.items() if status == "failed"}
