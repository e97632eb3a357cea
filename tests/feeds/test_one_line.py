"""A programme title stored with a line break (before the forms and the offer import
refused them) no longer breaks its feed nor the invitations of its sessions."""

from datetime import timedelta

from etp_orient.extensions import db
from etp_orient.manage.cohorts import cancel_session, move_session
from tests.feeds.ics import parse_py
from tests.fixtures.feeds import enroll, make_participant, make_user

BROKEN = "Mieux vivre\r\navec le diabète"


def _break_titles(world):
    world.programme.title = BROKEN
    world.programme.plain_title = BROKEN
    world.sessions[0].workshop.title = "Bien\nmanger"
    db.session.commit()


def test_the_programme_feed_folds_a_stored_line_break(client, world):
    _break_titles(world)
    response = client.get("/calendar/programme/prog-diabete.ics")
    assert response.status_code == 200
    cal = parse_py(response.data)
    assert "Mieux vivre avec le diabète" in str(cal["NAME"])


def test_cancelling_and_moving_a_session_still_send_their_invitations(client, world):
    _break_titles(world)
    participant, _token = make_participant()
    enroll(participant, world.cohort)
    actor = make_user()
    assert (
        move_session(
            world.sessions[0], world.sessions[0].start_at + timedelta(hours=1), actor=actor
        )
        == 1
    )
    assert cancel_session(world.sessions[1], actor=actor) == 1
    db.session.commit()
