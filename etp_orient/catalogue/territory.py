"""Who to call when nothing is near: the platform that answers for a person's commune.

A structure of kind ``platform`` or ``utep`` may declare a territory
(``{"departements": [...], "communes": [...]}``, see ``Structure.territory``).
For a commune, the contact is the platform whose territory names the commune
itself (a commune list beats a département); between two of the same level, the
smaller territory (fewer communes, or fewer départements) wins, then the code.
When none does, the platform's own contact from the settings (``PLATFORM_NAME``,
``PLATFORM_CONTACT_PHONE``, ``PLATFORM_CONTACT_EMAIL``, ``PLATFORM_WEBSITE``);
when the site has none either, ``None``: never a placeholder.
"""

from dataclasses import asdict, dataclass

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


def _contact_of(structure: Structure) -> Contact | None:
    if not (structure.phone or structure.email or structure.website):
        return None
    return Contact(structure.name, structure.phone, structure.email, structure.website)


def platform_contact() -> Contact | None:
    """The site's own contact from the settings, or None when it has none configured."""
    config = current_app.config
    phone = config.get("PLATFORM_CONTACT_PHONE") or None
    email = config.get("PLATFORM_CONTACT_EMAIL") or None
    website = config.get("PLATFORM_WEBSITE") or None
    if not (phone or email or website):
        return None
    return Contact(config.get("PLATFORM_NAME") or None, phone, email, website)


def territory_contact(insee: str | None, departement: str | None) -> Contact | None:
    """The contact for a person living in commune ``insee`` (of ``departement``).

    The platform or UTEP whose territory lists the commune, else one whose territory
    lists the département (the smaller territory first at each level), else the site's
    own contact, else None. A structure with no phone, e-mail nor website is skipped.
    """
    best = None
    if insee or departement:
        rows = db.session.scalars(
            select(Structure)
            .where(Structure.kind.in_(TERRITORY_KINDS), Structure.territory.is_not(None))
            .order_by(Structure.code)
        )
        for structure in rows:
            territory = structure.territory or {}
            communes = territory.get("communes") or []
            departements = territory.get("departements") or []
            if insee and insee in communes:
                rank = (0, len(communes))
            elif departement and departement in departements:
                rank = (1, len(departements))
            else:
                continue
            contact = _contact_of(structure)
            if contact is not None and (best is None or rank < best[0]):
                best = (rank, contact)
    if best is not None:
        return best[1]
    return platform_contact()


def contact_line(contact: Contact | None) -> str:
    """The contact on one line ("Name – phone – e-mail – website"), "" when None."""
    if contact is None:
        return ""
    parts = [contact.name, contact.phone, contact.email, contact.website]
    return " – ".join(p for p in parts if p)
