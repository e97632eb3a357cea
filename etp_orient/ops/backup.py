"""Backups. SQLite: the online backup API (a consistent copy while the site runs).
PostgreSQL: ``pg_dump`` does it; :func:`pg_dump_command` says how."""

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from ..core.clock import now


class BackupError(Exception):
    """The backup cannot be made by this command (message says what to do)."""


def sqlite_path(database_uri: str) -> str | None:
    """The file of a SQLite database URI, or None for another database."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return url.database


def default_destination(instance_path: str) -> Path:
    stamp = now().strftime("%Y%m%d-%H%M%S")
    return Path(instance_path) / "backups" / f"etp-orient-{stamp}.sqlite"


def copy_sqlite(source: str, destination: str | os.PathLike) -> int:
    """Copy a SQLite database with the online backup API; returns the pages copied.

    Safe while other processes write (WAL): the copy is one consistent snapshot.
    Refuses to overwrite an existing file.
    """
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists")
    destination.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst, pages=1024)
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
            # a backup is one file: no WAL beside it
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.chmod(destination, 0o600)
    return pages


def pg_dump_command(database_uri: str, destination: str | None = None) -> str:
    """The ``pg_dump`` command line for a PostgreSQL URI (password left to PGPASSWORD/.pgpass)."""
    given = make_url(database_uri)
    url = URL.create(
        "postgresql",
        username=given.username,
        host=given.host,
        port=given.port,
        database=given.database,
        query=given.query,
    )
    target = destination or "etp-orient-$(date +%Y%m%d-%H%M%S).dump"
    dsn = url.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --no-owner --file={target} '{dsn}'"
