"""Password reset by e-mail: a single-use link that expires after one hour."""

import re

from sqlalchemy import select

from etp_orient.accounts import passwords
from etp_orient.accounts.models import User
from etp_orient.core.models import AuditEvent
from etp_orient.extensions import db
from etp_orient.notify.models import OutboxMessage
from tests.fixtures.manage import login, make_user
from tests.fixtures.work import recorded_work

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


def _ask(client, email, n=0):
    """Ask for a reset link from client IP number ``n``."""
    return client.post(
        "/connexion/mot-de-passe-oublie",
        data={"email": email},
        environ_base={"REMOTE_ADDR": f"10.1.0.{n + 1}"},
    )


def _mails(app, address):
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == address)
        ).all()


def _user_id(app, address):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == address))


def test_known_and_unknown_addresses_do_the_same_work(app, limited_client, monkeypatch):
    with app.app_context():
        make_user("known@example.org")
        db.session.commit()
    _ask(limited_client, "warm-up@example.org")  # first-request set-up out of the comparison
    with recorded_work(monkeypatch) as known:
        known_page = _ask(limited_client, "known@example.org", 1)
    with recorded_work(monkeypatch) as unknown:
        unknown_page = _ask(limited_client, "unknown@example.org", 2)
    assert known_page.get_data() == unknown_page.get_data()
    assert known.statements == unknown.statements
    assert any(s.startswith("INSERT INTO outbox_messages") for s in unknown.statements)
    assert known.rendered == unknown.rendered == [("emails", "password_reset", "fr")]
    # … and only the real request leaves a mail and an audit row
    assert len(_mails(app, "known@example.org")) == 1
    assert _mails(app, "unknown@example.org") == []
    with app.app_context():
        audited = db.session.scalars(select(AuditEvent.object_id)).all()
    assert audited == [str(_user_id(app, "known@example.org"))]


def test_three_mails_per_address_per_hour_whatever_the_ip(app, limited_client, clock):
    with app.app_context():
        make_user("coord@example.org")
        db.session.commit()
    pages = [_ask(limited_client, "coord@example.org", n) for n in range(6)]
    assert {p.status_code for p in pages} == {200}
    assert len({p.get_data() for p in pages}) == 1  # the cap tells nothing either
    assert len(_mails(app, "coord@example.org")) == 3
    # another address is not held back by this one
    with app.app_context():
        make_user("other@example.org")
        db.session.commit()
    _ask(limited_client, "other@example.org", 7)
    assert len(_mails(app, "other@example.org")) == 1
    clock.advance(hours=1)
    _ask(limited_client, "coord@example.org", 8)
    assert len(_mails(app, "coord@example.org")) == 4


def test_over_the_cap_a_known_address_works_like_an_unknown_one(app, limited_client, monkeypatch):
    with app.app_context():
        make_user("coord@example.org")
        db.session.commit()
    for n in range(3):
        _ask(limited_client, "coord@example.org", n)
        _ask(limited_client, "nobody@example.org", n)
    with recorded_work(monkeypatch) as capped:
        _ask(limited_client, "coord@example.org", 5)
    with recorded_work(monkeypatch) as unknown:
        _ask(limited_client, "nobody@example.org", 6)
    assert capped.statements == unknown.statements
    assert capped.rendered == unknown.rendered
