"""GET /api/v1/fhir/offer: the published offer as a FHIR R4 Bundle (catalogue.offer.fhir)."""

import json

from flask import Response, current_app, request

from ..catalogue.offer.fhir import FHIR_MIME, offer_bundle
from .views import bp


@bp.get("/fhir/offer")
def fhir_offer():
    """Organizations, Locations and HealthcareServices of the published offer."""
    base = current_app.config.get("BASE_URL") or request.url_root
    body = json.dumps(offer_bundle(base), ensure_ascii=False, separators=(",", ":"))
    return Response(body, mimetype=FHIR_MIME)
