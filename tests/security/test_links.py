"""Secret links and redirects: the login's ``next`` stays on the site; unknown,
expired and revoked tokens give the same 404; looking tokens up is rate-limited."""

import secrets

import pytest
from itsdangerous import TimestampSigner

from etp_orient.accounts import services as account_services
from etp_orient.accounts.models import User
from etp_orient.booking import services as booking_services
from etp_orient.booking.models import Participant
from etp_orient.booking.participants import confirm_reissue, feed_token_for, reissue_links
from etp_orient.extensions import db
from etp_orient.feeds.services import revoke_staff_feed_token
from tests.fixtures.manage import PASSWORD

OFF_SITE = (
    "https://evil.example/",
    "//evil.example/gestion",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "https://evil.example/gestion",
    "/gestion@evil.example",
)


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_next_never_leaves_the_site(app, sec_world, target):
    client = app.test_client()
    response = client.post(
        "/connexion",
        query_string={"next": target},
        data={"email": "coordinator-a@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/"), location
    assert not location.startswith("//") and "\\" not in location, location
    assert "evil.example" not in location.split("@")[0] or location.startswith("/gestion")


def test_login_next_on_the_site_is_followed(app, sec_world):
    response = app.test_client().post(
        "/connexion",
        query_string={"next": "/gestion/programmes"},
        data={"email": "coordinator-a@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/gestion/programmes"


def _answer(client, url):
    """Status and body, with the URL itself (echoed in the language links) masked."""
    response = client.get(url)
    path = url.split("?")[0].encode()
    return response.status_code, response.get_data().replace(path, b"<url>")


def _unknown() -> str:
    return secrets.token_urlsafe(32)


def _reissue(email: str) -> None:
    """Ask for a new link, then confirm it from the e-mail, as the mailbox owner would."""
    import re

    from etp_orient.notify.models import OutboxMessage

    reissue_links(email)
    db.session.commit()
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    code = re.search(r"/gerer/nouveau-lien/(\S+)", message.body_text).group(1)
    assert confirm_reissue(code) is not None
    db.session.commit()


def test_manage_link_unknown_reissued_and_deleted_give_the_same_404(app, sec_world):
    client = app.test_client()
    unknown = _answer(client, f"/gerer/{_unknown()}")
    assert unknown[0] == 404
    _reissue("camille1@example.org")  # the old link is revoked
    assert _answer(client, f"/gerer/{sec_world.manage_token}") == unknown
    # a deleted person: their new link stops too
    participant = db.session.scalars(db.select(Participant)).first()
    booking_services.delete_my_data(participant)
    db.session.commit()
    for suffix in ("", "/donnees", "/donnees.json", "/agenda.ics", "/supprimer"):
        assert _answer(client, f"/gerer/{sec_world.manage_token}{suffix}") == _answer(
            client, f"/gerer/{_unknown()}{suffix}"
        )


def test_personal_feed_unknown_and_revoked_give_the_same_404(app, sec_world):
    client = app.test_client()
    unknown = _answer(client, f"/calendar/me/{_unknown()}.ics")
    assert unknown[0] == 404
    assert _answer(client, f"/calendar/me/{sec_world.feed_token}.ics")[0] == 200
    _reissue("camille1@example.org")
    assert _answer(client, f"/calendar/me/{sec_world.feed_token}.ics") == unknown
    assert _answer(client, f"/calendar/me/{feed_token_for(_unknown())}.ics") == unknown


def test_staff_feed_unknown_and_revoked_give_the_same_404(app, sec_world):
    client = app.test_client()
    unknown = _answer(client, f"/calendar/staff/{_unknown()}.ics")
    assert unknown[0] == 404
    assert _answer(client, f"/calendar/staff/{sec_world.staff_token}.ics")[0] == 200
    educator = account_services.find_user("educator-a@example.org")
    revoke_staff_feed_token(educator)
    db.session.commit()
    assert _answer(client, f"/calendar/staff/{sec_world.staff_token}.ics") == unknown


def test_password_reset_unknown_expired_and_used_give_the_same_404(app, sec_world, monkeypatch):
    client = app.test_client()
    unknown = _answer(client, f"/connexion/nouveau-mot-de-passe/{_unknown()}")
    assert unknown[0] == 404
    coordinator = account_services.find_user("coordinator-a@example.org")
    # expired: signed two days ago
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 2 * 86400)
    expired = account_services.reset_token(coordinator)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    assert _answer(client, f"/connexion/nouveau-mot-de-passe/{expired}") == unknown
    # used: the password changed since
    account_services.set_password(coordinator, "another correct horse battery")
    db.session.commit()
    assert _answer(client, f"/connexion/nouveau-mot-de-passe/{sec_world.reset_token}") == unknown


@pytest.mark.parametrize(
    "pattern",
    [
        "/gerer/{}",
        "/gerer/{}/donnees.json",
        "/calendar/me/{}.ics",
        "/calendar/staff/{}.ics",
        "/connexion/nouveau-mot-de-passe/{}",
    ],
)
def test_guessing_secret_links_is_rate_limited(app, sec_world, limited_client, pattern):
    statuses = [limited_client.get(pattern.format(_unknown())).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    # the limit is per address: another address is not blocked
    other = limited_client.get(pattern.format(_unknown()), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 404


def test_a_valid_link_is_never_counted(app, sec_world, limited_client):
    for _ in range(40):
        assert limited_client.get(f"/calendar/me/{sec_world.feed_token}.ics").status_code == 200


def test_guessing_across_kinds_of_links_shares_one_limit(app, sec_world, limited_client):
    for i in range(30):
        pattern = ("/gerer/{}", "/calendar/me/{}.ics", "/calendar/staff/{}.ics")[i % 3]
        assert limited_client.get(pattern.format(_unknown())).status_code == 404
    assert limited_client.get(f"/connexion/nouveau-mot-de-passe/{_unknown()}").status_code == 429


def test_guessing_referral_codes_in_bookings_is_rate_limited(app, sec_world, limited_client):
    statuses = [
        limited_client.post(
            "/rdv/slot-sec", data={"first_name": "", "referral_code": _unknown()[:8]}
        ).status_code
        for _ in range(25)
    ]
    assert 429 in statuses


def test_staff_user_is_untouched(app, sec_world):
    assert db.session.get(User, sec_world.admin_id).active
