"""No orientation input makes a 500: the parser, the page and the API."""

from hypothesis import given
from hypothesis import strategies as st

from etp_orient.core.clock import now
from etp_orient.orientation.matching import OrientationQuery, QueryError, orient
from tests.fixtures.orientation_offer import offer  # noqa: F401  (fixture)
from tests.property.conftest import PROPERTY

WORDS = st.sampled_from(
    [
        "sucre",
        "diabète",
        "enceinte",
        "souffle",
        "tension",
        "cœur",
        "poids",
        "reins",
        "tabac",
        "j'ai",
        "du",
        "et",
        "DIABETE",
        "diabéte",
        "asthme",
        "bpco",
        "enfant",
        "mal",
        "%",
        "'",
        "--",
    ]
)
FREE_TEXT = st.one_of(
    st.text(max_size=80),
    st.lists(WORDS, max_size=8).map(" ".join),
)
COMMUNE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["16015", "16000", "59000", "lille", "angouleme", "st denis", "97411", ""]),
)


@PROPERTY
@given(text=FREE_TEXT, commune=COMMUNE, age=st.none() | st.integers(-5, 200))
def test_the_parser_answers_or_names_the_field(offer, text, commune, age):  # noqa: F811
    try:
        result = orient(OrientationQuery(q=text, commune=commune, age=age), now())
    except QueryError as error:
        assert error.field in ("q", "condition", "commune", "age", "format", "radius_km")
    else:
        assert result.shown_count >= 0


PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "q": FREE_TEXT,
        "commune": COMMUNE,
        "condition": st.one_of(st.text(max_size=30), st.sampled_from(["diabete-type-2", "bpco"])),
        "age": st.one_of(st.text(max_size=5), st.integers(-10, 300).map(str)),
        "pregnant": st.one_of(st.text(max_size=5), st.sampled_from(["1", "0", "oui"])),
        "format": st.one_of(st.text(max_size=12), st.sampled_from(["presentiel", "distanciel"])),
        "radius_km": st.one_of(st.text(max_size=8), st.floats(allow_nan=True).map(str)),
    },
)


@PROPERTY
@given(params=PARAMS)
def test_the_api_answers_200_or_a_400_naming_the_parameter(offer, client, params):  # noqa: F811
    response = client.get("/api/v1/orientation", query_string=params)
    assert response.status_code in (200, 400), params
    if response.status_code == 400:
        assert response.get_json()["error"]


@PROPERTY
@given(params=PARAMS)
def test_the_results_page_never_fails(offer, client, params):  # noqa: F811
    response = client.get("/orientation/resultats", query_string=params)
    assert response.status_code < 500, params
