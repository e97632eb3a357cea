"""GET /api/v1/programmes/<code>: one published programme, its open BEP slots and cohorts."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, jsonify

from ..core.clock import now
from ..orientation.availability import open_bep_slots, upcoming_cohorts
from ..orientation.services import published_programme
from .views import bp


def _iso(value, timezone: str) -> str | None:
    return None if value is None else value.astimezone(ZoneInfo(timezone)).isoformat()


@bp.get("/programmes/<code>")
def programme(code: str):
    """A published programme (404 JSON for an unknown, draft or suspended one)."""
    found = published_programme(code)
    if found is None:
        abort(404)
    at = now()
    base = current_app.config["BASE_URL"]
    return jsonify(
        {
            "code": found.code,
            "title": found.title,
            "plain_title": found.plain_title,
            "summary": found.summary_plain,
            "conditions": [c.code for c in found.conditions],
            "audience": {
                "age_min": found.age_min,
                "age_max": found.age_max,
                "pregnancy": found.pregnancy,
            },
            "formats": list(found.formats),
            "languages": list(found.languages),
            "group_access": found.group_access,
            "catchment_km": found.catchment_km,
            "structures": [
                {"code": s.code, "name": s.name, "kind": s.kind} for s in found.structures
            ],
            "sites": [
                {
                    "code": s.code,
                    "name": s.name,
                    "address": s.address,
                    "postal_code": s.postal_code,
                    "commune": s.commune_insee,
                    "lat": s.lat,
                    "lon": s.lon,
                    "step_free_access": s.step_free_access,
                    "transport": s.transport,
                    "timezone": s.timezone,
                }
                for s in found.sites
            ],
            "team": found.professions,
            "workshops": [
                {"code": w.code, "title": w.title, "duration_min": w.duration_min}
                for w in found.workshops
            ],
            "contact": {
                "name": found.contact_name,
                "email": found.contact_email,
                "phone": found.contact_phone,
            },
            "free": True,
            "bep_slots": [
                {
                    "code": slot.code,
                    "start": _iso(slot.start_at, slot.timezone),
                    "end": _iso(slot.end_at, slot.timezone),
                    "remote": slot.remote,
                    "site": slot.site.code if slot.site else None,
                    "available": True,
                    "url": f"{base}/rdv/{slot.code}",
                }
                for slot in open_bep_slots(found, at)
            ],
            "cohorts": [
                {
                    "code": info.cohort.code,
                    "start": _iso(info.start, info.cohort.timezone),
                    "format": info.cohort.format,
                    "site": info.cohort.site.code if info.cohort.site else None,
                    "sessions": info.sessions,
                    "capacity": info.cohort.capacity,
                    "seats_taken": info.cohort.seats_taken,
                    "waitlist_length": info.waitlist_length,
                    "registration_open": info.registration_open,
                    "url": f"{base}/groupes/{info.cohort.code}",
                }
                for info in upcoming_cohorts(found, at)
            ],
            "booking_url": f"{base}/programmes/{found.code}/rdv",
            "url": f"{base}/programmes/{found.code}",
        }
    )
