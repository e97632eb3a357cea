from datetime import UTC, datetime

import pytest

from etp_orient.extensions import db
from tests.fixtures.feeds import World

# DEFAULT_NOW is 2026-11-23 09:00 UTC; the first session is a week later.
FIRST_SESSION = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


@pytest.fixture
def world(app_ctx, clock):
    world = World(FIRST_SESSION)
    db.session.commit()
    return world
