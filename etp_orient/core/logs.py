"""Structured logs: one JSON object per line, each with the request id.

Every request gets an id: the ``X-Request-ID`` the reverse proxy sent (when it
looks like an id), else a new one. It goes back in the response's
``X-Request-ID`` and into every log line written during the request, so one
request can be followed from the proxy to the database.

No personal data and no secret goes to the logs: the request line keeps the
path only (no query string: it can hold what people typed), with the token of
secret links masked (:mod:`.logfilter`); no address, no name, no e-mail.

``LOG_FORMAT`` (environment): ``json`` (default in production) or ``text``.
``LOG_LEVEL``: ``INFO`` in production (one line per request), else ``WARNING``.
"""

import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

from .logfilter import mask_secret_paths

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"\A[A-Za-z0-9._:-]{8,64}\Z")
LOGGER = "etp_orient"
request_log = logging.getLogger("etp_orient.request")


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message, request id, extras."""

    EXTRAS = ("method", "path", "status", "duration_ms", "endpoint", "reason")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secret_paths(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for name in self.EXTRAS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            # the type and where, not the message: messages of exceptions may
            # quote data (SQL parameters, form values)
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id() or "-"
        line = f"{record.levelname} {record.name} [{request_id}] {record.getMessage()}"
        if record.exc_info:  # development: the whole traceback
            line += "\n" + self.formatException(record.exc_info)
        return mask_secret_paths(line)


def _start_request() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    path = mask_secret_paths(request.path)
    request_log.info(
        "%s %s %s",
        request.method,
        path,
        response.status_code,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration,
            "endpoint": request.endpoint,
        },
    )
    return response


def configure(app) -> None:
    """Send the app's logs to stderr in the chosen format (not under the test runner)."""
    logger = logging.getLogger(LOGGER)
    production = app.config.get("ETP_ENV") == "production"
    logger.setLevel(os.environ.get("LOG_LEVEL", "INFO" if production else "WARNING").upper())
    if app.testing or any(getattr(h, "_etp_orient", False) for h in logger.handlers):
        return
    default = "json" if production else "text"
    kind = os.environ.get("LOG_FORMAT", default).lower()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if kind == "json" else TextFormatter())
    handler._etp_orient = True
    logger.addHandler(handler)
    logger.propagate = False


def init_app(app) -> None:
    configure(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
