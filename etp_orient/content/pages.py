"""The plain-language pages as data: one template renders them, the tests measure them.

A page is a title, a lead and sections; a section is a heading and blocks; a
block is a paragraph, a list, a numbered list or a few links. Every string is a
``lazy_gettext`` message, so the translation pass finds them (``pybabel extract
-k _l``) and the page renders in the reader's language. A string may hold
``%(name)s`` placeholders filled from the page context (see ``views_comprendre``).

The texts themselves live in ``texts_guide.py``, ``texts_conditions.py`` and
``texts_easy.py``; this module holds the shapes and the registry.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One block of text: ``kind`` is ``p``, ``ul``, ``ol`` or ``links``."""

    kind: str
    items: tuple = ()
    strong: bool = False


def P(text, strong: bool = False) -> Block:  # noqa: N802  (reads like the HTML it makes)
    """A paragraph (a few short sentences)."""
    return Block("p", (text,), strong)


def UL(*items) -> Block:  # noqa: N802
    """A bulleted list; each item one short sentence."""
    return Block("ul", tuple(items))


def OL(*items) -> Block:  # noqa: N802
    """A numbered list, for steps in order."""
    return Block("ol", tuple(items))


def LINKS(*pairs) -> Block:  # noqa: N802
    """Links to go further: ``(href, label)`` pairs."""
    return Block("links", tuple(pairs))


@dataclass(frozen=True)
class Section:
    heading: object
    blocks: tuple


def S(heading, *blocks) -> Section:  # noqa: N802
    return Section(heading, tuple(blocks))


@dataclass(frozen=True)
class Page:
    """A plain-language page under ``/comprendre/<slug>``."""

    slug: str
    title: object
    lead: object
    sections: tuple
    summary: object = None  # one line for the index page
    condition: str | None = None  # orientation code for the "find a programme" link
    pictogram: str | None = None  # static/img/… path without ".svg"
    easy: bool = False  # an easy-read version exists under /comprendre/facile/<slug>


@dataclass(frozen=True)
class Idea:
    """One easy-read idea: a very short sentence with its pictogram beside it."""

    icon: str  # static/img/… path without ".svg", e.g. "icons/users"
    text: object


@dataclass(frozen=True)
class EasySection:
    heading: object
    ideas: tuple


@dataclass(frozen=True)
class EasyPage:
    """An easy-read (FALC-style) page under ``/comprendre/facile/<slug>``."""

    slug: str
    title: object
    sections: tuple
    extra: dict = field(default_factory=dict)


def E(heading, *ideas) -> EasySection:  # noqa: N802
    return EasySection(heading, tuple(Idea(icon, text) for icon, text in ideas))


def guide_pages() -> list[Page]:
    """The general pages, in the order of the index."""
    from .texts_guide import PAGES

    return list(PAGES)


def condition_pages() -> list[Page]:
    """One short page per main condition."""
    from .texts_conditions import PAGES

    return list(PAGES)


def all_pages() -> list[Page]:
    return guide_pages() + condition_pages()


def get_page(slug: str) -> Page | None:
    return next((page for page in all_pages() if page.slug == slug), None)


def easy_pages() -> list[EasyPage]:
    from .texts_easy import PAGES

    return list(PAGES)


def get_easy_page(slug: str) -> EasyPage | None:
    return next((page for page in easy_pages() if page.slug == slug), None)
