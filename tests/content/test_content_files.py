"""The plain pages as Markdown files: loading, front matter, fallback, raw HTML, CONTENT_DIR,
and ``etp-orient content check``."""

import re
import shutil
from pathlib import Path

import pytest

from etp_orient.content.pages import (
    ContentError,
    default_content_dir,
    listing,
    slugs,
    split_front_matter,
)

FRONT = "---\ntitle: {title}\nreviewed: 2026-12-01\nreviewer: Test\nglossary: [{glossary}]\n---\n\n"


@pytest.fixture
def content(tmp_path, app, monkeypatch):
    """A copy of the shipped content folder, used as CONTENT_DIR for the test."""
    folder = tmp_path / "content"
    shutil.copytree(default_content_dir(), folder)
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(folder))
    return folder


def _write(folder: Path, relative: str, body: str, title="Une page", glossary="") -> Path:
    path = folder / "pages" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT.format(title=title, glossary=glossary) + body, encoding="utf-8")
    return path


def _main(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True).split('<main id="main"', 1)[1].split("</main>")[0]


def test_every_shipped_page_exists_in_french_english_and_arabic():
    for kind in ("plain", "facile", "legal"):
        french = slugs(kind, "fr")
        assert french, kind
        for lang in ("en", "ar"):
            assert slugs(kind, lang) == french, (kind, lang)


def test_front_matter_gives_title_summary_glossary_icon_review(app):
    with app.test_request_context("/?lang=fr"):
        page = next(p for p in listing("plain", "fr") if p.slug == "diabete-grossesse")
    assert page.title == "Le diabète pendant la grossesse"
    assert page.summary and page.icon == "pages/grossesse-sucre"
    assert page.condition == "diabete-gestationnel"
    assert page.reviewed.year >= 2026 and page.reviewer
    assert isinstance(page.glossary, list)


@pytest.mark.parametrize(
    "text, message",
    [
        ("no front matter\n", "must start with a front matter"),
        ("---\ntitle: x\n", "not closed"),
        ("---\ntitle: [x\n---\nbody", "not valid YAML"),
        ("---\nreviewed: 2026-01-01\nreviewer: a\n---\nbody", "missing in the front matter: title"),
        ("---\ntitle: t\nreviewed: hier\nreviewer: a\n---\nbody", "'reviewed' must be a date"),
        ("---\ntitle: t\nreviewed: 2026-01-01\nreviewer: a\nicon: ../x\n---\nb", "'icon' must"),
    ],
)
def test_a_wrong_front_matter_is_refused_with_its_reason(text, message):
    with pytest.raises(ContentError, match=re.escape(message)):
        split_front_matter(text, "x.md")


def test_content_dir_serves_the_platforms_own_text(client, content):
    page = content / "pages" / "fr" / "gratuit.md"
    page.write_text(
        page.read_text().replace("Vous ne payez rien pour le programme.", "Rien à payer, jamais.")
    )
    assert "Rien à payer, jamais." in _main(client, "/comprendre/gratuit?lang=fr")


def test_a_new_file_is_a_new_page_with_the_same_url_scheme(client, content):
    _write(content, "fr/nouvelle.md", "Une phrase courte.\n\n## Ensuite\n\nUne autre.\n")
    main = _main(client, "/comprendre/nouvelle?lang=fr")
    assert "<h1>Une page</h1>" in main and '<p class="lead">Une phrase courte.</p>' in main
    assert 'href="/comprendre/nouvelle"' in _main(client, "/comprendre/?lang=fr")


def test_a_page_missing_in_a_language_falls_back_to_french_marked(client, content):
    (content / "pages" / "en" / "gratuit.md").unlink()
    main = _main(client, "/comprendre/gratuit?lang=en")
    assert "This page is not translated yet" in main or "pas encore traduite" in main
    assert '<div lang="fr" dir="ltr" class="page-text">' in main
    assert "Vous ne payez rien pour le " in main
    index = _main(client, "/comprendre/?lang=en")
    assert re.search(
        r'<li lang="fr" dir="ltr">[^<]*<img[^>]*>\s*<span><a href="/comprendre/gratuit"', index
    )
    # a page in its own language carries no mark
    assert "page-text" in (own := _main(client, "/comprendre/etp?lang=en"))
    assert 'lang="fr"' not in own.split("</h1>")[0]


def test_raw_html_in_a_file_is_shown_as_text_never_run(client, content):
    _write(
        content,
        "fr/piege.md",
        'Texte <script>alert(1)</script> et <img src=x onerror="alert(2)">.\n\n'
        '<div onclick="alert(3)">bloc</div>\n\n[lien](javascript:alert(4))\n',
    )
    main = _main(client, "/comprendre/piege?lang=fr")
    assert "<script>alert" not in main and "<img src=x" not in main and "<div onclick" not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "&lt;div onclick=" in main
    assert 'href="javascript:' not in main


def test_glossary_is_a_data_file_per_language(client, content):
    glossary = content / "glossary" / "en.yaml"
    glossary.write_text(
        glossary.read_text().replace("It is the first appointment.", "The very first meeting.")
    )
    assert "The very first meeting." in _main(client, "/comprendre/glossaire?lang=en")


def test_easy_read_idea_marker_becomes_its_pictogram(client, content):
    _write(content, "fr/facile/essai.md", "## Titre\n\n- :icons/users: Un groupe.\n- Sans image.\n")
    main = _main(client, "/comprendre/facile/essai?lang=fr")
    assert re.search(
        r'<li><img class="picto-side" src="/static/img/icons/users(\.[0-9a-f]{12})?\.svg[^"]*" alt=""',
        main,
    )
    assert "<span>Un groupe.</span>" in main and "<li>Sans image.</li>" in main


