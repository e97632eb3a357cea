"""URL converters.

``<int:…>`` in a route names a database id. Werkzeug's converter accepts any
number of digits, and a value beyond the database's integer type made the
look-up fail with an overflow (a 500 on SQLite and PostgreSQL alike). Ids are
32-bit integers in PostgreSQL, so larger values simply do not match (404).
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` limited to what an ``INTEGER`` column can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    """Install the converter; call before any route is registered."""
    app.url_map.converters["int"] = DatabaseIdConverter
