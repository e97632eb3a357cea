"""The audit trail: who, what, when and which object, for reads of participant lists,
changes, exports and logins; never a condition's name nor a programme's title."""

from datetime import timedelta

from sqlalchemy import select

from etp_orient.booking.models import Enrollment
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from tests.fixtures.manage import login, login_as, make_world

FORBIDDEN = ("diab", "secret", "patient", "bpco", "programme a", "example.org")


def test_a_day_of_back_office_work_is_audited_without_health_words(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        a.programme.code = "diabete-prog"  # a code that names a condition
        a.cohort.code = "diabete-grp"
        a.sessions[1].code = "diabete-ses-2"
        db.session.commit()
        enrollment_id = db.session.scalar(
            select(Enrollment.id).where(Enrollment.cohort_id == a.cohort.id)
        )
    clock.set(clock() + timedelta(days=2))  # the first session's day: attendance is open
    login(client, "coordinator-a@example.org")
    client.get("/gestion/groupes/diabete-grp")
    client.get("/gestion/groupes/diabete-grp/presences")
    client.post(
        "/gestion/groupes/diabete-grp/presences",
        data={"seance": "ses-a-1", "enrollment": enrollment_id, "status": "present"},
    )
    client.get("/gestion/groupes/diabete-grp/export.csv")
    client.post(
        "/gestion/seances/diabete-ses-2/deplacer",
        data={"day": "2026-12-20", "start_time": "10:00"},
    )
    client.post("/gestion/programmes/diabete-prog/equipe", data={"profession": "pharmacien"})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [e.action for e in events]
        for expected in (
            "login.success",
            "participants.read.group",
            "participants.read.attendance",
            "attendance.mark",
            "export.cohort",
            "session.move",
            "team.add",
        ):
            assert expected in actions
        for event in events:
            assert event.at is not None
            if event.action != "login.failure":
                assert event.actor_user_id is not None
            text = f"{event.object_id} {event.detail}".lower()
            for word in FORBIDDEN:
                assert word not in text, (event.action, text)


def test_reading_a_list_is_audited_for_educators_too(app, client, clock):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["educator"])
        educator_id = a.users["educator"].id
    client.get("/gestion/groupes/grp-a/presences")
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "participants.read.attendance")
        )
        assert event.actor_user_id == educator_id
