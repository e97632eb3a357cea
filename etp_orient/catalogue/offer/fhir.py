"""The published offer as a FHIR R4 ``Bundle`` (type ``collection``).

Structures become ``Organization``, sites ``Location`` (address and position), published
programmes ``HealthcareService``: one per running structure, each carrying the
programme's code as an identifier, so that a directory that files services under an
organisation (as the ROR does) can take each one. Conditions are coded characteristics
in our taxonomy's code system, ``{BASE_URL}/api/v1/conditions``.

The ANS ROR profiles (``ans.fhir.fr.ror``, FHIR 4.0.1) are named in ``meta.profile`` only
where our content fits them: ``RORLocation`` (its required elements are the commune's
official code, the creation date and the last update, which we have). ``ROROrganization``
needs a FINESS-based national identifier and ``RORHealthcareService`` national codes
(activity field, care mode…) that the offer does not record, so those resources are
plain R4.

Only the offer: no participant, booking or staff account appears; team members' names
are left out.
"""

import hashlib
import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...core.clock import now
from ...extensions import db
from ...geo.models import Commune
from ..models import Programme, Site, Structure

ROR = "https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition"
ROR_LOCATION = f"{ROR}/ror-location"
COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
FHIR_MIME = "application/fhir+json"
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_PLAIN_FORMAT = {
    "presentiel": "Sur place",
    "distanciel": "À distance",
    "mixte": "En partie à distance",
}
_PREGNANCY = {
    "required": "Pendant la grossesse seulement",
    "excluded": "Pas pendant la grossesse",
}


def fhir_id(*parts: str) -> str:
    """A FHIR id (64 characters of ``[A-Za-z0-9-.]`` at most) from our codes, stable."""
    value = "--".join(parts)
    if _ID.match(value):
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    cleaned = re.sub(r"[^A-Za-z0-9\-.]", "-", value)[:47]
    return f"{cleaned}-{digest}"


def _instant(value) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _systems(base: str) -> dict[str, str]:
    api = f"{base}/api/v1"
    return {
        "conditions": f"{api}/conditions",
        "programmes": f"{api}/programmes",
        "structures": f"{api}/fhir/structures",
        "sites": f"{api}/fhir/sites",
        "formats": f"{api}/fhir/formats",
        "eligibility": f"{api}/fhir/eligibility",
        "kinds": f"{api}/fhir/structure-kinds",
    }


def _telecom(phone=None, email=None, url=None) -> list[dict]:
    items = []
    if phone:
        items.append({"system": "phone", "value": phone, "use": "work"})
    if email:
        items.append({"system": "email", "value": email, "use": "work"})
    if url:
        items.append({"system": "url", "value": url, "use": "work"})
    return items


def _organization(structure: Structure, systems: dict) -> dict:
    resource = {
        "resourceType": "Organization",
        "id": fhir_id("structure", structure.code),
        "meta": {"lastUpdated": _instant(structure.updated_at)},
        "identifier": [{"system": systems["structures"], "value": structure.code}],
        "active": True,
        "type": [{"coding": [{"system": systems["kinds"], "code": structure.kind}]}],
        "name": structure.name,
    }
    telecom = _telecom(structure.phone, structure.email, structure.website)
    if telecom:
        resource["telecom"] = telecom
    commune = db.session.get(Commune, structure.commune_insee) if structure.commune_insee else None
    if commune is not None:
        resource["address"] = [{"use": "work", "city": commune.name, "country": "FR"}]
    return resource


def _location(site: Site, systems: dict) -> dict:
    commune = site.commune
    postal = site.postal_code
    if not postal and commune is not None and commune.postal_codes:
        postal = min(p.code for p in commune.postal_codes)
    address = {"use": "work", "type": "physical", "text": site.address_line, "country": "FR"}
    if site.address:
        address["line"] = [site.address]
    if commune is not None:
        address["city"] = commune.name
    if postal:
        address["postalCode"] = postal
    resource = {
        "resourceType": "Location",
        "id": fhir_id("site", site.code),
        "meta": {"lastUpdated": _instant(site.updated_at), "profile": [ROR_LOCATION]},
        "extension": [
            {
                "url": f"{ROR}/ror-commune-cog",
                "valueCodeableConcept": {
                    "coding": [{"system": COMMUNE_SYSTEM, "code": site.commune_insee}]
                },
            },
            {"url": f"{ROR}/ror-meta-creation-date", "valueDateTime": _instant(site.created_at)},
        ],
        "identifier": [{"system": systems["sites"], "value": site.code}],
        "status": "active",
        "name": site.name,
        "mode": "instance",
        "address": address,
        "position": {"latitude": site.lat, "longitude": site.lon},
        "managingOrganization": {
            "reference": f"Organization/{fhir_id('structure', site.structure.code)}",
            "display": site.structure.name,
        },
    }
    if site.transport:
        resource["description"] = site.transport
    return resource


