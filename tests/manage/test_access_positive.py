"""The other side of the access test: a coordinator does reach their own objects."""

import pytest

from tests.fixtures.manage import login_as, make_world
from tests.manage.test_access import RULES, _b_values, _url


@pytest.mark.parametrize(("rule", "method", "arguments"), [r for r in RULES if r[1] == "GET"])
def test_coordinator_reaches_own_objects(app, client, clock, rule, method, arguments):
    with app.app_context():
        a, b, platform_admin = make_world()
        values = _b_values(a, platform_admin)  # A's own objects
        login_as(client, a.users["coordinator"])
        admin_only = rule.startswith("/gestion/admin")
    response = client.get(_url(rule, values))
    if admin_only:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302), f"GET {rule}: {response.status_code}"


GARBAGE = {
    "status": "nope",
    "capacity": "-3",
    "day": "2026-13-45",
    "start_time": "25:99",
    "date": "x",
    "time": "y",
    "enrollment": "abc",
    "seance": "missing",
    "direction": "sideways",
    "target": "nowhere",
    "outcome": "maybe",
    "what": "?",
    "days": "1e9",
    "weekdays": "9",
    "duration": "0",
    "code": "BAD CODE",
    "formats": "teleportation",
    "first_day": "yesterday",
    "every": "3",
    "role": "king",
    "structure": "none",
    "email": "not-an-address",
    "password": "x",
    "commune_insee": "00000",
    "age_min": "-1",
    "profession": "",
}


@pytest.mark.parametrize(("rule", "method", "arguments"), [r for r in RULES if r[1] == "POST"])
def test_garbage_posts_never_fail(app, client, clock, rule, method, arguments):
    with app.app_context():
        a, b, platform_admin = make_world()
        values = _b_values(a, platform_admin)
        login_as(client, platform_admin)
    response = client.post(_url(rule, values), data=GARBAGE)
    assert response.status_code < 500, f"POST {rule}: {response.status_code}"


def test_coordinator_sees_own_people_on_the_planning(app, client, clock):
    with app.app_context():
        a, b, platform_admin = make_world()
        login_as(client, a.users["coordinator"])
    page = client.get("/gestion/planning?date=2026-11-25").get_data(as_text=True)
    assert "SECRET PatientA" in page and "patient-a@example.org" in page
