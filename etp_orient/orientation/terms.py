"""Free text → condition codes, in the words patients use.

Built once per process from the condition taxonomy (labels, plain labels and
everyday synonyms). Matching is accent- and case-insensitive (``core.text.fold``),
prefers the longest phrase ("diabète de grossesse" over "diabète"), tolerates
one or two typing mistakes in a single word ("diabette", "bpc0", "astme") and
applies a few word combinations that a single synonym cannot express
("enceinte" + "sucre" → gestational diabetes, "mon fils" + "poids" → child
overweight). It knows no Flask and no database.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..core.text import fold

DIABETES_GROUP = "diabete"
GESTATIONAL = "diabete-gestationnel"
WEIGHT_GROUP = "poids"
ADULT_WEIGHT = "obesite-adulte"
CHILD_WEIGHT = "surpoids-enfant"

PREGNANCY_WORDS = re.compile(
    r"\b(enceinte|enceintes|grossesse|gestationnel\w*|j attends un bebe|attend un bebe|"
    r"future maman|bebe a naitre)\b"
)
CHILD_WORDS = re.compile(
    r"\b(enfant|enfants|mon fils|ma fille|fils|fille|ado|ados|adolescent|adolescente|"
    r"mon petit|ma petite|mon garcon|bebe|gamin|gamine)\b"
)

# A few everyday words the taxonomy file does not carry (yet), by code.
EXTRA_SYNONYMS = {
    "poids": ["gros", "grosse", "trop gros", "trop grosse", "il a grossi", "elle a grossi"],
    "respiratoire": ["essouffle", "je suis essouffle", "souffle court", "du mal a respirer"],
    "diabete": ["diabetes", "sucre dans le sang", "trop de sucre"],
}

# Everyday words that look like a condition word after one typo but are not.
NEVER_FUZZY = {
    "avec",
    "pour",
    "dans",
    "mais",
    "tres",
    "plus",
    "fille",
    "fils",
    "enfant",
    "suis",
    "mere",
    "pere",
    "mari",
    "femme",
    "homme",
    "depuis",
    "aussi",
    "toujours",
    "beaucoup",
    "encore",
    "avoir",
    "faire",
    "pension",
    "attention",
    "question",
    "nuit",
    "jour",
    "mois",
    "annee",
    "ville",
    "rien",
    "bien",
    "main",
    "mains",
    "pied",
    "pieds",
    "tete",
    "yeux",
    "peau",
    "dents",
    "ventre",
    "jambe",
    "bras",
    "dos",
    "souci",
    "soucis",
    "sante",
}


@dataclass(frozen=True)
class TermHit:
    """One phrase of the text recognised as a condition."""

    term: str  # the folded phrase of the taxonomy
    codes: tuple[str, ...]  # the codes it points to (a group code stays a group here)
    fuzzy: bool  # found through a typo tolerance
    start: int = 0  # where it starts in the folded text


@dataclass
class TextMatch:
    """What the text says, once folded and matched."""

    direct_codes: list[str] = field(default_factory=list)  # as matched (groups kept)
    hits: list[TermHit] = field(default_factory=list)
    pregnancy_words: bool = False
    child_words: bool = False


def _typo_limit(text: str) -> int:
    """How many typing mistakes we forgive: 1 in a short word, 2 or 3 in longer text."""
    if len(text) <= 6:
        return 1
    return 2 if len(text) <= 14 else 3


class ConditionMatcher:
    """Recognises condition codes in free text. Build it from the taxonomy nodes."""

    def __init__(self, nodes: list[dict]):
        """``nodes``: dicts with ``code``, ``parent_code``, ``is_group``, ``label``,
        ``plain_label`` and ``synonyms`` (the taxonomy or the conditions table)."""
        self.nodes = {n["code"]: n for n in nodes}
        self.children: dict[str, list[str]] = {}
        for node in sorted(nodes, key=lambda n: n.get("position", 0)):
            parent = node.get("parent_code")
            if parent:
                self.children.setdefault(parent, []).append(node["code"])
        terms: dict[str, set[str]] = {}
        for node in nodes:
            phrases = [node["label"], node["plain_label"], node["code"].replace("-", " ")]
            phrases += list(node.get("synonyms") or [])
            phrases += EXTRA_SYNONYMS.get(node["code"], [])
            for phrase in phrases:
                folded = fold(phrase)
                if len(folded) >= 2:
                    terms.setdefault(folded, set()).add(node["code"])
        self.terms = {term: tuple(sorted(codes)) for term, codes in terms.items()}
        # longest phrases first, so that they win over the words inside them
        self._ordered = sorted(self.terms, key=lambda t: (-len(t), t))
        self._patterns = {t: re.compile(r"\b" + re.escape(t) + r"\b") for t in self._ordered}
        single = {t for t in self.terms if " " not in t and len(t) >= 4}
        self._fuzzy_words = sorted(single)
        self._fuzzy_phrases = {
            n: sorted(t for t in self.terms if t.count(" ") == n - 1 and len(t) >= 8)
            for n in (2, 3)
        }
        self._known_words = {w for t in self.terms for w in t.split()}
        self._memo: dict[str, TextMatch] = {}

    def expand(self, codes: list[str]) -> list[str]:
        """Leaf codes for the given codes: a group becomes its children, in order."""
        out: list[str] = []
        for code in codes:
            kids = self.children.get(code)
            for one in kids if kids else [code]:
                if one not in out:
                    out.append(one)
        return out

    def match_text(self, text: str) -> TextMatch:
        """Find the conditions named in ``text`` (see the module docstring).

        Answers are remembered (people type the same few words): callers get a copy.
        """
        key = text or ""
        known = self._memo.get(key)
        if known is None:
            known = self._match(key)
            if len(self._memo) >= 20000:
                self._memo.clear()
            self._memo[key] = known
        return TextMatch(
            direct_codes=list(known.direct_codes),
            hits=list(known.hits),
            pregnancy_words=known.pregnancy_words,
            child_words=known.child_words,
        )

    def _match(self, text: str) -> TextMatch:
        folded = fold(text)
        result = TextMatch()
        if not folded:
            return result
        covered = [False] * len(folded)
        words = [(m.group(), *m.span()) for m in re.finditer(r"[a-z0-9]+", folded)]
        # 1. exact phrases of several words, longest first
        self._exact(folded, covered, result, multi_word=True)
        # 2. phrases of 3 then 2 words with a small typo ("insufisance renale")
        for n in (3, 2):
            for i in range(len(words) - n + 1):
                window = words[i : i + n]
                start, end = window[0][1], window[-1][2]
                if any(covered[start:end]):
                    continue
                phrase = " ".join(w[0] for w in window)
                best = process.extractOne(
                    phrase,
                    self._fuzzy_phrases[n],
                    scorer=Levenshtein.distance,
                    score_cutoff=_typo_limit(phrase),
                )
                if best is not None:
                    covered[start:end] = [True] * (end - start)
                    result.hits.append(
                        TermHit(best[0], self.terms[best[0]], fuzzy=True, start=start)
                    )
        # 3. exact single words
        self._exact(folded, covered, result, multi_word=False)
        # 4. single words with a small typo ("diabette", "bpc0", "astme")
        for word, start, end in words:
            if any(covered[start:end]) or len(word) < 4 or word in NEVER_FUZZY:
                continue
            if word in self._known_words:
                continue
            best = process.extractOne(
                word, self._fuzzy_words, scorer=Levenshtein.distance, score_cutoff=_typo_limit(word)
            )
            if best is not None:
                result.hits.append(TermHit(best[0], self.terms[best[0]], fuzzy=True, start=start))
        result.hits.sort(key=lambda hit: hit.start)
        for hit in result.hits:
            for code in hit.codes:
                if code not in result.direct_codes:
                    result.direct_codes.append(code)
        result.pregnancy_words = bool(PREGNANCY_WORDS.search(folded))
        result.child_words = bool(CHILD_WORDS.search(folded))
        self._combine(result)
        return result

    def _exact(self, folded: str, covered: list[bool], result: TextMatch, multi_word: bool):
        for term in self._ordered:
            if (" " in term) != multi_word:
                continue
            for found in self._patterns[term].finditer(folded):
                start, end = found.span()
                if any(covered[start:end]):
                    continue
                covered[start:end] = [True] * (end - start)
                result.hits.append(TermHit(term, self.terms[term], fuzzy=False, start=start))

    def _is_diabetes(self, code: str) -> bool:
        return code == DIABETES_GROUP or self.nodes.get(code, {}).get("parent_code") == (
            DIABETES_GROUP
        )

    def _is_weight(self, code: str) -> bool:
        return code in (WEIGHT_GROUP, ADULT_WEIGHT)

    def _combine(self, result: TextMatch) -> None:
        """Word combinations: pregnancy + sugar, child + weight."""
        codes = result.direct_codes
        if result.pregnancy_words and any(self._is_diabetes(c) for c in codes):
            kept = [c for c in codes if not self._is_diabetes(c)]
            result.direct_codes = [GESTATIONAL, *kept]
            codes = result.direct_codes
        if result.child_words and any(self._is_weight(c) for c in codes):
            kept = [c for c in codes if not self._is_weight(c)]
            result.direct_codes = [CHILD_WEIGHT, *kept]