def _eligibility(programme: Programme, systems: dict) -> list[dict]:
    items = []
    low, high = programme.age_min, programme.age_max
    if low is not None or high is not None:
        if low is not None and high is not None:
            text = f"De {low} à {high} ans"
        elif low is not None:
            text = f"À partir de {low} ans"
        else:
            text = f"Jusqu'à {high} ans"
        items.append(
            {
                "code": {
                    "coding": [{"system": systems["eligibility"], "code": "age"}],
                    "text": text,
                },
                "comment": text,
            }
        )
    if programme.pregnancy in _PREGNANCY:
        items.append(
            {
                "code": {
                    "coding": [
                        {
                            "system": systems["eligibility"],
                            "code": f"pregnancy-{programme.pregnancy}",
                        }
                    ],
                    "text": _PREGNANCY[programme.pregnancy],
                },
            }
        )
    return items


def _services(programme: Programme, systems: dict, base: str) -> list[dict]:
    """One HealthcareService per structure running the programme (the holder first)."""
    structures = list(programme.structures)
    if not structures:
        return []
    sites_of: dict[int, list[Site]] = {s.id: [] for s in structures}
    for site in programme.sites:
        owner = site.structure_id if site.structure_id in sites_of else structures[0].id
        sites_of[owner].append(site)
    characteristics = [
        {
            "coding": [{"system": systems["conditions"], "code": c.code, "display": c.plain_label}],
            "text": c.plain_label,
        }
        for c in programme.conditions
    ] + [
        {
            "coding": [{"system": systems["formats"], "code": f, "display": _PLAIN_FORMAT[f]}],
            "text": _PLAIN_FORMAT[f],
        }
        for f in programme.formats
        if f in _PLAIN_FORMAT
    ]
    page = f"{base}/programmes/{programme.code}"
    services = []
    for structure in structures:
        own_id = (
            fhir_id("programme", programme.code)
            if len(structures) == 1
            else fhir_id("programme", programme.code, structure.code)
        )
        service = {
            "resourceType": "HealthcareService",
            "id": own_id,
            "meta": {"lastUpdated": _instant(programme.updated_at)},
            "identifier": [{"system": systems["programmes"], "value": programme.code}],
            "active": True,
            "providedBy": {
                "reference": f"Organization/{fhir_id('structure', structure.code)}",
                "display": structure.name,
            },
            "category": [{"text": "Éducation thérapeutique du patient (ETP)"}],
            "name": programme.title,
            "telecom": _telecom(programme.contact_phone, programme.contact_email, page),
            "appointmentRequired": True,
            "program": [{"text": programme.title}],
        }
        if programme.plain_title:
            service["comment"] = programme.plain_title
        if programme.summary_plain:
            service["extraDetails"] = programme.summary_plain
        locations = sites_of[structure.id]
        if locations:
            service["location"] = [
                {"reference": f"Location/{fhir_id('site', s.code)}", "display": s.name}
                for s in locations
            ]
        if characteristics:
            service["characteristic"] = characteristics
        eligibility = _eligibility(programme, systems)
        if eligibility:
            service["eligibility"] = eligibility
        service["communication"] = [
            {"coding": [{"system": LANGUAGE_SYSTEM, "code": code}]}
            for code in (programme.languages or ["fr"])
        ]
        if programme.ars_authorisation:
            service["identifier"].append(
                {"type": {"text": "Autorisation ARS"}, "value": programme.ars_authorisation}
            )
        services.append(service)
    return services


def offer_bundle(base_url: str) -> dict:
    """The published offer as a FHIR R4 Bundle (a JSON-ready dict)."""
    base = base_url.rstrip("/")
    systems = _systems(base)
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.status == "published")
        .order_by(Programme.code)
        .options(
            selectinload(Programme.structures),
            selectinload(Programme.conditions),
            selectinload(Programme.sites).selectinload(Site.structure),
            selectinload(Programme.sites).selectinload(Site.commune),
        )
    ).all()
    structures: dict[int, Structure] = {}
    sites: dict[int, Site] = {}
    for programme in programmes:
        for structure in programme.structures:
            structures[structure.id] = structure
        for site in programme.sites:
            sites[site.id] = site
            structures[site.structure.id] = site.structure
    resources = [
        *(_organization(s, systems) for s in sorted(structures.values(), key=lambda s: s.code)),
        *(_location(s, systems) for s in sorted(sites.values(), key=lambda s: s.code)),
        *(service for p in programmes for service in _services(p, systems, base)),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(now()),
        "entry": [
            {
                "fullUrl": f"{base}/api/v1/fhir/{r['resourceType']}/{r['id']}",
                "resource": _drop_empty(r),
            }
            for r in resources
        ],
    }


def _drop_empty(value):
    """FHIR forbids empty strings, lists and objects and nulls: leave them out."""
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        cleaned = [_drop_empty(v) for v in value]
        return [v for v in cleaned if v not in (None, "", [], {})]
    return value
