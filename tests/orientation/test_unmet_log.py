"""The anonymous orientation log records whether nothing was on site within reach."""

import pytest
from sqlalchemy import select

from etp_orient.extensions import db
from etp_orient.orientation.models import OrientationLog


@pytest.mark.parametrize(
    ("query", "unmet"),
    [
        ("q=sucre&commune=59000", False),  # a programme in Lille
        ("q=covid&commune=59000", True),  # only a remote programme: nothing on site
        ("q=covid&commune=59000&format=distanciel", False),  # asked for remote only
        ("q=zzqx&commune=59000", False),  # nothing understood: not a demand for a condition
    ],
)
def test_the_log_says_when_nothing_was_on_site_within_reach(offer, client, query, unmet):
    assert client.get("/api/v1/orientation?" + query).status_code == 200
    row = db.session.scalars(select(OrientationLog)).one()
    assert row.nothing_nearby is unmet
    assert set(vars(row)) & {"q", "text", "commune"} == set()  # still nothing personal


def test_the_pages_log_it_too(offer, client):
    client.get("/orientation/resultats?q=covid&commune=59000")
    client.get("/pro/orienter?condition=diabete-type-2&commune=59000")
    rows = {r.channel: r.nothing_nearby for r in db.session.scalars(select(OrientationLog))}
    assert rows == {"patient": True, "professional": False}
