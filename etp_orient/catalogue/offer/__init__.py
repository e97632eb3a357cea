"""The offer file: validation, import and export (``shared/offer.schema.json``, docs/offer-file.md).

Public API, used by the command line and by other packages:

- :func:`validate_offer` → every :class:`OfferError` of a file (schema, references, rules);
- :func:`import_offer` → an :class:`ImportReport`, or :class:`OfferInvalid` and nothing written;
- :func:`export_offer` → the database's offer as a dict that imports back unchanged.
"""

from .errors import OfferError, OfferInvalid
from .exporter import export_offer
from .importer import import_offer
from .report import ImportReport, KindCounts
from .schema import load_schema
from .state import load_state
from .validate import check_offer


def validate_offer(data: dict, *, progress=None) -> list[OfferError]:
    """Every error of an offer file, in order: JSON Schema, references between codes, rules.

    Reads the database (known communes, conditions and codes) but never writes.
    An empty list means the file can be imported.
    """
    errors, _index = check_offer(data, load_state(), progress)
    return errors


__all__ = [
    "ImportReport",
    "KindCounts",
    "OfferError",
    "OfferInvalid",
    "export_offer",
    "import_offer",
    "load_schema",
    "validate_offer",
]
