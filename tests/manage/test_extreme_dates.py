"""Dates near year 1 or 9999 in back-office forms: a message next to the field, never a
500 (time-zone conversions and "+ n weeks" overflow Python's dates there)."""

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from etp_orient.booking.models import Cohort, GroupSession, Slot
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_world

EVERY_DAY = ["0", "1", "2", "3", "4", "5", "6"]
CASES = [
    ("/gestion/groupes/grp-a/reglages", {"capacity": "10", "registration_closes_on": "0001-01-01"}),
    (
        "/gestion/programmes/prog-a/groupes",
        {
            "action": "create",
            "site": "site-a",
            "capacity": "10",
            "first_day": "9999-12-20",
            "start_time": "14:00",
            "every": "1",
        },
    ),
    (
        "/gestion/programmes/prog-a/creneaux",
        {
            "action": "create",
            "kind": "bep",
            "site": "site-a",
            "weekdays": EVERY_DAY,
            "start_time": "09:00",
            "end_time": "23:59",
            "duration": "60",
            "date_from": "9999-12-30",
            "date_to": "9999-12-31",
        },
    ),
    ("/gestion/seances/ses-a-1/deplacer", {"day": "9999-12-31", "start_time": "23:30"}),
    ("/gestion/seances/ses-a-1/deplacer", {"day": "0001-01-01", "start_time": "00:00"}),
    ("/gestion/creneaux/slot-a/deplacer", {"date": "9999-12-31", "time": "23:59"}),
]


def _counts():
    return (
        db.session.scalar(select(func.count(Cohort.id))),
        db.session.scalar(select(func.count(Slot.id))),
        db.session.scalars(select(GroupSession.start_at).order_by(GroupSession.id)).all(),
        db.session.scalars(select(Slot.start_at).order_by(Slot.id)).all(),
    )


@pytest.mark.parametrize(("url", "data"), CASES)
def test_extreme_dates_get_a_message_and_change_nothing(app_ctx, client, url, data):
    a, _b, _admin = make_world(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    login_as(client, a.users["coordinator"])
    before = _counts()
    response = client.post(url, data=data)
    assert response.status_code in (200, 400)
    page = html.unescape(response.get_data(as_text=True))
    assert "Choisissez une autre date." in page or "une date et une heure valides" in page
    db.session.expire_all()
    assert _counts() == before
