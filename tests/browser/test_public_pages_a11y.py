"""Every public page in French, English and Arabic, in headless Chromium.

One walk per language visits every public page (listed from the url_map, see
``conftest.public_pages``) and the forms after a submission with errors, and
records on each: the HTTP status, the axe-core violations (WCAG 2.1 A/AA and
best practices), the width of the document in a 320 px viewport, the page
weight (HTML + CSS + JS as gzip level 6 would send it: the app itself serves
uncompressed, a reverse proxy compresses) and any third-party request. The
tests below assert on the walk; the weights are printed as a table at the end
of the run.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    EXPECTED_400,
    EXPECTED_404,
    LANGUAGES,
    NARROW_RULES,
    REFERRER,
    axe_rules,
    gzip_size,
    new_context,
    no_horizontal_scroll,
    public_pages,
    with_lang,
)
from tests.fixtures.servers import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

WEIGHT_LIMIT = 60 * 1024
COUNTED = {"html": "text/html", "css": "text/css", "js": "javascript"}


@dataclass
class Visit:
    status: int | None
    violations: list = field(default_factory=list)
    width_320: int = 0
    weight: dict | None = None  # kind -> gzip bytes, for GET pages


@dataclass
class Walk:
    lang: str
    visits: dict = field(default_factory=dict)
    third_party: list = field(default_factory=list)


def _kind(content_type: str) -> str:
    for kind, marker in COUNTED.items():
        if marker in content_type:
            return kind
    return "other"


class Weigher:
    """Sizes of the same-origin resources a page used (bodies fetched once, then cached)."""

    def __init__(self, context, base_url: str):
        self.request = context.request
        self.base_url = base_url
        self.cache: dict[str, tuple[str, int, int]] = {}

    def resource(self, url: str) -> tuple[str, int, int]:
        """(kind, gzip size, raw size) of a same-origin resource."""
        if url not in self.cache:
            answer = self.request.get(url)
            body = answer.body()
            kind = _kind(answer.headers.get("content-type", ""))
            self.cache[url] = (kind, gzip_size(body), len(body))
        return self.cache[url]

    def weigh(self, page, document: bytes) -> dict:
        """gzip sizes by kind, their HTML + CSS + JS ``total``, and ``raw`` (as served)."""
        sizes = {"html": gzip_size(document), "css": 0, "js": 0, "other": 0}
        raw = len(document)
        urls = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
        for url in dict.fromkeys(urls):
            if not url.startswith(self.base_url):
                continue  # refused third-party requests (map tiles), counted apart
            kind, size, raw_size = self.resource(url)
            sizes[kind] += size
            raw += raw_size if kind != "other" else 0
        sizes["total"] = sizes["html"] + sizes["css"] + sizes["js"]
        sizes["raw"] = raw
        return sizes


def _record(walk, name, page, status, weigher=None, document=None):
    visit = Visit(status=status, violations=axe_violations(page))
    if weigher is not None and document is not None:
        visit.weight = weigher.weigh(page, document)
    page.set_viewport_size({"width": 320, "height": 640})
    visit.width_320 = no_horizontal_scroll(page)[0]
    # what only shows on a narrow screen: regions that scroll sideways, small targets
    visit.violations += [
        {**v, "id": v["id"] + " (at 320 px)"} for v in axe_rules(page, NARROW_RULES)
    ]
    page.set_viewport_size({"width": 1280, "height": 900})
    walk.visits[name] = visit


def _submit(page, selector="main form[method=post] button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).first.click()


def _after_errors(walk, page, base, site, lang):
    """The forms again after a submission with errors (and a status message)."""
    forms = [
        (f"/rdv/{site.slot}", {}),
        (f"/groupes/{site.open_cohort}", {}),
        ("/gerer/nouveau-lien", {"email": "pas-une-adresse"}),
        ("/connexion", {"email": "personne@example.org", "password": "mauvais"}),
        ("/connexion/mot-de-passe-oublie", {"email": "pas-une-adresse"}),
    ]
    for path, values in forms:
        page.goto(with_lang(base + path, lang))
        for name, value in values.items():
            page.fill(f'main [name="{name}"]', value)
        _submit(page)
        assert page.locator('[role="alert"]').count() >= 1, f"{path}: no error shown"
        _record(walk, f"{path} (POST with errors)", page, None)
    page.goto(with_lang(f"{base}/pro/orientation/{site.referral}", lang))
    page.fill('main [name="email"]', "pas-une-adresse")
    _submit(page, 'form[action$="/envoyer"] button[type=submit]')
    assert page.locator('[role="alert"]').count() >= 1
    _record(walk, f"/pro/orientation/{site.referral} (POST with errors)", page, None)
    manage = f"/gerer/{site.token}"
    page.goto(with_lang(f"{base}{manage}/rdv/{site.booking_id}/deplacer", lang))
    _submit(page)  # no date chosen
    assert page.locator('[role="alert"]').count() >= 1
    _record(walk, f"{manage}/rdv/{site.booking_id}/deplacer (POST with errors)", page, None)
    page.goto(with_lang(base + manage, lang))
    _submit(page, 'form[action$="/choix"] button[type=submit]')
    assert page.locator('[role="status"]').count() >= 1
    _record(walk, f"{manage} (after saving choices)", page, None)


def _as_referrer(walk, page, base, site, lang, weigher):
    """The professional's pages once logged in (a referrer account, no structure)."""
    page.goto(with_lang(base + "/connexion", lang))
    page.fill('main [name="email"]', REFERRER[0])
    page.fill('main [name="password"]', REFERRER[1])
    _submit(page)
    for path in [
        "/pro/mes-orientations",
        "/pro/orienter?condition=diabete-type-2&commune=59500&age=60",
        f"/pro/orientation/{site.referral}",
    ]:
        response = page.goto(with_lang(base + path, lang))
        assert "/connexion" not in page.url
        _record(walk, f"{path} (logged in)", page, response.status, weigher, response.body())


