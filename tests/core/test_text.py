"""CSV cells neutralised as a spreadsheet may split them (``core.text``)."""

import pytest

from etp_orient.core.text import neutralise_csv_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ('Ana;=HYPERLINK("http://x")', 'Ana;\'=HYPERLINK("http://x")'),
        ("Ana; =1", "Ana;' =1"),
        ("a,-1", "a,'-1"),
        ("a\t@x", "a\t'@x"),
        ("a\n=1", "a\n'=1"),
        ("Jean-Luc;Ana,Zoé", "Jean-Luc;Ana,Zoé"),
        (12, 12),
        (None, None),
    ],
)
def test_neutralise_csv_cell(cell, written):
    assert neutralise_csv_cell(cell) == written
