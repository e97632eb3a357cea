"""The glossary, and the filter that explains a term where it first appears on a page.

Abbreviations (ETP, BEP, CPTS…) are written out in brackets at their first use
on a page, with a link to their glossary entry: "BEP (bilan éducatif partagé)".
Later uses get an ``<abbr title>``. Words (atelier, programme…) get a link to
their entry at their first use. ``/comprendre/glossaire`` lists every entry.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
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


TERMS: tuple[Term, ...] = (
    Term(
        "etp",
        "ETP",
        _l("éducation thérapeutique du patient"),
        _l(
            "C'est une aide pour mieux vivre avec une maladie qui dure. "
            "Des soignants formés vous aident, seul et en groupe."
        ),
    ),
    Term(
        "bep",
        "BEP",
        _l("bilan éducatif partagé"),
        _l(
            "C'est le premier rendez-vous. Vous parlez seul avec un soignant. "
            "Vous dites ce qui compte pour vous."
        ),
    ),
    Term(
        "atelier",
        _l("atelier"),
        None,
        _l("C'est une rencontre en petit groupe, sur un thème. On parle, on essaie, on partage."),
        (_l("ateliers"),),
    ),
    Term(
        "programme",
        _l("programme"),
        None,
        _l(
            "C'est tout le parcours : le premier rendez-vous, les ateliers, puis le bilan. "
            "Il est déclaré à l'agence régionale de santé."
        ),
        (_l("programmes"),),
    ),
    Term(
        "coordinateur",
        _l("coordinateur"),
        None,
        _l(
            "C'est la personne qui organise le programme. Elle fixe les dates et répond aux questions."
        ),
        (_l("coordinatrice"), _l("coordinateurs")),
    ),
    Term(
        "medecin-traitant",
        _l("médecin traitant"),
        None,
        _l("C'est votre médecin de famille. Vous l'avez déclaré à l'Assurance maladie."),
    ),
    Term(
        "maladie-chronique",
        _l("maladie chronique"),
        None,
        _l("C'est une maladie qui dure longtemps. On vit avec elle tous les jours."),
        (_l("maladies chroniques"),),
    ),
    Term(
        "cpts",
        "CPTS",
        _l("communauté professionnelle territoriale de santé"),
        _l(
            "Ce sont des soignants d'un même territoire. Ils travaillent ensemble. "
            "Certaines mènent des programmes."
        ),
    ),
    Term(
        "msp",
        "MSP",
        _l("maison de santé pluriprofessionnelle"),
        _l("C'est un lieu où des soignants de métiers différents travaillent ensemble."),
    ),
    Term(
        "ces",
        "CES",
        _l("centre d'examens de santé"),
        _l("C'est un centre de l'Assurance maladie. Beaucoup mènent des programmes."),
    ),
    Term(
        "ars",
        "ARS",
        _l("agence régionale de santé"),
        _l("C'est l'État dans votre région, pour la santé. Elle vérifie et paie les programmes."),
    ),
    Term(
        "ipa",
        "IPA",
        _l("infirmière ou infirmier en pratique avancée"),
        _l(
            "C'est une infirmière ou un infirmier avec une formation en plus. "
            "Elle ou il suit des malades avec le médecin."
        ),
    ),
    Term(
        "apa",
        "APA",
        _l("activité physique adaptée"),
        _l("C'est bouger avec des exercices adaptés à votre santé. Un éducateur formé vous guide."),
    ),
    Term(
        "bpco",
        "BPCO",
        _l("bronchopneumopathie chronique obstructive"),
        _l("C'est une maladie des bronches. On a le souffle court. Elle dure."),
    ),
    Term(
        "rgpd",
        "RGPD",
        _l("règlement général sur la protection des données"),
        _l(
            "C'est la loi sur vos données. Elle vaut dans toute l'Europe. Elle vous donne des droits."
        ),
    ),
    Term(
        "cnil",
        "CNIL",
        _l("Commission nationale de l'informatique et des libertés"),
        _l(
            "C'est le gardien de vos données en France. Vous pouvez lui écrire si un site ne respecte pas vos droits."
        ),
    ),
)


def glossary_url(term: Term) -> str:
    return f"{GLOSSARY_PATH}#{term.key}"


def sorted_terms() -> list[Term]:
    """Every entry, in alphabetical order of the term as read in the reader's language."""
    return sorted(TERMS, key=lambda t: fold(str(t.term)))


class Explainer:
    """Explains each glossary term at its first appearance in the strings of one page.

    Call it on the page's strings in reading order; it returns escaped markup.
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._pattern, self._by_form = _pattern()

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


def _pattern() -> tuple[re.Pattern, dict]:
    """One regular expression for every term in the current language (built per page)."""
    by_form: dict[str, Term] = {}
    abbreviations, words = [], []
    for term in TERMS:
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
    return re.compile("|".join(parts)), by_form
