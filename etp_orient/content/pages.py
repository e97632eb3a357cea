"""The plain-language pages as Markdown files, one per language (docs/content.md).

``<CONTENT_DIR>/pages/<lang>/<slug>.md`` is a plain page, ``…/facile/<slug>.md``
its easy-read version, ``…/legal/<slug>.md`` a legal page. A file starts with a
YAML front matter (title, summary, glossary words, icon, review date, reviewer;
``group``, ``order`` and ``condition`` place it on the index), then Markdown.
Markdown is rendered by markdown-it-py with raw HTML off: what an editor types
as HTML is shown as text, never run. A page missing in the reader's language is
the French one, marked as such (``fallback``, rendered with ``lang="fr"``).

Easy-read pages write one idea per list item, its pictogram first:
``- :icons/users: Vous allez dans un petit groupe.``
"""

import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from flask import current_app, has_app_context, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

DEFAULT_LANGUAGE = "fr"
ROOT = Path(__file__).resolve().parents[2]
KINDS = ("plain", "facile", "legal")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ICON_RE = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+$")
IDEA_RE = re.compile(r"^:([a-z0-9-]+/[a-z0-9-]+):\s*")
PLACEHOLDER_RE = re.compile(r"\{(retention|platform_name|platform_short_name)\}")
REQUIRED = ("title", "reviewed", "reviewer")


class ContentError(ValueError):
    """A content file that cannot be read (bad front matter, missing title…)."""


def default_content_dir() -> Path:
    """The folder that ships with the app: ``content/`` at the project's root (``make run``,
    an editable install), else the installed copy under ``<prefix>/share/etp-orient/``."""
    project = ROOT / "content"
    if project.is_dir():
        return project
    return Path(sys.prefix) / "share" / "etp-orient" / "content"


def content_dir() -> Path:
    """``CONTENT_DIR`` when set (a platform's own content), else the shipped folder."""
    if has_app_context() and current_app.config.get("CONTENT_DIR"):
        return Path(current_app.config["CONTENT_DIR"])
    return default_content_dir()


def _folder(lang: str, kind: str, base: Path | None = None) -> Path:
    folder = (base or content_dir()) / "pages" / lang
    return folder if kind == "plain" else folder / kind


@dataclass(frozen=True)
class Page:
    """One content file, read: ``meta`` is its front matter, ``body`` its Markdown."""

    slug: str
    kind: str
    lang: str  # the language of the text (French when it is a fallback)
    meta: dict
    body: str
    path: Path
    fallback: bool = False  # the reader asked for another language
    problems: tuple = field(default=())

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def summary(self) -> str | None:
        return self.meta.get("summary")

    @property
    def icon(self) -> str | None:
        return self.meta.get("icon")

    # the names the templates used before the pages were files
    pictogram = icon

    @property
    def condition(self) -> str | None:
        return self.meta.get("condition")

    @property
    def group(self) -> str:
        return self.meta.get("group", "guide")

    @property
    def order(self) -> int:
        return int(self.meta.get("order", 1000))

    @property
    def glossary(self) -> list[str]:
        return list(self.meta.get("glossary") or [])

    @property
    def reviewed(self):
        return self.meta.get("reviewed")

    @property
    def reviewer(self) -> str | None:
        return self.meta.get("reviewer")

    @property
    def easy(self) -> bool:
        """An easy-read version of this plain page exists (in some language)."""
        return (
            self.kind == "plain"
            and (_folder(DEFAULT_LANGUAGE, "facile") / f"{self.slug}.md").is_file()
        )


_cache: dict = {}


