"""Visible focus on every focusable element, and text enlarged to 200 % without side scroll.

Contrast is checked by axe-core in test_public_pages_a11y.py; axe cannot see
focus styles, hence the walk with the Tab key here.
"""

import pytest

from tests.browser.conftest import ORIENTATION, new_context, no_horizontal_scroll, with_lang

pytestmark = [pytest.mark.browser, pytest.mark.server]

# What the focused element looks like: a real outline or a ring drawn with box-shadow,
# and a box one can see.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '')
    + (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : '')
    + (el.value && el.type === 'radio' ? '[value=' + el.value + ']' : '');
  return {
    label: label,
    text: (el.innerText || el.value || '').trim().slice(0, 40),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
    ring: s.boxShadow !== 'none',
    visible: rect.width > 1 && rect.height > 1,
    focusVisible: el.matches(':focus-visible'),
  };
}"""


def focus_walk(page, limit: int = 200) -> list[dict]:
    """Tab through the page once (until the focus leaves it or comes back round)."""
    seen, found = set(), []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STYLE)
        if state is None:
            break
        key = page.evaluate(
            "() => { const el = document.activeElement;"
            " el.dataset.focusWalk = el.dataset.focusWalk || String(Math.random());"
            " return el.dataset.focusWalk; }"
        )
        if key in seen:
            break
        seen.add(key)
        found.append(state)
    return found


def _focus_pages(site):
    return [
        "/",
        f"/programmes/{site.programme}",
        f"/programmes/{site.programme}/rdv",
        f"/rdv/{site.slot}",
        f"/groupes/{site.cohort}",
        f"/gerer/{site.token}",
        "/orientation",
        "/orientation?condition=diabete",
    ]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_focusable_element_shows_its_focus(site, live_server, browser, lang):
    context = new_context(browser, live_server.url, lang)
    page = context.new_page()
    unseen = {}
    for path in _focus_pages(site):
        page.goto(with_lang(live_server.url + path, lang))
        walked = focus_walk(page)
        assert len(walked) >= 5, f"{path}: only {len(walked)} elements take the focus"
        bad = [
            f"{e['label']} «{e['text']}»"
            for e in walked
            if not ((e["outline"] or e["ring"]) and e["visible"] and e["focusVisible"])
        ]
        if bad:
            unseen[path] = bad
    context.close()
    assert unseen == {}, "focus not visible on: " + repr(unseen)


def _main_pages(site):
    return [
        "/",
        "/orientation",
        "/orientation?condition=diabete",
        f"/orientation/resultats?{ORIENTATION}",
        f"/orientation/carte?{ORIENTATION}",
        f"/programmes/{site.programme}",
        f"/programmes/{site.programme}/rdv",
        f"/rdv/{site.slot}",
        f"/groupes/{site.cohort}",
        f"/gerer/{site.token}",
        "/pro/orienter?condition=diabete-type-2&commune=59500&age=60",
        f"/pro/orientation/{site.referral}",
        "/comprendre/",
        "/comprendre/etp",
        "/comprendre/facile/etp",
        "/comprendre/glossaire",
    ]


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("width", [1280, 640])
def test_text_at_200_percent_needs_no_side_scroll(site, live_server, browser, lang, width):
    """Text doubled (the root font size, as the browser's text-size setting does), at a
    desktop width and at 640 px (a 1280 px screen zoomed to 200 %)."""
    context = new_context(browser, live_server.url, lang, viewport={"width": width, "height": 900})
    page = context.new_page()
    wide = {}
    for path in _main_pages(site):
        page.goto(with_lang(live_server.url + path, lang))
        page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        scroll, view = no_horizontal_scroll(page)
        if scroll > view + 1:
            wide[path] = scroll
    context.close()
    assert wide == {}, f"wider than {width} px with text at 200 %"
