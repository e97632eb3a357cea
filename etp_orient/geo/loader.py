"""Loads the shipped communes table into the database (called by a data migration).

The file ``geo/data/communes.csv.gz`` is built by ``scripts/build_communes.py``
(see docs/data-sources.md). Loading is an upsert: new communes are inserted,
changed ones updated, postal codes brought in line with the file. Communes that
left the file are kept (sites may still point at them). Running it twice leaves
the same data.
"""

import csv
import gzip
from pathlib import Path

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from ..core.text import fold
from .models import Commune, CommunePostalCode

DATA_DIR = Path(__file__).resolve().parent / "data"
COMMUNES_FILE = DATA_DIR / "communes.csv.gz"
ALIASES_FILE = DATA_DIR / "aliases.csv.gz"

_FIELDS = (
    "name",
    "search_name",
    "departement",
    "region",
    "epci",
    "population",
    "lat",
    "lon",
    "coord_source",
)
_BATCH = 5000


def read_communes(path: Path = COMMUNES_FILE) -> tuple[list[dict], list[tuple[str, str]]]:
    """The communes (as column dicts) and the (postal code, INSEE) pairs of the file."""
    communes, postal_codes = [], []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            communes.append(
                {
                    "insee": row["insee"],
                    "name": row["name"],
                    "search_name": fold(row["name"]),
                    "departement": row["departement"],
                    "region": row["region"] or None,
                    "epci": row["epci"] or None,
                    "population": int(row["population"]) if row["population"] else None,
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "coord_source": row["coord_source"],
                }
            )
            postal_codes.extend((code, row["insee"]) for code in row["postal_codes"].split())
    return communes, postal_codes


def read_aliases(path: Path = ALIASES_FILE) -> list[dict]:
    """Other names of communes: delegated/associated former communes and the
    municipal arrondissements of Paris, Lyon and Marseille (``code``, ``name``,
    ``insee`` of the current commune, ``kind``)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _chunks(rows: list, size: int = _BATCH):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load_communes(conn: Connection) -> int:
    """Insert or refresh every commune and postal code from ``geo/data``. Returns the count."""
    communes, pairs = read_communes()
    table = Commune.__table__
    pc_table = CommunePostalCode.__table__

    existing = {
        row.insee: tuple(getattr(row, f) for f in _FIELDS)
        for row in conn.execute(select(table.c.insee, *(table.c[f] for f in _FIELDS)))
    }
    to_insert = [c for c in communes if c["insee"] not in existing]
    to_update = [
        {"b_insee": c["insee"], **{f"b_{f}": c[f] for f in _FIELDS}}
        for c in communes
        if c["insee"] in existing and existing[c["insee"]] != tuple(c[f] for f in _FIELDS)
    ]
    for chunk in _chunks(to_insert):
        conn.execute(insert(table), chunk)
    if to_update:
        statement = (
            update(table)
            .where(table.c.insee == bindparam("b_insee"))
            .values({f: bindparam(f"b_{f}") for f in _FIELDS})
        )
        for chunk in _chunks(to_update):
            conn.execute(statement, chunk)

    # Postal codes of the communes in the file: exactly the file's pairs.
    in_file = {c["insee"] for c in communes}
    wanted = set(pairs)
    present = {
        (row.code, row.insee)
        for row in conn.execute(select(pc_table.c.code, pc_table.c.insee))
        if row.insee in in_file
    }
    missing = sorted(wanted - present)
    extra = sorted(present - wanted)
    for chunk in _chunks([{"code": code, "insee": insee} for code, insee in missing]):
        conn.execute(insert(pc_table), chunk)
    for chunk in _chunks(extra, 500):
        conn.execute(pc_table.delete().where(tuple_(pc_table.c.code, pc_table.c.insee).in_(chunk)))
    return len(communes)
