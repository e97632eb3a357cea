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
