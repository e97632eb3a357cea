"""Routes that belong to no domain: health check and error pages."""

import contextlib
import logging
import sqlite3
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import column, func, select, table, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..extensions import db
from .clock import now
from .logfilter import mask_secret_paths
from .types import UTCDateTime

bp = Blueprint("core", __name__)
log = logging.getLogger("etp_orient.errors")


# The outbox table, named here without importing the notify package (core knows
# no domain): only its status and creation time are read.
_outbox = table("outbox_messages", column("status"), column("created_at", UTCDateTime))


def outbox_backlog() -> dict:
    """Messages waiting to be sent, and the age in seconds of the oldest one."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(_outbox.c.created_at)).where(
            _outbox.c.status.in_(("pending", "sending"))
        )
    ).one()
    age = max(0, int((now() - oldest).total_seconds())) if oldest else 0
    return {"pending": count, "oldest_pending_age_s": age}


def error_reason(error: BaseException) -> str:
    """The class and first line of the message of the error behind a 503.

    For a database error, the driver's own error (``database is locked``, ``connection
    refused``…): SQLAlchemy's message would add the SQL and its parameters, which can
    hold what people typed. Only the first line: later lines (PostgreSQL's DETAIL)
    may quote row values.
    """
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"[:300]


def log_unavailable(error: BaseException) -> None:
    """Every 503 goes to the log with its reason and path (never a silent 503)."""
    path = mask_secret_paths(request.path)
    reason = error_reason(error)
    log.error(
        "503 %s %s: %s",
        request.method,
        path,
        reason,
        extra={"method": request.method, "path": path, "status": 503, "reason": reason},
    )


@bp.get("/healthz")
def healthz():
    """Liveness, database and outbox backlog, for load balancers and monitoring."""
    try:
        db.session.execute(text("SELECT 1"))
        outbox = outbox_backlog()
    except SQLAlchemyError as error:
        log_unavailable(error)
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    db.session.rollback()  # read-only: end the transaction at once
    return jsonify(status="ok", database="ok", outbox=outbox)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/calendar/")


def error_page(status: int):
    def handler(error):
        if status >= 500:
            db.session.rollback()
        if _wants_json():
            return jsonify(error={"status": status}), status
        return render_template(f"errors/{status}.html"), status

    return handler


def database_unavailable(error):
    """A database outage becomes a clear 503 page, never a stack trace (and a log line)."""
    log_unavailable(error)
    db.session.rollback()
    if _wants_json():
        return jsonify(error={"status": 503, "message": "service unavailable"}), 503
    response = render_template("errors/503.html"), 503
    return response


# Fields never written back into a page (the person types them again).
_SECRET_FIELD_WORDS = ("password", "token", "secret", "csrf")
_MAX_KEPT_FIELDS = 60


def _same_origin() -> bool:
    """Whether the refused POST came from one of our own pages (not another site)."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.host


def csrf_failed(error):
    """A form sent without a valid CSRF token (often: the page stayed open too long).

    The answer is a 400 page that keeps what was typed (except secrets) in a
    form with a fresh token, so the person checks it and sends it again. When
    the POST came from another site, nothing is written back: only the 400 page.
    """
    kept = []
    if _same_origin():
        for name in list(request.form.keys())[:_MAX_KEPT_FIELDS]:
            if any(word in name.lower() for word in _SECRET_FIELD_WORDS):
                continue
            kept.extend((name, value) for value in request.form.getlist(name))
    query = request.query_string.decode("utf-8", "replace")
    action = request.path + (f"?{query}" if query else "")
    return render_template("errors/csrf.html", kept=kept, action=action), 400


def _remove_session(_exc=None) -> None:
    """End the request's database session even when its connection died.

    During a database outage the ROLLBACK of the session's teardown fails; left
    alone, that error turns the (already clear 503) answer into a bare 500.
    Registered after Flask-SQLAlchemy's own teardown, so it runs first.
    """
    try:
        db.session.remove()
    except DBAPIError:
        with contextlib.suppress(Exception):
            db.session.registry().invalidate()  # the pool drops the dead connection
        db.session.registry.clear()


def init_app(app) -> None:
    app.teardown_appcontext(_remove_session)
    app.register_blueprint(bp)
    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, error_page(status))
    app.register_error_handler(503, _service_unavailable)
    app.register_error_handler(CSRFError, csrf_failed)
    # Only connection-level failures: a constraint error is a bug, not an outage.
    app.register_error_handler(DBAPIError, _dbapi_error)


def _service_unavailable(error):
    """``abort(503)`` anywhere: the same page, and logged with its reason."""
    log_unavailable(error)
    if _wants_json():
        return jsonify(error={"status": 503}), 503
    return render_template("errors/503.html"), 503


def _sqlite_snapshot_too_old(error: DBAPIError) -> bool:
    """SQLite's "database is locked" for a transaction that read, then must write.

    In WAL mode a transaction that began by reading cannot write once another
    connection has written since its first read: SQLite answers at once, whatever
    the busy timeout (it cannot move the old snapshot forward). Under ``make run``
    a staff page that reads and then writes its audit line (the group list, a CSV
    export) meets it when another request or the worker wrote in between.
    """
    return isinstance(error.orig, sqlite3.OperationalError) and "database is locked" in str(
        error.orig
    )


def _retry_read(error: DBAPIError):
    """Run a GET once more in a new transaction (a fresh snapshot).

    Only GET and HEAD: their writes (audit lines, a session's "last seen") are
    harmless to redo, and the failed transaction wrote nothing.
    """
    g.database_retried = True
    log.warning(
        "retrying %s %s once: %s",
        request.method,
        mask_secret_paths(request.path),
        error_reason(error),
    )
    db.session.rollback()
    view = current_app.view_functions[request.endpoint]
    try:
        return current_app.ensure_sync(view)(**(request.view_args or {}))
    except DBAPIError as again:
        return _dbapi_error(again)


def _dbapi_error(error):
    if (
        request.method in ("GET", "HEAD")
        and request.endpoint in current_app.view_functions
        and not g.get("database_retried")
        and _sqlite_snapshot_too_old(error)
    ):
        return _retry_read(error)
    if (
        error.connection_invalidated
        or isinstance(error.orig, (ConnectionError, OSError))
        or error.__class__.__name__ in ("OperationalError", "InterfaceError")
    ):
        return database_unavailable(error)
    db.session.rollback()
    raise error
