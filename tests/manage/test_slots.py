"""BEP slots in bulk (preview, then create), in the site's time zone; move and delete."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from etp_orient.booking.models import Slot
from etp_orient.catalogue.models import Site
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.manage import book, login_as, make_world

RULE = {
    "site": "site-a",
    "weekdays": ["1"],  # Tuesdays
    "start_time": "09:00",
    "end_time": "12:00",
    "duration": "45",
    "date_from": "2026-12-01",
    "date_to": "2026-12-31",
    "except_dates": "2026-12-22",
}


def _login(app, client):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])


def _count(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count(Slot.id)).where(Slot.code.not_in(["slot-a", "slot-b"]))
        )


def test_preview_shows_slots_and_creates_nothing(app, client, clock):
    _login(app, client)
    response = client.post("/gestion/programmes/prog-a/creneaux", data=RULE)
    page = response.get_data(as_text=True)
    # Tuesdays of December 2026: 1, 8, 15, 29 (22 excluded) × 4 slots of 45 min in 3 hours.
    assert "Aperçu : 16 créneaux" in page
    assert _count(app) == 0


def test_create_in_the_sites_time_zone(app, client, clock):
    _login(app, client)
    response = client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    assert response.status_code == 302
    with app.app_context():
        slots = db.session.scalars(
            select(Slot).where(Slot.code.not_in(["slot-a", "slot-b"])).order_by(Slot.start_at)
        ).all()
        assert len(slots) == 16
        # 9:00 in Paris in December is 8:00 UTC.
        assert slots[0].start_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        assert slots[3].end_at == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
        assert all(s.start_at.date().isoformat() != "2026-12-22" for s in slots)


def test_overseas_site_uses_its_own_time_zone(app, client, clock):
    _login(app, client)
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "site-a"))
        site.timezone = "Indian/Reunion"
        db.session.commit()
    client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    with app.app_context():
        first = db.session.scalar(
            select(Slot).where(Slot.code.not_in(["slot-a", "slot-b"])).order_by(Slot.start_at)
        )
        assert first.start_at == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # UTC+4


def test_creating_twice_does_not_duplicate(app, client, clock):
    _login(app, client)
    client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    assert _count(app) == 16


def test_bad_rule_gets_messages_next_to_fields(app, client, clock):
    _login(app, client)
    response = client.post(
        "/gestion/programmes/prog-a/creneaux",
        data={**RULE, "end_time": "08:00", "except_dates": "31/02/2026", "action": "create"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "après l'heure de début" in page
    assert _count(app) == 0


def test_moving_a_booked_slot_tells_the_patient(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        book(a.participant, a.slot)
        db.session.commit()
        login_as(client, a.users["coordinator"])
    response = client.post(
        "/gestion/creneaux/slot-a/deplacer", data={"date": "2026-12-03", "time": "14:00"}
    )
    assert response.status_code == 302
    with app.app_context():
        slot = db.session.scalar(select(Slot).where(Slot.code == "slot-a"))
        assert slot.start_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
        assert slot.revision == 1
        message = db.session.scalar(select(OutboxMessage))
        assert message.recipient == "patient-a@example.org"
        assert message.template == "booking_moved"


def test_booked_slot_cannot_be_deleted_but_free_one_can(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        book(a.participant, a.slot)
        db.session.commit()
        login_as(client, a.users["coordinator"])
    client.post("/gestion/creneaux/slot-a/supprimer")
    assert _count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(Slot).where(Slot.code == "slot-a")) is not None
    client.post("/gestion/programmes/prog-a/creneaux", data={**RULE, "action": "create"})
    with app.app_context():
        code = db.session.scalar(
            select(Slot.code).where(Slot.code.not_in(["slot-a", "slot-b"])).limit(1)
        )
    client.post(f"/gestion/creneaux/{code}/supprimer")
    assert _count(app) == 15


def test_outcome_and_gp_letters_after_the_date(app, client, clock):
    from etp_orient.booking.models import Booking

    with app.app_context():
        a, b, admin = make_world()
        book(a.participant, a.slot)
        a.participant.consent_share_gp_at = clock()
        db.session.commit()
        login_as(client, a.users["coordinator"])
    # Before the date: refused.
    client.post("/gestion/creneaux/slot-a/issue", data={"outcome": "held"})
    with app.app_context():
        assert db.session.scalar(select(Booking.outcome)) is None
    clock.advance(days=4)
    with app.app_context():
        login_as(client, db.session.merge(a.users["coordinator"]))
    page = client.get("/gestion/programmes/prog-a/creneaux").get_data(as_text=True)
    assert "PatientA Secret" in page and "Médecin informé" in page
    with app.app_context():
        from etp_orient.core.models import AuditEvent

        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "participants.read.slots")
        )
    client.post("/gestion/creneaux/slot-a/issue", data={"outcome": "held"})
    client.post("/gestion/creneaux/slot-a/medecin", data={"what": "informed"})
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.outcome == "held"
        assert booking.gp_informed_at == clock()
        assert booking.gp_synthesis_sent_at is None


def test_final_assessment_slots_in_bulk(app, client, clock):
    _login(app, client)
    client.post(
        "/gestion/programmes/prog-a/creneaux", data={**RULE, "kind": "final", "action": "create"}
    )
    with app.app_context():
        kinds = set(
            db.session.scalars(select(Slot.kind).where(Slot.code.not_in(["slot-a", "slot-b"])))
        )
        assert kinds == {"final"}


def test_slots_keep_local_hours_across_the_clock_change(app_ctx, clock):
    from datetime import date, time

    from etp_orient.manage.slots import SlotRule, plan_slots

    a, b, admin = make_world()
    rule = SlotRule(
        weekdays=frozenset({4}),  # Fridays around the change of 25 October 2026
        start_time=time(9, 0),
        end_time=time(9, 45),
        duration_min=45,
        date_from=date(2026, 10, 23),
        date_to=date(2026, 10, 30),
    )
    clock.set(datetime(2026, 10, 1, tzinfo=UTC))
    planned = plan_slots(a.programme, rule, site=a.site)
    assert [p.start_at for p in planned] == [
        datetime(2026, 10, 23, 7, 0, tzinfo=UTC),  # summer time, UTC+2
        datetime(2026, 10, 30, 8, 0, tzinfo=UTC),  # winter time, UTC+1
    ]
    assert all(p.local_start.hour == 9 for p in planned)


def test_slots_page_title_is_the_programme_only(app, client, clock):
    _login(app, client)
    page = client.get("/gestion/programmes/prog-a/creneaux").get_data(as_text=True)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<table" not in title and "passés" not in title
    assert page.count('id="passes"') == 1
