"""Registering and removing endpoints; their recent deliveries."""

import secrets

from sqlalchemy import select

from ..accounts.models import User
from ..catalogue.models import Structure
from ..core.models import audit
from ..extensions import db
from ..notify.models import OutboxMessage
from .models import WebhookEndpoint
from .urls import check_url

RECENT_DELIVERIES = 20


def register(
    structure: Structure, url: str, *, include_personal: bool, actor: User
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (the only time the secret is shown)."""
    url = check_url(url)
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint(
        structure=structure,
        url=url,
        secret=secret,
        include_personal=include_personal,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    audit(
        "webhook.create",
        actor_id=actor.id,
        obj_type="webhook",
        obj_id=endpoint.id,
        structure=structure.code,
        include_personal=include_personal,
    )
    return endpoint, secret


def remove(endpoint: WebhookEndpoint, *, actor: User) -> None:
    """Turn the endpoint off: nothing more is queued or sent to it; its history stays."""
    endpoint.active = False
    db.session.flush()
    audit("webhook.remove", actor_id=actor.id, obj_type="webhook", obj_id=endpoint.id)


def endpoints_of(structure_ids: set[int] | None) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.structure_id, WebhookEndpoint.id)
    if structure_ids is not None:
        query = query.where(WebhookEndpoint.structure_id.in_(structure_ids))
    return list(db.session.scalars(query))


def recent_deliveries(endpoint: WebhookEndpoint) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.webhook_id == endpoint.id)
            .order_by(OutboxMessage.id.desc())
            .limit(RECENT_DELIVERIES)
        )
    )
