"""Sending the outbox: claim due messages, hand them over, record the outcome.

Safe to run several copies at once (cron on two hosts, a slow run overlapping
the next one): a message is claimed by a conditional ``UPDATE … WHERE
status = 'pending'`` committed *before* anything is sent, so only one sender
ever owns it. On PostgreSQL the candidate rows are read ``FOR UPDATE SKIP
LOCKED`` so that concurrent senders share the work instead of queueing; on
SQLite the claim holds the write lock (``BEGIN IMMEDIATE``). A sender that
crashes leaves its claim behind; after :data:`CLAIM_TIMEOUT` another sender
takes the message over. Just before each message leaves, the sender renews its
claim (and skips the message if the claim was lost), so a slow but alive
sender is not overtaken.

Delivery is "at least once" only in one case: a crash between the SMTP server
accepting a message and the row being marked ``sent``. The ``Message-ID`` is
stable per outbox row, so mail systems can recognise such a duplicate.
"""

import os
import smtplib
import socket
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TextIO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..core.clock import now
from ..core.db import begin_write
from ..extensions import db
from .models import OutboxMessage
from .sms import get_backend

# minutes to wait after the 1st, 2nd, … failed attempt
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)
# a message is given up ("failed") after this many failed attempts (about 17 hours)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# a claim older than this belongs to a sender that died: the message is due again
CLAIM_TIMEOUT = timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30
# What stays of a message's text once it is sent or given up: its links (manage
# links, feed addresses, new-link codes) would open the person's data for as long
# as the row is kept (OUTBOX_RETENTION_DAYS). Recipient, subject, status, times
# and error stay for the delivery status.
REDACTED_BODY = "[texte effacé après l'envoi]"
REDACTED = {"body_text": REDACTED_BODY, "body_html": None, "ics": None}


@dataclass
class SendReport:
    """What one :func:`send_due` run did."""

    claimed: int = 0
    sent: int = 0
    # failed this time, will be tried again later
    retrying: int = 0
    # given up for good
    failed: int = 0
    # claim lost to another sender before sending (not sent by us)
    skipped: int = 0

    def __str__(self) -> str:
        return (
            f"claimed {self.claimed}, sent {self.sent}, retrying {self.retrying}, "
            f"failed {self.failed}, skipped {self.skipped}"
        )


class PermanentError(Exception):
    """Retrying will not help (the address was refused for good)."""


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed attempts (1-based)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def _config(name: str, default=None):
    value = current_app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name) or default
    return value