def read_file(path: Path, slug: str, kind: str, lang: str) -> Page:
    """Parse one file (cached on its modification time)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key in _cache:
        return _cache[key]
    text = path.read_text(encoding="utf-8")
    meta, body = split_front_matter(text, path)
    page = Page(slug, kind, lang, meta, body, path)
    if len(_cache) > 2000:
        _cache.clear()
    _cache[key] = page
    return page


def split_front_matter(text: str, path: Path | str = "") -> tuple[dict, str]:
    """``(front matter, Markdown body)``; ContentError when the front matter is wrong."""
    if not text.startswith("---"):
        raise ContentError(f"{path}: the file must start with a front matter between '---' lines")
    parts = re.split(r"^---[ \t]*$", text, maxsplit=2, flags=re.MULTILINE)
    if len(parts) < 3:
        raise ContentError(f"{path}: the front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: the front matter is not valid YAML ({error})") from error
    if not isinstance(meta, dict):
        raise ContentError(f"{path}: the front matter must be 'name: value' lines")
    missing = [name for name in REQUIRED if not meta.get(name)]
    if missing:
        raise ContentError(f"{path}: missing in the front matter: {', '.join(missing)}")
    if isinstance(meta["reviewed"], str):
        try:
            meta["reviewed"] = date.fromisoformat(meta["reviewed"])
        except ValueError as error:
            raise ContentError(f"{path}: 'reviewed' must be a date, YYYY-MM-DD") from error
    icon = meta.get("icon")
    if icon is not None and not ICON_RE.match(str(icon)):
        raise ContentError(f"{path}: 'icon' must look like 'conditions/diabete'")
    return meta, parts[2].lstrip("\n")


def languages() -> list[str]:
    if has_app_context():
        return list(current_app.config.get("LANGUAGES", ["fr", "en", "ar"]))
    return ["fr", "en", "ar"]


def slugs(kind: str = "plain", lang: str | None = None, base: Path | None = None) -> list[str]:
    """The slugs of one kind, in every language (or one), sorted."""
    found = set()
    for code in [lang] if lang else languages():
        folder = _folder(code, kind, base)
        if folder.is_dir():
            found.update(p.stem for p in folder.glob("*.md") if SLUG_RE.match(p.stem))
    return sorted(found)


def get(slug: str, kind: str = "plain", lang: str | None = None) -> Page | None:
    """The page in ``lang`` (the reader's by default), else the French one marked as fallback."""
    if not SLUG_RE.match(slug):
        return None
    lang = lang or _reader_language()
    for code, fallback in ((lang, False), (DEFAULT_LANGUAGE, lang != DEFAULT_LANGUAGE)):
        path = _folder(code, kind) / f"{slug}.md"
        if path.is_file():
            page = read_file(path, slug, kind, code)
            if fallback:
                page = Page(page.slug, kind, code, page.meta, page.body, page.path, True)
            return page
        if code == DEFAULT_LANGUAGE:
            break
    return None


def listing(kind: str = "plain", lang: str | None = None) -> list[Page]:
    """Every page of one kind in the reader's language (French where missing), in order."""
    pages = [get(slug, kind, lang) for slug in slugs(kind, DEFAULT_LANGUAGE)]
    return sorted((p for p in pages if p), key=lambda p: (p.order, p.slug))


def _reader_language() -> str:
    from flask import has_request_context

    from ..core.i18n import current_language

    return current_language() if has_request_context() else DEFAULT_LANGUAGE


# The old names, used by the views and the tests.
def all_pages() -> list[Page]:
    return listing("plain")


def guide_pages() -> list[Page]:
    return [p for p in all_pages() if p.group != "conditions"]


def condition_pages() -> list[Page]:
    return [p for p in all_pages() if p.group == "conditions"]


def easy_pages() -> list[Page]:
    return listing("facile")


def get_page(slug: str) -> Page | None:
    return get(slug, "plain")


def get_easy_page(slug: str) -> Page | None:
    return get(slug, "facile")


# --- rendering ------------------------------------------------------------------------


def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML off (``html=False``): tags typed in a file are escaped."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image"])  # pictograms come from the front matter and the idea markers
    md.add_render_rule("text", _render_text)
    md.add_render_rule("list_item_open", _render_item_open)
    md.add_render_rule("list_item_close", _render_item_close)
    return md


