"""The home page leads to the orientation, shows the conditions as pictograms with labels."""

import re

import pytest


@pytest.fixture
def home_html(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_home_has_one_call_to_action_to_orientation(home_html):
    main = home_html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'class="button button-large" href="/orientation"' in main
    assert main.count('class="button') == 1


@pytest.mark.parametrize("code", ["diabete", "respiratoire", "cardio", "tabac"])
def test_condition_pictograms_link_to_orientation(home_html, code):
    assert f'href="/orientation?condition={code}"' in home_html
    assert re.search(rf"img/conditions/{code}(\.[0-9a-f]{{12}})?\.svg", home_html)


def test_every_pictogram_has_empty_alt_and_a_visible_label(home_html):
    tiles = re.findall(r'<a class="picto-tile"[^>]*>(.*?)</a>', home_html, re.S)
    assert len(tiles) >= 8
    for tile in tiles:
        assert 'alt=""' in tile
        label = re.search(r'<span class="picto-label">([^<]+)</span>', tile)
        assert label and label.group(1).strip()


def test_precise_conditions_are_listed_too(home_html):
    assert 'href="/orientation?condition=diabete-gestationnel"' in home_html
    assert "Diabète pendant la grossesse" in home_html


def test_home_explains_etp_and_links_further(home_html):
    assert "C&#39;est gratuit" in home_html or "C'est gratuit" in home_html
    assert 'href="/comprendre/"' in home_html
    assert 'href="/pro/orienter"' in home_html


def test_headings_are_in_order(home_html):
    levels = [int(n) for n in re.findall(r"<h([1-6])", home_html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_home_in_english_uses_translated_labels(client):
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Stopping or cutting down smoking" in html


def test_home_has_no_inline_script_or_style(home_html):
    assert "<script>" not in home_html and "style=" not in home_html
