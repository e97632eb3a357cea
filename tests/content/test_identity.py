"""A platform's identity by configuration, and the legal pages from content files."""

import os
import re
import subprocess
import sys

import pytest

from etp_orient import create_app
from etp_orient.content.identity import (
    IdentityError,
    check_identity,
    contrast_on_white,
    darker,
)

PUBLIC = ["/comprendre/", "/comprendre/etp", "/mentions-legales", "/accessibilite"]
LEGAL = ["/mentions-legales", "/donnees-personnelles", "/accessibilite"]


def _html(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_defaults_describe_a_demo_platform_without_any_contact(client):
    for path in PUBLIC:
        html = _html(client, path + "?lang=fr")
        assert "Site de démonstration" in html
        assert "<title>" in html and "– ETP démo</title>" in html
        assert "tel:" not in html and "mailto:" not in html
        assert "00 00 00" not in html  # never a placeholder number
    assert "Ceci est un site de démonstration." in _html(client, "/mentions-legales?lang=fr")


def test_name_short_name_and_contact_come_from_the_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PLATFORM_NAME", "Pôle ETP Bretagne")
    monkeypatch.setitem(app.config, "PLATFORM_SHORT_NAME", "Pôle ETP")
    monkeypatch.setitem(app.config, "PLATFORM_CONTACT_PHONE", "02 99 00 11 22")
    monkeypatch.setitem(app.config, "PLATFORM_CONTACT_EMAIL", "contact@pole-etp.example")
    html = _html(client, "/comprendre/?lang=fr")
    assert "Site de démonstration" not in html
    assert "– Pôle ETP</title>" in html and "<span>Pôle ETP</span>" in html
    assert 'href="tel:0299001122">02 99 00 11 22</a>' in html
    assert 'href="mailto:contact@pole-etp.example"' in html
    legal = _html(client, "/mentions-legales?lang=fr")
    assert "appelle Pôle ETP Bretagne.</p>" in legal
    assert 'href="tel:0299001122"' in legal.split("</article>")[0]


def test_only_a_phone_shows_only_a_phone(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PLATFORM_CONTACT_PHONE", "02 99 00 11 22")
    html = _html(client, "/accessibilite?lang=en")
    assert "tel:0299001122" in html and "mailto:" not in html


@pytest.mark.parametrize("color", ["#ffff00", "#999999", "#1e90ff", "#ff6600"])
def test_an_accent_colour_below_4_5_to_1_is_refused(color):
    assert contrast_on_white(color) < 4.5
    with pytest.raises(IdentityError, match=r"contrast of \d\.\d\d:1 on white; .* at least 4\.5:1"):
        check_identity({"PLATFORM_NAME": "P", "PLATFORM_ACCENT_COLOR": color})


@pytest.mark.parametrize("color", ["red", "#fff", "0b5cad", "#12345g"])
def test_an_accent_colour_not_written_rrggbb_is_refused(color):
    with pytest.raises(IdentityError, match="#rrggbb"):
        check_identity({"PLATFORM_NAME": "P", "PLATFORM_ACCENT_COLOR": color})


def test_contrast_is_the_wcag_ratio():
    assert contrast_on_white("#000000") == pytest.approx(21.0)
    assert contrast_on_white("#ffffff") == pytest.approx(1.0)
    assert contrast_on_white("#767676") == pytest.approx(4.54, abs=0.01)
    assert darker("#0b5cad") == "#084582"


def test_create_app_refuses_to_start_with_an_unreadable_colour():
    with pytest.raises(IdentityError, match="PLATFORM_ACCENT_COLOR #ffcc00"):
        create_app({"TESTING": True, "PLATFORM_ACCENT_COLOR": "#ffcc00"})


def test_the_command_line_says_why_it_cannot_start(tmp_path):
    env = {
        **os.environ,
        "PLATFORM_ACCENT_COLOR": "#aaaaaa",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from etp_orient.cli import main; main()", "routes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert (
        "etp-orient cannot start: PLATFORM_ACCENT_COLOR #aaaaaa has a contrast of 2.32:1"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_missing_logo_file_is_refused(tmp_path):
    with pytest.raises(IdentityError, match="PLATFORM_LOGO .* is not a file"):
        check_identity({"PLATFORM_NAME": "P", "PLATFORM_LOGO": str(tmp_path / "none.svg")})


def test_accent_colour_and_logo_are_served(app, client, monkeypatch, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>')
    monkeypatch.setitem(app.config, "PLATFORM_ACCENT_COLOR", "#7a1f5c")
    monkeypatch.setitem(app.config, "PLATFORM_LOGO", str(logo))
    html = _html(client, "/comprendre/")
    theme = re.search(r'<link rel="stylesheet" href="(/platform/theme\.css\?v=\w+)">', html)
    css = client.get(theme.group(1))
    assert css.mimetype == "text/css" and "--brand: #7a1f5c" in css.get_data(as_text=True)
    src = re.search(r'<a class="brand" href="/">\s*<img src="([^"]+)"', html).group(1)
    assert src.startswith("/platform/logo?v=")
    with client.get(src) as served:
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"
        assert served.data == logo.read_bytes()


def test_default_colour_adds_no_request(client):
    assert "/platform/theme.css" not in _html(client, "/comprendre/")
    assert client.get("/platform/logo").status_code == 404


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("path", LEGAL)
def test_legal_pages_in_every_language(client, path, lang):
    html = _html(client, f"{path}?lang={lang}")
    assert f'<html lang="{lang}"' in html
    main = html.split('<main id="main"', 1)[1]
    assert main.count("<h1>") == 1
    assert 'lang="fr" dir="ltr" class="page-text"' not in main  # written in that language
    assert f'href="{path}"' in html  # the footer links every legal page


def test_accessibility_statement_states_rgaa_compliance(client):
    fr = _html(client, "/accessibilite?lang=fr")
    assert "<strong>non conforme</strong> au RGAA" in fr.replace('<a class="term"', "")
    assert "Accessibilité : non conforme" in fr  # the footer mention RGAA asks for
    assert "<strong>not compliant</strong>" in _html(client, "/accessibilite?lang=en")
    assert "<strong>غير مطابق</strong>" in _html(client, "/accessibilite?lang=ar")
