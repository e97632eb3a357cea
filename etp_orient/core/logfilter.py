"""Keep secret tokens out of access logs.

Personal feed links (``/calendar/me/<token>.ics``), staff feed links
(``/calendar/staff/<token>.ics``), manage links (``/gerer/<token>``) and password
reset links (``/connexion/nouveau-mot-de-passe/<token>``) and new-link codes
(``/gerer/nouveau-lien/<code>``, which give a new manage link) open someone's data:
they must not end up in log files. Two ways to use this:

- gunicorn: ``gunicorn --logger-class etp_orient.core.logfilter.MaskingGunicornLogger …``
  (or turn the access log off, which is gunicorn's default);
- Python logging (the development server's ``werkzeug`` logger, or any other):
  ``logger.addFilter(SecretPathFilter())``, done by :func:`install_werkzeug_filter`.
"""

import logging
import re

MASK = "[masque]"
_END = r"[^/?#\s\"']"
# The "new link" codes (/gerer/nouveau-lien/<code>) first: under /gerer/, the word
# "nouveau-lien" itself is a page, not a token, and the code after it is the secret.
_SECRET_PATH = re.compile(
    r"(/(?:calendar/me|calendar/staff|gerer/nouveau-lien|gerer|connexion/nouveau-mot-de-passe)/)"
    rf"(?!nouveau-lien(?!{_END})){_END}+"
)


def mask_secret_paths(text: str) -> str:
    """Replace the token in every secret path of ``text`` by a mask."""
    return _SECRET_PATH.sub(lambda m: m.group(1) + MASK, text)


def _mask(value):
    return mask_secret_paths(value) if isinstance(value, str) else value


class SecretPathFilter(logging.Filter):
    """A logging filter that masks tokens in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_secret_paths(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: _mask(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask(v) for v in record.args)
        return True


def install_werkzeug_filter() -> None:
    """Mask tokens in the development server's request log (idempotent)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, SecretPathFilter) for f in logger.filters):
        logger.addFilter(SecretPathFilter())


try:  # gunicorn is a dependency, but the app must not need it to import
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None


if _GunicornLogger is not None:

    class MaskingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with tokens masked in every access-log atom
        (request line, path, query, referer)."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {key: _mask(value) for key, value in atoms.items()}
