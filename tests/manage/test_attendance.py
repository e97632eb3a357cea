"""Attendance opens on the session's day; "Tous présents"; each person's history on the group page."""

from datetime import UTC, datetime

from sqlalchemy import select

from etp_orient.booking.models import Attendance, Cohort, Enrollment, GroupSession
from etp_orient.extensions import db
from tests.fixtures.manage import enroll, login_as, make_participant, make_world

# The world's first session: Tuesday 1 December 2026, 14:00 in Paris (13:00 UTC).
START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def _setup(app, client, role="educator", extra=2):
    with app.app_context():
        a, b, admin = make_world(START)
        for n in range(extra):
            person = make_participant(f"Extra{n}", "Personne", f"extra{n}@example.org")
            with db.session.no_autoflush:
                enroll(person, a.cohort)
        db.session.commit()
        login_as(client, a.users[role])
        return [
            e.id
            for e in db.session.scalars(
                select(Enrollment)
                .where(Enrollment.cohort_id == a.cohort.id)
                .order_by(Enrollment.id)
            )
        ]


def _marks():
    return {
        (a.participant_id, a.session.code): a.status for a in db.session.scalars(select(Attendance))
    }


def test_before_the_day_the_page_says_when_it_opens_and_a_mark_is_refused(app, client, clock):
    clock.set(datetime(2026, 11, 30, 22, 30, tzinfo=UTC))  # 23:30 on 30 November in Paris
    ids = _setup(app, client)
    page = client.get("/gestion/groupes/grp-a/presences?seance=ses-a-1").get_data(as_text=True)
    assert "appel ouvre le mardi 1 décembre 2026" in page
    assert 'class="roll-button roll-present"' not in page
    response = client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[0], "status": "present"},
        follow_redirects=True,
    )
    assert "pas encore ouvert : il ouvre le jour de la séance" in response.get_data(as_text=True)
    response = client.post(
        "/gestion/groupes/grp-a/presences/tous", data={"seance": "ses-a-1"}, follow_redirects=True
    )
    assert "pas encore ouvert" in response.get_data(as_text=True)
    with app.app_context():
        assert _marks() == {}


def test_it_opens_at_midnight_of_the_sessions_day_in_its_time_zone(app, client, clock):
    clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # midnight on 1 December in Paris
    ids = _setup(app, client)
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[0], "status": "absent"},
    )
    with app.app_context():
        assert list(_marks().values()) == ["absent"]


def test_a_session_weeks_ahead_cannot_be_marked(app, client, clock):
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    ids = _setup(app, client)
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-3", "enrollment": ids[0], "status": "present"},
    )
    with app.app_context():
        assert _marks() == {}


def test_a_session_in_reunion_opens_on_its_own_day(app, client, clock):
    # 21:00 UTC on 30 November is already 1 December, 01:00, in Réunion
    clock.set(datetime(2026, 11, 30, 21, 0, tzinfo=UTC))
    ids = _setup(app, client)
    with app.app_context():
        session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-1"))
        session.timezone = "Indian/Reunion"
        db.session.commit()
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[0], "status": "present"},
    )
    with app.app_context():
        assert list(_marks().values()) == ["present"]


def test_everyone_present_in_one_go_then_corrections(app, client, clock):
    clock.set(datetime(2026, 12, 1, 12, 50, tzinfo=UTC))
    ids = _setup(app, client)
    page = client.get("/gestion/groupes/grp-a/presences?seance=ses-a-1").get_data(as_text=True)
    assert "Tous présents" in page
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[1], "status": "excused"},
    )
    response = client.post("/gestion/groupes/grp-a/presences/tous", data={"seance": "ses-a-1"})
    assert response.status_code == 303
    assert "2 personnes notées présentes" in client.get(response.location).get_data(as_text=True)
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[2], "status": "absent"},
    )
    with app.app_context():
        by_enrollment = {
            e.id: _marks().get((e.participant_id, "ses-a-1"))
            for e in db.session.scalars(select(Enrollment).where(Enrollment.id.in_(ids)))
        }
    assert by_enrollment == {ids[0]: "present", ids[1]: "excused", ids[2]: "absent"}


def test_everyone_present_leaves_the_waiting_list_out(app, client, clock):
    clock.set(datetime(2026, 12, 1, 12, 50, tzinfo=UTC))
    _setup(app, client, extra=0)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        waiting = make_participant("Wait", "Ing", "wait@example.org")
        enroll(waiting, cohort, "waitlisted", 1)
        db.session.commit()
        waiting_id = waiting.id
    client.post("/gestion/groupes/grp-a/presences/tous", data={"seance": "ses-a-1"})
    with app.app_context():
        marks = _marks()
        assert len(marks) == 1 and (waiting_id, "ses-a-1") not in marks


def test_the_group_page_shows_each_persons_history(app, client, clock):
    clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))  # after the second session
    ids = _setup(app, client, role="coordinator", extra=1)
    for code, status in (("ses-a-1", "present"), ("ses-a-2", "excused")):
        client.post(
            "/gestion/groupes/grp-a/presences",
            data={"seance": code, "enrollment": ids[0], "status": status},
        )
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[1], "status": "absent"},
    )
    page = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    first = page.split(f'id="history-{ids[0]}"')[1].split("</tr>")[0]
    second = page.split(f'id="history-{ids[1]}"')[1].split("</tr>")[0]
    # the third session is next week: its roll is not open yet
    assert _cells(first) == ["présent", "excusé", "à venir", "1 sur 2"]
    assert _cells(second) == ["absent", "pas noté", "à venir", "0 sur 2"]


def _cells(row: str) -> list[str]:
    return [c.split(">")[1].split("<")[0] for c in row.split("<td")[1:]]


def test_someone_who_left_keeps_their_history_on_the_group_page(app, client, clock):
    clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    ids = _setup(app, client, role="coordinator", extra=2)
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": ids[1], "status": "present"},
    )
    response = client.post(f"/gestion/groupes/grp-a/inscriptions/{ids[1]}/retirer")
    assert response.status_code in (302, 303)
    client.post(f"/gestion/groupes/grp-a/inscriptions/{ids[2]}/retirer")  # never marked
    page = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    history = page.split('id="presences"')[1].split("</table>")[0]
    left = history.split(f'id="history-{ids[1]}"')[1].split("</tr>")[0]
    assert "a quitté le groupe" in left
    assert _cells(left) == ["présent", "pas noté", "à venir", "1 sur 2"]
    assert f'id="history-{ids[2]}"' not in history  # left without a mark: nothing to show
    assert f'id="history-{ids[0]}"' in history
