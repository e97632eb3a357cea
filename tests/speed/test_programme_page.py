"""The programme page in at most 6 SQL statements (issue 17, point 3)."""

from sqlalchemy import select

from etp_orient.catalogue.models import Condition
from etp_orient.extensions import db
from etp_orient.orientation.index import get_index
from tests.fixtures.booking import make_world


def _world():
    world = make_world(slots=6)
    codes = ["diabete-type-2", "hypertension"]
    for code in codes:
        condition = db.session.scalar(select(Condition).where(Condition.code == code))
        world.programme.conditions.append(condition)
    db.session.commit()
    return world


def test_programme_page_runs_at_most_six_statements(
    app_ctx, clock, client, count_statements, monkeypatch
):
    world = _world()
    # the offer index is loaded once per process; its version checks run in the
    # process's checking thread in production (core.background), inline when testing:
    # leave them out of this count
    monkeypatch.setitem(app_ctx.config, "ORIENTATION_INDEX_TTL", 3600)
    get_index()
    client.get(f"/programmes/{world.programme.code}")
    with count_statements() as statements:
        response = client.get(f"/programmes/{world.programme.code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the page still shows what it shows: structure, site, slots, the group, conditions
    assert "CPTS Booking" in html
    assert "Maison de santé du Centre" in html
    assert "/rdv/bep-1" in html
    assert len(statements) <= 6, "\n\n".join(statements)


def test_unknown_programme_page_is_404_in_one_statement(
    app_ctx, clock, client, count_statements, monkeypatch
):
    _world()
    monkeypatch.setitem(app_ctx.config, "ORIENTATION_INDEX_TTL", 3600)
    client.get("/programmes/prog-booking")
    with count_statements() as statements:
        assert client.get("/programmes/nope").status_code == 404
    assert len(statements) <= 1, "\n\n".join(statements)
