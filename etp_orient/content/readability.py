"""French readability: syllables, sentences, Kandel & Moles, unexplained abbreviations.

Kandel & Moles (1958) adapted Flesch's reading ease to French:
``207 − 1.015 × words per sentence − 73.6 × syllables per word``. The score
depends on a syllable count, and hyphenation-based counters undercount French
(they skip vowel groups such as "é-a"); :func:`syllables` counts spoken
syllables from the spelling:

- each group of vowels (``a e i o u y`` with their accents, ``œ æ``) is one
  syllable, ``qu``/``gu`` (before e, i, y) count as a consonant;
- a group is split where French pronounces two vowels: a diaeresis
  (``naïf``), after ``é`` (``créer``, ``réunion``), before ``é/è/ê`` after
  ``a/o`` (``aéroport``, ``poème``), ``oo`` (``coopérer``), ``ao`` (``chaos``),
  and ``i``/``u`` + vowel after a consonant + ``l``/``r`` (``client``, ``crier``);
- ``y`` between vowels stands for two ``i`` (``payer`` = pai-yer);
- a final ``-e``/``-es`` is silent when the word has another vowel, and the
  verb ending ``-ent`` is silent (``ils parlent``) except in listed nouns,
  adjectives and adverbs (``parent``, ``souvent``, ``moment``);
- all-caps abbreviations are spelled letter by letter (``ETP`` = 3);
  numbers count one syllable per digit (a rough reading of "12", "2026").

Sentences end at ``. ! ? …`` and at the end of each block of text (a
paragraph, a list item), so a list item without a full stop is one sentence.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOWELS = set("aeiouyàâäéèêëîïôöùûüœæ")
DIAERESIS = set("ëïü")
LIQUIDS = set("lr")
OBSTRUENTS = set("bcdfgkptv")

# -ent words where the ending is heard (the rest ending in -ent are taken as verbs)
PRONOUNCED_ENT = frozenset(
    [
        "absent",
        "accident",
        "adolescent",
        "agent",
        "argent",
        "client",
        "compétent",
        "content",
        "continent",
        "convalescent",
        "différent",
        "équivalent",
        "évident",
        "excellent",
        "fréquent",
        "impatient",
        "incident",
        "ingrédient",
        "innocent",
        "intelligent",
        "lent",
        "orient",
        "parent",
        "patient",
        "permanent",
        "précédent",
        "président",
        "prudent",
        "récent",
        "régent",
        "résident",
        "serpent",
        "souvent",
        "talent",
        "torrent",
        "urgent",
        "violent",
    ]
)
# verbs ending in -ment whose ending is silent (other -ment words are adverbs, nouns)
SILENT_MENT = frozenset(
    [
        "aiment",
        "animent",
        "calment",
        "confirment",
        "consomment",
        "dorment",
        "estiment",
        "expriment",
        "ferment",
        "forment",
        "informent",
        "impriment",
        "nomment",
        "sèment",
        "suppriment",
        "transforment",
    ]
)
# spellings the rules get wrong
EXCEPTIONS = {
    "alcool": 2,
    "août": 1,
    "aout": 1,
    "pays": 2,
    "paysage": 3,
    "abbaye": 3,
    "yaourt": 2,
    "monsieur": 2,
    "messieurs": 2,
    "oignon": 2,
    "femme": 1,
    "zoo": 1,
    "fuel": 1,
}
LETTER_SYLLABLES = {"w": 3}  # "double vé"; every other letter reads as one syllable

WORD_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?", re.UNICODE)
SENTENCE_END_RE = re.compile(r"(?<=[.!?…؟])\s+|(?<=[.!?…؟][»”)])\s+")
ABBREVIATION_RE = re.compile(r"(?<![\w-])([A-ZÀ-ÖØ-Þ]{2,})(?![\w-])")


def _split_groups(word: str) -> list[str]:
    """The vowel groups of a lowercase word, once qu/gu and y have been handled."""
    w = word
    w = re.sub(r"qu", "k", w)
    w = re.sub(r"gu(?=[eéèêiîy])", "g", w)
    w = re.sub(r"guë", "gu", w)
    w = re.sub(r"ge(?=[aoâôu])", "j", w)  # mangeons, geai: the e only softens the g
    # y between two vowels reads as two i: payer = pai-yer, moyen = moi-yen
    w = re.sub(r"(?<=[aeiouéèêô])y(?=[aeiouéèêy])", "iJ", w)
    w = re.sub(r"^y(?=[aeiouéèê])", "J", w)  # yeux: a consonant
    groups: list[str] = []
    current = ""
    for index, letter in enumerate(w):
        if letter not in VOWELS:
            if current:
                groups.append(current)
                current = ""
            continue
        if current and _breaks(current, letter, w, index):
            groups.append(current)
            current = ""
        current += letter
    if current:
        groups.append(current)
    return groups


def _breaks(current: str, letter: str, word: str, index: int) -> bool:
    """Whether ``letter`` starts a new syllable after the vowels ``current``."""
    last = current[-1]
    if letter in DIAERESIS:
        return True
    if last == "é":
        return True
    if letter in "éèê" and last in "ao":
        return True
    if last == "o" and letter == "o":
        return True
    if last == "a" and letter == "o" and word[index + 1 : index + 2] != "u":
        return True
    if len(current) == 1 and last in "iu" and letter in "aeoéèêu" and last + letter != "ui":
        start = index - 1
        if start >= 2 and word[start - 1] in LIQUIDS and word[start - 2] in OBSTRUENTS:
            return True
    return False


def _word_syllables(part: str) -> int:
    """Syllables of one alphabetic chunk (no apostrophe, no hyphen)."""
    if not part:
        return 0
    if len(part) >= 2 and part.isupper():
        return sum(LETTER_SYLLABLES.get(c.lower(), 1) for c in part)
    word = unicodedata.normalize("NFC", part.lower())
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    groups = _split_groups(word)
    count = len(groups)
    if count <= 1:
        return count
    last = groups[-1]
    if last == "e" and (word.endswith("e") or word.endswith("es")):
        count -= 1  # table, tables, année (é|e), vie stays 1 through "ie"
    elif (
        last == "e"
        and word.endswith("ent")
        and word not in PRONOUNCED_ENT
        and (not word.endswith("ment") or word in SILENT_MENT)
    ):
        count -= 1  # ils parlent
    return count


def syllables(token: str) -> int:
    """Spoken syllables of a word as written in French (see the module docstring)."""
    if token.isdigit() or re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", token):
        return sum(1 for c in token if c.isdigit())
    return sum(_word_syllables(part) for part in re.split(r"['’\-]", token))


def words(text: str) -> list[str]:
    """The words of a text (an elided word such as "l'atelier" is one word)."""
    return [w for w in WORD_RE.findall(text) if any(c.isalnum() for c in w)]


def sentences(blocks: list[str]) -> list[str]:
    """Sentences of blocks of text: split at end punctuation, and at each block's end."""
    found = []
    for block in blocks:
        for piece in SENTENCE_END_RE.split(" ".join(block.split())):
            if words(piece):
                found.append(piece.strip())
    return found


