"""Access control over every back-office route.

Every rule of ``app.url_map`` under ``/gestion`` is listed at collection time, so a
new route is covered without editing this file. For each route, method and role
held in structure A, structure B's object (its code or id in the URL) answers 404;
a route without an object answers without B's names anywhere in the page.
A route whose URL parameter is unknown below makes the test fail: add its B value.
"""

import pytest

from etp_orient import create_app
from etp_orient.accounts.models import User
from etp_orient.booking.models import Enrollment
from etp_orient.extensions import db
from etp_orient.webhooks.models import WebhookEndpoint
from tests.fixtures.manage import STAFF_ROLES, login_as, make_world

B_SECRETS = ("Programme secret B", "PatientB", "grp-b", "Structure B", "patient-b@")


def _rules():
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False}
    )
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/gestion"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method, tuple(sorted(rule.arguments))))
    return sorted(found)


RULES = _rules()


def _b_values(b, platform_admin) -> dict:
    enrollment = db.session.query(Enrollment).filter_by(cohort_id=b.cohort.id).first()
    membership = b.users["coordinator"].memberships[0]
    endpoint = WebhookEndpoint(
        structure=b.structure, url="https://partenaire-b.example.org/etp", secret="b" * 64
    )
    db.session.add(endpoint)
    db.session.flush()
    return {
        "endpoint_id": endpoint.id,
        "programme_code": b.programme.code,
        "site_code": b.site.code,
        "cohort_code": b.cohort.code,
        "session_code": b.sessions[0].code,
        "slot_code": b.slot.code,
        "structure_code": b.structure.code,
        "enrollment_id": enrollment.id,
        "participant_id": b.participant.id,
        "user_id": b.users["coordinator"].id,
        "membership_id": membership.id,
        "workshop_id": b.programme.workshops[0].id,
        "member_id": b.programme.team[0].id,
    }


def _url(rule: str, values: dict) -> str:
    url = rule
    for name, value in values.items():
        for converter in ("", "int:", "string:"):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"unknown URL parameter in {rule}: add its B value to _b_values"
    return url


def test_rules_were_found():
    assert any(r[0] == "/gestion/" for r in RULES)
    assert len(RULES) > 5


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("rule", "method", "arguments"), RULES)
def test_structure_a_never_reaches_structure_b(app, client, clock, rule, method, arguments, role):
    with app.app_context():
        a, b, platform_admin = make_world()
        values = _b_values(b, platform_admin)
        login_as(client, a.users[role])
    url = _url(rule, values)
    response = client.open(url, method=method, data={})
    body = response.get_data(as_text=True)
    if arguments:
        assert response.status_code == 404, f"{method} {url} as {role}: {response.status_code}"
    else:
        assert response.status_code in (200, 302, 303, 400, 403, 404), (
            f"{method} {url} as {role}: {response.status_code}"
        )
    for secret in B_SECRETS:
        if secret in url:  # the language links repeat the path
            continue
        assert secret not in body, f"{method} {url} as {role} shows {secret!r}"


# Pages with no object in the URL that list people: their query strings reach B's dates.
PEOPLE_PAGES = (
    "/gestion/planning?date=2026-11-25&vue=semaine",
    "/gestion/planning?date=2026-11-25",
)


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("url", PEOPLE_PAGES)
def test_people_pages_never_show_structure_b(app, client, clock, url, role):
    with app.app_context():
        make_world()  # A's and B's sessions on 25 November
        a_user = db.session.scalar(db.select(User).where(User.email == f"{role}-a@example.org"))
        login_as(client, a_user)
    response = client.get(url)
    assert response.status_code == (403 if role == "referrer" else 200)
    body = response.get_data(as_text=True)
    for secret in B_SECRETS:
        assert secret not in body, f"{url} as {role} shows {secret!r}"
