"""The condition taxonomy, kept as data in ``catalogue/data/conditions.json``.

The file is the source of truth for codes (a contract, DESIGN §2), labels,
plain labels, everyday synonyms, translations, parents and pictograms.
:func:`sync_conditions` copies it into the ``conditions`` table; it runs in the
reference-data migration and from ``etp-orient sync-conditions``.
"""

import json
from functools import cache
from pathlib import Path

from sqlalchemy import JSON, Boolean, Integer, String, column, select, table
from sqlalchemy.engine import Connection

DATA_FILE = Path(__file__).parent / "data" / "conditions.json"

# A lightweight table description rather than the ORM model: the migration that
# calls sync_conditions must keep working when the model later gains columns.
_conditions = table(
    "conditions",
    column("id", Integer),
    column("code", String),
    column("parent_code", String),
    column("is_group", Boolean),
    column("label", String),
    column("plain_label", String),
    column("synonyms", JSON),
    column("translations", JSON),
    column("pictogram", String),
    column("position", Integer),
)

_FIELDS = (
    "parent_code",
    "is_group",
    "label",
    "plain_label",
    "synonyms",
    "translations",
    "pictogram",
    "position",
)


@cache
def load_taxonomy() -> tuple[dict, ...]:
    """Every node of the shipped taxonomy, parents before children, as plain dicts.

    Each dict has ``code``, ``parent_code``, ``is_group``, ``label``, ``plain_label``,
    ``synonyms``, ``translations`` ({"en": {"label", "plain_label"}, "ar": {…}}),
    ``pictogram`` and ``position``.
    """
    with DATA_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)["conditions"]
    nodes = [
        {
            "code": item["code"],
            "parent_code": item.get("parent"),
            "is_group": bool(item.get("is_group", False)),
            "label": item["label"],
            "plain_label": item["plain_label"],
            "synonyms": list(item.get("synonyms", [])),
            "translations": item.get("translations", {}),
            "pictogram": item.get("pictogram"),
            "position": int(item.get("position", 0)),
        }
        for item in raw
    ]
    codes = {node["code"] for node in nodes}
    if len(codes) != len(nodes):
        raise ValueError("conditions.json: duplicate condition code")
    for node in nodes:
        if node["parent_code"] is not None and node["parent_code"] not in codes:
            raise ValueError(f"conditions.json: unknown parent {node['parent_code']!r}")
    # parents first, so that the parent_code foreign key is always satisfied
    return tuple(sorted(nodes, key=lambda n: (n["parent_code"] is not None, n["position"])))


def condition_codes() -> list[str]:
    """Every code of the taxonomy, groups included, in display order."""
    return [n["code"] for n in sorted(load_taxonomy(), key=lambda n: n["position"])]


def children(code: str) -> list[str]:
    """The codes directly under ``code`` (empty for a leaf), in display order."""
    nodes = sorted(load_taxonomy(), key=lambda n: n["position"])
    return [n["code"] for n in nodes if n["parent_code"] == code]


def expand(codes: list[str]) -> list[str]:
    """The given codes with the children of any group among them, without duplicates."""
    seen: list[str] = []
    for code in codes:
        for one in (code, *children(code)):
            if one not in seen:
                seen.append(one)
    return seen


def sync_conditions(conn: Connection) -> int:
    """Insert or update every condition of the shipped taxonomy, by code. Returns the count.

    Idempotent: a second run changes nothing. Conditions no longer in the file are
    kept (programmes may still point to them). Works on SQLite and PostgreSQL.
    """
    nodes = load_taxonomy()
    existing = {
        row.code: row
        for row in conn.execute(select(_conditions.c.code, *[_conditions.c[f] for f in _FIELDS]))
    }
    for node in nodes:
        values = {field: node[field] for field in _FIELDS}
        row = existing.get(node["code"])
        if row is None:
            conn.execute(_conditions.insert().values(code=node["code"], **values))
        elif any(getattr(row, field) != value for field, value in values.items()):
            conn.execute(
                _conditions.update().where(_conditions.c.code == node["code"]).values(**values)
            )
    return len(nodes)