@pytest.fixture(scope="module", params=LANGUAGES)
def walk(request, app, site, live_server, browser):
    lang = request.param
    base = live_server.url
    context = new_context(browser, base, lang)
    page = context.new_page()
    weigher = Weigher(context, base)
    result = Walk(lang)
    for path in public_pages(app, site):
        response = page.goto(with_lang(base + path, lang))
        _record(result, path, page, response.status, weigher, response.body())
    _after_errors(result, page, base, site, lang)
    _as_referrer(result, page, base, site, lang, weigher)
    result.third_party = list(context.third_party)
    context.close()
    WEIGHTS[lang] = {name: v.weight for name, v in result.visits.items() if v.weight}
    AXE[lang] = {name: v.violations for name, v in result.visits.items()}
    return result


# Read by conftest.pytest_terminal_summary.
WEIGHTS: dict[str, dict[str, dict]] = {}
AXE: dict[str, dict[str, list]] = {}


def _format_violations(found: dict[str, list]) -> str:
    lines = []
    for name, violations in found.items():
        lines.append(f"\n{name}:")
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"      {target}" for target in v["nodes"])
    return "\n".join(lines)


def test_every_public_page_answers(walk, site):
    expected = (
        dict.fromkeys(EXPECTED_404, 404)
        | {f"/rdv/{site.taken_slot}": 409}  # taken
        | dict.fromkeys(EXPECTED_400, 400)  # filters with errors, shown next to their fields
    )
    wrong = {
        name: visit.status
        for name, visit in walk.visits.items()
        if visit.status is not None and visit.status != expected.get(name, 200)
    }
    assert wrong == {}


def test_no_axe_violations(walk):
    found = {name: visit.violations for name, visit in walk.visits.items() if visit.violations}
    assert not found, f"{walk.lang}: axe violations on {len(found)} pages" + _format_violations(
        found
    )


def test_no_horizontal_scroll_at_320_px(walk):
    wide = {name: visit.width_320 for name, visit in walk.visits.items() if visit.width_320 > 321}
    assert wide == {}, f"{walk.lang}: wider than 320 px (scrollWidth)"


def test_every_page_weighs_at_most_60_kb(walk):
    heavy = {
        name: visit.weight["total"]
        for name, visit in walk.visits.items()
        if visit.weight and visit.weight["total"] > WEIGHT_LIMIT
    }
    assert heavy == {}, f"{walk.lang}: pages over 60 KB (HTML + CSS + JS, gzip -6)"


def test_no_third_party_request_but_map_tiles(walk, app):
    tiles = urlsplit(app.config["MAP_TILE_URL"].replace("{s}", "a")).netloc
    others = [url for url in walk.third_party if urlsplit(url).netloc != tiles]
    assert others == []


def test_no_axe_violations_when_the_scripts_do_not_load(app, site, live_server, browser):
    """Every page as it is without its enhancements (the site's scripts refused; axe
    itself is evaluated through DevTools), in French: what a browser with JavaScript
    off, or a failed download, gets."""
    base = live_server.url
    context = new_context(browser, base, "fr")
    context.route("**/static/js/**", lambda route: route.abort())
    context.route("**/static/vendor/**/*.js", lambda route: route.abort())
    page = context.new_page()
    found = {}
    for path in public_pages(app, site):
        page.goto(with_lang(base + path, "fr"))
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    context.close()
    assert not found, "axe violations without the scripts" + _format_violations(found)
