"""Logging in and out, server-side sessions, their time limits, the audit of logins."""

from sqlalchemy import select

from etp_orient.accounts.models import StaffSession
from etp_orient.core.models import AuditEvent, Throttle
from etp_orient.extensions import db
from tests.fixtures.manage import PASSWORD, login, make_user


def _coordinator(app):
    from etp_orient.catalogue.models import Structure

    with app.app_context():
        structure = Structure(code="cpts-login", name="L", kind="cpts")
        db.session.add(structure)
        user = make_user("coord@example.org", roles=[("coordinator", structure)])
        db.session.commit()
        return user.id


def test_login_form_has_email_and_password_fields(client):
    page = client.get("/connexion").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert 'autocomplete="current-password"' in page


def test_good_password_opens_the_back_office(app, client, clock):
    _coordinator(app)
    response = login(client, "coord@example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/gestion/")
    assert client.get("/gestion/").status_code in (200, 403)


def test_login_ignores_case_of_the_address(app, client, clock):
    _coordinator(app)
    assert login(client, "Coord@Example.ORG").status_code == 302


def test_wrong_password_is_refused_with_a_message(app, client, clock):
    _coordinator(app)
    response = login(client, "coord@example.org", "not the right password")
    assert response.status_code == 200
    assert "faux" in response.get_data(as_text=True)
    assert client.get("/gestion/").status_code == 302


def test_back_office_redirects_to_login_when_anonymous(client):
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_next_parameter_only_goes_to_the_back_office(app, client, clock):
    _coordinator(app)
    response = client.post(
        "/connexion?next=https://evil.example/",
        data={"email": "coord@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/gestion/")


def test_login_gives_a_new_session_id(app, client, clock):
    _coordinator(app)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "coord@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        first = session["staff_sid"]
    client.post("/deconnexion")
    login(client, "coord@example.org")
    with client.session_transaction() as session:
        assert session["staff_sid"] != first


def test_logout_revokes_the_session_server_side(app, client, clock):
    _coordinator(app)
    login(client, "coord@example.org")
    with client.session_transaction() as session:
        stolen = dict(session)
    assert client.post("/deconnexion").status_code == 302
    # Replaying the old cookie does not bring the session back.
    with client.session_transaction() as session:
        session.update(stolen)
    assert client.get("/gestion/").status_code == 302
    with app.app_context():
        row = db.session.scalar(select(StaffSession))
        assert row.revoked_at is not None


def test_session_expires_after_30_minutes_idle(app, client, clock):
    _coordinator(app)
    login(client, "coord@example.org")
    clock.advance(minutes=29)
    assert client.get("/gestion/").status_code != 302
    clock.advance(minutes=29)  # active 29 minutes ago: still fine
    assert client.get("/gestion/").status_code != 302
    clock.advance(minutes=31)
    assert client.get("/gestion/").status_code == 302


def test_session_expires_after_12_hours_even_when_active(app, client, clock):
    _coordinator(app)
    login(client, "coord@example.org")
    for _ in range(12 * 3 + 1):
        clock.advance(minutes=20)
        if client.get("/gestion/").status_code == 302:
            break
    else:
        raise AssertionError("session still open after 12 hours")
    with app.app_context():
        row = db.session.scalar(select(StaffSession))
        assert (clock() - row.created_at).total_seconds() >= 12 * 3600 - 1


def test_suspended_account_cannot_log_in(app, client, clock):
    with app.app_context():
        user = make_user("gone@example.org")
        user.active = False
        db.session.commit()
    assert login(client, "gone@example.org").status_code == 200


def test_logins_are_audited_without_email_or_password(app, client, clock):
    user_id = _coordinator(app)
    login(client, "coord@example.org", "a wrong password here")
    login(client, "nobody@example.org", "a wrong password here")
    login(client, "coord@example.org")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        actions = [(e.action, e.object_id) for e in events]
        assert actions[:3] == [
            ("login.failure", str(user_id)),
            ("login.failure", None),
            ("login.success", str(user_id)),
        ]
        for event in events:
            text = repr(event.detail) + repr(event.object_id)
            assert "example.org" not in text and "wrong" not in text


def test_failures_are_counted_per_address_without_keeping_it(app, limited_client, clock):
    _coordinator(app)
    for _ in range(2):
        login(limited_client, "Coord@Example.org", "a wrong password here")
    login(limited_client, "nobody@example.org", "a wrong password here")
    with app.app_context():
        rows = db.session.execute(select(Throttle.scope, Throttle.key_hash, Throttle.count)).all()
    assert sorted(count for _scope, _key, count in rows) == [1, 2]
    assert {scope for scope, _key, _count in rows} == {"login"}
    assert not any("example" in key for _scope, key, _count in rows)
    # the right password forgets the failures of the account
    assert login(limited_client, "coord@example.org").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Throttle.count)).all() == [1]


def test_a_referrer_lands_on_the_professional_page(app, client, clock):
    from etp_orient.catalogue.models import Structure

    with app.app_context():
        structure = Structure(code="cpts-r", name="R", kind="cpts")
        db.session.add(structure)
        make_user("gp@example.org", roles=[("referrer", structure)])
        db.session.commit()
    response = login(client, "gp@example.org")
    assert response.headers["Location"].endswith("/pro/orienter")
    assert client.get("/gestion/").status_code == 403
