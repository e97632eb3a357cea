"""No typed place makes commune look-up fail."""

from hypothesis import given
from hypothesis import strategies as st

from etp_orient.geo.services import resolve_commune, search_communes
from tests.fixtures.orientation_offer import ensure_communes
from tests.property.conftest import PROPERTY

PLACE = st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A[0-9 ]{0,8}\Z"),
    st.sampled_from(["Saint-Denis 974", "st omer", "bezier", "angoulème", "LILLE", "97411"]),
)


@PROPERTY
@given(q=PLACE, limit=st.integers(1, 30))
def test_search_returns_at_most_limit_communes(app_ctx, q, limit):
    ensure_communes()
    found = search_communes(q, limit)
    assert len(found) <= limit
    assert len({c.insee for c in found}) == len(found)


@PROPERTY
@given(q=PLACE)
def test_resolve_gives_one_commune_candidates_or_nothing(app_ctx, q):
    ensure_communes()
    result = resolve_commune(q)
    assert not (result.commune and result.candidates)
    assert len(result.candidates) <= 10 or result.candidates == []


@PROPERTY
@given(q=PLACE, limit=st.one_of(st.text(max_size=4), st.integers(-5, 500).map(str)))
def test_the_communes_api_answers_200_or_400(app_ctx, client, q, limit):
    ensure_communes()
    response = client.get("/api/v1/communes", query_string={"q": q, "limit": limit})
    assert response.status_code in (200, 400)
