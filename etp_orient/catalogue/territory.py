"""Who to call when nothing is near: the platform that answers for a person's commune.

A structure of kind ``platform`` or ``utep`` may declare a territory
(``{"departements": [...], "communes": [...]}``, see ``Structure.territory``).
For a commune, the contact is the platform whose territory names the commune
itself (a commune list beats a département); between two of the same level, the
smaller territory (fewer communes, or fewer départements) wins, then the code.
When none does, the platform's own contact from the settings (``PLATFORM_NAME``,
``PLATFORM_CONTACT_PHONE``, ``PLATFORM_CONTACT_EMAIL``, ``PLATFORM_WEBSITE``);
when the site has none either, ``None``: never a placeholder.

The territories are read once into per-process tables (commune → contact, département →
contact) and read again every ``ORIENTATION_INDEX_TTL`` seconds (default 2) in the
process's checking thread (``core.background``), so that a search that finds nothing
near does not load every platform; when testing, they are read on every call.
"""

import threading
import time
from dataclasses import asdict, dataclass, field

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import TERRITORY_KINDS, Structure


@dataclass(frozen=True)
class Contact:
    """A contact to show: at least a phone, an e-mail or a website."""

    name: str | None
    phone: str | None
    email: str | None
    website: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def platform_contact() -> Contact | None:
    """The site's own contact from the settings, or None when it has none configured."""
    config = current_app.config
    phone = config.get("PLATFORM_CONTACT_PHONE") or None
    email = config.get("PLATFORM_CONTACT_EMAIL") or None
    website = config.get("PLATFORM_WEBSITE") or None
    if not (phone or email or website):
        return None
    return Contact(config.get("PLATFORM_NAME") or None, phone, email, website)


@dataclass
class Territories:
    """Who answers for each commune and each département listed by a territory."""

    by_commune: dict[str, Contact] = field(default_factory=dict)
    by_departement: dict[str, Contact] = field(default_factory=dict)
    read_at: float = 0.0  # time.monotonic() when read


def read_territories() -> Territories:
    """Read the platforms' and UTEPs' territories (one query): for each commune and each
    département, the contact of the smallest territory listing it (then the first code)."""
    rows = db.session.execute(
        select(
            Structure.name, Structure.phone, Structure.email, Structure.website, Structure.territory
        )
        .where(Structure.kind.in_(TERRITORY_KINDS), Structure.territory.is_not(None))
        .order_by(Structure.code)
    )
    tables = Territories(read_at=time.monotonic())
    by_commune: dict[str, tuple[int, Contact]] = {}
    by_departement: dict[str, tuple[int, Contact]] = {}
    for name, phone, email, website, territory in rows:
        if not (phone or email or website):
            continue
        contact = Contact(name, phone, email, website)
        for codes, best in (
            ((territory or {}).get("communes") or [], by_commune),
            ((territory or {}).get("departements") or [], by_departement),
        ):
            size = len(codes)
            for code in codes:
                if code not in best or size < best[code][0]:
                    best[code] = (size, contact)
    tables.by_commune = {code: contact for code, (_size, contact) in by_commune.items()}
    tables.by_departement = {code: contact for code, (_size, contact) in by_departement.items()}
    return tables


_lock = threading.Lock()
_cache: dict[int, Territories] = {}


def _reload() -> Territories:
    tables = read_territories()
    with _lock:
        _cache[id(db.engine)] = tables
    return tables


def territories() -> Territories:
    """The territories of the current database: read at every call when testing (unless
    ``ORIENTATION_INDEX_TTL`` is set), else kept and read again in the checking thread."""
    from ..core import background

    app = current_app
    ttl = app.config.get("ORIENTATION_INDEX_TTL", 0.0 if app.testing else 2.0)
    if ttl <= 0:
        return read_territories()
    key = id(db.engine)
    current = _cache.get(key)
    if current is None:
        current = _reload()
    if background.enabled(app):
        background.keep_checking(app._get_current_object(), f"territories-{key}", _reload, ttl)
    elif time.monotonic() - current.read_at >= ttl:
        current = _reload()
    return current


def forget_territories() -> None:
    """Forget the tables read (tests that rewrite structures under a set TTL)."""
    with _lock:
        _cache.clear()


def territory_contact(insee: str | None, departement: str | None) -> Contact | None:
    """The contact for a person living in commune ``insee`` (of ``departement``).

    The platform or UTEP whose territory lists the commune, else one whose territory
    lists the département (the smaller territory first at each level, then the code),
    else the site's own contact, else None. A structure with no phone, e-mail nor website
    is skipped.
    """
    if insee or departement:
        tables = territories()
        found = (insee and tables.by_commune.get(insee)) or (
            departement and tables.by_departement.get(departement)
        )
        if found:
            return found
    return platform_contact()


def contact_line(contact: Contact | None) -> str:
    """The contact on one line ("Name – phone – e-mail – website"), "" when None."""
    if contact is None:
        return ""
    parts = [contact.name, contact.phone, contact.email, contact.website]
    return " – ".join(p for p in parts if p)
