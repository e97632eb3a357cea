"""The dashboard: the coming week's sessions, fill rates, waiting lists, unused referrals."""

from datetime import timedelta

from etp_orient.core.clock import now
from etp_orient.extensions import db
from etp_orient.orientation.models import Referral
from tests.fixtures.manage import enroll, login_as, make_participant, make_world


def test_dashboard_shows_week_fill_waitlist_and_referrals(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        enroll(make_participant("W", "Wait", "w@example.org"), a.cohort, "waitlisted", 1)
        db.session.add(
            Referral(code="ref1", programme=a.programme, expires_at=now() + timedelta(days=30))
        )
        db.session.add(
            Referral(
                code="ref2",
                programme=a.programme,
                status="used",
                expires_at=now() + timedelta(days=30),
            )
        )
        db.session.commit()
        login_as(client, a.users["coordinator"])
    page = client.get("/gestion/").get_data(as_text=True)
    assert "Bien manger" in page  # the session in two days
    assert "Mes traitements" not in page  # in two weeks: not this week
    assert "13 %" in page  # 1 of 8 places
    assert "Programme A : 1" in page  # one referral not used yet
    assert "Programme secret B" not in page and "Programme B" not in page


def test_dashboard_loads_the_programmes_in_one_query(app, client, clock):
    # A platform admin sees every open group of the territory: one query per
    # programme would be thousands at a national scale.
    from sqlalchemy import event

    with app.app_context():
        a, b, admin = make_world()
        login_as(client, admin)
        engine = db.engine
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/gestion/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert "Programme A" in page and "Programme B" in page
    on_programmes = [s for s in statements if s.split(" WHERE ")[0].endswith("FROM programmes")]
    assert len(on_programmes) <= 1, on_programmes
