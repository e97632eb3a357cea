"""No booking or join form input makes a 500 or a half-saved booking."""

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from etp_orient.booking.models import Booking, Enrollment, Participant, Slot
from etp_orient.extensions import db
from tests.fixtures.booking import FORM, make_world
from tests.property.conftest import PROPERTY

FIELDS = (
    "first_name",
    "last_name",
    "birth_year",
    "email",
    "phone",
    "language",
    "needs",
    "consent_contact",
    "consent_share_gp",
    "referral_code",
)
VALUE = st.one_of(
    st.text(max_size=60),
    st.text(max_size=600),
    st.sampled_from(
        [
            "",
            " ",
            "1970",
            "0",
            "-1",
            "99999",
            "y",
            "fr",
            "ar",
            "xx",
            "camille@example.org",
            "not-an-email",
            "06 12 34 56 78",
            "+33612345678",
            "'; DROP TABLE participants; --",
            "\x00",
        ]
    ),
)
CHANGES = st.dictionaries(st.sampled_from(FIELDS), VALUE, max_size=6)


def _consistent() -> None:
    """Every participant holds a booking or an enrollment; a slot is booked once."""
    db.session.expire_all()
    people = db.session.scalar(select(func.count()).select_from(Participant))
    held = db.session.scalar(
        select(func.count(func.distinct(Booking.participant_id)))
    ) + db.session.scalar(select(func.count(func.distinct(Enrollment.participant_id))))
    assert people <= held
    per_slot = db.session.execute(
        select(Booking.slot_id, func.count())
        .where(Booking.status == "confirmed")
        .group_by(Booking.slot_id)
    ).all()
    assert all(count == 1 for _, count in per_slot)


def _world(app):
    """The offer, made once per test (the examples share it)."""
    if db.session.scalar(select(Slot).where(Slot.code == "bep-1")) is None:
        make_world(slots=60, capacity=200)
        db.session.commit()


@PROPERTY
@given(changes=CHANGES, slot=st.integers(1, 60), drop=st.sets(st.sampled_from(FIELDS)))
def test_the_booking_form_never_fails_nor_half_saves(
    app, app_ctx, clock, client, changes, slot, drop
):
    _world(app)
    form = {k: v for k, v in {**FORM, **changes}.items() if k not in drop}
    response = client.post(f"/rdv/bep-{slot}", data=form)
    assert response.status_code in (200, 303, 400, 409, 422), response.status_code
    _consistent()


@PROPERTY
@given(changes=CHANGES, drop=st.sets(st.sampled_from(FIELDS)))
def test_the_join_form_never_fails_nor_half_saves(app, app_ctx, clock, client, changes, drop):
    _world(app)
    form = {k: v for k, v in {**FORM, **changes}.items() if k not in drop}
    response = client.post("/groupes/grp-booking", data=form)
    assert response.status_code in (200, 303, 400, 409, 422), response.status_code
    _consistent()