def abbreviations(text: str) -> set[str]:
    """All-caps tokens of two letters or more."""
    return set(ABBREVIATION_RE.findall(text))


def explained_abbreviations(text: str) -> set[str]:
    """Abbreviations written out beside them: "BEP (bilan éducatif partagé)" or
    "bilan éducatif partagé (BEP)"."""
    explained = set()
    for abbr in abbreviations(text):
        quoted = re.escape(abbr)
        after = re.search(rf"(?<![\w-]){quoted}\s*\([^)]*[a-zà-ÿ][^)]*\)", text)
        before = re.search(rf"[a-zà-ÿ]\w*\s*\(\s*{quoted}\s*\)", text)
        if after or before:
            explained.add(abbr)
    return explained


@dataclass
class Report:
    """The figures of one text."""

    sentences: list[str]
    word_count: int
    syllable_count: int
    longest: str
    longest_words: int
    unexplained: set = field(default_factory=set)

    @property
    def words_per_sentence(self) -> float:
        return self.word_count / len(self.sentences) if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllable_count / self.word_count if self.word_count else 0.0

    @property
    def kandel_moles(self) -> float:
        return kandel_moles(self.words_per_sentence, self.syllables_per_word)

    def line(self) -> str:
        return (
            f"Kandel-Moles {self.kandel_moles:5.1f} | {self.words_per_sentence:4.1f} words/sentence"
            f" | {self.syllables_per_word:4.2f} syllables/word | longest {self.longest_words} words"
            f" | {len(self.sentences)} sentences"
            + (f" | unexplained: {', '.join(sorted(self.unexplained))}" if self.unexplained else "")
        )


