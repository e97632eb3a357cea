"""/gestion/agenda: a staff member creates, re-creates and stops their own feed link."""

import re

import pytest

from etp_orient.accounts.passwords import hash_password
from etp_orient.extensions import db
from tests.fixtures.feeds import make_user

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"http://etp\.test/calendar/staff/([A-Za-z0-9_-]{43,})\.ics")


@pytest.fixture
def staff(app_ctx, client, clock):
    user = make_user()
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)
    return user


def issued_token(response) -> str:
    match = LINK.search(response.get_data(as_text=True))
    assert match, "the new link is shown"
    return match.group(1)


def test_login_required(client, app_ctx):
    response = client.get("/gestion/agenda")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_page_without_link(client, staff):
    response = client.get("/gestion/agenda")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Créer mon lien" in page
    assert "/calendar/staff/" not in page


def test_issue_shows_link_once_with_subscribe_help(client, staff):
    response = client.post("/gestion/agenda", data={"action": "issue"})
    assert response.status_code == 200
    token = issued_token(response)
    page = response.get_data(as_text=True)
    assert f"webcal://etp.test/calendar/staff/{token}.ics" in page
    for platform in ("Google", "Outlook", "iPhone", "Android"):
        assert platform in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 200
    # shown once: the next visit no longer shows it
    assert token not in client.get("/gestion/agenda").get_data(as_text=True)


def test_reissue_stops_the_old_link(client, staff):
    old = issued_token(client.post("/gestion/agenda", data={"action": "issue"}))
    new = issued_token(client.post("/gestion/agenda", data={"action": "issue"}))
    assert old != new
    assert client.get(f"/calendar/staff/{old}.ics").status_code == 404
    assert client.get(f"/calendar/staff/{new}.ics").status_code == 200


def test_revoke_stops_the_link(client, staff):
    token = issued_token(client.post("/gestion/agenda", data={"action": "issue"}))
    response = client.post("/gestion/agenda", data={"action": "revoke"})
    assert "ne marche plus" in response.get_data(as_text=True)
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 404


def test_unknown_action_is_400(client, staff):
    assert client.post("/gestion/agenda", data={"action": "nope"}).status_code == 400


def test_post_needs_csrf(client, staff, csrf_enabled):
    assert client.post("/gestion/agenda", data={"action": "issue"}).status_code == 400
