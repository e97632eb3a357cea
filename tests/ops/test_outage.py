"""A database connection that dies during a request ends in a clear answer, not a 500.

The whole outage (PostgreSQL unreachable for 10 s under load) is run by
bench/faults.py; these tests pin the two places where it can go wrong.
"""

import json
import logging
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from etp_orient.core.logs import JsonFormatter
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world


def _dead(*_args, **_kwargs):
    raise OperationalError("ROLLBACK", {}, ConnectionError("server closed the connection"))


def test_a_dead_connection_at_teardown_keeps_the_answer(app, client, monkeypatch):
    real = Session.close
    calls = []

    def close_once_dead(self):
        if not calls:
            calls.append(1)
            _dead()
        return real(self)

    monkeypatch.setattr(Session, "close", close_once_dead)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert calls
    # the next request gets a fresh session
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/programmes/prog-x"])
def test_an_unreachable_database_gives_a_503_page(app, client, monkeypatch, path):
    monkeypatch.setattr(Session, "execute", _dead)
    monkeypatch.setattr(Session, "scalar", _dead)
    monkeypatch.setattr(Session, "scalars", _dead)
    response = client.get(path)
    assert response.status_code == 503
    if path != "/healthz":
        assert "indisponible" in response.get_data(as_text=True)


def _locked(*_args, **_kwargs):
    # SQLite's answer when a read transaction must write but another one wrote first
    raise OperationalError(
        "INSERT INTO audit_events (detail) VALUES (?)",
        {"detail": "zoe.secret@example.org"},
        sqlite3.OperationalError("database is locked"),
    )


@pytest.mark.parametrize("path", ["/healthz", "/programmes/prog-x"])
def test_a_503_is_logged_with_its_reason(app, client, monkeypatch, caplog, path):
    for name in ("execute", "scalar", "scalars"):
        monkeypatch.setattr(Session, name, _locked)
    with caplog.at_level(logging.ERROR, logger="etp_orient.errors"):
        assert client.get(path).status_code == 503
    records = [r for r in caplog.records if r.name == "etp_orient.errors"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["status"] == 503
    assert line["path"] == path
    assert line["reason"] == "OperationalError: database is locked"
    assert line["message"] == f"503 GET {path}: OperationalError: database is locked"
    assert "zoe.secret" not in json.dumps(line)  # no SQL parameters, no personal data
    assert "INSERT" not in json.dumps(line)


def test_a_503_on_a_secret_link_logs_the_path_masked(app, client, monkeypatch, caplog):
    for name in ("execute", "scalar", "scalars"):
        monkeypatch.setattr(Session, name, _locked)
    with caplog.at_level(logging.ERROR, logger="etp_orient.errors"):
        assert client.get("/gerer/a-secret-token-1234").status_code == 503
    (record,) = [r for r in caplog.records if r.name == "etp_orient.errors"]
    assert record.path == "/gerer/[masque]"
    assert "a-secret-token-1234" not in record.getMessage()


def _write_elsewhere_once(app, monkeypatch):
    """Make the cohort export's first read be followed by another connection's commit:
    what a second request (or the worker) does on `make run` between the export's
    reads and its audit line."""
    from sqlalchemy import text

    from etp_orient.manage import exports

    real = exports.cohort_csv
    calls = []

    def read_then_someone_writes(cohort):
        body = real(cohort)
        calls.append(1)
        if len(calls) == 1:
            with db.engine.connect() as other:  # another connection of the pool
                other.execute(text("UPDATE users SET full_name = full_name || '.'"))
                other.commit()
        return body

    monkeypatch.setattr(exports, "cohort_csv", read_then_someone_writes)
    return calls


def test_an_export_that_must_write_after_another_wrote_answers(app, client, clock, monkeypatch):
    with app.app_context():
        a, _b, _admin = make_world()
        login_as(client, a.users["coordinator"])
    calls = _write_elsewhere_once(app, monkeypatch)
    response = client.get("/gestion/groupes/grp-a/export.csv")
    assert response.status_code == 200
    assert calls  # the export ran (twice on SQLite: its snapshot was too old to write)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "export.cohort")
        ).all()
    assert actions == ["export.cohort"]  # audited once


def test_a_read_still_locked_after_one_retry_gets_the_503(app, client, monkeypatch, caplog):
    for name in ("execute", "scalar", "scalars"):
        monkeypatch.setattr(Session, name, _locked)
    with caplog.at_level(logging.WARNING, logger="etp_orient.errors"):
        assert client.get("/programmes/prog-x").status_code == 503
    levels = [
        (r.levelname, r.getMessage()) for r in caplog.records if r.name == "etp_orient.errors"
    ]
    assert levels == [
        ("WARNING", "retrying GET /programmes/prog-x once: OperationalError: database is locked"),
        ("ERROR", "503 GET /programmes/prog-x: OperationalError: database is locked"),
    ]
