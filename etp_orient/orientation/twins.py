"""Results that share a title: who runs each one and where, so that they can be told apart."""

from collections import Counter

from sqlalchemy import select

from ..catalogue.localize import localized
from ..catalogue.models import Structure, programme_structures
from ..core.i18n import current_language
from ..extensions import db
from ..geo.models import Commune


def twin_lines(orientation) -> dict[int, str]:
    """Programme id → "Structure, Town" for the results whose shown title (in the reader's
    language) appears more than once in the answer; the town is the result's site's, or the
    holding structure's for a programme followed from home."""
    results = [*orientation.results, *orientation.remote, *orientation.elsewhere]
    language = current_language()
    titles = [str(localized(r.programme, "display_title", language)) for r in results]
    counts = Counter(titles)
    twins = [r for r, title in zip(results, titles, strict=True) if counts[title] > 1]
    if not twins:
        return {}
    holders: dict[int, tuple[str, str | None]] = {}
    rows = db.session.execute(
        select(programme_structures.c.programme_id, Structure.name, Commune.name)
        .join(Structure, Structure.id == programme_structures.c.structure_id)
        .outerjoin(Commune, Commune.insee == Structure.commune_insee)
        .where(programme_structures.c.programme_id.in_({r.programme.id for r in twins}))
        .order_by(programme_structures.c.programme_id, programme_structures.c.position)
    )
    for programme_id, name, town in rows:
        holders.setdefault(programme_id, (name, town))
    lines = {}
    for result in twins:
        name, town = holders.get(result.programme.id, ("", None))
        if result.site is not None:
            town = result.site.commune_name or town
        lines[result.programme.id] = ", ".join(p for p in (name, town) if p)
    return lines
