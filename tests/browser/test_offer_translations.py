"""The coordinator's English and Arabic versions on the public pages, in Chromium: shown
in the reader's language, the French "in French" mark where none is given, axe-clean."""

import pytest
from sqlalchemy import select

from etp_orient.catalogue.models import Programme
from etp_orient.core.db import begin_write
from etp_orient.extensions import db
from tests.browser.conftest import ORIENTATION, new_context, with_lang
from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

VERSIONS = {
    "en": {"plain_title": "Living better with diabetes"},
    "ar": {"plain_title": "العيش بشكل أفضل مع السكري"},
}
MARKS = {"en": "(in French)", "ar": "(بالفرنسية)"}


def _set(code: str, programme_versions, workshop_versions) -> Programme:
    """Write the versions holding SQLite's write lock first: the live server's workers
    use the same database."""
    begin_write()
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    workshop = programme.workshops[0]
    programme.translations = programme_versions
    workshop.translations = workshop_versions
    db.session.commit()
    return programme


@pytest.fixture
def translated(app_ctx, site, clock):
    programme = db.session.scalar(select(Programme).where(Programme.code == site.programme))
    before = (programme.translations, programme.workshops[0].translations)
    # a second later: the row's updated_at moves, so the live server's offer index
    # (built by earlier tests at the same frozen instant) sees the change
    clock.advance(seconds=1)
    yield _set(site.programme, VERSIONS, {"en": {"title": "Eating well"}})
    clock.advance(seconds=1)
    _set(site.programme, *before)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_translated_pages_are_shown_and_axe_clean(translated, site, live_server, browser, lang):
    context = new_context(browser, live_server.url, lang)
    page = context.new_page()
    problems = {}
    for path in [
        f"/programmes/{site.programme}",
        f"/orientation/resultats?{ORIENTATION}",
        f"/programmes/{site.programme}/rdv",
        f"/groupes/{site.cohort}",
        f"/gerer/{site.token}",
    ]:
        page.goto(with_lang(live_server.url + path, lang))
        text = page.inner_text("main")
        title = VERSIONS.get(lang, {}).get("plain_title") or translated.display_title
        if title not in text:
            problems[path] = f"title {title!r} missing"
        violations = axe_violations(page)
        if violations:
            problems[path] = violations
    page.goto(with_lang(live_server.url + f"/programmes/{site.programme}", lang))
    text = page.inner_text("main")
    if lang == "fr":
        assert "(en français)" not in text
    else:
        # the declared title and the summary have no version: French, marked
        assert MARKS[lang] in text
        marked = page.evaluate(
            "() => [...document.querySelectorAll('.lang-mark')].map("
            "m => m.previousElementSibling.getAttribute('lang'))"
        )
        assert marked and set(marked) == {"fr"}
    if lang == "en":
        assert "Eating well" in text
    context.close()
    assert problems == {}
