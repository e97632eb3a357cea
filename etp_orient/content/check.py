"""``etp-orient content check``: every content file measured, per page and language.

For each page (plain, easy-read, legal) and each language: the French readability
figures of docs/content.md (Kandel–Moles, words per sentence, longest sentence,
unexplained abbreviations), sentence lengths in every language, English also
Flesch Reading Ease; glossary words of the front matter that the glossary does
not define; icons that do not exist; translations that are missing. A page
below its thresholds is a failure (the command exits 1); a missing translation
is a warning (readers get the French page, marked).
"""

from dataclasses import dataclass, field

from .glossary import Explainer, read_glossary
from .pages import (
    DEFAULT_LANGUAGE,
    KINDS,
    ContentError,
    content_dir,
    get,
    icon_exists,
    icons,
    languages,
    render,
    slugs,
)
from .readability import flesch_reading_ease, main_text, measure

# (minimum Kandel–Moles, maximum words a sentence on average, longest sentence)
THRESHOLDS = {
    "plain": {"kandel_moles": 70, "words_per_sentence": 12, "longest": 20, "flesch": 60},
    "facile": {"kandel_moles": 80, "words_per_sentence": 10, "longest": 20, "flesch": 70},
    # legal pages name laws and bodies: a little more room, still plain
    "legal": {"kandel_moles": 60, "words_per_sentence": 14, "longest": 25, "flesch": 50},
}
SAMPLE_CONTEXT = {"retention": "2 ans", "platform_name": "Plateforme", "platform_short_name": "P"}


@dataclass
class PageCheck:
    kind: str
    slug: str
    lang: str
    figures: str = ""
    failures: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.lang}/{'' if self.kind == 'plain' else self.kind + '/'}{self.slug}"

    def line(self) -> str:
        state = "FAIL" if self.failures else ("warn" if self.warnings else "ok")
        text = f"{state:4} {self.name:36} {self.figures}"
        for failure in self.failures:
            text += f"\n       ✗ {failure}"
        for warning in self.warnings:
            text += f"\n       ! {warning}"
        return text


def check_all() -> list[PageCheck]:
    """Check every page of every kind in every language (needs a request context)."""
    results = []
    glossaries = {}
    for lang in languages():
        path = content_dir() / "glossary" / f"{lang}.yaml"
        try:
            glossaries[lang] = read_glossary(path) if path.is_file() else None
        except ContentError as error:
            result = PageCheck("glossary", lang, lang)
            result.failures.append(str(error))
            results.append(result)
            glossaries[lang] = ()
    for kind in KINDS:
        every = slugs(kind)
        for slug in every:
            for lang in languages():
                results.append(_check(kind, slug, lang, glossaries))
    return results


def _check(kind: str, slug: str, lang: str, glossaries: dict) -> PageCheck:
    result = PageCheck(kind, slug, lang)
    try:
        page = get(slug, kind, lang)
    except ContentError as error:
        result.failures.append(str(error))
        return result
    if page is None:
        result.failures.append(f"no French page ({DEFAULT_LANGUAGE}) to fall back on")
        return result
    if page.fallback:
        result.warnings.append(f"missing translation: readers get the French page ({page.path})")
        result.figures = "(French fallback)"
        return result
    terms = glossaries.get(lang)
    if terms is None:
        terms = glossaries.get(DEFAULT_LANGUAGE) or ()
    known = {term.key for term in terms}
    unknown = [word for word in page.glossary if word not in known]
    if unknown:
        result.failures.append(f"glossary words not in the glossary: {', '.join(unknown)}")
    for icon in icons(page):
        if not icon_exists(icon):
            result.failures.append(f"no pictogram static/img/{icon}.svg")
    html = "<main>" + str(render(page, Explainer(terms), SAMPLE_CONTEXT)) + "</main>"
    blocks, titled = main_text(html)
    report = measure(blocks, titled)
    limits = THRESHOLDS[kind]
    figures = (
        f"{report.words_per_sentence:4.1f} words/sentence | longest {report.longest_words}"
        f" | {len(report.sentences)} sentences"
    )
    if report.words_per_sentence > limits["words_per_sentence"]:
        result.failures.append(
            f"{report.words_per_sentence:.1f} words a sentence on average"
            f" (at most {limits['words_per_sentence']})"
        )
    if report.longest_words > limits["longest"]:
        result.failures.append(
            f"a sentence of {report.longest_words} words (at most {limits['longest']}):"
            f" {report.longest!r}"
        )
    if lang == "fr":
        figures = f"Kandel-Moles {report.kandel_moles:5.1f} | " + figures
        if report.kandel_moles < limits["kandel_moles"]:
            result.failures.append(
                f"Kandel-Moles {report.kandel_moles:.1f} (at least {limits['kandel_moles']})"
            )
        if report.unexplained:
            result.failures.append(
                f"abbreviations not explained: {', '.join(sorted(report.unexplained))}"
            )
    if lang == "en":
        flesch = flesch_reading_ease(blocks)
        figures = f"Flesch {flesch:5.1f} | " + figures
        if flesch < limits["flesch"]:
            result.failures.append(
                f"Flesch Reading Ease {flesch:.1f} (at least {limits['flesch']})"
            )
    result.figures = figures
    return result
