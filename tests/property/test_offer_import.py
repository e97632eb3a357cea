"""No offer file makes the import crash or write part of itself."""

import copy

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from etp_orient.booking.models import Cohort, GroupSession, Slot
from etp_orient.catalogue.models import Programme, Site, Structure
from etp_orient.catalogue.offer import OfferInvalid, import_offer, validate_offer
from etp_orient.extensions import db
from tests.fixtures.offer import SAMPLE, ensure_reference_rows
from tests.property.conftest import PROPERTY

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _paths(child, (*prefix, i))


PATHS = [p for p in _paths(SAMPLE) if p]


def _mutated(mutations) -> dict:
    data = copy.deepcopy(SAMPLE)
    for path, action, value in mutations:
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if action == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


MUTATIONS = st.lists(
    st.tuples(st.sampled_from(PATHS), st.sampled_from(["set", "delete"]), JSON),
    min_size=1,
    max_size=4,
)


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Structure, Site, Programme, Slot, Cohort, GroupSession)
    )


@PROPERTY
@given(mutations=MUTATIONS)
def test_an_offer_imports_whole_or_not_at_all(app_ctx, clock, mutations):
    ensure_reference_rows()
    data = _mutated(mutations)
    before = _counts()
    errors = validate_offer(data)
    try:
        import_offer(data)
    except OfferInvalid as invalid:
        assert invalid.errors and errors
        db.session.rollback()
        assert _counts() == before
    else:
        assert not errors
        db.session.rollback()  # the caller decides; nothing is committed here
    assert _counts() == before


@PROPERTY
@given(data=JSON)
def test_any_json_value_gets_errors_not_a_crash(app_ctx, clock, data):
    ensure_reference_rows()
    assert validate_offer(data)
