"""The migration that erases the texts of messages already sent (20261203_1510)."""

import os
import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from etp_orient import create_app
from etp_orient.extensions import db
from etp_orient.notify.sending import REDACTED_BODY

REVISION = "c3d4e5f6a7b9"


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own (the migration is run from before it)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"etp_mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_sent_and_given_up_messages_lose_their_text_pending_ones_keep_it(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision=f"{REVISION}-1")
        for status in ("sent", "failed", "pending"):
            db.session.execute(
                text(
                    "INSERT INTO outbox_messages (created_at, channel, recipient, language,"
                    " template, subject, body_text, body_html, ics, status, attempts,"
                    " next_attempt_at) VALUES (:at, 'email', 'a@example.org', 'fr', 't',"
                    " 'Sujet', 'https://etp.test/gerer/secret', '<p>secret</p>', 'BEGIN',"
                    " :status, 1, :at)"
                ),
                {"at": "2026-11-01 09:00:00", "status": status},
            )
        db.session.commit()
        upgrade(revision=REVISION)
        rows = dict(
            (r.status, r)
            for r in db.session.execute(
                text("SELECT status, subject, body_text, body_html, ics FROM outbox_messages")
            )
        )
        db.session.remove()
        db.engine.dispose()
    for status in ("sent", "failed"):
        assert rows[status].body_text == REDACTED_BODY
        assert rows[status].body_html is None and rows[status].ics is None
        assert rows[status].subject == "Sujet"
    assert rows["pending"].body_text == "https://etp.test/gerer/secret"
    assert rows["pending"].ics == "BEGIN"
