"""The right of access exports everything kept about the person: attendance, messages
and the history of what was done about them, besides identity, bookings and groups."""

import json

from sqlalchemy import select

from etp_orient.booking import services
from etp_orient.booking.models import Attendance, Participant
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.booking import person


def _someone(world):
    booked = services.book_slot("bep-1", person(1))
    db.session.commit()
    services.join_cohort("grp-booking", participant=booked.participant, token=booked.token)
    db.session.commit()
    db.session.add(
        Attendance(
            participant_id=booked.participant.id,
            session_id=world.sessions[0].id,
            status="present",
            carer_present=True,
        )
    )
    db.session.commit()
    # a relative booking with the same address: their messages are theirs
    services.book_slot("bep-2", person(2, email="camille1@example.org"))
    db.session.commit()
    return booked


def test_export_holds_attendance_messages_and_history(world, outbox):
    booked = _someone(world)
    db.session.expire_all()
    data = services.export_data(db.session.get(Participant, booked.participant.id))
    assert data["attendance"] == [
        {
            "session": world.sessions[0].code,
            "cohort": "grp-booking",
            "start": world.sessions[0].start_at.isoformat(),
            "status": "present",
            "carer_present": True,
        }
    ]
    owner = f"participant:{booked.participant.id}"
    mine = db.session.scalars(select(OutboxMessage).where(OutboxMessage.owner == owner)).all()
    assert len(mine) >= 2
    assert [m["template"] for m in data["messages"]] == [m.template for m in mine]
    assert all(m["body_text"] for m in data["messages"])
    actions = [h["action"] for h in data["history"]]
    assert "booking.create" in actions and "enrollment.create" in actions
    assert all(not h["by_staff"] for h in data["history"])


def test_the_json_file_and_the_page_show_them(client, world, outbox):
    booked = _someone(world)
    data = json.loads(client.get(f"/gerer/{booked.token}/donnees.json").data)
    assert {"attendance", "messages", "history"} <= set(data)
    assert data["attendance"] and data["messages"] and data["history"]
    page = client.get(f"/gerer/{booked.token}/donnees").get_data(as_text=True)
    assert "Présences aux séances" in page and "<h2>Messages</h2>" in page
