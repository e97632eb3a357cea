"""Webhook endpoints of a structure: register (secret shown once), remove, deliveries."""

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField

from ..accounts.permissions import check_structures, staff_required, structure_ids
from ..catalogue.models import Structure
from ..core.forms import BaseForm
from ..extensions import db
from ..webhooks import services
from ..webhooks.models import WebhookEndpoint
from ..webhooks.urls import EndpointRefused
from .blueprint import bp


class EndpointForm(BaseForm):
    structure = SelectField(_l("Structure"), choices=[])
    url = StringField(
        _l("Adresse qui reçoit les événements"),
        description=_l("Commence par https://. Les adresses de réseaux privés sont refusées."),
    )
    include_personal = BooleanField(
        _l("Joindre le nom et les coordonnées de la personne"),
        description=_l(
            "Seulement avec une convention de traitement des données signée avec le destinataire."
        ),
    )


def _structures() -> list[Structure]:
    ids = structure_ids(current_user, "manage")
    query = select(Structure).order_by(Structure.name)
    if ids is not None:
        query = query.where(Structure.id.in_(ids))
    return list(db.session.scalars(query))


def _page(form: EndpointForm, status: int = 200, secret: str | None = None, created=None):
    endpoints = services.endpoints_of(structure_ids(current_user, "manage"))
    return render_template(
        "manage/webhooks.html",
        form=form,
        endpoints=endpoints,
        deliveries={e.id: services.recent_deliveries(e) for e in endpoints},
        secret=secret,
        created=created,
        tz=ZoneInfo("Europe/Paris"),
    ), status


@bp.route("/webhooks", methods=["GET", "POST"])
@staff_required("manage")
def webhooks():
    structures = _structures()
    form = EndpointForm()
    form.structure.choices = [(s.code, s.name) for s in structures]
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 400)
    structure = next((s for s in structures if s.code == form.structure.data), None)
    if structure is None:
        abort(404)
    try:
        endpoint, secret = services.register(
            structure,
            form.url.data or "",
            include_personal=bool(form.include_personal.data),
            actor=current_user,
        )
    except EndpointRefused as refused:
        db.session.rollback()
        form.url.errors = [str(refused)]
        return _page(form, 400)
    db.session.commit()
    # the secret is shown on this answer only (no redirect: it is never stored in a flash)
    return _page(EndpointForm(formdata=None), 201, secret=secret, created=endpoint)


@bp.post("/webhooks/<int:endpoint_id>/supprimer")
@staff_required("manage")
def webhook_remove(endpoint_id: int):
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    check_structures([endpoint.structure_id], "manage")
    services.remove(endpoint, actor=current_user)
    db.session.commit()
    flash(_("L'adresse ne recevra plus d'événements."), "info")
    return redirect(url_for(".webhooks"))
