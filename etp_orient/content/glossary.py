"""The glossary, and the filter that explains a term where it first appears on a page.

Abbreviations (ETP, BEP, CPTS…) are written out in brackets at their first use
on a page, with a link to their glossary entry: "BEP (bilan éducatif partagé)".
Later uses get an ``<abbr title>``. Words (atelier, programme…) get a link to
their entry at their first use. ``/comprendre/glossaire`` lists every entry.
The entries are a data file per language, ``<CONTENT_DIR>/glossary/<lang>.yaml``.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import Markup, escape

from ..core.text import fold

GLOSSARY_PATH = "/comprendre/glossaire"


@dataclass(frozen=True)
class Term:
    key: str  # anchor on the glossary page
    term: str  # as written in the text (an abbreviation is never translated)
    expansion: object | None  # the words behind an abbreviation
    definition: object  # one to three short sentences
    forms: tuple = ()  # other spellings matched in the text (plurals, feminine)

    @property
    def is_abbreviation(self) -> bool:
        return self.expansion is not None


def terms(lang: str | None = None) -> tuple[Term, ...]:
    """The glossary in ``lang`` (the reader's by default): ``glossary/<lang>.yaml`` in the
    content folder, the French file when that language has none."""
    from .pages import DEFAULT_LANGUAGE, _reader_language, content_dir

    lang = lang or _reader_language()
    path = content_dir() / "glossary" / f"{lang}.yaml"
    if not path.is_file():
        path = content_dir() / "glossary" / f"{DEFAULT_LANGUAGE}.yaml"
    return read_glossary(path)


_cache: dict = {}


def read_glossary(path: Path) -> tuple[Term, ...]:
    """Parse one glossary file (cached on its modification time); ContentError when wrong."""
    from .pages import ContentError

    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as error:
            raise ContentError(f"{path}: not valid YAML ({error})") from error
        found = []
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not all(
                entry.get(k) for k in ("key", "term", "definition")
            ):
                raise ContentError(f"{path}: entry {number} needs key, term and definition")
            found.append(
                Term(
                    str(entry["key"]),
                    str(entry["term"]),
                    entry.get("expansion"),
                    str(entry["definition"]),
                    tuple(str(form) for form in entry.get("forms") or ()),
                )
            )
        _cache[key] = tuple(found)
    return _cache[key]


def glossary_url(term: Term) -> str:
    return f"{GLOSSARY_PATH}#{term.key}"


def sorted_terms() -> list[Term]:
    """Every entry, in alphabetical order of the term as read in the reader's language."""
    return sorted(terms(), key=lambda t: fold(str(t.term)))


class Explainer:
    """Explains each glossary term at its first appearance in the strings of one page.

    Call it on the page's strings in reading order; it returns escaped markup.
    """

    def __init__(self, entries: tuple[Term, ...] | None = None) -> None:
        self.seen: set[str] = set()
        self._pattern, self._by_form = _pattern(terms() if entries is None else entries)

    def __call__(self, text) -> Markup:
        escaped = str(escape(str(text)))

        def replace(match: re.Match) -> str:
            form = match.group(0)
            term = self._by_form[form.casefold()] if not form.isupper() else self._by_form[form]
            following = escaped[match.end() : match.end() + 2]
            if term.key in self.seen:
                if term.is_abbreviation:
                    return f'<abbr title="{escape(str(term.expansion))}">{form}</abbr>'
                return form
            self.seen.add(term.key)
            link = f'<a class="term" href="{glossary_url(term)}">{form}</a>'
            if term.is_abbreviation and following != " (":
                return f"{link} ({escape(str(term.expansion))})"
            return link

        # safe: the text was escaped above; only our own tags are added
        return Markup(self._pattern.sub(replace, escaped))  # noqa: S704


def _pattern(entries: tuple[Term, ...]) -> tuple[re.Pattern, dict]:
    """One regular expression for every term in the current language (built per page)."""
    by_form: dict[str, Term] = {}
    abbreviations, words = [], []
    for term in entries:
        if term.is_abbreviation:
            by_form[term.term] = term
            abbreviations.append(re.escape(term.term))
        else:
            for form in (term.term, *term.forms):
                by_form[str(form).casefold()] = term
                words.append(re.escape(str(form)))
    # longest first, so "maladies chroniques" wins over a shorter form
    words.sort(key=len, reverse=True)
    parts = []
    if abbreviations:
        parts.append(r"(?<![\w-])(?:" + "|".join(abbreviations) + r")(?![\w-])")
    if words:
        parts.append(r"(?i:(?<![\w-])(?:" + "|".join(words) + r")(?![\w-]))")
    return re.compile("|".join(parts) or r"(?!x)x"), by_form
