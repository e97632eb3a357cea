"""The app runs under gunicorn with several workers on the test database."""

import urllib.request

import pytest

pytestmark = pytest.mark.server


def test_gunicorn_serves_health_check(live_server):
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert b'"database":"ok"' in response.read().replace(b" ", b"")


def test_a_production_app_refuses_a_test_clock(monkeypatch, database_url):
    import pytest

    from etp_orient import create_app

    monkeypatch.delenv("ETP_TESTING")
    with pytest.raises(RuntimeError, match="ETP_CLOCK_FILE"):
        create_app(
            {"ETP_ENV": "production", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url}
        )


def test_the_live_server_follows_the_test_clock(live_server, app_ctx, clock):
    """Data made on the test's clock is served on the same clock, and the server
    follows when the test moves it: the first BEP, a week ahead, is listed until the
    clock passes it, whatever the real date."""
    from datetime import timedelta

    from etp_orient.extensions import db
    from tests.fixtures.booking import make_world

    world = make_world(slots=2)
    db.session.commit()
    first, second = world.slots

    def listed() -> str:
        url = live_server.url + "/programmes/prog-booking/rdv"
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()

    page = listed()
    assert "/rdv/bep-1" in page and "/rdv/bep-2" in page
    clock.set(first.start_at + timedelta(minutes=1))
    page = listed()
    assert "/rdv/bep-1" not in page and "/rdv/bep-2" in page
    clock.set(first.start_at - timedelta(days=1))
    assert "/rdv/bep-1" in listed()
