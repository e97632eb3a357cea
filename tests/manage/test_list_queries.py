"""List pages load their rows' relations in one query, not one per row (N+1)."""

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from etp_orient.booking.models import Cohort, GroupSession
from etp_orient.extensions import db
from tests.fixtures.manage import enroll, login_as, make_participant, make_world


@contextmanager
def statements_of(engine):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _from(statements, table):
    return [s for s in statements if s.split(" WHERE ")[0].endswith(f"FROM {table}")]


def test_cohorts_page_loads_the_sessions_once(app_ctx, client, clock):
    a, _b, _admin = make_world()
    first = a.cohort.sessions[0]
    for n in range(5):
        cohort = Cohort(
            code=f"grp-extra-{n}",
            programme=a.programme,
            site=a.site,
            capacity=8,
            timezone="Europe/Paris",
        )
        cohort.sessions.append(
            GroupSession(
                code=f"ses-extra-{n}",
                workshop=first.workshop,
                start_at=first.start_at + timedelta(days=30 + n),
                end_at=first.end_at + timedelta(days=30 + n),
                timezone="Europe/Paris",
            )
        )
        db.session.add(cohort)
    db.session.commit()
    login_as(client, a.users["coordinator"])
    code = a.programme.code
    with statements_of(db.engine) as seen:
        page = client.get(f"/gestion/programmes/{code}/groupes")
    assert page.status_code == 200
    assert "grp-extra-4" in page.get_data(as_text=True)
    assert len(_from(seen, "group_sessions")) <= 1, _from(seen, "group_sessions")


def test_group_page_loads_the_people_once(app_ctx, client, clock):
    a, _b, _admin = make_world()
    cohort = a.cohort
    for n in range(5):
        person = make_participant(f"P{n}", "Extra", f"p{n}@example.org")
        with db.session.no_autoflush:
            enroll(person, cohort)
    db.session.commit()
    login_as(client, a.users["coordinator"])
    code = a.cohort.code
    with statements_of(db.engine) as seen:
        page = client.get(f"/gestion/groupes/{code}")
    assert page.status_code == 200
    assert "P4 Extra" in page.get_data(as_text=True)
    assert len(_from(seen, "participants")) <= 2, _from(seen, "participants")
