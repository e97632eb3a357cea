"""Results that share a title: who runs each one and where, so that they can be told apart."""

from collections import Counter

from ..catalogue.localize import localized
from ..core.i18n import current_language
from .index import get_index


def twin_lines(orientation) -> dict[int, str]:
    """Programme id → "Structure, Town" for the results whose shown title (in the reader's
    language) appears more than once in the answer; the town is the result's site's, or the
    holding structure's for a programme followed from home. The structures come from the
    offer index held in memory (``OfferIndex.holders``), not from a query per page."""
    results = [*orientation.results, *orientation.remote, *orientation.elsewhere]
    language = current_language()
    titles = [str(localized(r.programme, "display_title", language)) for r in results]
    counts = Counter(titles)
    twins = [r for r, title in zip(results, titles, strict=True) if counts[title] > 1]
    if not twins:
        return {}
    holders = get_index().holders
    lines = {}
    for result in twins:
        name, town = holders.get(result.programme.id, ("", None))
        if result.site is not None:
            town = result.site.commune_name or town
        lines[result.programme.id] = ", ".join(p for p in (name, town) if p)
    return lines
