"""Reasons in plain words, in the reader's language, and the JSON shape of an orientation."""

from functools import lru_cache

from babel.dates import format_date
from flask import current_app

from ..catalogue.territory import territory_contact
from ..core.i18n import current_language, translations
from .matching import Orientation, ProgrammeResult, Reason


def condition_label(code: str, conditions: dict, language: str | None = None) -> str:
    """The plain label of a condition in ``language`` (French when not translated)."""
    node = conditions.get(code)
    if node is None:
        return code
    language = language or current_language()
    translated = (node.get("translations") or {}).get(language, {})
    return translated.get("plain_label") or node["plain_label"]


def local_day(value, timezone: str, language: str | None = None) -> str:
    """The day and month ("3 décembre") in the reader's language and the place's zone."""
    from zoneinfo import ZoneInfo

    return _day_month(value.astimezone(ZoneInfo(timezone)).date(), language or current_language())


@lru_cache(maxsize=4096)
@lru_cache(maxsize=4096)
def _day_month(day, language: str) -> str:
    """(Babel's formatting is slow, and a page shows the same few days many times.)"""
    return format_date(day, "d MMMM", locale=language)


def _km(value: float) -> str:
    return str(max(1, round(value)))


def translator():
    """A fast gettext for the current request (reasons are many per page); it also
    carries the language code as ``_.language``."""
    found = translations()

    def _(message: str, **values) -> str:
        text = found.ugettext(message)
        return text % values if values else text

    _.language = current_language()
    return _


def reason_text(reason: Reason, conditions: dict, _=None) -> str:
    """One reason as a short sentence."""
    _ = _ or translator()
    kind = reason.kind
    if kind == "condition":
        return _("Pour : %(label)s", label=condition_label(reason.value, conditions, _.language))
    if kind == "distance":
        if reason.value < 1:
            return _("À moins d'1 km de chez vous")
        return _("À %(km)s km de chez vous", km=_km(reason.value))
    if kind == "beyond":
        return _(
            "À %(km)s km de chez vous, plus loin que %(limit)s km",
            km=_km(reason.value),
            limit=_km(reason.extra),
        )
    if kind == "remote":
        return _("Possible à distance, de chez vous")
    if kind == "partly_remote":
        return _("En partie à distance")
    if kind == "next_bep":
        slot = reason.value
        return _(
            "Prochain rendez-vous le %(day)s", day=local_day(slot.start, slot.timezone, _.language)
        )
    if kind == "no_bep":
        return _("Pas de rendez-vous en ligne pour l'instant : appelez le contact")
    if kind == "next_cohort":
        cohort = reason.value
        return _(
            "Prochain groupe à partir du %(day)s",
            day=local_day(cohort.start, cohort.timezone, _.language),
        )
    if kind == "pregnancy_required":
        return _("Pour les femmes enceintes")
    if kind == "age":
        low, high = reason.value, reason.extra
        if low is not None and high is not None and high < 18:
            return _("Pour les enfants de %(low)s à %(high)s ans", low=low, high=high)
        if low is not None and high is not None:
            return _("De %(low)s à %(high)s ans", low=low, high=high)
        if low is not None:
            return _("À partir de %(low)s ans", low=low)
        return _("Jusqu'à %(high)s ans", high=high)
    return kind


def reasons_text(result: ProgrammeResult, conditions: dict, translate=None) -> list[str]:
    translate = translate or translator()
    return [reason_text(r, conditions, translate) for r in result.reasons]


def _iso(value, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(timezone)).isoformat()


def result_dict(
    result: ProgrammeResult, conditions: dict, listing: str, base: str, translate
) -> dict:
    """One result in the API shape (DESIGN §4)."""
    entry = result.programme
    return {
        "programme": entry.code,
        "title": entry.display_title,
        "official_title": entry.title,
        "listing": listing,
        "distance_km": None if result.distance_km is None else round(result.distance_km, 1),
        "site": None
        if result.site is None
        else {
            "code": result.site.code,
            "name": result.site.name,
            "commune": result.site.commune_name,
        },
        "formats": list(entry.formats),
        "remote": entry.remote,
        "conditions": result.matched_codes,
        "next_bep_slot": None
        if result.next_bep is None
        else {
            "code": result.next_bep.code,
            "start": _iso(result.next_bep.start, result.next_bep.timezone),
            "end": _iso(result.next_bep.end, result.next_bep.timezone),
            "remote": result.next_bep.remote,
        },
        "next_cohort_start": None
        if result.next_cohort is None
        else _iso(result.next_cohort.start, result.next_cohort.timezone),
        "reasons": reasons_text(result, conditions, translate),
        "url": f"{base}/programmes/{entry.code}",
    }


def orientation_dict(orientation: Orientation, conditions: dict) -> dict:
    """The whole answer in the API shape (DESIGN §4), documented in docs/api.md."""
    place = orientation.place
    base = current_app.config["BASE_URL"]
    translate = translator()
    results = [result_dict(r, conditions, "nearby", base, translate) for r in orientation.results]
    results += [result_dict(r, conditions, "remote", base, translate) for r in orientation.remote]
    answer = {
        "query": {
            "q": orientation.q,
            "understood": orientation.understood,
            "conditions": orientation.conditions,
            "named_conditions": orientation.named_conditions,
            "commune": {
                "insee": place.insee,
                "name": place.name,
                "departement": place.departement,
                "postal_codes": list(place.postal_codes),
                "lat": place.lat,
                "lon": place.lon,
                # added by issue 16: a postal code's area (insee null) and its communes
                "postal_code": place.postal_code,
                "communes": [
                    {
                        "insee": c.insee,
                        "name": c.name,
                        "departement": c.departement,
                        "population": c.population,
                    }
                    for c in place.communes
                ],
                "typed": place.typed,
            },
            "age": orientation.age,
            "pregnant": orientation.pregnant,
            "child": orientation.child,
            "format": orientation.format,
            "radius_km": orientation.radius_km,
        },
        "results": results,
        "elsewhere": [
            result_dict(r, conditions, "elsewhere", base, translate) for r in orientation.elsewhere
        ],
        "nothing_nearby": orientation.nothing_nearby,
    }
    if orientation.nothing_nearby:
        contact = territory_contact(place.insee, place.departement)
        answer["contact"] = contact.as_dict() if contact else None
    return answer


def day_filter(value, timezone: str | None = None) -> str:
    """Jinja ``orient_day``: "3 décembre 2026" in the reader's language (and the given zone)."""
    from zoneinfo import ZoneInfo

    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        value = value.astimezone(ZoneInfo(timezone or "Europe/Paris")).date()
    return format_date(value, "long", locale=current_language())


def slot_filter(local_start) -> str:
    """Jinja ``orient_slot``: "mercredi 3 décembre 2026, 10:00" (already in local time)."""
    from babel.dates import format_time

    language = current_language()
    day = format_date(local_start.date(), "full", locale=language)
    return f"{day}, {format_time(local_start, 'short', locale=language)}"
