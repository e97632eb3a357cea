"""Language of parts (WCAG 3.1.2): the offer's own words are French, whatever the page's
language, so an English or Arabic page marks them ``lang="fr"`` and a screen reader
switches voice for them. axe-core does not check this.
"""

import pytest
from sqlalchemy import select

from etp_orient.catalogue.models import Programme
from etp_orient.extensions import db
from tests.browser.conftest import ORIENTATION, new_context, with_lang

pytestmark = [pytest.mark.browser, pytest.mark.server]

# The language in force for every text node of <main> holding one of the strings.
LANGS_OF = """(strings) => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const hit = strings.find(s => text.includes(s));
    if (hit) found.push([hit, node.parentElement.closest('[lang]').getAttribute('lang')]);
  }
  return found;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_offer_s_french_words_are_marked_french(app_ctx, site, live_server, browser, lang):
    programme = db.session.scalar(select(Programme).where(Programme.code == site.programme))
    strings = [programme.display_title, *[w.title for w in programme.workshops]]
    context = new_context(browser, live_server.url, lang)
    page = context.new_page()
    wrong = {}
    for path in [
        f"/orientation/resultats?{ORIENTATION}",
        f"/programmes/{site.programme}",
        f"/programmes/{site.programme}/rdv",
        f"/rdv/{site.slot}",
        f"/groupes/{site.cohort}",
        f"/gerer/{site.token}",
        f"/pro/orientation/{site.referral}",
    ]:
        page.goto(with_lang(live_server.url + path, lang))
        found = page.evaluate(LANGS_OF, strings)
        assert found, f"{path}: the programme's title is not on the page"
        bad = sorted({text for text, in_lang in found if in_lang != "fr"})
        if bad:
            wrong[path] = bad
    context.close()
    assert wrong == {}, f"French text not marked lang=fr on {lang} pages"
