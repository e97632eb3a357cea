"""Erasure on request by staff (``etp-orient forget``) and backups with a restore."""

import sqlite3

import pytest
from sqlalchemy import create_engine, func, select, text

from etp_orient.booking import services as booking_services
from etp_orient.booking.models import Booking, Participant
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from etp_orient.ops.backup import copy_sqlite, pg_dump_command
from tests.fixtures.booking import make_world, person


def test_staff_erase_a_person_on_request(app_ctx, clock, runner):
    world = make_world()
    db.session.commit()
    result = booking_services.book_slot(world.slots[0].code, person(1))
    db.session.commit()
    pid = result.participant.id
    out = runner.invoke(args=["forget", "Camille1@example.org", "--yes"])
    assert out.exit_code == 0, out.output
    assert "1 participant(s) erased" in out.output
    db.session.expire_all()
    someone = db.session.get(Participant, pid)
    assert someone.anonymised_at is not None and someone.email is None
    # the future appointment is freed, the row stays for the counts
    assert db.session.scalars(select(Booking)).one().status == "cancelled"
    assert not db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == "camille1@example.org")
    )


def test_forget_an_unknown_address_says_so(app_ctx, runner):
    out = runner.invoke(args=["forget", "nobody@example.org", "--yes"])
    assert out.exit_code == 0
    assert "nobody" in out.output


def _rows(url: str) -> dict[str, list]:
    engine = create_engine(url)
    with engine.connect() as conn:
        data = {
            table: sorted(
                map(tuple, conn.execute(text(f'SELECT * FROM "{table}"')).all()), key=repr
            )
            for table in ("participants", "bookings", "slots", "programmes", "communes")
        }
    engine.dispose()
    return data


def test_backup_then_restore_gives_the_same_data(app, app_ctx, clock, runner, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite backup; PostgreSQL is backed up with pg_dump (docs/deploy.md)")
    world = make_world()
    db.session.commit()
    booking_services.book_slot(world.slots[0].code, person(1))
    db.session.commit()
    backup = tmp_path / "backup.sqlite"
    out = runner.invoke(args=["backup", str(backup)])
    assert out.exit_code == 0, out.output
    assert backup.exists()
    assert sqlite3.connect(backup).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = tmp_path / "restored.sqlite"
    copy_sqlite(str(backup), restored)  # restoring is the same online copy, the other way
    live = app.config["SQLALCHEMY_DATABASE_URI"]
    assert _rows(f"sqlite:///{restored}") == _rows(live)


def test_backup_refuses_to_overwrite(app_ctx, runner, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite backup only")
    target = tmp_path / "exists.sqlite"
    target.write_bytes(b"")
    out = runner.invoke(args=["backup", str(target)])
    assert out.exit_code != 0
    assert "already exists" in out.output


def test_backup_on_postgresql_prints_the_pg_dump_command():
    command = pg_dump_command("postgresql+psycopg://etp:secret@db.example:5432/etp", "x.dump")
    assert command.startswith("pg_dump --format=custom")
    assert "secret" not in command
    assert "postgresql://etp@db.example:5432/etp" in command
