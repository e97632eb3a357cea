"""What a bad offer file produces: errors with their JSON path, and the exception carrying them."""

from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext


@dataclass(frozen=True)
class OfferError:
    """One problem in an offer file: where (``$.programmes[3].team``) and what, in plain French."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class OfferInvalid(Exception):
    """Raised by ``import_offer`` when the file has errors; nothing was written."""

    def __init__(self, errors: list[OfferError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s) in the offer file")


def json_path(parts) -> str:
    """``["programmes", 3, "team"]`` → ``$.programmes[3].team``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(f".{part}")
    return "".join(out)


def tr(message: str, **variables) -> str:
    """gettext inside a request (the reader's language), the French source text elsewhere.

    The command line and scripts run without a request, where the locale
    selector cannot run.
    """
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