# --- etp-orient content check -----------------------------------------------------------


def test_content_check_passes_on_the_shipped_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert re.search(r"ok +fr/diabete-grossesse +Kandel-Moles +\d", result.output)
    assert re.search(r"ok +en/diabete-grossesse +Flesch +\d", result.output)
    assert re.search(r"ok +ar/diabete-grossesse +\d", result.output)
    assert "0 below their thresholds" in result.output


def test_content_check_fails_on_a_long_sentence(runner, content):
    long = " ".join(["mot"] * 30) + "."
    _write(content, "en/etp.md", f"Short.\n\n{long}\n", title="What it is")
    result = runner.invoke(args=["content", "check", "--quiet"])
    assert result.exit_code == 1
    assert "FAIL en/etp" in result.output and "a sentence of 30 words" in result.output


def test_content_check_fails_on_hard_french(runner, content):
    hard = "Néanmoins, l'organisation interprofessionnelle conditionne l'accessibilité. " * 3
    _write(content, "fr/difficile.md", hard)
    result = runner.invoke(args=["content", "check", "--quiet"])
    assert result.exit_code == 1
    assert re.search(
        r"FAIL fr/difficile .*\n +✗ Kandel-Moles -?\d+\.\d \(at least 70\)", result.output
    ), result.output


def test_content_check_fails_on_an_unknown_glossary_word(runner, content):
    _write(content, "fr/mots.md", "Une phrase.\n", glossary="atelier, inconnu")
    result = runner.invoke(args=["content", "check", "--quiet"])
    assert result.exit_code == 1
    assert "glossary words not in the glossary: inconnu" in result.output


def test_content_check_warns_on_a_missing_translation_without_failing(runner, content):
    (content / "pages" / "ar" / "facile" / "gratuit.md").unlink()
    result = runner.invoke(args=["content", "check", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "warn ar/facile/gratuit" in result.output and "missing translation" in result.output


def test_content_check_fails_on_a_broken_front_matter(runner, content):
    (content / "pages" / "en" / "reins.md").write_text("title: no fences\n")
    result = runner.invoke(args=["content", "check", "--quiet"])
    assert result.exit_code == 1
    assert "must start with a front matter" in result.output


RICH = {
    "diabete-grossesse": {
        "fr": [
            "Quand le découvre-t-on ?",
            "Qu'est-ce qui change",
            "Après la naissance",
            "Quand appeler ?",
        ],
        "en": ["When is it found?", "What changes for you?", "After the birth", "When to call?"],
        "ar": ["متى يُكتشف؟", "ما الذي يتغير", "بعد الولادة", "متى تتصلين؟"],
    },
    "coeur-tension": {
        "fr": ["Quand appeler le 15 ?"],
        "en": ["When to call 15?"],
        "ar": ["متى تتصل بالرقم 15؟"],
    },
    "souffle": {
        "fr": ["La BPCO, c'est quoi ?", "Quand appeler ?"],
        "en": ["What is BPCO?"],
        "ar": ["ما هو BPCO؟"],
    },
    "poids-enfant": {
        "fr": ["Ce que vous pouvez faire à la maison"],
        "en": ["What you can do at home"],
        "ar": ["ما يمكنك فعله في البيت"],
    },
    "apres-chirurgie-obesite": {
        "fr": ["Pour toute la vie", "Quand appeler ?"],
        "en": ["For the rest of your life"],
        "ar": ["مدى الحياة"],
    },
}


@pytest.mark.parametrize("slug", sorted(RICH))
@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_condition_pages_of_the_seeds_say_when_what_after_and_when_to_call(client, slug, lang):
    main = _main(client, f"/comprendre/{slug}?lang={lang}")
    assert "fallback-note" not in main
    for heading in RICH[slug][lang]:
        assert re.search(rf"<h2>{re.escape(heading)}", main.replace("&#39;", "'")), (slug, heading)


def test_each_rich_page_has_a_pictogram_of_its_own_under_an_open_licence(app):
    with app.test_request_context("/?lang=fr"):
        pages = {p.slug: p for p in listing("plain", "fr")}
    icons = [pages[slug].icon for slug in RICH]
    assert len(set(icons)) == len(icons)
    others = [p.icon for slug, p in pages.items() if slug not in RICH]
    assert not set(icons) & set(others)
    for icon in icons:
        svg = (Path(app.static_folder) / "img" / f"{icon}.svg").read_text()
        assert svg.startswith("<!-- CC0 1.0") and "<svg" in svg and "<script" not in svg


def test_every_content_folder_is_installed_with_the_app():
    """pyproject.toml's data-files list each folder of content/, so that an installed app
    (not only ``make run`` in the project) finds its pages under <prefix>/share/etp-orient."""
    import tomllib

    root = default_content_dir().parent
    data_files = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "data-files"
    ]
    listed = {
        target.removeprefix("share/etp-orient/"): globs for target, globs in data_files.items()
    }
    for folder in (root / "content").rglob("*"):
        if folder.is_dir() and any(f.is_file() for f in folder.iterdir()):
            relative = str(folder.relative_to(root))
            assert relative in listed, f"add {relative} to [tool.setuptools.data-files]"
            suffixes = {f.suffix for f in folder.iterdir() if f.is_file()}
            assert listed[relative] == [f"{relative}/*{s}" for s in suffixes], relative


def test_an_installed_app_reads_the_content_under_its_prefix(tmp_path, monkeypatch):
    import etp_orient.content.pages as pages

    monkeypatch.setattr(pages, "ROOT", tmp_path / "site-packages")
    monkeypatch.setattr(pages.sys, "prefix", str(tmp_path / "venv"))
    assert pages.default_content_dir() == tmp_path / "venv" / "share" / "etp-orient" / "content"
