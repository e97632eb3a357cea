"""SMS backends: a tiny interface so that any provider can be plugged in.

The backend is chosen by the ``SMS_BACKEND`` setting:

- ``console`` (default): prints the SMS on standard output;
- ``file`` or ``file:/path/to/sms.jsonl``: appends one JSON line per SMS
  (``SMS_FILE`` setting, default ``instance/sms.jsonl``);
- ``package.module:Factory``: any importable callable that takes the Flask app
  and returns an object with ``send(to, text)`` (see docs/messages.md).

A backend raises :class:`SmsError` (or any exception) when the SMS could not be
handed over; the outbox then retries it later with back-off.
"""

import importlib
import json
import os
import sys
import threading
from typing import Protocol, TextIO, runtime_checkable

from flask import current_app

from ..core.clock import now


class SmsError(Exception):
    """The SMS could not be handed over to the provider."""


@runtime_checkable
class SmsBackend(Protocol):
    """Anything that can send one SMS; ``to`` is an E.164 number (``+33612345678``)."""

    def send(self, to: str, text: str) -> None: ...


class ConsoleBackend:
    """Prints each SMS: for development and for sites without an SMS provider."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send(self, to: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"--- SMS to {to} ---\n{text}\n---\n")
        stream.flush()


class FileBackend:
    """Appends each SMS as one JSON line (``{"at", "to", "text"}``) to a file."""

    _lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path

    def send(self, to: str, text: str) -> None:
        line = json.dumps({"at": now().isoformat(), "to": to, "text": text}, ensure_ascii=False)
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def get_backend(app=None) -> SmsBackend:
    """The backend named by ``SMS_BACKEND`` for ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()
    name = (app.config.get("SMS_BACKEND") or "console").strip()
    if name == "console":
        return ConsoleBackend()
    if name == "file" or name.startswith("file:"):
        path = name[5:] if name.startswith("file:") else ""
        path = path or app.config.get("SMS_FILE") or os.path.join(app.instance_path, "sms.jsonl")
        return FileBackend(path)
    if ":" in name:
        module_name, _, attr = name.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
        backend = factory(app)
        if not isinstance(backend, SmsBackend):
            raise TypeError(f"SMS_BACKEND {name!r} did not return an object with send(to, text)")
        return backend
    raise ValueError(f"unknown SMS_BACKEND {name!r}: use console, file[:PATH] or module:factory")
