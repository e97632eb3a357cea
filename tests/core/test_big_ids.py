"""An id in a URL too large for the database is a 404, never an overflow (500)."""

from datetime import UTC, datetime

import pytest

from etp_orient.core.tokens import hash_token, new_token
from etp_orient.extensions import db
from tests.fixtures.manage import login_as, make_participant, make_world

TOO_BIG = "9" * 23  # beyond SQLite's and PostgreSQL's integers


@pytest.mark.parametrize("action", ["annuler", "deplacer"])
def test_manage_link_with_a_huge_booking_id_is_404(app_ctx, client, action):
    participant = make_participant()
    token = new_token()
    participant.manage_token_hash = hash_token(token)
    db.session.commit()
    assert client.get(f"/gerer/{token}/rdv/{TOO_BIG}/{action}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/gestion/groupes/{cohort}/inscriptions/{big}/promouvoir",
        "/gestion/groupes/{cohort}/inscriptions/{big}/retirer",
        "/gestion/programmes/{programme}/equipe/{big}/retirer",
        "/gestion/programmes/{programme}/ateliers/{big}/retirer",
    ],
)
def test_back_office_with_a_huge_id_is_404(app_ctx, client, path):
    a, _b, _admin = make_world(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    login_as(client, a.users["coordinator"])
    url = path.format(cohort=a.cohort.code, programme=a.programme.code, big=TOO_BIG)
    assert client.post(url).status_code == 404


def test_largest_database_id_still_routes(app_ctx, client):
    # 2**31 - 1 is a valid id: the route matches and the object is simply not found.
    participant = make_participant()
    token = new_token()
    participant.manage_token_hash = hash_token(token)
    db.session.commit()
    assert client.get(f"/gerer/{token}/rdv/{2**31 - 1}/annuler").status_code == 404
