"""Login is rate-limited per account and per address (429 with Retry-After)."""

import pytest

from etp_orient.extensions import db
from tests.fixtures.manage import login, make_user


@pytest.fixture
def client(limited_app):
    return limited_app.test_client()


def test_too_many_failures_on_one_account_get_429(app, client):
    with app.app_context():
        make_user("target@example.org")
        db.session.commit()
    for i in range(10):
        env = {"REMOTE_ADDR": f"10.0.0.{i + 1}"}  # from many addresses
        response = client.post(
            "/connexion",
            data={"email": "target@example.org", "password": "wrong wrong wrong"},
            environ_base=env,
        )
        assert response.status_code == 200
    response = client.post(
        "/connexion",
        data={"email": "target@example.org", "password": "wrong wrong wrong"},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


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
