"""The group page: waiting list, people added by phone, moves; attendance; export; audit."""

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from etp_orient.booking.models import (
    Attendance,
    Booking,
    Cohort,
    Enrollment,
    GroupSession,
    Slot,
)
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.manage import book, enroll, login_as, make_participant, make_world


def _setup(app, client, role="coordinator"):
    with app.app_context():
        a, b, admin = make_world()
        login_as(client, a.users[role])
        return a.cohort.id


def test_group_page_lists_people_and_audits_the_read(app, client, clock):
    _setup(app, client)
    page = client.get("/gestion/groupes/grp-a").get_data(as_text=True)
    assert "PatientA Secret" in page
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "participants.read.group")
        )
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.code == "grp-a"))
        assert event.object_id == str(cohort_id) and event.actor_user_id is not None


def test_add_a_participant_met_by_phone(app, client, clock):
    _setup(app, client)
    response = client.post(
        "/gestion/groupes/grp-a/inscrire",
        data={
            "first_name": "Jeanne",
            "last_name": "Durand",
            "birth_year": "1950",
            "phone": "06 12 34 56 78",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.participant.has(last_name="Durand"))
        )
        assert enrollment.status == "confirmed"
        assert enrollment.participant.phone == "+33612345678"


def test_phone_form_errors_keep_what_was_typed(app, client, clock):
    _setup(app, client)
    response = client.post(
        "/gestion/groupes/grp-a/inscrire",
        data={"first_name": "Jeanne", "last_name": "", "birth_year": "19", "language": "fr"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Jeanne"' in page and "error-message" in page


def test_waiting_list_reorder_and_promote(app, client, clock):
    cohort_id = _setup(app, client)
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.capacity = 1  # full with patient A
        first = enroll(make_participant("Un", "Premier", "un@example.org"), cohort, "waitlisted", 1)
        second = enroll(
            make_participant("Deux", "Second", "deux@example.org"), cohort, "waitlisted", 2
        )
        db.session.commit()
        first_id, second_id = first.id, second.id
    client.post(f"/gestion/groupes/grp-a/inscriptions/{second_id}/ordre", data={"direction": "up"})
    with app.app_context():
        ranks = {e.id: e.waitlist_rank for e in db.session.scalars(select(Enrollment))}
        assert ranks[second_id] < ranks[first_id]
    # Full: promotion refused until a place is freed.
    client.post(f"/gestion/groupes/grp-a/inscriptions/{second_id}/promouvoir")
    with app.app_context():
        assert db.session.get(Enrollment, second_id).status == "waitlisted"
        db.session.get(Cohort, cohort_id).capacity = 2
        db.session.commit()
    client.post(f"/gestion/groupes/grp-a/inscriptions/{second_id}/promouvoir")
    with app.app_context():
        assert db.session.get(Enrollment, second_id).status == "confirmed"
        assert db.session.get(Cohort, cohort_id).seats_taken == 2
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient == "deux@example.org")
        )
        assert message.template == "enrollment_promoted"


def test_move_a_participant_to_another_cohort(app, client, clock):
    _setup(app, client)
    with app.app_context():
        source = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        other = Cohort(
            code="grp-a2",
            programme=source.programme,
            site=source.site,
            format="presentiel",
            capacity=5,
            timezone="Europe/Paris",
        )
        db.session.add(other)
        db.session.add(
            GroupSession(
                code="ses-a2-1",
                cohort=other,
                workshop=source.programme.workshops[0],
                start_at=source.sessions[0].start_at,
                end_at=source.sessions[0].end_at,
                timezone="Europe/Paris",
            )
        )
        enrollment_id = source.enrollments[0].id
        db.session.commit()
    client.post(
        f"/gestion/groupes/grp-a/inscriptions/{enrollment_id}/changer", data={"target": "grp-a2"}
    )
    with app.app_context():
        rows = db.session.scalars(select(Enrollment).order_by(Enrollment.id)).all()
        statuses = {
            (e.cohort.code, e.status) for e in rows if e.participant.email.startswith("patient-a")
        }
        assert statuses == {("grp-a", "cancelled"), ("grp-a2", "confirmed")}


def test_moving_to_another_structures_cohort_is_refused(app, client, clock):
    _setup(app, client)
    with app.app_context():
        enrollment_id = db.session.scalar(
            select(Enrollment.id).where(Enrollment.cohort.has(code="grp-a"))
        )
    client.post(
        f"/gestion/groupes/grp-a/inscriptions/{enrollment_id}/changer", data={"target": "grp-b"}
    )
    with app.app_context():
        assert db.session.get(Enrollment, enrollment_id).status == "confirmed"


