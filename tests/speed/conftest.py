"""Statement counting for the speed tests (issue 17): how many SQL statements a request runs."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from etp_orient.extensions import db


@contextmanager
def counted_statements():
    """Record every SQL statement the app's engine runs meanwhile (a list of strings)."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_statements(app_ctx):
    return counted_statements