def _message_id(message: OutboxMessage) -> str:
    host = urlsplit(current_app.config.get("BASE_URL", "")).hostname or "etp-orient.invalid"
    return f"<outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S}@{host}>"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message: text, HTML alternative, and the invitation when there is one.

    The invitation is both an alternative part ``text/calendar; method=…`` (what
    calendar clients read to show "Accept / Add to calendar") and an
    ``invite.ics`` attachment (for the others).
    """
    email = EmailMessage()
    email["Subject"] = message.subject or ""
    email["From"] = current_app.config.get("MAIL_FROM") or "etp-orient <no-reply@localhost>"
    email["To"] = message.recipient
    email["Date"] = format_datetime(now())
    email["Message-ID"] = _message_id(message)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics:
        method = message.ics_method or "REQUEST"
        if not message.body_html:
            # keep the calendar an alternative of the text, as clients expect
            email.make_alternative()
        email.add_alternative(message.ics, subtype="calendar", params={"method": method})
        email.add_attachment(
            message.ics.encode("utf-8"),
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    # after the content: set_content() drops any Content-* header set before
    email["Content-Language"] = message.language
    return email


class _Mailer:
    """One SMTP connection for a whole run, opened on first use, reopened after an error."""

    def __init__(self):
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host = _config("MAIL_SERVER")
        port = int(_config("MAIL_PORT", 25))
        timeout = float(_config("MAIL_TIMEOUT", SMTP_TIMEOUT_SECONDS))
        if str(_config("MAIL_USE_SSL", "")).lower() in ("1", "true", "yes", "on"):
            connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout)
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if str(_config("MAIL_USE_TLS", "")).lower() in ("1", "true", "yes", "on"):
                connection.starttls()
        username = _config("MAIL_USERNAME")
        if username:
            connection.login(username, _config("MAIL_PASSWORD", ""))
        return connection

    def send(self, email: EmailMessage, recipient: str) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(email, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentError(f"recipient refused: {codes}") from error
            raise
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def _built(message: OutboxMessage) -> EmailMessage:
    try:
        return build_email(message)
    except (ValueError, TypeError) as error:  # a malformed address or header: never sendable
        raise PermanentError(f"cannot build the e-mail: {error}") from error


def _print_email(message: OutboxMessage, stream: TextIO) -> None:
    """Without MAIL_SERVER (development): the whole e-mail is printed, then marked sent.

    Its headers, its text and its invitation as they would leave (the HTML part
    repeats the text, so only its size is shown).
    """
    from_ = current_app.config.get("MAIL_FROM") or "etp-orient <no-reply@localhost>"
    lines = [
        f"--- e-mail #{message.id} (not sent: no MAIL_SERVER) ---",
        f"From: {from_}",
        f"To: {message.recipient}",
        f"Subject: {message.subject or ''}",
        f"Content-Language: {message.language}",
        "",
        message.body_text.rstrip(),
    ]
    if message.body_html:
        lines += ["", f"[HTML version: {len(message.body_html)} characters]"]
    if message.ics:
        lines += ["", f"--- invite.ics (METHOD:{message.ics_method or 'REQUEST'}) ---"]
        lines.append(message.ics.replace("\r\n", "\n").rstrip())
    lines.append(f"--- end of e-mail #{message.id} ---")
    stream.write("\n".join(lines) + "\n")
    stream.flush()


def _due_clause(at: datetime):
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= at),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < at - CLAIM_TIMEOUT),
    )


def claim_due(batch: int, token: str) -> list[OutboxMessage]:
    """Claim up to ``batch`` due messages for ``token`` and commit; return them."""
    at = now()
    begin_write()
    candidates = (
        select(OutboxMessage.id)
        .where(_due_clause(at))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch)
    )
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if ids:
        # the condition is evaluated again by the UPDATE: a message another
        # sender claimed in between is not taken
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due_clause(at))
            .values(status="sending", claimed_by=token, claimed_at=at)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    if not ids:
        return []
    messages = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claimed_by == token, OutboxMessage.status == "sending")
            .order_by(OutboxMessage.id)
        )
    )
    # detached: the commits that follow neither expire nor reload them
    for message in messages:
        db.session.expunge(message)
    db.session.rollback()
    return messages


def _mine(message_id: int, token: str):
    return and_(
        OutboxMessage.id == message_id,
        OutboxMessage.claimed_by == token,
        OutboxMessage.status == "sending",
    )


def _renew_claim(message_id: int, token: str) -> bool:
    begin_write()
    result = db.session.execute(
        update(OutboxMessage)
        .where(_mine(message_id, token))
        .values(claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _record(message_id: int, token: str, **values) -> None:
    begin_write()
    db.session.execute(
        update(OutboxMessage)
        .where(_mine(message_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _deliver_webhook(message: OutboxMessage) -> None:
    from ..webhooks.delivery import EndpointGone, deliver

    try:
        deliver(message)
    except EndpointGone as gone:
        raise PermanentError(str(gone)) from gone


def _short_error(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return text[:500]


def send_due(
    batch: int = 100, worker_id: str | None = None, *, stream: TextIO | None = None
) -> SendReport:
    """Send one batch of due messages; commits. Safe to run in several processes at once.

    E-mails go through SMTP (``MAIL_SERVER``/``MAIL_PORT``); when ``MAIL_SERVER``
    is unset they are printed on ``stream`` (default stdout) and marked sent.
    SMS go through the ``SMS_BACKEND``; webhook events are POSTed, signed, to their
    endpoint (``etp_orient.webhooks.delivery``). A failure is retried with back-off
    (:data:`BACKOFF_MINUTES`) and given up after :data:`MAX_ATTEMPTS`.
    """
    stream = stream or sys.stdout
    worker = worker_id or f"{socket.gethostname()}:{os.getpid()}"
    token = f"{worker[:60]}/{uuid.uuid4().hex[:16]}"
    report = SendReport()
    messages = claim_due(batch, token)
    report.claimed = len(messages)
    if not messages:
        return report
    smtp_configured = bool(_config("MAIL_SERVER"))
    mailer = _Mailer()
    sms_backend = None
    try:
        for message in messages:
            message_id, channel, recipient = message.id, message.channel, message.recipient
            attempts = message.attempts
            if not _renew_claim(message_id, token):
                report.skipped += 1
                continue
            try:
                if channel == "email":
                    if smtp_configured:
                        mailer.send(_built(message), recipient)
                    else:
                        _print_email(message, stream)
                elif channel == "webhook":
                    _deliver_webhook(message)
                else:
                    sms_backend = sms_backend or get_backend()
                    sms_backend.send(recipient, message.body_text)
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                db.session.rollback()
                attempts += 1
                permanent = isinstance(error, PermanentError) or attempts >= MAX_ATTEMPTS
                current_app.logger.warning(
                    "outbox message %s (%s) failed: %s", message_id, channel, error
                )
                _record(
                    message_id,
                    token,
                    status="failed" if permanent else "pending",
                    attempts=attempts,
                    last_error=_short_error(error),
                    next_attempt_at=now() + backoff(attempts),
                    claimed_at=None,
                    **(REDACTED if permanent else {}),
                )
                if permanent:
                    report.failed += 1
                else:
                    report.retrying += 1
                continue
            _record(
                message_id,
                token,
                status="sent",
                attempts=attempts + 1,
                sent_at=now(),
                last_error=None,
                **REDACTED,
            )
            report.sent += 1
    finally:
        mailer.close()
        db.session.rollback()
    return report


def send_all_due(batch: int = 100, worker_id: str | None = None, *, stream=None) -> SendReport:
    """Run :func:`send_due` until nothing due is left; returns the totals."""
    total = SendReport()
    while True:
        report = send_due(batch, worker_id, stream=stream)
        for field in ("claimed", "sent", "retrying", "failed", "skipped"):
            setattr(total, field, getattr(total, field) + getattr(report, field))
        # retried messages are due later, so a batch smaller than asked means we are done
        if report.claimed < batch:
            return total