def _render_text(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.meta.get("say") and env.get("say"):
        return str(env["say"](token.content))
    return str(escape(token.content))


def _render_item_open(self, tokens, idx, options, env):
    icon = tokens[idx].meta.get("icon")
    if not icon:
        return "<li>"
    src = escape(url_for("static", filename=f"img/{icon}.svg"))
    return f'<li><img class="picto-side" src="{src}" alt="" width="48" height="48"><span>'


def _render_item_close(self, tokens, idx, options, env):
    return "</span></li>\n" if tokens[idx].meta.get("icon") else "</li>\n"


MD = _markdown()


def fill(text: str, context: dict) -> str:
    """Replace the known ``{placeholders}`` (others stay as typed)."""
    return PLACEHOLDER_RE.sub(lambda m: str(context.get(m.group(1), m.group(0))), text)


def render(page: Page, say=None, context: dict | None = None) -> Markup:
    """The page's body as HTML: glossary terms explained by ``say`` outside headings and
    links, the first paragraph of a plain page as its lead, easy-read ideas with their
    pictogram."""
    env = {"say": say}
    tokens = MD.parse(page.body, env)
    heading = 0
    first_paragraph = page.kind == "plain"
    item_stack = []
    for token in tokens:
        if token.type == "heading_open":
            heading += 1
        elif token.type == "heading_close":
            heading -= 1
        elif token.type == "paragraph_open" and first_paragraph and token.level == 0:
            token.attrSet("class", "lead")
            first_paragraph = False
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            first_paragraph = False
        elif token.type == "list_item_open":
            item_stack.append(token)
        elif token.type == "list_item_close":
            opened = item_stack.pop()
            token.meta["icon"] = opened.meta.get("icon")
        elif token.type == "inline":
            _mark_inline(token, heading, item_stack, page.kind == "facile")
    for index, token in enumerate(tokens):
        if token.type == "bullet_list_open" and page.kind == "facile":
            token.attrSet("class", "easy-list")
        elif token.type == "bullet_list_open" and _only_links(tokens, index):
            token.attrSet("class", "more-links")
    html = MD.renderer.render(tokens, MD.options, env)
    # the placeholders last, escaped, so that a platform's name is never "explained"
    html = fill(html, {name: escape(value) for name, value in (context or {}).items()})
    # safe: markdown-it escapes every text (html=False); only its own tags are added
    return Markup(html)  # noqa: S704


def _mark_inline(token, heading: int, item_stack: list, easy: bool) -> None:
    children = token.children or []
    if easy and item_stack and children and children[0].type == "text":
        match = IDEA_RE.match(children[0].content)
        if match and not item_stack[-1].meta.get("icon"):
            item_stack[-1].meta["icon"] = match.group(1)
            children[0].content = children[0].content[match.end() :]
    link = 0
    for child in children:
        if child.type == "link_open":
            link += 1
        elif child.type == "link_close":
            link -= 1
        elif child.type == "text" and not heading and not link:
            child.meta["say"] = True


def _only_links(tokens, index: int) -> bool:
    """A bulleted list whose every item is one link (a "go further" list)."""
    depth, items = 0, 0
    for token in tokens[index + 1 :]:
        if token.type == "bullet_list_close" and depth == 0:
            return items > 0
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "inline":
            kids = [
                c for c in token.children or [] if not (c.type == "text" and not c.content.strip())
            ]
            if not kids or kids[0].type != "link_open" or kids[-1].type != "link_close":
                return False
            if sum(1 for c in kids if c.type == "link_open") != 1:
                return False
            items += 1
    return False


def icons(page: Page) -> list[str]:
    """Every pictogram a page uses (front matter and easy-read ideas)."""
    found = [page.icon] if page.icon else []
    for line in page.body.splitlines():
        match = re.match(r"^\s*[-*+]\s+:([a-z0-9-]+/[a-z0-9-]+):", line)
        if match:
            found.append(match.group(1))
    return found


def icon_exists(icon: str) -> bool:
    static = current_app.static_folder if has_app_context() else str(ROOT / "static")
    return os.path.isfile(os.path.join(static, "img", f"{icon}.svg"))
