"""Orientation sized to the answer: the grid, large catchments apart, widening (issue 17)."""

from sqlalchemy import select

from etp_orient.catalogue.models import Condition, Programme, Site
from etp_orient.core.clock import now
from etp_orient.extensions import db
from etp_orient.orientation import matching
from etp_orient.orientation.index import get_index
from etp_orient.orientation.matching import OrientationQuery, orient
from tests.fixtures.orientation_offer import offer  # noqa: F401 (fixture)


def _large_programme(km: float) -> Programme:
    """A programme for asthma in Angoulême that takes people from ``km`` around."""
    site = db.session.scalar(select(Site).where(Site.code == "angouleme-ch"))
    if site is None:
        site = db.session.scalars(select(Site).where(Site.commune_insee.like("16%"))).first()
    programme = Programme(
        code="asthme-national",
        title="Asthme sévère : programme de référence",
        formats=["presentiel"],
        status="published",
        catchment_km=km,
    )
    programme.sites.append(site)
    programme.conditions.append(
        db.session.scalar(select(Condition).where(Condition.code == "asthme"))
    )
    db.session.add(programme)
    db.session.commit()
    return programme


def test_large_catchment_programme_is_kept_apart_and_still_found(offer):  # noqa: F811
    _large_programme(1000)
    index = get_index()
    pid = next(p.id for p in index.programmes.values() if p.code == "asthme-national")
    assert pid in index.large["asthme"]
    assert all(row[2] != pid for rows in index.grids["asthme"].values() for row in rows)
    # the grid's own reach for asthma is not widened by it
    assert index.reach_km["asthme"] < 1000
    # from Lille, about 560 km away: in range, as its catchment says
    answer = orient(OrientationQuery(q="asthme", commune="59000", age=40), now())
    found = {r.programme.code: r for r in answer.results}
    assert "asthme-national" in found
    assert 500 < found["asthme-national"].distance_km < 650
    # with a distance asked, the smaller one wins: not in range, not near
    answer = orient(OrientationQuery(q="asthme", commune="59000", age=40, radius_km=50), now())
    assert "asthme-national" not in [r.programme.code for r in answer.results]


def test_search_reads_only_near_cells_when_something_is_near(offer, monkeypatch):  # noqa: F811
    reads = []
    original = matching._RingSearch.read

    def recording(self, reach_km, enough):
        reads.append(reach_km)
        return original(self, reach_km, enough)

    monkeypatch.setattr(matching._RingSearch, "read", recording)
    answer = orient(OrientationQuery(q="diabète", commune="59000"), now())
    assert answer.results and not answer.nothing_nearby
    # one read, at the default distance: no widening to 150 km
    assert reads == [30.0]


def test_search_widens_when_nothing_is_near(offer, monkeypatch):  # noqa: F811
    reads = []
    original = matching._RingSearch.read

    def recording(self, reach_km, enough):
        reads.append(reach_km)
        return original(self, reach_km, enough)

    monkeypatch.setattr(matching._RingSearch, "read", recording)
    answer = orient(OrientationQuery(q="diabète", commune="62498", radius_km=10), now())
    assert answer.nothing_nearby
    assert reads == [10, matching.ELSEWHERE_MAX_KM]
    # the Lille programme, about 25 km away, offered beyond the distance asked
    assert "dt2-lille" in [r.programme.code for r in answer.elsewhere]
