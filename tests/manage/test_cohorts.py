"""Planning a cohort from a rule; moving and cancelling sessions with everyone told."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Cohort, GroupSession
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.manage import login_as, make_world

PLAN = {
    "site": "site-a",
    "capacity": "10",
    "first_day": "2026-12-01",
    "start_time": "14:00",
    "every": "1",
    "room": "Salle 2",
}


def _setup(app, client):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users["coordinator"])
        # the team members linked to these accounts (facilitators are chosen from the team)
        return {k: m.id for k, m in a.members.items()}


def _new_cohort(app):
    with app.app_context():
        return db.session.scalar(select(Cohort).where(Cohort.code.not_in(["grp-a", "grp-b"])))


def test_weekly_rule_maps_workshops_in_order(app, client, clock):
    users = _setup(app, client)
    response = client.post(
        "/gestion/programmes/prog-a/groupes",
        data={
            **PLAN,
            "facilitators": [str(users["educator"]), str(users["coordinator"])],
            "action": "create",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = _new_cohort(app)
        cohort = db.session.get(Cohort, cohort.id)
        assert [s.workshop.code for s in cohort.sessions] == ["alim", "bouger", "traitement"]
        assert [s.start_at for s in cohort.sessions] == [
            datetime(2026, 12, 1, 13, 0, tzinfo=UTC),
            datetime(2026, 12, 8, 13, 0, tzinfo=UTC),
            datetime(2026, 12, 15, 13, 0, tzinfo=UTC),
        ]
        assert cohort.sessions[0].end_at == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        assert cohort.capacity == 10 and cohort.sessions[0].room == "Salle 2"
        assert len(cohort.facilitators) == 2


def test_fortnightly_rule(app, client, clock):
    _setup(app, client)
    client.post(
        "/gestion/programmes/prog-a/groupes", data={**PLAN, "every": "2", "action": "create"}
    )
    with app.app_context():
        cohort = db.session.get(Cohort, _new_cohort(app).id)
        days = [s.start_at.day for s in cohort.sessions]
        assert days == [1, 15, 29]


def test_preview_warns_of_double_booked_room_and_facilitator(app, client, clock):
    users = _setup(app, client)
    with app.app_context():
        session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-1"))
        local = session.local_start
    response = client.post(
        "/gestion/programmes/prog-a/groupes",
        data={
            **PLAN,
            "first_day": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "room": "Salle 1",
            "facilitators": [str(users["educator"])],
        },
    )
    page = response.get_data(as_text=True)
    assert "la salle est déjà prise" in page
    assert "un animateur a déjà une séance" in page
    assert _new_cohort(app) is None


def test_moving_a_session_tells_participants_and_facilitators(app, client, clock):
    _setup(app, client)
    response = client.post(
        "/gestion/seances/ses-a-2/deplacer",
        data={"day": "2026-12-10", "start_time": "10:30", "room": "Salle 3"},
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-2"))
        assert session.start_at == datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
        assert session.revision == 1 and session.status == "moved"
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        recipients = sorted(m.recipient for m in messages)
        assert recipients == ["educator-a@example.org", "patient-a@example.org"]
        for message in messages:
            assert message.template == "session_moved"
            assert message.ics_method == "REQUEST"
            assert "SEQUENCE:1" in message.ics
            assert "10 décembre 2026" in message.body_text


def test_cancelling_a_session_sends_a_cancellation(app, client, clock):
    _setup(app, client)
    client.post("/gestion/seances/ses-a-3/annuler")
    with app.app_context():
        session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-3"))
        assert session.status == "cancelled" and session.revision == 1
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert len(messages) == 2
        assert all(m.ics_method == "CANCEL" and "STATUS:CANCELLED" in m.ics for m in messages)


def test_cancelling_the_cohort_tells_everyone_once(app, client, clock):
    _setup(app, client)
    client.post("/gestion/groupes/grp-a/annuler")
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert cohort.status == "cancelled"
        assert all(s.status == "cancelled" for s in cohort.sessions)
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert sorted(m.recipient for m in messages) == [
            "educator-a@example.org",
            "patient-a@example.org",
        ]
        assert all(m.ics.count("BEGIN:VEVENT") == 3 for m in messages)


def test_shifting_the_cohort_moves_every_coming_session(app, client, clock):
    _setup(app, client)
    with app.app_context():
        before = [
            s.start_at
            for s in db.session.scalars(
                select(GroupSession)
                .where(GroupSession.code.startswith("ses-a-"))
                .order_by(GroupSession.start_at)
            )
        ]
    client.post("/gestion/groupes/grp-a/decaler", data={"days": "7"})
    with app.app_context():
        after = db.session.scalars(
            select(GroupSession)
            .where(GroupSession.code.startswith("ses-a-"))
            .order_by(GroupSession.start_at)
        ).all()
        assert [(s.start_at - b).days for s, b in zip(after, before, strict=True)] == [7, 7, 7]
        assert db.session.scalar(select(OutboxMessage)).template == "session_moved"


def test_moving_into_the_past_is_refused(app, client, clock):
    _setup(app, client)
    response = client.post(
        "/gestion/seances/ses-a-2/deplacer", data={"day": "2020-01-01", "start_time": "10:00"}
    )
    assert response.status_code == 200
    assert "date à venir" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_more_places_are_offered_to_the_waiting_list(app, client, clock):
    from etp_orient.booking.models import Enrollment
    from tests.fixtures.manage import enroll, make_participant

    users = _setup(app, client)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        cohort.capacity = 1
        waiting = enroll(make_participant("Wa", "It", "wait@example.org"), cohort, "waitlisted", 1)
        db.session.commit()
        waiting_id = waiting.id
    response = client.post(
        "/gestion/groupes/grp-a/reglages",
        data={"capacity": "0", "facilitators": [str(users["educator"])]},
    )
    assert response.status_code == 200  # refused, kept
    response = client.post(
        "/gestion/groupes/grp-a/reglages",
        data={
            "capacity": "2",
            "waitlist_enabled": "y",
            "facilitators": [str(users["educator"]), str(users["coordinator"])],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert cohort.capacity == 2 and cohort.seats_taken == 2
        assert len(cohort.facilitators) == 2
        # the new place is offered to the first person waiting, who holds it
        assert db.session.get(Enrollment, waiting_id).status == "offered"
        assert (
            db.session.scalar(
                select(OutboxMessage).where(OutboxMessage.recipient == "wait@example.org")
            ).template
            == "enrollment_offered"
        )


def test_moving_a_session_withdraws_its_pending_reminder(app, client, clock):
    _setup(app, client)
    with app.app_context():
        session_id = db.session.scalar(
            select(GroupSession.id).where(GroupSession.code == "ses-a-2")
        )
        db.session.add(
            OutboxMessage(
                channel="email",
                recipient="patient-a@example.org",
                template="reminder_session",
                body_text="rappel",
                dedupe_key=f"reminder:session:{session_id}:e1:r0:202612081300",
                status="pending",
            )
        )
        db.session.commit()
    client.post(
        "/gestion/seances/ses-a-2/deplacer", data={"day": "2026-12-10", "start_time": "10:30"}
    )
    with app.app_context():
        reminder = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.template == "reminder_session")
        )
        assert reminder.status == "failed"


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "visio.example/abc",
        "ftp://visio.example/abc",
        "https://",
        "http://[abc",  # not even parsable: a message, not a 500
        "https://visio.example/a\tb",
    ],
)
def test_a_video_link_must_be_a_web_address(app, client, clock, typed):
    _setup(app, client)
    response = client.post(
        "/gestion/groupes/grp-a/reglages", data={"capacity": "10", "video_url": typed}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    if "\t" in typed:  # every text field refuses a control character first (core.forms)
        assert "Ce texte contient un caractère invisible non autorisé." in page
    else:
        assert "Saisissez une adresse web complète, qui commence par https://" in page
    assert f'value="{typed}"' in page  # what was typed is kept
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert cohort.video_url is None and cohort.capacity != 10


def test_a_video_link_is_saved_without_its_spaces(app, client, clock):
    _setup(app, client)
    response = client.post(
        "/gestion/groupes/grp-a/reglages",
        data={"capacity": "10", "video_url": "  https://visio.example/abc  "},
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        assert cohort.video_url == "https://visio.example/abc"
