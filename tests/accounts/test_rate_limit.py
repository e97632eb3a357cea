"""Login limits: a growing wait per account (never a lock-out), 429 per client IP.

The wait is read on the page: Flask-Limiter raises every Retry-After on this
route to the reset of the limit per IP (15 minutes).
"""

import re

import pytest

from etp_orient.accounts.login_delay import delay_after
from etp_orient.extensions import db
from tests.fixtures.manage import PASSWORD, login, make_user

WRONG = "wrong wrong wrong"


@pytest.fixture
def client(limited_app):
    return limited_app.test_client()


@pytest.fixture
def target(app):
    with app.app_context():
        make_user("target@example.org")
        db.session.commit()
    return "target@example.org"


def _try(client, email, password, n=0):
    """One login attempt from its own client IP."""
    return client.post(
        "/connexion",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250 + 1}"},
    )


def _wait(response) -> int:
    """The seconds the page asks to wait (429), or 0."""
    found = re.search(r"Attendez (\d+) secondes?, puis réessayez", response.get_data(as_text=True))
    assert (response.status_code == 429) == bool(found)
    return int(found.group(1)) if found else 0


def _fail(client, clock, email, times):
    """``times`` failures from as many IPs, each after the wait the one before set."""
    for n in range(times):
        response = _try(client, email, WRONG, n)
        if response.status_code == 429:
            clock.advance(seconds=_wait(response))
            response = _try(client, email, WRONG, n)
        assert response.status_code == 200
        assert "faux" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (12, 60), (10**6, 60)],
)
def test_the_wait_doubles_after_five_failures_up_to_a_minute(failures, seconds):
    assert delay_after(failures).total_seconds() == seconds


def test_ten_failures_from_ten_ips_do_not_lock_the_owner_out(app, client, clock, target):
    _fail(client, clock, target, 10)
    assert _try(client, target, PASSWORD, 50).status_code == 429
    clock.advance(seconds=32)  # the wait after 10 failures
    response = _try(client, target, PASSWORD, 51)
    assert response.status_code == 302
    assert client.get("/connexion").status_code == 302  # logged in: off to the back office


def test_a_try_inside_the_wait_is_refused_even_with_the_right_password(app, client, clock, target):
    _fail(client, clock, target, 5)
    right = _try(client, target, PASSWORD, 20)
    wrong = _try(client, target, WRONG, 21)
    assert right.status_code == wrong.status_code == 429
    assert _wait(right) == 1
    page = right.get_data(as_text=True)
    assert "Attendez 1 seconde, puis réessayez." in page
    assert "faux" not in page
    assert 'value="target@example.org"' in page  # what was typed is kept
    # the page is the same whether the password was right or not
    assert page == wrong.get_data(as_text=True)
    assert client.get("/gestion/").status_code == 302


def test_the_wait_grows_with_each_failure_and_stops_at_a_minute(app, client, clock, target):
    _fail(client, clock, target, 5)
    waits = []
    for n in range(8):
        refused = _try(client, target, WRONG, 100 + n)
        waits.append(_wait(refused))
        clock.advance(seconds=waits[-1] - 1)
        assert _try(client, target, PASSWORD, 110 + n).status_code == 429  # not yet
        clock.advance(seconds=1)
        assert _try(client, target, WRONG, 120 + n).status_code == 200
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    page = _try(client, target, WRONG, 200).get_data(as_text=True)
    assert "Attendez 60 secondes, puis réessayez." in page


def test_an_unknown_address_waits_the_same(app, client, clock, target):
    _fail(client, clock, "nobody@example.org", 7)
    response = _try(client, "nobody@example.org", WRONG, 30)
    assert _wait(response) == 4


def test_a_good_login_forgets_the_failures(app, client, clock, target):
    _fail(client, clock, target, 5)
    clock.advance(seconds=1)
    assert _try(client, target, PASSWORD, 40).status_code == 302
    client.post("/deconnexion")
    _fail(client, clock, target, 1)
    assert _try(client, target, WRONG, 41).status_code == 200


def test_failures_are_forgotten_after_a_quarter_of_an_hour(app, client, clock, target):
    _fail(client, clock, target, 7)
    clock.advance(minutes=15)
    _fail(client, clock, target, 1)
    assert _try(client, target, WRONG, 60).status_code == 200


def test_too_many_failures_from_one_address_get_429(app, client):
    for i in range(30):
        response = client.post(
            "/connexion", data={"email": f"user{i}@example.org", "password": "wrong wrong"}
        )
        assert response.status_code == 200
    response = client.post("/connexion", data={"email": "x@example.org", "password": "wrong"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_successful_logins_do_not_count(app, client):
    with app.app_context():
        make_user("often@example.org")
        db.session.commit()
    for _ in range(12):
        assert login(client, "often@example.org").status_code == 302
        client.post("/deconnexion")


def test_refused_provider_answers_count_against_the_limit_per_address(limited_app, app):
    """The OpenID callback: 30 refused answers per 15 minutes per client address, then 429."""
    from etp_orient.accounts import oidc

    settings = {
        "name": "psc",
        "label": "PSC",
        "issuer": "https://auth.example.fr",
        "client_id": "id",
        "client_secret": "secret",
    }
    limited_app.extensions["oidc_providers"] = {"psc": oidc.parse_providers([settings])[0]}
    client = limited_app.test_client()

    def answer(address):
        return client.get(
            "/connexion/oidc/psc/retour?code=c&state=s", environ_base={"REMOTE_ADDR": address}
        )

    assert [answer("10.9.0.1").status_code for _ in range(30)] == [403] * 30
    assert answer("10.9.0.1").status_code == 429
    assert answer("10.9.0.2").status_code == 403  # another address is not held back
