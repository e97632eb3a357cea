"""Texts of the offer file: one line each (summaries excepted), no control character."""

import pytest

from etp_orient.catalogue.offer import OfferInvalid, import_offer, validate_offer
from etp_orient.extensions import db
from tests.fixtures.offer import offer_db, sample_offer  # noqa: F401

pytestmark = pytest.mark.usefixtures("offer_db")


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d: d["programmes"][0], "$.programmes[0].title"),
        (lambda d: d["sites"][0], "$.sites[0].name"),
        (lambda d: d["structures"][0], "$.structures[0].name"),
        (lambda d: d["programmes"][0]["workshops"][0], "$.programmes[0].workshops[0].title"),
    ],
)
def test_a_line_break_in_a_one_line_text_is_refused_by_path(where, path):
    data = sample_offer()
    item = where(data)
    key = path.rsplit(".", 1)[1]
    item[key] = "Vivre\nmieux"
    errors = validate_offer(data)
    assert [e.path for e in errors] == [path]
    assert "une seule ligne" in errors[0].message
    with pytest.raises(OfferInvalid):
        import_offer(data)
    db.session.rollback()


def test_a_summary_may_hold_line_breaks_but_no_other_control():
    data = sample_offer()
    data["programmes"][0]["summary_plain"] = "Premier point.\nDeuxième point.\r\n\tfin"
    assert validate_offer(data) == []
    data["programmes"][0]["summary_plain"] = "Premier\x1b[31m point"
    errors = validate_offer(data)
    assert [e.path for e in errors] == ["$.programmes[0].summary_plain"]
    assert "caractère de contrôle" in errors[0].message


def test_a_nul_anywhere_is_refused():
    data = sample_offer()
    data["slots"][0]["professional"] = "Inès\x00"
    assert [e.path for e in validate_offer(data)] == ["$.slots[0].professional"]
