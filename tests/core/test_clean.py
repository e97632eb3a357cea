"""Invisible and control characters in what people type (``core.clean``)."""

import pytest

from etp_orient.core.clean import has_control, single_line, strip_invisible

# an Arabic first name written with a zero-width non-joiner, and a right-to-left mark
ARABIC = "مهر\u200cناز\u200f"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ana\u202e0612345678", "Ana0612345678"),  # right-to-left override
        ("\u2067Ana\u2069", "Ana"),  # isolates
        ("An\u200ba", "Ana"),  # zero-width space
        ("\ufeffAna", "Ana"),  # byte-order mark
        ("Ana\u200c\u200f", "Ana"),  # marks without right-to-left letters have no use
        (ARABIC, ARABIC),  # ZWNJ and RLM kept in Arabic
        ("سارة\u202e", "سارة"),  # but not an override
        ("Zoé Ørsted-Łukasz", "Zoé Ørsted-Łukasz"),
    ],
)
def test_strip_invisible(typed, kept):
    assert strip_invisible(typed) == kept


def test_controls_found_and_line_breaks_allowed_only_on_several_lines():
    assert has_control("a\x1bb") and has_control("a\x00b") and has_control("a\x85b")
    assert has_control("a\nb") and not has_control("a\nb\tc\r\n", multiline=True)
    assert has_control("a\x1bb", multiline=True)
    assert not has_control("Zoé ‏مهر")


def test_single_line_folds_what_is_stored():
    assert single_line("Vivre\r\nmieux\t avec\x1b") == "Vivre mieux avec"
