"""Text normalisation shared by search features."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, strip accents and ligatures, keep letters and digits separated by spaces."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", ascii_text).strip()


def name_key(name: str | None) -> str:
    """A person's name as compared: without case, accents nor extra spaces
    ("Inès  Martin" and "ines martin" are one person; "Martin" is another)."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


# the start of a cell, or of what a spreadsheet may split off as a cell (French Excel
# splits on ";", others on "," or tab; a line break too), then a formula's first character
_FORMULA_START = re.compile(r"(^|[;,\t\r\n])(?=[ ]*[=+\-@\t\r])")


def neutralise_csv_cell(value):
    """Neutralise a spreadsheet formula in a CSV cell (CWE-1236): a ``'`` goes before
    the cell, and before any part after a ``;``, ``,`` or tab, that starts with ``=``,
    ``+``, ``-``, ``@``, tab or CR, since the reader may split the cell there."""
    if isinstance(value, str):
        return _FORMULA_START.sub(r"\1'", value)
    return value
