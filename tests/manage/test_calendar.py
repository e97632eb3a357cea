"""The calendar: week and month, filters, without JavaScript, never another structure's dates."""

from datetime import UTC, datetime

from tests.fixtures.manage import login_as, make_world


def _login(app, client, role="coordinator"):
    with app.app_context():
        a, b, admin = make_world(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
        login_as(client, a.users[role])
        return {k: u.id for k, u in a.users.items()}


def test_week_view_lists_sessions_and_slots_by_day(app, client, clock):
    _login(app, client)
    page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    assert "Semaine du" in page and "lundi 30 novembre 2026" in page
    assert "Bien manger" in page  # the session on Tuesday 1 December, 14:00 in Paris
    assert "14:00" in page
    assert "Bilan" in page  # the BEP slot on 2 December
    assert "Programme secret B" not in page and "grp-b" not in page
    assert "<script" not in page.split("</main>")[0].split("<main")[1]


def test_month_view_has_a_grid(app, client, clock):
    _login(app, client)
    page = client.get("/gestion/calendrier?vue=mois&date=2026-12-15").get_data(as_text=True)
    assert "décembre 2026" in page
    assert page.count("Bien manger") == 1 and "Bouger plus" in page and "Mes traitements" in page


def test_filter_by_facilitator_and_site(app, client, clock):
    ids = _login(app, client)
    educator_id, coordinator_id = ids["educator"], ids["coordinator"]
    page = client.get(f"/gestion/calendrier?date=2026-12-01&animateur={educator_id}").get_data(
        as_text=True
    )
    assert "Bien manger" in page
    page = client.get(f"/gestion/calendrier?date=2026-12-01&animateur={coordinator_id}").get_data(
        as_text=True
    )
    assert "Bien manger" not in page
    page = client.get("/gestion/calendrier?date=2026-12-01&site=site-a").get_data(as_text=True)
    assert "Bien manger" in page


def test_filters_of_another_structure_are_404(app, client, clock):
    _login(app, client)
    assert client.get("/gestion/calendrier?structure=struct-b").status_code == 404
    assert client.get("/gestion/calendrier?site=site-b").status_code == 404


def test_dates_at_the_ends_of_the_calendar_show_this_week(app, client, clock):
    # Weeks around year 1 or 9999 overflow Python's dates: today's week instead of a 500.
    _login(app, client)
    for query in ("date=0001-01-01", "date=9999-12-31", "vue=mois&date=9999-12-15"):
        response = client.get(f"/gestion/calendrier?{query}")
        assert response.status_code == 200, query
        assert "2026" in response.get_data(as_text=True)


def test_a_huge_facilitator_id_is_404(app, client, clock):
    _login(app, client)
    assert client.get("/gestion/calendrier?animateur=" + "9" * 23).status_code == 404


def test_the_calendar_reads_only_the_bookings_of_the_slots_it_shows(app, client, clock):
    # At a national scale the bookings table is large: no query reads all of it.
    from sqlalchemy import event, select

    from etp_orient.booking.models import Participant, Slot
    from etp_orient.extensions import db
    from tests.fixtures.manage import book

    _login(app, client)
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        book(db.session.scalar(select(Participant).where(Participant.last_name == "Secret")), slot)
        db.session.commit()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/gestion/calendrier?date=2026-12-02").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # the coordinator sees who booked
    assert "Bilan" in page and "réservé :" in page and "PatientA Secret" in page
    on_bookings = [s for s in statements if "FROM bookings" in s]
    assert on_bookings
    assert all("slots" in s.split("FROM bookings", 1)[1] for s in on_bookings), on_bookings
