"""Database engine settings and the write-lock helper.

SQLite runs in WAL mode with a busy timeout. Python's sqlite3 module opens
transactions lazily and always DEFERRED; we take over BEGIN so that a service
that is about to check-then-write (booking a slot, joining a cohort) can take
the write lock up front with ``BEGIN IMMEDIATE``: two processes then queue
instead of both reading "free" and one failing on commit.
"""

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from ..extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15000


def _sqlite_connect(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn):
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and BEGIN handling; nothing to do for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def begin_write() -> None:
    """Start the current transaction holding the write lock (SQLite ``BEGIN IMMEDIATE``).

    Call it before reading what you are about to change. On PostgreSQL it does
    nothing: services use row locks (``SELECT … FOR UPDATE``) or conditional
    updates there. Any open transaction is ended first so that the lock covers
    the reads that follow.
    """
    session = db.session()  # the scoped_session proxy has no in_transaction()
    if session.in_transaction():
        session.rollback()
    if is_sqlite():
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def refresh_statistics(*tables: str) -> None:
    """Give PostgreSQL's planner fresh statistics after a bulk load (``ANALYZE``).

    Without them a table filled in one go (the communes, a national offer) is
    planned as if it were nearly empty: a postal-code look-up then scans every
    commune. Autovacuum would catch up later, if it is on; the loading commands
    call this right after they commit. ``tables`` (all of them when empty) are
    table names. Nothing to do on SQLite, whose planner does well without.
    """
    if is_sqlite():
        return
    preparer = db.engine.dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in tables)
    db.session.execute(text(f"ANALYZE {names}".rstrip()))
    db.session.commit()
