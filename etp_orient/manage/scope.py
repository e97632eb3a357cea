"""What part of the territory a staff user sees: their structures' programmes."""

from sqlalchemy import Select, select

from ..accounts.models import User
from ..accounts.permissions import structure_ids
from ..catalogue.models import Programme, Site, Structure, programme_structures
from ..extensions import db
from ..geo.models import Commune


def programme_ids_query(user: User, level: str = "read") -> Select:
    """SELECT of the ids of the programmes run by the user's structures (all for an admin)."""
    ids = structure_ids(user, level)
    query = select(Programme.id)
    if ids is None:
        return query
    return (
        select(programme_structures.c.programme_id)
        .where(programme_structures.c.structure_id.in_(ids or [-1]))
        .distinct()
    )


def structures_query(user: User, level: str = "read") -> Select:
    ids = structure_ids(user, level)
    query = select(Structure).order_by(Structure.name)
    if ids is not None:
        query = query.where(Structure.id.in_(ids or [-1]))
    return query


def sites_query(user: User, level: str = "read") -> Select:
    ids = structure_ids(user, level)
    query = select(Site).order_by(Site.name)
    if ids is not None:
        query = query.where(Site.structure_id.in_(ids or [-1]))
    return query


def departements(user: User) -> set[str] | None:
    """Départements of the user's structures (their seat's and their sites' communes).

    None for a platform admin: the whole platform.
    """
    ids = structure_ids(user, "read")
    if ids is None:
        return None
    ids = ids or {-1}
    seats = (
        select(Commune.departement)
        .join(Structure, Structure.commune_insee == Commune.insee)
        .where(Structure.id.in_(ids))
    )
    places = (
        select(Commune.departement)
        .join(Site, Site.commune_insee == Commune.insee)
        .where(Site.structure_id.in_(ids))
    )
    return set(db.session.scalars(seats.union(places)))
