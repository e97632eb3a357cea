"""Password reset by e-mail: a single-use link that expires after one hour."""

import re

from sqlalchemy import select

from etp_orient.accounts import passwords
from etp_orient.accounts.models import User
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.manage import login, make_user

NEW = "une nouvelle phrase secrète"


def _request_link(app, client) -> str:
    with app.app_context():
        make_user("reset@example.org")
        db.session.commit()
    response = client.post("/connexion/mot-de-passe-oublie", data={"email": "reset@example.org"})
    assert response.status_code == 200
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.recipient == "reset@example.org"
        return re.search(r"/connexion/nouveau-mot-de-passe/\S+", message.body_text).group(0)


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client, clock):
    response = client.post("/connexion/mot-de-passe-oublie", data={"email": "who@example.org"})
    assert "Si un compte existe" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage)) is None


def test_link_sets_a_new_password_once(app, client, clock):
    path = _request_link(app, client)
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert passwords.verify_password(user.password_hash, NEW)
    assert login(client, "reset@example.org", NEW).status_code == 302
    # The same link a second time: refused.
    assert client.get(path).status_code == 404


def test_link_expires_after_one_hour(app, client, clock):
    path = _request_link(app, client)
    clock.advance(minutes=61)
    # itsdangerous reads the real clock: move the signed time stamp instead.
    with app.app_context():
        from etp_orient.accounts import services

        token = path.rsplit("/", 1)[1]
        serializer = services._serializer()
        payload, stamp = serializer.loads(token, return_timestamp=True)
    import time
    from unittest import mock

    with mock.patch("time.time", return_value=stamp.timestamp() + 3601):
        assert client.get(path).status_code == 404
    with mock.patch("time.time", return_value=stamp.timestamp() + 3500):
        assert client.get(path).status_code == 200
    assert time.time() > 0


def test_weak_new_password_is_refused_next_to_the_field(app, client, clock):
    path = _request_link(app, client)
    response = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert response.status_code == 200
    assert "trop courant" in response.get_data(as_text=True)


def test_password_change_ends_open_sessions(app, client, clock):
    path = _request_link(app, client)
    other = app.test_client()
    login(other, "reset@example.org")
    assert other.get("/gestion/").status_code != 302
    client.post(path, data={"password": NEW, "confirm": NEW})
    assert other.get("/gestion/").status_code == 302
