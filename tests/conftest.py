"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL
is set), the app, a client, a CLI runner and an injectable clock.

Each test session gets its own database (a temporary SQLite file, or a fresh
PostgreSQL database created next to TEST_DATABASE_URL and dropped at the end),
so that several runs can share one server. Between tests every table except
the reference data (communes, conditions) is emptied.
"""

import contextlib
import os
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from etp_orient import create_app
from etp_orient.core.clock import write_clock_file
from etp_orient.extensions import db

pytest_plugins = ["tests.fixtures.servers", "tests.fixtures.oidc"]

REFERENCE_TABLES = {"communes", "commune_postal_codes", "conditions", "alembic_version"}


DEFAULT_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class FrozenClock:
    """A clock the test moves by hand.

    Every move is also written to the session's clock file (``ETP_CLOCK_FILE``),
    which this process and every server the tests start read when no clock is set
    in their app: the data a test makes and the servers that serve it share one time.
    """

    def __init__(self, at: datetime):
        self.at = at
        self._publish()

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at
        self._publish()

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.set(self.at + timedelta(**delta))

    def _publish(self) -> None:
        path = os.environ.get("ETP_CLOCK_FILE")
        if path:
            write_clock_file(path, self.at)


def pytest_configure(config):
    """One clock file for the whole run, at DEFAULT_NOW: the real date never leaks in.

    Each process of the run (each xdist worker too) has its own, so that one
    moving its clock does not move another's.
    """
    import tempfile

    handle, path = tempfile.mkstemp(prefix="etp-clock-", suffix=".txt")
    os.close(handle)
    os.environ["ETP_CLOCK_FILE"] = path
    # the app refuses a test clock in production settings, but for the test suite's own
    # processes (production headers and cookies are tested too, on the same clock)
    os.environ["ETP_TESTING"] = "1"
    write_clock_file(path, DEFAULT_NOW)
    config._etp_clock_file = path


def pytest_unconfigure(config):
    path = getattr(config, "_etp_clock_file", None)
    if path:
        os.environ.pop("ETP_CLOCK_FILE", None)
        with contextlib.suppress(OSError):
            os.remove(path)


def _pg_url(base: str) -> str:
    url = make_url(base)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("db") / "test.sqlite"
        yield f"sqlite:///{path}"
        return
    base = _pg_url(base)
    name = f"etp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": None,
            "BASE_URL": "http://etp.test",
            "MAIL_SERVER": None,
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty the non-reference tables after each test that used the database."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from etp_orient.feeds.services import forget_feeds

    forget_feeds()
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            # DELETE, children first: TRUNCATE syncs every table's new file to disk,
            # a third of a second per test on PostgreSQL, where a few rows take ms
            for table in tables:
                conn.execute(table.delete())
            if conn.dialect.name == "postgresql":
                # ids start again at 1, as TRUNCATE … RESTART IDENTITY (and SQLite) do
                for table in tables:
                    if "id" in table.c and table.c.id.autoincrement is not False:
                        conn.execute(
                            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"),
                            {"t": f'"{table.name}"'},
                        )


@pytest.fixture(autouse=True)
def _clock_back_to_default():
    """Each test starts at DEFAULT_NOW, whatever the one before did to the clock."""
    path = os.environ.get("ETP_CLOCK_FILE")
    if path:
        write_clock_file(path, DEFAULT_NOW)
    yield


@pytest.fixture
def clock(app):
    """The injected clock, frozen at DEFAULT_NOW; move it with ``clock.set``/``advance``.

    The live servers follow it (see FrozenClock).
    """
    frozen = FrozenClock(DEFAULT_NOW)
    app.config["CLOCK"] = frozen
    yield frozen
    app.config.pop("CLOCK", None)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def limited_app(app, database_url, clock):
    """A second app on the same database with rate limits on (the suite runs them off)."""
    from etp_orient.extensions import limiter

    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "BASE_URL": "http://etp.test",
            "CLOCK": clock,
        }
    )
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = False
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def limited_client(limited_app):
    return limited_app.test_client()
