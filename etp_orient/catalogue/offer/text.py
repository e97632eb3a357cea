"""Control characters in the offer file's texts.

A title with a line break broke every calendar of its programme (iCalendar
names and summaries are one line), and a NUL cannot be stored by PostgreSQL:
every text is one line, except the plain-language summaries, which may hold
line breaks and tabs but no other control character.
"""

from ...core.clean import has_control
from .errors import OfferError, json_path
from .errors import tr as _

# keys whose text may run over several lines
MULTILINE_KEYS = frozenset({"summary_plain"})


def text_errors(data) -> list[OfferError]:
    """One error per text of the file holding a control character, with its path."""
    errors: list[OfferError] = []
    _walk(data, [], None, errors)
    return errors


def _walk(value, path: list, key, errors: list[OfferError]) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _walk(item, [*path, name], name, errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, [*path, i], key, errors)
    elif isinstance(value, str):
        multiline = key in MULTILINE_KEYS
        if has_control(value, multiline=multiline):
            if not multiline and ("\n" in value or "\r" in value):
                message = _("Ce texte doit tenir sur une seule ligne (pas de retour à la ligne).")
            else:
                message = _("Ce texte contient un caractère de contrôle invisible.")
            errors.append(OfferError(json_path(path), message))
