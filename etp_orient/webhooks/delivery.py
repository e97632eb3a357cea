"""Delivering one webhook event: sign it, POST it, tell the sender how it went.

Headers: ``X-ETP-Event-Id`` (the same on every try: the receiver drops a repeat),
``X-ETP-Timestamp`` (Unix seconds, when this try was made) and ``X-ETP-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>``. Any 2xx
answer is a delivery; anything else, or no answer within :data:`TIMEOUT_SECONDS`, is
retried by the outbox sender with its back-off (``notify.sending``).
"""

import hashlib
import hmac

import requests

from ..core.clock import now
from ..extensions import db
from ..notify.models import OutboxMessage
from .models import WebhookEndpoint
from .urls import EndpointRefused, check_url

TIMEOUT_SECONDS = 10
USER_AGENT = "etp-orient-webhooks/1"


class DeliveryFailed(Exception):
    """The receiver did not take the event (retried)."""


class EndpointGone(Exception):
    """The endpoint was turned off or is refused now: retrying will not help."""


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def deliver(message: OutboxMessage) -> None:
    """POST the event; returns on a 2xx answer, raises otherwise."""
    endpoint = db.session.get(WebhookEndpoint, message.webhook_id)
    if endpoint is None or not endpoint.active:
        raise EndpointGone("endpoint turned off")
    try:
        url = check_url(endpoint.url)
    except EndpointRefused as refused:
        raise EndpointGone(str(refused)) from refused
    timestamp = str(int(now().timestamp()))
    body = message.body_text
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-ETP-Event": message.template,
        "X-ETP-Event-Id": message.subject or "",
        "X-ETP-Timestamp": timestamp,
        "X-ETP-Signature": sign(endpoint.secret, timestamp, body),
    }
    try:
        answer = requests.post(
            url,
            data=body.encode("utf-8"),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise DeliveryFailed(f"no answer: {type(error).__name__}") from error
    if not 200 <= answer.status_code < 300:
        raise DeliveryFailed(f"HTTP {answer.status_code}")
