"""Throw-away databases for the benchmarks."""

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_database(postgres: str | None, prefix: str = "etp_bench") -> Iterator[str]:
    """Yield the URL of an empty database, removed afterwards.

    With ``postgres`` (a server URL), a fresh database is created on that server
    and dropped at the end; without it, a temporary SQLite file.
    """
    if not postgres:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(postgres).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
