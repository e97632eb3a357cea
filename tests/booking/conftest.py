"""Fixtures of the booking tests: a committed world under the frozen clock."""

import pytest

from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.booking import make_world


@pytest.fixture
def world(app_ctx, clock):
    world = make_world()
    db.session.commit()
    return world


@pytest.fixture
def outbox(app_ctx):
    """The messages queued so far, oldest first."""

    def read():
        db.session.expire_all()
        return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))

    return read
