"""Changing the offer from the back office: programmes, their workshops and team, sites.

Plain functions; the acting user is passed in; they flush, never commit.
"""

from sqlalchemy import func, select

from ..accounts.models import User
from ..booking.models import GroupSession
from ..catalogue.models import Condition, Programme, Site, Structure, Workshop
from ..core.models import audit
from ..extensions import db
from ..geo.models import Commune
from .team import publishable_team


class OfferError(ValueError):
    """A refused change; ``field`` names the form field the message belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _audit(action: str, actor: User, obj_type: str, obj_id) -> None:
    audit(action, actor_id=actor.id, obj_type=obj_type, obj_id=obj_id)


def code_taken(model, code: str) -> bool:
    return db.session.scalar(select(func.count()).where(model.code == code)) > 0


def create_programme(structure: Structure, code: str, title: str, *, actor: User) -> Programme:
    """A new draft programme held by ``structure``."""
    if code_taken(Programme, code):
        raise OfferError("code", field="code")
    programme = Programme(code=code, title=title, formats=["presentiel"], status="draft")
    programme.structures.append(structure)
    db.session.add(programme)
    db.session.flush()
    _audit("programme.create", actor, "programme", programme.id)
    return programme


def update_programme(programme: Programme, data: dict, *, sites: list[Site], actor: User) -> None:
    """Change the programme's description, audience, formats, conditions and sites."""
    for name in (
        "title",
        "plain_title",
        "summary_plain",
        "age_min",
        "age_max",
        "pregnancy",
        "formats",
        "completion_min_workshops",
        "ars_authorisation",
        "contact_email",
        "contact_phone",
        "languages",
        "catchment_km",
        "group_access",
        "translations",
    ):
        if name in data:
            value = data[name]
            setattr(programme, name, value if value != "" else None)
    if "conditions" in data:
        codes = list(dict.fromkeys(data["conditions"]))
        found = db.session.scalars(select(Condition).where(Condition.code.in_(codes))).all()
        by_code = {c.code: c for c in found}
        programme.conditions = [by_code[c] for c in codes if c in by_code]
    programme.sites = sites
    db.session.flush()
    _audit("programme.update", actor, "programme", programme.id)


def set_status(programme: Programme, status: str, *, actor: User) -> None:
    """Publish, suspend or put back to draft; publishing needs two professions among the
    team's named members (manage/team.py)."""
    if status == "published" and not publishable_team(programme):
        raise OfferError("team", field="status")
    if status == "published" and not programme.workshops:
        raise OfferError("workshops", field="status")
    programme.status = status
    db.session.flush()
    _audit(f"programme.{status}", actor, "programme", programme.id)


def add_workshop(programme: Programme, data: dict, *, actor: User) -> Workshop:
    """Add a workshop at the end of the programme's path."""
    if any(w.code == data["code"] for w in programme.workshops):
        raise OfferError("code", field="code")
    position = max((w.position for w in programme.workshops), default=0) + 1
    workshop = Workshop(
        code=data["code"],
        title=data["title"],
        duration_min=data.get("duration_min"),
        transversal=bool(data.get("transversal")),
        position=position,
    )
    programme.workshops.append(workshop)
    db.session.flush()
    _audit("workshop.create", actor, "programme", programme.id)
    return workshop


def save_site(site: Site | None, structure: Structure, data: dict, *, actor: User) -> Site:
    """Create or change a site; coordinates default to the commune's centre."""
    commune = db.session.get(Commune, data["commune_insee"])
    if commune is None:
        raise OfferError("commune", field="commune_insee")
    if site is None:
        if code_taken(Site, data["code"]):
            raise OfferError("code", field="code")
        site = Site(code=data["code"], structure=structure, coords_given=False)
        db.session.add(site)
    site.name = data["name"]
    site.address = data.get("address") or None
    site.postal_code = data.get("postal_code") or None
    if site.commune_insee != commune.insee or not site.coords_given:
        site.commune_insee = commune.insee
        site.lat, site.lon = commune.lat, commune.lon
    step = data.get("step_free_access")
    site.step_free_access = None if step in (None, "") else step == "1"
    site.transport = data.get("transport") or None
    site.timezone = data.get("timezone") or "Europe/Paris"
    if "translations" in data:
        site.translations = data["translations"] or None
    db.session.flush()
    _audit("site.save", actor, "site", site.id)
    return site


def move_workshop(workshop: Workshop, direction: int, *, actor: User) -> None:
    """Swap a workshop with the one before (-1) or after (+1) in the programme's path."""
    items = list(workshop.programme.workshops)
    index = items.index(workshop)
    other = index + direction
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
    db.session.flush()
    _audit("workshop.move", actor, "programme", workshop.programme_id)


def remove_workshop(workshop: Workshop, *, actor: User) -> None:
    """Remove a workshop that no session uses yet."""
    used = db.session.scalar(
        select(func.count(GroupSession.id)).where(GroupSession.workshop_id == workshop.id)
    )
    if used:
        raise OfferError("workshop_used", field="workshops")
    programme = workshop.programme
    programme.workshops.remove(workshop)
    db.session.flush()
    _audit("workshop.remove", actor, "programme", programme.id)


def update_workshop(workshop: Workshop, data: dict, *, actor: User) -> None:
    """Change a workshop's title, plain description, translations, length and openness
    (not its code)."""
    workshop.title = data["title"]
    workshop.summary_plain = (data.get("summary_plain") or "").strip() or None
    workshop.duration_min = data.get("duration_min")
    workshop.transversal = bool(data.get("transversal"))
    if "translations" in data:
        workshop.translations = data["translations"] or None
    db.session.flush()
    _audit("workshop.update", actor, "programme", workshop.programme_id)
