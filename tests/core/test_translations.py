"""The English and Arabic catalogues are complete, clean and up to date with the code.

A message added to the code without its translation makes
``test_catalogue_has_every_message_of_the_code`` fail: run
``python scripts/po_status.py sync``, translate what ``python scripts/po_status.py``
lists, then ``pybabel compile -d translations``.
"""

import html
import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["en", "ar"]


def _po_status():
    spec = importlib.util.spec_from_file_location("po_status", ROOT / "scripts" / "po_status.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


po_status = _po_status()


def _catalog(language):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def catalogs():
    return {language: _catalog(language) for language in LANGUAGES}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the code and templates as they are now (a fresh extraction)."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    po_status.extract(pot)
    with pot.open("rb") as handle:
        return read_po(handle)


def _describe(message) -> str:
    msgid = message.id[0] if message.pluralizable else message.id
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    return f"{msgid[:60]!r} ({where})"


# --- the placeholder check itself -------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Bonjour %(name)s,", ["%(name)s"]),
        ("%(num)d place || 100 %%", ["%%", "%(num)d"]),
        ('Voir <a href="%(url)s">ici</a>', ['<a href="%(url)s">', "</a>"]),  # tags whole
        ("{count} séances", ["{count}"]),
        ("100 % gratuit", []),
    ],
)
def test_placeholders_are_found(text, expected):
    assert po_status.placeholders(text) == sorted(expected)


def test_a_translation_that_drops_a_placeholder_is_a_problem(catalogs):
    from babel.messages.catalog import Message

    message = Message("Bonjour %(name)s", "Hello", flags={"python-format"})
    problems = po_status.message_problems(message, 2)
    assert any("placeholders" in problem for problem in problems)


def test_a_missing_arabic_plural_form_is_a_problem():
    from babel.messages.catalog import Message

    message = Message(("%(num)d jour", "%(num)d jours"), ("%(num)d يوم",) * 5 + ("",))
    assert "form 5 untranslated" in po_status.message_problems(message, 6)


# --- the catalogues ----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_without_fuzzy_flags(catalogs, language):
    problems = po_status.catalogue_problems(catalogs[language])
    report = [f"{_describe(message)}: {'; '.join(found)}" for message, found in problems]
    assert not report, f"{language}: {len(report)} messages to fix\n" + "\n".join(report[:40])


def test_arabic_has_six_plural_forms_and_english_two(catalogs):
    assert catalogs["ar"].num_plurals == 6
    assert catalogs["en"].num_plurals == 2
    for language, catalog in catalogs.items():
        for message in catalog:
            if message.id and message.pluralizable:
                assert len(message.string) == catalog.num_plurals, (language, message.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles_without_warnings(catalogs, language):
    errors = [
        f"{_describe(message)}: {', '.join(map(str, found))}"
        for message, found in catalogs[language].check()
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_message_of_the_code(catalogs, extracted, language):
    catalog = catalogs[language]
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id)
        if entry is None or entry.id != message.id:
            missing.append(_describe(message))
    assert not missing, (
        f"{len(missing)} messages of the code are not in translations/{language}: "
        "run `python scripts/po_status.py sync` and translate them\n" + "\n".join(missing[:40])
    )


# --- pages in the reader's language --------------------------------------------------


def _translated(catalogs, language, msgid):
    return html.escape(catalogs[language].get(msgid).string, quote=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_renders_in_the_language(client, catalogs, language):
    page = client.get(f"/?lang={language}").get_data(as_text=True)
    assert f'lang="{language}"' in page
    assert _translated(catalogs, language, "Mieux vivre avec une maladie qui dure") in page
    assert "Mieux vivre avec une maladie qui dure" not in page


def test_home_page_in_english_reads_in_english(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Live better with an illness that lasts" in page
    assert 'dir="ltr"' in page


def test_home_page_in_arabic_is_right_to_left(client):
    page = client.get("/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "عِش أفضل مع مرض يدوم" in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_language_page_renders_in_the_language(client, catalogs, language):
    """The page's text is its content file in that language (content/pages/<lang>/)."""
    from etp_orient.content.pages import default_content_dir, split_front_matter

    path = default_content_dir() / "pages" / language / "etp.md"
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    page = client.get(f"/comprendre/etp?lang={language}").get_data(as_text=True)
    assert f"<h1>{meta['title']}</h1>" in page.replace("&#39;", "'")
    heading = next(line[3:] for line in body.splitlines() if line.startswith("## "))
    assert f"<h2>{heading}</h2>" in page.replace("&#39;", "'")
    assert "fallback-note" not in page
    assert _translated(catalogs, language, "Toutes les pages pour comprendre") in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_orientation_step_renders_in_the_language(client, catalogs, language):
    page = client.get(f"/orientation?lang={language}").get_data(as_text=True)
    assert _translated(catalogs, language, "Qu'avez-vous ?") in page
