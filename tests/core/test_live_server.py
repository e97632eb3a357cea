"""The app runs under gunicorn with several workers on the test database."""

import urllib.request

import pytest

pytestmark = pytest.mark.server


def test_gunicorn_serves_health_check(live_server):
    with urllib.request.urlopen(live_server.url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert b'"database":"ok"' in response.read().replace(b" ", b"")
