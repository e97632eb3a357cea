"""The security suite's world: one offer (two structures), a booking with its secret
links, a staff feed link, a referral, and a logged-in platform admin; plus every
route of the app turned into a real URL."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.routing import Rule

from etp_orient.accounts.services import reset_token
from etp_orient.booking import services as booking_services
from etp_orient.booking.models import Slot
from etp_orient.booking.participants import feed_token_for
from etp_orient.extensions import db
from etp_orient.feeds.services import issue_staff_feed_token
from tests.fixtures.booking import make_referral, person
from tests.fixtures.manage import make_user
from tests.fixtures.manage import make_world as make_manage_world

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
# Routes a generic sweep must not call: logging out ends the session under test.
SKIP_ENDPOINTS = {"accounts.logout"}


@dataclass
class SecurityWorld:
    values: dict
    manage_token: str
    feed_token: str
    staff_token: str
    reset_token: str
    admin_id: int
    other_user_id: int
    booking_id: int


@pytest.fixture
def sec_world(app_ctx, clock):
    a, b, platform_admin = make_manage_world()
    spare = Slot(
        code="slot-sec",
        programme=a.programme,
        kind="bep",
        site=a.site,
        start_at=a.slot.start_at + timedelta(days=3),
        end_at=a.slot.start_at + timedelta(days=3, minutes=45),
    )
    db.session.add(spare)
    db.session.commit()
    result = booking_services.book_slot("slot-sec", person(1))
    admin = make_user("sec-admin@example.org", is_admin=True, roles=[("coordinator", a.structure)])
    referral = make_referral(a.programme, code="k3m9x2pq")
    staff_token = issue_staff_feed_token(a.users["educator"])
    membership = a.users["referrer"].memberships[0]
    from etp_orient.webhooks.models import WebhookEndpoint

    endpoint = WebhookEndpoint(
        structure=a.structure, url="https://partenaire.example.org/etp", secret="a" * 64
    )
    db.session.add(endpoint)
    db.session.commit()
    manage_token = result.token
    values = {
        "code": a.programme.code,
        "programme_code": a.programme.code,
        "slot_code": "slot-sec",
        "cohort_code": a.cohort.code,
        "session_code": a.sessions[0].code,
        "site_code": a.site.code,
        "booking_id": result.booking.id,
        "enrollment_id": a.cohort.enrollments[0].id,
        "user_id": a.users["referrer"].id,
        "membership_id": membership.id,
        "member_id": a.programme.team[0].id,
        "slug": "mes-donnees",
        "filename": "css/site.css",
        "referral_code": referral.code,
        "structure_code": a.structure.code,
        "workshop_id": a.programme.workshops[-1].id,
        "participant_id": a.participant.id,
        "endpoint_id": endpoint.id,
        "name": "sante",  # an OpenID provider (none configured here: 404)
    }
    return SecurityWorld(
        values=values,
        manage_token=manage_token,
        feed_token=feed_token_for(manage_token),
        staff_token=staff_token,
        reset_token=reset_token(a.users["coordinator"]),
        admin_id=admin.id,
        other_user_id=a.users["referrer"].id,
        booking_id=result.booking.id,
    )


def build_url(rule: Rule, world: SecurityWorld, override: dict | None = None) -> str:
    """A real URL for ``rule`` with the world's codes and tokens (``override``: other
    values for some arguments, put in the path as they are)."""
    values = dict(world.values)
    if rule.endpoint.startswith("booking_manage."):
        values["token"] = world.manage_token
    elif rule.endpoint == "feeds.participant_ics":
        values["token"] = world.feed_token
    elif rule.endpoint == "feeds.staff_ics":
        values["token"] = world.staff_token
    elif rule.endpoint == "accounts.reset_password":
        values["token"] = world.reset_token
    if rule.endpoint in ("orientation.sheet", "orientation.send_link"):
        values["code"] = world.values["referral_code"]
    if rule.endpoint.startswith("comprendre.easy"):
        values["slug"] = "mes-donnees"
    values.update(override or {})
    # arguments with a default (one view on several paths) are not in the path
    in_path = set(rule.arguments) - set(rule.defaults or {})
    missing = in_path - set(values)
    assert not missing, f"tests/security/conftest.py: give a value for {missing} ({rule.rule})"
    args = {name: values[name] for name in in_path}
    path = rule.rule
    for name, value in args.items():
        path = re.sub(r"<(?:[a-z]+:)?" + name + ">", str(value), path)
    return path


def routes(app, method: str) -> list[Rule]:
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if method in r.methods and r.endpoint not in SKIP_ENDPOINTS
        ),
        key=lambda r: r.rule,
    )


@pytest.fixture
def admin_client(app, sec_world):
    """A client logged in as a platform admin who also coordinates structure A."""
    from etp_orient.accounts.models import User
    from tests.fixtures.manage import login_as

    client = app.test_client()
    login_as(client, db.session.get(User, sec_world.admin_id))
    return client
