"""Compression where it is safe, hashed static files cached a year (issue 17, point 4)."""

import gzip
import re

import pytest

from tests.fixtures.booking import make_world
from tests.fixtures.feeds import World
from tests.speed.test_feeds_cache import FIRST_SESSION

GZIP = {"Accept-Encoding": "gzip"}


def _static_url(html: str, name: str) -> str:
    found = re.search(rf'"(/static/[^"]*{re.escape(name)}[^"]*)"', html)
    assert found, name
    return found.group(1)


def test_home_page_is_compressed(app_ctx, client):
    response = client.get("/", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"<html" in gzip.decompress(response.data)
    # without Accept-Encoding, plain bytes
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    assert b"<html" in plain.data


def test_api_and_feed_are_compressed(app_ctx, clock, client):
    World(FIRST_SESSION)
    from etp_orient.extensions import db

    db.session.commit()
    feed = client.get("/calendar/programme/prog-diabete.ics", headers=GZIP)
    assert feed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(feed.data).startswith(b"BEGIN:VCALENDAR")
    # the ETag of the compressed answer still validates
    again = client.get(
        "/calendar/programme/prog-diabete.ics",
        headers={**GZIP, "If-None-Match": feed.headers["ETag"]},
    )
    assert again.status_code == 304
    api = client.get("/api/v1/conditions", headers=GZIP)
    assert api.headers["Content-Encoding"] == "gzip"


def test_pages_with_a_csrf_token_are_not_compressed(app_ctx, client, csrf_enabled):
    response = client.get("/connexion", headers=GZIP)
    assert response.status_code == 200
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers


def test_booking_form_with_csrf_token_is_not_compressed(app_ctx, clock, client, csrf_enabled):
    make_world()
    from etp_orient.extensions import db

    db.session.commit()
    response = client.get("/rdv/bep-1", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    # the programme page itself has no form: compressed
    page = client.get("/programmes/prog-booking", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("path", ["/gestion", "/gestion/agenda", "/gerer/abc"])
def test_back_office_and_personal_pages_are_not_compressed(app_ctx, client, path):
    response = client.get(path, headers=GZIP)
    assert "Content-Encoding" not in response.headers


def test_compression_can_be_left_to_a_proxy(app_ctx, client, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "COMPRESS_RESPONSES", False)
    response = client.get("/", headers=GZIP)
    assert "Content-Encoding" not in response.headers


def test_static_files_have_hashed_names_cached_a_year(app_ctx, client):
    html = client.get("/").get_data(as_text=True)
    css = _static_url(html, "site")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", css)
    response = client.get(css)
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"{" in data
    # no page headers on a file
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert name not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # the page itself keeps them
    assert "Content-Security-Policy" in client.get("/").headers


def test_plain_and_stale_static_names_are_revalidated(app_ctx, client):
    plain = client.get("/static/css/site.css")
    plain_data = plain.get_data()
    plain.close()
    assert plain.status_code == 200
    assert "immutable" not in plain.headers.get("Cache-Control", "")
    stale = client.get("/static/css/site.000000000000.css")
    stale_data = stale.get_data()
    stale.close()
    assert stale.status_code == 200
    assert stale_data == plain_data
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    missing = client.get("/static/css/nothing.0123456789ab.css")
    missing.close()
    assert missing.status_code == 404


def test_leaflet_images_keep_their_relative_paths(app_ctx, client):
    from flask import url_for

    with app_ctx.test_request_context():
        css = url_for("static", filename="vendor/leaflet/leaflet.css")
    assert re.fullmatch(r"/static/vendor/leaflet/leaflet\.[0-9a-f]{12}\.css", css)
    response = client.get(css)
    text = response.get_data(as_text=True)
    response.close()
    assert "images/layers.png" in text
    # relative to the hashed stylesheet, Leaflet's image is still there
    image = client.get(css.rsplit("/", 1)[0] + "/images/layers.png")
    image.close()
    assert image.status_code == 200
