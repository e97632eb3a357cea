"""Static files under content-hashed names, and compression of the app's answers.

``url_for("static", filename="img/logo.svg")`` gives ``/static/img/logo.<hash>.svg``
(the first 12 hex digits of the file's SHA-256): that address never changes content,
so it is served with a year of ``Cache-Control: public, max-age=31536000, immutable``.
The plain name keeps working (Leaflet's stylesheet names its images relatively,
``images/marker-icon.png``; other pages may link a file by its name), with
revalidation (``no-cache`` and an ETag). An old hash (a page from before a deploy)
gets the current file, revalidated too. Works for any file under ``static/``.

Compression (Flask-Compress, ``COMPRESS_RESPONSES``, on by default) covers HTML, JSON,
calendars, CSS, JavaScript and SVG, except answers that carry a secret next to what
a visitor typed (BREACH): the back office (``/gestion``…), the personal pages
(``/gerer/``…, any page marked private) and every page that put a CSRF token in its
forms.
"""

import hashlib
import os
import re
import time

from flask import current_app, g, request, send_from_directory
from flask_compress import Compress

YEAR = 31536000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
# filename → (mtime, size, hash, time.monotonic() of the last look at the file)
_hashes: dict[str, tuple[float, int, str, float]] = {}
# a file is looked at (os.stat) at most once a second: every page links three or four
STAT_EVERY = 1.0

compress = Compress()

COMPRESSED_TYPES = [
    "text/html",
    "application/json",
    "text/calendar",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "text/plain",
]


def file_hash(folder: str, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (remembered per size and mtime; the
    file's size and mtime are looked at again after ``STAT_EVERY`` seconds)."""
    known = _hashes.get(filename)
    if known is not None and time.monotonic() - known[3] < STAT_EVERY:
        return known[2]
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if known is not None and known[0] == stat.st_mtime and known[1] == stat.st_size:
        _hashes[filename] = (*known[:3], time.monotonic())
        return known[2]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    _hashes[filename] = (stat.st_mtime, stat.st_size, digest, time.monotonic())
    return digest


def hashed_name(folder: str, filename: str) -> str:
    digest = file_hash(folder, filename)
    if digest is None or "/../" in f"/{filename}/":
        return filename
    stem, ext = os.path.splitext(filename)
    return f"{stem}.{digest}{ext}" if ext else f"{filename}.{digest}"


def _static(filename: str):
    app = current_app
    folder = app.static_folder
    found = _HASHED.match(filename)
    if found and not os.path.isfile(os.path.join(folder, filename)):
        plain = found["stem"] + found["ext"]
        response = send_from_directory(folder, plain, max_age=0)
        if file_hash(folder, plain) == found["hash"]:
            response.cache_control.no_cache = None
            response.headers["Cache-Control"] = IMMUTABLE
        return response
    return send_from_directory(folder, filename)


def _breach_exposed(response) -> bool:
    """Secrets next to what a visitor typed: no compression."""
    path = request.path
    if (
        path == "/gestion"
        or path.startswith(("/gestion/", "/gerer/"))
        or g.get("private_page", False)
    ):
        return True
    # a CSRF token Flask-WTF generated, written in this answer's forms
    token = g.get("csrf_token")
    return bool(token and not response.is_streamed and token.encode("ascii") in response.get_data())


def _compress(response):
    if current_app.config.get("COMPRESS_RESPONSES", True) and not _breach_exposed(response):
        if response.direct_passthrough:
            # a static file handed over as an open file: read it (small files) so that
            # Flask-Compress compresses a body, and the file is closed with the answer
            # (its streaming path would drop the file unclosed)
            response.direct_passthrough = False
            response.make_sequence()
        return compress.after_request(response)
    return response


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    compress.init_app(app)
    app.after_request(_compress)
    # the static route answers hashed names too
    app.view_functions["static"] = _static

    @app.url_defaults
    def _hashed_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = hashed_name(app.static_folder, values["filename"])
