"""A year of birth typed with superscript digits is a field error, never a 500."""

import pytest
from sqlalchemy import select

from etp_orient.booking.models import Booking
from etp_orient.extensions import db
from tests.booking.test_pages import post


@pytest.mark.parametrize("value", ["¹⁹⁶⁵", "①⑨⑥⑤"])
def test_booking_birth_year_with_odd_digits(world, client, value):
    response = post(client, "/rdv/bep-1", birth_year=value)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        "Écrivez l&#39;année avec 4 chiffres" in page or "Écrivez l'année avec 4 chiffres" in page
    )
    assert db.session.scalar(select(Booking.id)) is None
