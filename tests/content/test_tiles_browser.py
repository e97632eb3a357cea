"""Tiles and cards wrap whole words and grow to fit (issue 18, point 4), measured in a
real browser: every tile label's box inside its card, no word cut in two, no sideways
scrolling, on the home and orientation pages, in fr, en and ar, at 320 to 1280 px."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIDTHS = [320, 768, 1024, 1280]
PATHS = ["/", "/orientation"]

# For each tile: the label's box against the card's inner box, and each word's line
# boxes (a word cut over two lines has two boxes, on two different lines).
MEASURE = """() => {
  const found = [];
  for (const tile of document.querySelectorAll('.picto-tile')) {
    const label = tile.querySelector('.picto-label');
    const card = tile.getBoundingClientRect();
    const box = label.getBoundingClientRect();
    const style = getComputedStyle(tile);
    const inner = {
      left: card.left + parseFloat(style.borderLeftWidth),
      right: card.right - parseFloat(style.borderRightWidth),
      top: card.top + parseFloat(style.borderTopWidth),
      bottom: card.bottom - parseFloat(style.borderBottomWidth),
    };
    const broken = [];
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
    found.push({
      text: label.textContent.trim(),
      label: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
      inner, broken,
      scroll: label.scrollWidth - label.clientWidth,
    });
  }
  return {tiles: found, page: document.documentElement.scrollWidth - window.innerWidth};
}"""


@pytest.fixture(scope="module")
def lang_pages(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
@pytest.mark.parametrize("path", PATHS)
def test_every_tile_label_fits_its_card_with_whole_words(live_server, lang_pages, path, lang):
    page = lang_pages
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}{path}?lang={lang}")
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        result = page.evaluate(MEASURE)
        assert result["tiles"], (path, lang, "no tile to measure")
        if result["page"] > 0:
            problems.append(f"{width}px: the page scrolls sideways by {result['page']}px")
        for tile in result["tiles"]:
            label, inner = tile["label"], tile["inner"]
            outside = max(
                inner["left"] - label["left"],
                label["right"] - inner["right"],
                inner["top"] - label["top"],
                label["bottom"] - inner["bottom"],
            )
            if outside > 0.5 or tile["scroll"] > 0:
                problems.append(
                    f"{width}px {tile['text']!r}: label outside its card by {outside:.1f}px"
                )
            if tile["broken"]:
                problems.append(f"{width}px {tile['text']!r}: word cut {tile['broken']}")
    assert problems == [], (path, lang, problems)