def kandel_moles(words_per_sentence: float, syllables_per_word: float) -> float:
    """Kandel & Moles reading ease (higher is easier; 60–70 plain, 80+ easy)."""
    return 207 - 1.015 * words_per_sentence - 73.6 * syllables_per_word


def measure(blocks: list[str], titled: set[str] | frozenset = frozenset()) -> Report:
    """Measure blocks of text; ``titled`` are abbreviations given an ``<abbr title>``."""
    found = sentences(blocks)
    counts = [words(s) for s in found]
    all_words = [w for ws in counts for w in ws]
    longest_index = max(range(len(counts)), key=lambda i: len(counts[i])) if counts else None
    text = " ".join(blocks)
    return Report(
        sentences=found,
        word_count=len(all_words),
        syllable_count=sum(syllables(w) for w in all_words),
        longest=found[longest_index] if longest_index is not None else "",
        longest_words=len(counts[longest_index]) if longest_index is not None else 0,
        unexplained=abbreviations(text) - explained_abbreviations(text) - set(titled),
    )


BLOCK_TAGS = {"p", "li", "dt", "dd", "figcaption", "caption", "td", "th", "blockquote"}
SKIPPED_TAGS = {"script", "style", "template", "noscript", "h1", "h2", "h3", "h4", "h5", "h6"}


class _MainText(HTMLParser):
    """Collects the text blocks of ``<main>`` (headings aside) and the ``<abbr title>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.skip = 0
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.titled: set[str] = set()
        self._abbr_title: str | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
            return
        if not self.in_main:
            return
        if tag in SKIPPED_TAGS:
            self._flush()
            self.skip += 1
        elif tag in BLOCK_TAGS or tag in {"ul", "ol", "dl", "section", "div", "article", "br"}:
            self._flush()
        if tag == "abbr":
            self._abbr_title = dict(attrs).get("title") or None

    def handle_endtag(self, tag):
        if tag == "main":
            self._flush()
            self.in_main -= 1
            return
        if not self.in_main:
            return
        if tag in SKIPPED_TAGS:
            self.skip -= 1
            self.current = []
        elif tag in BLOCK_TAGS:
            self._flush()
        if tag == "abbr":
            self._abbr_title = None

    def handle_data(self, data):
        if not self.in_main or self.skip:
            return
        if self._abbr_title and data.strip():
            self.titled.add(data.strip())
        self.current.append(data)


def main_text(html: str) -> tuple[list[str], set[str]]:
    """The text blocks of a page's ``<main>`` and the abbreviations given a title."""
    parser = _MainText()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks, parser.titled


def measure_html(html: str) -> Report:
    """Measure the main text of a rendered page."""
    blocks, titled = main_text(html)
    return measure(blocks, titled)


# --- English ------------------------------------------------------------------------

EN_SILENT_E_RE = re.compile(r"(?:[^aeiouy]e|[^aeiouy]es|[^aeiouytd]ed)$")


def english_syllables(word: str) -> int:
    """Syllables of an English word, by rule: vowel groups, a silent final -e/-es/-ed,
    "-le" after a consonant counted; a digit or a capital letter group read letter by letter.
    An estimate (no dictionary), good enough for a page average."""
    if word.isdigit():
        return len(word)
    if word.isupper() and len(word) > 1:
        return len(word)
    word = word.lower().strip("'’")
    groups = len(re.findall(r"[aeiouy]+", word))
    if len(word) > 3 and EN_SILENT_E_RE.search(word) and groups > 1:
        groups -= 1
    if re.search(r"[^aeiouy]le$", word) and len(word) > 3:
        groups += 1
    return max(1, groups)


def flesch_reading_ease(blocks: list[str]) -> float:
    """Flesch Reading Ease of English text: 206.835 − 1.015 × words per sentence −
    84.6 × syllables per word (60–70 plain English; higher is easier)."""
    found = sentences(blocks)
    all_words = [w for s in found for w in words(s)]
    if not found or not all_words:
        return 100.0
    per_sentence = len(all_words) / len(found)
    per_word = sum(english_syllables(w) for w in all_words) / len(all_words)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word
