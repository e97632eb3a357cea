"""Free text → condition codes, in the words patients use, in French, English and Arabic.

Built once per process from the condition taxonomy (labels, plain labels, everyday
synonyms and the English and Arabic labels) and from one word file per language,
``orientation/data/words-{fr,en,ar}.txt``, that anyone can extend (the format is
explained at the top of each file). It knows no Flask and no database.

How a text is read:

* Latin script is folded (``core.text.fold``: no accents, no case) and read as French
  or English, whichever the phrase is in: its small everyday words (the
  ``[*language]`` sections) and the condition words only one language knows tell
  which; when they do not, the page's language decides (``language``), and without
  one both count. Condition words of the other language still count, except words
  that mean something else in the phrase's language (``[*not-a-condition]``: "pain"
  is bread in French, "tension" is stress in English).
* Arabic script is normalised (alef and hamza forms, tā' marbūṭa, alif maqṣūra,
  diacritics, tatweel, Arabic-Indic digits) and the article and the small words
  stuck to a word (ال، و، ب، ل، ف، ك) are set aside: «عندي السكر» finds «السكر».
* The longest phrase wins ("diabète de grossesse" over "diabète"); one or two typing
  mistakes in a single word are forgiven in the phrase's language ("diabette",
  "bpc0", "astme", "diabets").
* A phrase listed under two codes (an abbreviation with two meanings: "IRC" is
  renal or respiratory failure) takes the meaning the rest of the phrase is about,
  else the first listed.
* Word combinations: pregnancy words + diabetes → gestational diabetes, child words
  + weight → child overweight, in any of the languages.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..core.text import fold

DIABETES_GROUP = "diabete"
GESTATIONAL = "diabete-gestationnel"
WEIGHT_GROUP = "poids"
ADULT_WEIGHT = "obesite-adulte"
CHILD_WEIGHT = "surpoids-enfant"

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("fr", "en", "ar")
LATIN = ("fr", "en")

# Special sections of the word files (French and English names alike).
SPECIAL_SECTIONS = {
    "*grossesse": "pregnancy",
    "*pregnancy": "pregnancy",
    "*enfant": "child",
    "*child": "child",
    "*langue": "language",
    "*language": "language",
    "*pas-une-maladie": "not_condition",
    "*not-a-condition": "not_condition",
    "*pas-de-correction": "no_typo",
    "*no-typo": "no_typo",
}


@dataclass
class WordList:
    """One word file: phrases by condition code (file order kept) and the special lists."""

    codes: dict[str, list[str]] = field(default_factory=dict)  # code -> phrases
    entries: list[tuple[str, str]] = field(default_factory=list)  # (code, phrase), file order
    pregnancy: list[str] = field(default_factory=list)
    child: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    not_condition: list[str] = field(default_factory=list)
    no_typo: list[str] = field(default_factory=list)


def parse_words(text: str, source: str = "words") -> WordList:
    """Read a word file (see the top of ``data/words-fr.txt``). Raises ValueError, with
    the line number, for a phrase outside any section or an empty section name."""
    words = WordList()
    target: list[str] | None = None
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip().lower()
            if not name:
                raise ValueError(f"{source}:{number}: empty section name")
            if name.startswith("*"):
                if name not in SPECIAL_SECTIONS:
                    raise ValueError(f"{source}:{number}: unknown section [{name}]")
                target = getattr(words, SPECIAL_SECTIONS[name])
            else:
                target = words.codes.setdefault(name, [])
            section = name
            continue
        if target is None:
            raise ValueError(f"{source}:{number}: a phrase before any [section]")
        target.append(line)
        if not section.startswith("*"):
            words.entries.append((section, line))
    return words


@cache
def load_words(language: str) -> WordList:
    """The shipped word file of ``language`` (fr, en or ar)."""
    path = DATA_DIR / f"words-{language}.txt"
    return parse_words(path.read_text(encoding="utf-8"), path.name)


# --- Arabic -----------------------------------------------------------------------------

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_AR_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "ی": "ي",
        "ـ": None,  # tatweel
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Eastern Arabic-Indic digits
    }
)
_AR_TOKEN = re.compile("[\u0621-\u064a0-9]+")
_HAS_ARABIC = re.compile("[\u0600-\u06ff]")
# Small words stuck before an Arabic word, longest first.
_AR_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")


def normalise_arabic(text: str) -> str:
    """Arabic words of ``text``, normalised, separated by one space (Latin letters dropped)."""
    text = _AR_DIACRITICS.sub("", text).translate(_AR_MAP)
    tokens = _AR_TOKEN.findall(text)
    # digits alone belong to the Latin reading, unless next to Arabic words
    return " ".join(tokens) if any(not t.isdigit() for t in tokens) else ""


def _strip_article(token: str) -> str:
    return token[2:] if token.startswith("ال") and len(token) >= 4 else token


def _arabic_canonical(token: str, known: set[str]) -> str:
    if token in known:
        return token
    for prefix in _AR_PREFIXES:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 2 and rest in known:
            return rest
    return _strip_article(token)


# --- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermHit:
    """One phrase of the text recognised as a condition."""

    term: str  # the normalised phrase of the vocabulary
    codes: tuple[str, ...]  # the codes it points to (a group code stays a group here)
    fuzzy: bool  # found through a typo tolerance
    start: int = 0  # where it starts in the normalised text
    language: str = "fr"  # the vocabulary it was found in


@dataclass
class TextMatch:
    """What the text says, once normalised and matched."""

    direct_codes: list[str] = field(default_factory=list)  # as matched (groups kept)
    hits: list[TermHit] = field(default_factory=list)
    pregnancy_words: bool = False
    child_words: bool = False
    language: str | None = None  # the language the Latin part was read in, when told


def _typo_limit(text: str) -> int:
    """How many typing mistakes we forgive: 1 in a short word, 2 or 3 in longer text."""
    if len(text) <= 6:
        return 1
    return 2 if len(text) <= 14 else 3


class _Vocabulary:
    """The phrases of one language, normalised, and how to find them in a text."""

    def __init__(self, language: str, phrases: dict[str, list[str]]):
        self.language = language
        self.terms = {term: tuple(codes) for term, codes in phrases.items()}
        self.words = {w for t in self.terms for w in t.split()}
        # phrases by first word: a text only tries the phrases that can start in it
        self.by_first: dict[str, list[str]] = {}
        for term in sorted(self.terms, key=lambda t: (-len(t), t)):
            self.by_first.setdefault(term.split()[0], []).append(term)
        self.patterns: dict[str, re.Pattern] = {}  # compiled on first use
        shortest = 5 if language == "ar" else 4
        self.fuzzy_words = sorted(t for t in self.terms if " " not in t and len(t) >= shortest)
        self.fuzzy_phrases = {
            n: sorted(t for t in self.terms if t.count(" ") == n - 1 and len(t) >= 8)
            for n in (2, 3)
        }

    def limit(self, text: str) -> int:
        return 1 if self.language == "ar" else _typo_limit(text)

    def exact(self, text: str, tokens: set[str], multi_word: bool):
        """(term, start, end) of every phrase found as such, longest first."""
        candidates = [t for w in tokens for t in self.by_first.get(w, ())]
        for term in sorted(candidates, key=lambda t: (-len(t), t)):
            if (" " in term) != multi_word:
                continue
            pattern = self.patterns.get(term)
            if pattern is None:
                pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)")
                self.patterns[term] = pattern
            for found in pattern.finditer(text):
                yield term, *found.span()


class ConditionMatcher:
    """Recognises condition codes in free text. Build it from the taxonomy nodes."""

    def __init__(self, nodes: list[dict], words: dict[str, WordList] | None = None):
        """``nodes``: dicts with ``code``, ``parent_code``, ``is_group``, ``label``,
        ``plain_label``, ``synonyms`` and ``translations`` (the taxonomy or the
        conditions table); ``words``: the word lists by language (default: the files)."""
        self.nodes = {n["code"]: n for n in nodes}
        self.children: dict[str, list[str]] = {}
        for node in sorted(nodes, key=lambda n: n.get("position", 0)):
            parent = node.get("parent_code")
            if parent:
                self.children.setdefault(parent, []).append(node["code"])
        words = words if words is not None else {lang: load_words(lang) for lang in LANGUAGES}
        self.words = words
        phrases: dict[str, dict[str, list[str]]] = {lang: {} for lang in LANGUAGES}
        for node in nodes:
            self._add(phrases["fr"], "fr", node["code"], [node["label"], node["plain_label"]])
            self._add(phrases["fr"], "fr", node["code"], [node["code"].replace("-", " ")])
            self._add(phrases["fr"], "fr", node["code"], node.get("synonyms") or [])
            for lang in ("en", "ar"):
                labels = (node.get("translations") or {}).get(lang) or {}
                self._add(phrases[lang], lang, node["code"], list(labels.values()))
        for lang in LANGUAGES:
            for code, phrase in words.get(lang, WordList()).entries:
                if code in self.nodes:
                    self._add(phrases[lang], lang, code, [phrase])
        self.vocabularies = {lang: _Vocabulary(lang, phrases[lang]) for lang in LANGUAGES}
        lists = {lang: words.get(lang, WordList()) for lang in LANGUAGES}
        # the small words of a language, and its single pregnancy and child words, tell it
        self.markers = {
            lang: {
                fold(w)
                for w in lists[lang].language + lists[lang].pregnancy + lists[lang].child
                if " " not in fold(w)
            }
            for lang in LATIN
        }
        self.not_condition = {
            lang: {self._normal(lang, w) for w in lists[lang].not_condition} for lang in LANGUAGES
        }
        self.all_markers = set().union(*self.markers.values())
        every_word = set().union(*(v.words for v in self.vocabularies.values()))
        self.no_typo = every_word | set().union(*self.markers.values())
        for lang in LANGUAGES:
            self.no_typo |= {self._normal(lang, w) for w in lists[lang].no_typo}
        self._combination_words = {
            kind: {
                lang: self._pattern(lang, getattr(lists[lang], kind))
                for lang in LANGUAGES
                if getattr(lists[lang], kind)
            }
            for kind in ("pregnancy", "child")
        }
        self._memo: dict[tuple[str, str | None], TextMatch] = {}

    # -- building --

    def _normal(self, lang: str, phrase: str) -> str:
        """A phrase of the vocabulary as matched: folded, or Arabic normalised."""
        if lang == "ar":
            return " ".join(_strip_article(t) for t in normalise_arabic(phrase).split())
        return fold(phrase)

    def _add(self, table: dict[str, list[str]], lang: str, code: str, items) -> None:
        for phrase in items:
            normal = self._normal(lang, phrase or "")
            if len(normal) >= 2:
                codes = table.setdefault(normal, [])
                if code not in codes:
                    codes.append(code)

    def _pattern(self, lang: str, items: list[str]):
        phrases = sorted({self._normal(lang, p) for p in items} - {""}, key=len, reverse=True)
        return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, phrases)) + r")(?!\w)")

    def expand(self, codes: list[str]) -> list[str]:
        """Leaf codes for the given codes: a group becomes its children, in order."""
        out: list[str] = []
        for code in codes:
            kids = self.children.get(code)
            for one in kids if kids else [code]:
                if one not in out:
                    out.append(one)
        return out

    # -- matching --

    def match_text(self, text: str, language: str | None = None) -> TextMatch:
        """Find the conditions named in ``text`` (see the module docstring); ``language``
        is the page's, used only when the words do not tell the phrase's language.

        Answers are remembered (people type the same few words): callers get a copy.
        """
        key = (text or "", language if language in LATIN else None)
        known = self._memo.get(key)
        if known is None:
            known = self._match(*key)
            if len(self._memo) >= 20000:
                self._memo.clear()
            self._memo[key] = known
        return TextMatch(
            direct_codes=list(known.direct_codes),
            hits=list(known.hits),
            pregnancy_words=known.pregnancy_words,
            child_words=known.child_words,
            language=known.language,
        )

    def phrase_language(self, folded: str, hint: str | None = None) -> str | None:
        """ "fr" or "en" when the words tell (or, failing that, the hint), else None."""
        tokens = folded.split()
        fr_words, en_words = self.vocabularies["fr"].words, self.vocabularies["en"].words
        score = {
            "fr": sum(
                2 * (t in self.markers["fr"] and t not in self.markers["en"])
                + (t in fr_words and t not in en_words)
                for t in tokens
            ),
            "en": sum(
                2 * (t in self.markers["en"] and t not in self.markers["fr"])
                + (t in en_words and t not in fr_words)
                for t in tokens
            ),
        }
        if score["fr"] != score["en"]:
            return "fr" if score["fr"] > score["en"] else "en"
        return hint

    def _match(self, text: str, hint: str | None) -> TextMatch:
        result = TextMatch()
        folded = fold(text)
        arabic = ""
        if _HAS_ARABIC.search(text):
            known = self.vocabularies["ar"].words
            arabic = " ".join(_arabic_canonical(t, known) for t in normalise_arabic(text).split())
        if folded:
            result.language = self.phrase_language(folded, hint)
            first = result.language or "fr"
            order = [first] + [lang for lang in LATIN if lang != first]
            primary = [first] if result.language else list(LATIN)
            result.hits += self._read(folded, order, primary, result.language)
        if arabic:
            offset = len(folded) + 1
            hits = self._read(arabic, ["ar"], ["ar"], "ar")
            result.hits += [
                TermHit(h.term, h.codes, h.fuzzy, h.start + offset, h.language) for h in hits
            ]
        result.hits.sort(key=lambda hit: hit.start)
        result.hits = [self._one_meaning(hit, result.hits) for hit in result.hits]
        for hit in result.hits:
            for code in hit.codes:
                if code not in result.direct_codes:
                    result.direct_codes.append(code)
        for kind, attribute in (("pregnancy", "pregnancy_words"), ("child", "child_words")):
            found = any(
                pattern.search(arabic if lang == "ar" else folded)
                for lang, pattern in self._combination_words[kind].items()
            )
            setattr(result, attribute, found)
        self._combine(result)
        return result

    def _read(
        self, text: str, order: list[str], primary: list[str], phrase_lang: str | None
    ) -> list[TermHit]:
        """Hits in ``text``: exact phrases in every language of ``order`` (longest first,
        several words before one), typos only in the ``primary`` ones."""
        covered = [False] * len(text)
        words = [(m.group(), *m.span()) for m in re.finditer(r"\w+", text)]
        tokens = {w for w, _, _ in words}
        hits: list[TermHit] = []
        banned = self.not_condition.get(phrase_lang, set()) if phrase_lang else set()

        def take(lang: str, term: str, start: int, end: int, fuzzy: bool) -> None:
            if lang != phrase_lang and term in banned:
                return
            covered[start:end] = [True] * (end - start)
            hits.append(TermHit(term, self.vocabularies[lang].terms[term], fuzzy, start, lang))

        def exact(multi_word: bool) -> None:
            for lang in order:
                for term, start, end in self.vocabularies[lang].exact(text, tokens, multi_word):
                    if not any(covered[start:end]):
                        take(lang, term, start, end, False)

        def typos(langs: list[str]) -> None:
            for lang in langs:
                vocabulary = self.vocabularies[lang]
                for n in (3, 2):
                    for i in range(len(words) - n + 1):
                        window = words[i : i + n]
                        start, end = window[0][1], window[-1][2]
                        if any(covered[start:end]):
                            continue
                        if window[0][0] in self.all_markers or window[-1][0] in self.all_markers:
                            continue  # "j ai la" is not a typo of "j ai mal"
                        phrase = " ".join(w[0] for w in window)
                        best = process.extractOne(
                            phrase,
                            vocabulary.fuzzy_phrases[n],
                            scorer=Levenshtein.distance,
                            score_cutoff=vocabulary.limit(phrase),
                        )
                        if best is not None:
                            take(lang, best[0], start, end, True)
            for lang in langs:
                vocabulary = self.vocabularies[lang]
                shortest = 5 if lang == "ar" else 4
                for word, start, end in words:
                    if any(covered[start:end]) or len(word) < shortest or word in self.no_typo:
                        continue
                    best = process.extractOne(
                        word,
                        vocabulary.fuzzy_words,
                        scorer=Levenshtein.distance,
                        score_cutoff=vocabulary.limit(word),
                    )
                    if best is not None:
                        take(lang, best[0], start, end, True)

        exact(multi_word=True)
        exact(multi_word=False)
        typos(primary)
        if not hits:
            typos([lang for lang in order if lang not in primary])
        return hits

    def _group(self, code: str) -> str:
        return self.nodes.get(code, {}).get("parent_code") or code

    def _one_meaning(self, hit: TermHit, hits: list[TermHit]) -> TermHit:
        """A phrase with two meanings takes the one the rest of the phrase is about."""
        if len(hit.codes) < 2:
            return hit
        others = [self._group(c) for h in hits if h is not hit for c in h.codes]
        best = max(hit.codes, key=lambda c: (others.count(self._group(c)), -hit.codes.index(c)))
        return TermHit(hit.term, (best,), hit.fuzzy, hit.start, hit.language)

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
