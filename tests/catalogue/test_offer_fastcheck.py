"""The quick yes/no schema check never accepts an item that jsonschema refuses."""

import copy

import pytest

from etp_orient.catalogue.offer.schema import _item_validators, fast_checks
from tests.fixtures.offer import sample_offer

ODD_VALUES = [
    None,
    True,
    0,
    1,
    -1,
    1.5,
    1000,
    "",
    "x",
    "A B",
    "x" * 301,
    "2A004",
    "16015",
    "2026-12-01T09:00:00",
    "2026-12-01T09:00:00+01:00",
    "2026-13-01T09:00:00Z",
    "a@b.fr",
    "https://x.fr",
    [],
    ["x"],
    {},
]


def _items():
    data = sample_offer()
    for kind in ("structures", "sites", "programmes", "slots", "cohorts"):
        for item in data[kind]:
            yield kind, item


def _variants(item):
    """The item with each field (and nested field) replaced by odd values, or removed."""
    for key in list(item):
        dropped = copy.deepcopy(item)
        del dropped[key]
        yield dropped
        for value in ODD_VALUES:
            changed = copy.deepcopy(item)
            changed[key] = value
            yield changed
        nested = item[key]
        if isinstance(nested, dict):
            for sub in nested:
                for value in ODD_VALUES:
                    changed = copy.deepcopy(item)
                    changed[key][sub] = value
                    yield changed
        if isinstance(nested, list) and nested and isinstance(nested[0], dict):
            for sub in nested[0]:
                for value in ODD_VALUES:
                    changed = copy.deepcopy(item)
                    changed[key][0][sub] = value
                    yield changed
    extra = copy.deepcopy(item)
    extra["unknown"] = 1
    yield extra


@pytest.mark.parametrize(("kind", "item"), list(_items()), ids=lambda v: str(v)[:20])
def test_the_fast_check_agrees_with_jsonschema(kind, item):
    fast = fast_checks()[kind]
    validator = _item_validators()[kind]
    assert fast(item)
    for variant in _variants(item):
        valid = not any(True for _error in validator.iter_errors(variant))
        assert fast(variant) == valid, variant