def test_attendance_one_tap_per_person_by_an_educator(app, client, clock):
    _setup(app, client, role="educator")
    with app.app_context():
        session = db.session.scalar(select(GroupSession).where(GroupSession.code == "ses-a-1"))
        session.start_at, session.end_at = clock(), clock() + timedelta(hours=2)  # today
        db.session.commit()
        enrollment_id = db.session.scalar(
            select(Enrollment.id).where(Enrollment.cohort.has(code="grp-a"))
        )
    page = client.get("/gestion/groupes/grp-a/presences?seance=ses-a-1").get_data(as_text=True)
    assert "Présent" in page and "PatientA" in page
    response = client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": enrollment_id, "status": "present"},
    )
    assert response.status_code == 303
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": enrollment_id, "carer": "1"},
    )
    with app.app_context():
        mark = db.session.scalar(select(Attendance))
        assert mark.status == "present" and mark.carer_present is True
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attendance.mark"))


def test_completion_needs_the_workshops_and_the_final_assessment(app, client, clock):
    _setup(app, client)
    with app.app_context():
        # the three sessions are past: attendance is open for each
        for session in db.session.scalars(select(GroupSession)):
            session.start_at -= timedelta(weeks=4)
            session.end_at -= timedelta(weeks=4)
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.cohort.has(code="grp-a"))
        )
        enrollment_id, participant = enrollment.id, enrollment.participant
        programme = enrollment.cohort.programme
        final = Slot(
            code="final-a",
            programme=programme,
            kind="final",
            site=enrollment.cohort.site,
            start_at=enrollment.cohort.sessions[-1].end_at,
            end_at=enrollment.cohort.sessions[-1].end_at.replace(hour=23),
            timezone="Europe/Paris",
        )
        db.session.add(final)
        booking = book(participant, final)
        db.session.commit()
        booking_id = booking.id
    for code in ("ses-a-1", "ses-a-2"):  # the programme asks for 2 workshops
        client.post(
            "/gestion/groupes/grp-a/presences",
            data={"seance": code, "enrollment": enrollment_id, "status": "present"},
        )
    with app.app_context():
        assert db.session.get(Enrollment, enrollment_id).status == "confirmed"
        db.session.get(Booking, booking_id).outcome = "held"
        db.session.commit()
    client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-3", "enrollment": enrollment_id, "status": "absent"},
    )
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        assert enrollment.status == "completed" and enrollment.completed_at is not None


def test_export_neutralises_formulas_and_is_audited(app, client, clock):
    _setup(app, client)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        enroll(make_participant("=HYPERLINK(1)", "@evil", "x@example.org"), cohort)
        db.session.commit()
        cohort_id = cohort.id
    response = client.get("/gestion/groupes/grp-a/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["last_name", "first_name"]
    evil = next(r for r in rows if "x@example.org" in r)
    assert evil[0] == "'@evil" and evil[1] == "'=HYPERLINK(1)"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.cohort"))
        assert event.object_id == str(cohort_id)
        assert "diab" not in repr(event.detail).lower()


def test_export_neutralises_a_formula_after_a_semicolon(app, client, clock):
    """French Excel splits "Ana;=HYPERLINK(…)" at the ";": the second part is neutralised."""
    _setup(app, client)
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "grp-a"))
        enroll(
            make_participant('Ana;=HYPERLINK("http://x")', "Doe,+1\t@2", "y@example.org"), cohort
        )
        db.session.commit()
    response = client.get("/gestion/groupes/grp-a/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    evil = next(r for r in rows if "y@example.org" in r)
    assert evil[1] == 'Ana;\'=HYPERLINK("http://x")'
    assert evil[0] == "Doe,'+1\t'@2"


def test_educator_cannot_export(app, client, clock):
    _setup(app, client, role="educator")
    assert client.get("/gestion/groupes/grp-a/export.csv").status_code == 403


def test_final_assessment_outcome_completes_the_programme(app, client, clock):
    _setup(app, client)
    with app.app_context():
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.cohort.has(code="grp-a"))
        )
        enrollment_id = enrollment.id
        for session in enrollment.cohort.sessions[:2]:
            db.session.add(
                Attendance(session=session, participant=enrollment.participant, status="present")
            )
        start = clock() - timedelta(hours=2)
        final = Slot(
            code="final-a",
            programme=enrollment.cohort.programme,
            kind="final",
            site=enrollment.cohort.site,
            start_at=start,
            end_at=start + timedelta(hours=1),
            timezone="Europe/Paris",
        )
        db.session.add(final)
        book(enrollment.participant, final)
        db.session.commit()
    client.post("/gestion/creneaux/final-a/issue", data={"outcome": "held"})
    with app.app_context():
        assert db.session.get(Enrollment, enrollment_id).status == "completed"


def test_attendance_with_a_huge_enrollment_id_is_404(app, client, clock):
    _setup(app, client, role="educator")
    response = client.post(
        "/gestion/groupes/grp-a/presences",
        data={"seance": "ses-a-1", "enrollment": "9" * 23, "status": "present"},
    )
    assert response.status_code == 404
