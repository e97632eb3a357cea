"""The plain-language pages under /comprendre/: rendering, structure, links, glossary."""

import re

import pytest

from etp_orient.content.glossary import terms
from etp_orient.content.pages import condition_pages, easy_pages, get_page
from tests.content.comprendre_paths import ALL_PATHS


def _main(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("path", ALL_PATHS)
def test_page_renders_with_one_h1_and_headings_in_order(client, path):
    main = _main(client, path)
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, f"{path}: h{previous} then h{level}"


@pytest.mark.parametrize("path", ALL_PATHS)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_page_renders_in_every_language(client, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ALL_PATHS)
def test_page_links_to_the_orientation(client, path):
    assert 'class="button" href="/orientation' in _main(client, path)


@pytest.mark.parametrize("page", condition_pages(), ids=lambda p: p.slug)
def test_condition_page_links_to_orientation_with_its_condition(client, page):
    main = _main(client, f"/comprendre/{page.slug}")
    assert f'class="button" href="/orientation?condition={page.condition}"' in main


def test_condition_codes_exist_in_the_taxonomy():
    from etp_orient.catalogue.taxonomy import condition_codes

    codes = set(condition_codes())
    for page in condition_pages():
        assert page.condition in codes, page.slug


def test_index_lists_every_page(client):
    main = _main(client, "/comprendre/")
    from etp_orient.content.pages import all_pages

    for page in all_pages():
        assert f'href="/comprendre/{page.slug}"' in main
    for page in easy_pages():
        assert f'href="/comprendre/facile/{page.slug}"' in main
    assert 'href="/comprendre/glossaire"' in main


def test_unknown_page_is_404(client):
    assert client.get("/comprendre/inconnue").status_code == 404
    assert client.get("/comprendre/facile/inconnue").status_code == 404


def test_footer_data_link_leads_to_my_data_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/comprendre/mes-donnees"' in html
    main = _main(client, "/comprendre/mes-donnees")
    assert "Mes données et mes droits" in main
    assert 'href="/gerer/nouveau-lien"' in main


def test_my_data_page_states_the_configured_retention(app, client):
    previous = app.config["RETENTION_DAYS"]
    try:
        app.config["RETENTION_DAYS"] = 730
        assert "Nous les gardons 2 ans après" in _main(client, "/comprendre/mes-donnees")
        app.config["RETENTION_DAYS"] = 180
        assert "Nous les gardons 6 mois après" in _main(client, "/comprendre/mes-donnees")
    finally:
        app.config["RETENTION_DAYS"] = previous


def test_facile_parameter_leads_to_the_easy_read_version(client):
    response = client.get("/comprendre/premier-rendez-vous?facile=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/comprendre/facile/premier-rendez-vous")


@pytest.mark.parametrize("page", easy_pages(), ids=lambda p: p.slug)
def test_easy_and_plain_versions_link_to_each_other(client, page):
    assert f'href="/comprendre/{page.slug}"' in _main(client, f"/comprendre/facile/{page.slug}")
    assert get_page(page.slug).easy
    assert f'href="/comprendre/facile/{page.slug}"' in _main(client, f"/comprendre/{page.slug}")


@pytest.mark.parametrize("page", easy_pages(), ids=lambda p: p.slug)
def test_every_easy_read_idea_has_a_pictogram_and_text_beside_it(client, page):
    main = _main(client, f"/comprendre/facile/{page.slug}")
    items = re.findall(r"<li>(.*?)</li>", main, re.S)
    assert len(items) >= 5
    for item in items:
        image = re.search(
            r'<img [^>]*src="/static/img/(icons|conditions)/[\w-]+(\.[0-9a-f]{12})?\.svg"[^>]*>',
            item,
        )
        assert image and 'alt=""' in image.group(0), item
        assert re.sub(r"<[^>]+>", "", item).strip(), item


def test_easy_read_pictograms_exist(app):
    from pathlib import Path

    static = Path(app.static_folder)
    from etp_orient.content.pages import icons, listing

    for lang in ("fr", "en", "ar"):
        for kind in ("plain", "facile", "legal"):
            for page in listing(kind, lang):
                for icon in icons(page):
                    assert (static / "img" / f"{icon}.svg").is_file(), (page.path, icon)


# --- glossary --------------------------------------------------------------------


def test_glossary_defines_every_term_with_an_anchor(client):
    main = _main(client, "/comprendre/glossaire")
    for term in terms("fr"):
        assert f'<dt id="{term.key}">' in main
    for key in ("etp", "bep", "atelier", "cpts", "msp", "programme", "coordinateur", "ars", "ces"):
        assert f'id="{key}"' in main
    assert "BEP</abbr> (bilan éducatif partagé)" in main


@pytest.mark.parametrize("path", [p for p in ALL_PATHS if p != "/comprendre/glossaire"])
def test_abbreviations_are_written_out_and_linked_at_first_use(client, path):
    main = _main(client, path)
    text = re.sub(r"<h[1-6][^>]*>.*?</h[1-6]>", "", main, flags=re.S)
    for term in (t for t in terms("fr") if t.is_abbreviation):
        uses = [m.start() for m in re.finditer(rf"(?<![\w-]){term.term}(?![\w-])", text)]
        if not uses:
            continue
        first = text[uses[0] - 80 : uses[0] + 120]
        assert f'href="/comprendre/glossaire#{term.key}">{term.term}</a> (' in first, (
            path,
            term.term,
        )


def test_first_use_of_a_word_links_to_its_entry_and_later_uses_do_not(client):
    main = _main(client, "/comprendre/etp")
    assert main.count('href="/comprendre/glossaire#atelier"') == 1
    assert main.count('href="/comprendre/glossaire#etp"') == 1
    assert main.count('href="/comprendre/glossaire#programme"') == 1


def test_no_link_is_nested_in_another(client):
    for path in ALL_PATHS:
        main = _main(client, path)
        for chunk in re.findall(r"<a [^>]*>(.*?)</a>", main, re.S):
            assert "<a " not in chunk, path


def test_explainer_marks_later_uses_of_an_abbreviation():
    from etp_orient.content.glossary import Explainer

    explain = Explainer()
    first = explain("Le BEP a lieu seul.")
    second = explain("Après le BEP, le groupe.")
    assert 'href="/comprendre/glossaire#bep">BEP</a> (bilan éducatif partagé)' in first
    assert '<abbr title="bilan éducatif partagé">BEP</abbr>' in second


def test_explainer_escapes_the_text():
    from etp_orient.content.glossary import Explainer

    assert "&lt;b&gt;" in Explainer()("<b>atelier</b>")


def test_glossary_is_in_alphabetical_order_ignoring_accents(client):
    main = _main(client, "/comprendre/glossaire")
    keys = re.findall(r'<dt id="([\w-]+)">', main)
    assert keys.index("maladie-chronique") < keys.index("medecin-traitant") < keys.index("msp")


def test_retention_in_days_when_not_whole_months(app, client):
    previous = app.config["RETENTION_DAYS"]
    try:
        app.config["RETENTION_DAYS"] = 45
        assert "Nous les gardons 45 jours après" in _main(client, "/comprendre/mes-donnees")
    finally:
        app.config["RETENTION_DAYS"] = previous
