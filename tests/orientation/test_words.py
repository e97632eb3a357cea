"""Free text in French, English and Arabic → condition codes (issue 16, point 1).

Each table holds everyday phrases as people type them, with the codes they must give
(``[]``: not a condition, the page then shows the pictures). A third column, when
present, is the page's language. The matcher is built from the shipped taxonomy and
word files, as the site builds it.
"""

import re

import pytest

from etp_orient.catalogue.taxonomy import load_taxonomy
from etp_orient.orientation.terms import (
    LANGUAGES,
    ConditionMatcher,
    load_words,
    normalise_arabic,
    parse_words,
)

FRENCH = [
    ("j'ai du sucre dans le sang", ["diabete"]),
    ("diabète", ["diabete"]),
    ("diabette", ["diabete"]),
    ("je suis diabétique", ["diabete"]),
    ("diabète de type 2", ["diabete-type-2"]),
    ("DT2", ["diabete-type-2"]),
    ("DNID", ["diabete-type-2"]),
    ("DT1", ["diabete-type-1"]),
    ("diabète insulino-dépendant", ["diabete-type-1"]),
    ("DG", ["diabete-gestationnel"]),
    ("enceinte et du sucre", ["diabete-gestationnel"]),
    ("diabète de grossesse", ["diabete-gestationnel"]),
    ("pré-diabète", ["prediabete"]),
    ("je m'essouffle", ["respiratoire"]),
    ("essouffle", ["respiratoire"]),
    ("BPCO", ["bpco"]),
    ("bpc0", ["bpco"]),
    ("bronchite chronik", ["bpco"]),
    ("asthme", ["asthme"]),
    ("astme", ["asthme"]),
    ("l'asthme de mon fils", ["asthme"]),
    ("problème de cœur", ["cardio"]),
    ("hypercholestérolémie", ["risque-cardiovasculaire"]),
    ("trop de cholestérol", ["risque-cardiovasculaire"]),
    ("j'ai de la tension", ["hypertension"]),
    ("HTA", ["hypertension"]),
    ("hypertention", ["hypertension"]),
    ("insuffisance cardiaque", ["insuffisance-cardiaque"]),
    ("je prends un AVK", ["anticoagulants"]),
    ("je voudrais perdre du poids", ["poids"]),
    ("obésité", ["obesite-adulte"]),
    ("mon enfant a un problème de poids", ["surpoids-enfant"]),
    ("ma fille est trop grosse", ["surpoids-enfant"]),
    ("enfant obèse", ["surpoids-enfant"]),
    ("sleeve", ["chirurgie-bariatrique"]),
    ("insufisance renale", ["insuffisance-renale-chronique"]),
    ("dialyse", ["insuffisance-renale-chronique"]),
    ("covid long", ["covid-long"]),
    ("chimio en comprimés", ["anticancereux-oraux"]),
    ("mal au dos", ["douleur-chronique"]),
    ("polyarthrite", ["polyarthrite"]),
    ("séropositif", ["vih"]),
    ("je fume trop", ["tabac"]),
    # two meanings: the rest of the phrase decides ("IRC": renal by default)
    ("IRC", ["insuffisance-renale-chronique"]),
    ("IRC et dialyse", ["insuffisance-renale-chronique"]),
    ("IRC sous oxygène", ["bpco"]),
    ("IRC, je m'essouffle", ["bpco", "respiratoire"]),
    # words that mean a condition in English only
    ("du pain", []),
    ("j'ai acheté du pain", []),
    ("pain au chocolat", []),
    ("j'ai un souci", []),
    ("j'ai la grippe", []),
]

ENGLISH = [
    ("I have sugar", ["diabete"]),
    ("diabetes", ["diabete"]),
    ("I have diabets", ["diabete"]),
    ("high blood sugar", ["diabete"]),
    ("type 2 diabetes", ["diabete-type-2"]),
    ("T2D", ["diabete-type-2"]),
    ("type one diabetes", ["diabete-type-1"]),
    ("gestational diabetes", ["diabete-gestationnel"]),
    ("pregnant + diabetes", ["diabete-gestationnel"]),
    ("pregnant and diabetes", ["diabete-gestationnel"]),
    ("I'm pregnant and my sugar is high", ["diabete-gestationnel"]),
    ("borderline diabetes", ["prediabete"]),
    ("short of breath", ["respiratoire"]),
    ("I get out of breath", ["respiratoire"]),
    ("COPD", ["bpco"]),
    ("chronic bronchitis", ["bpco"]),
    ("asthma", ["asthme"]),
    ("my son has asthma", ["asthme"]),
    ("astma", ["asthme"]),
    ("heart problems", ["cardio"]),
    ("high cholesterol", ["risque-cardiovasculaire"]),
    ("hypercholesterolemia", ["risque-cardiovasculaire"]),
    ("I had a stroke", ["risque-cardiovasculaire"]),
    ("high blood pressure", ["hypertension"]),
    ("hypertension", ["hypertension"]),
    ("heart failure", ["insuffisance-cardiaque"]),
    ("I take blood thinners", ["anticoagulants"]),
    ("warfarin", ["anticoagulants"]),
    ("I want to lose weight", ["poids"]),
    ("obesity", ["obesite-adulte"]),
    ("obese child", ["surpoids-enfant"]),
    ("child + overweight", ["surpoids-enfant"]),
    ("my daughter is overweight", ["surpoids-enfant"]),
    ("gastric sleeve", ["chirurgie-bariatrique"]),
    ("chronic kidney disease", ["insuffisance-renale-chronique"]),
    ("CKD", ["insuffisance-renale-chronique"]),
    ("I'm on dialysis", ["insuffisance-renale-chronique"]),
    ("long covid", ["covid-long"]),
    ("cancer tablets", ["anticancereux-oraux"]),
    ("chronic pain", ["douleur-chronique"]),
    ("I have back pain", ["douleur-chronique"]),
    ("rheumatoid arthritis", ["polyarthrite"]),
    ("HIV", ["vih"]),
    ("I want to quit smoking", ["tabac"]),
    # "pain" is pain in an English phrase; "tension" is not blood pressure in English
    ("pain", ["douleur-chronique"]),
    ("I have tension headaches", ["douleur-chronique"]),
    # two meanings: "CRF" is renal failure unless the phrase is about breathing
    ("CRF", ["insuffisance-renale-chronique"]),
    ("my dad has CRF and is on oxygen", ["bpco"]),
    ("I feel tired", []),
    ("I have the flu", []),
]

ARABIC = [
    ("عندي السكر", ["diabete"]),
    ("السكري", ["diabete"]),
    ("مرض السكري", ["diabete"]),
    ("بالسكّري", ["diabete"]),
    ("عنده سكر في الدم", ["diabete"]),
    ("سكري النوع الثاني", ["diabete-type-2"]),
    ("سكري النوع ٢", ["diabete-type-2"]),
    ("السكري من النوع الأول", ["diabete-type-1"]),
    ("سكري الحمل", ["diabete-gestationnel"]),
    ("حامل + سكري", ["diabete-gestationnel"]),
    ("أنا حامل وعندي السكر", ["diabete-gestationnel"]),
    ("مقدمات السكري", ["prediabete"]),
    ("ضيق التنفس", ["respiratoire"]),
    ("عندي ضيق في التنفس", ["respiratoire"]),
    ("ينقطع نفَسي", ["respiratoire"]),  # the example of the Arabic step 1
    ("حامل وعندي سكري", ["diabete-gestationnel"]),  # the example of the Arabic step 1
    ("الانسداد الرئوي المزمن", ["bpco"]),
    ("الربو", ["asthme"]),
    ("الرَّبْو", ["asthme"]),
    ("ابني عنده ربو", ["asthme"]),
    ("مرض القلب", ["cardio"]),
    ("الكوليسترول", ["risque-cardiovasculaire"]),
    ("الكولسترول مرتفع", ["risque-cardiovasculaire"]),
    ("ضغط الدم", ["hypertension"]),
    ("ارتفاع ضغط الدم", ["hypertension"]),
    ("عندي الضغط", ["hypertension"]),
    ("قصور القلب", ["insuffisance-cardiaque"]),
    ("مميعات الدم", ["anticoagulants"]),
    ("زيادة الوزن", ["poids"]),
    ("أريد إنقاص الوزن", ["poids"]),
    ("السمنة", ["obesite-adulte"]),
    ("السمنه", ["obesite-adulte"]),
    ("ابني عنده سمنة", ["surpoids-enfant"]),
    ("طفل + وزن زائد", ["surpoids-enfant"]),
    ("تكميم المعدة", ["chirurgie-bariatrique"]),
    ("الفشل الكلوي", ["insuffisance-renale-chronique"]),
    ("غسيل الكلى", ["insuffisance-renale-chronique"]),
    ("كوفيد طويل الأمد", ["covid-long"]),
    ("العلاج الكيماوي", ["anticancereux-oraux"]),
    ("ألم مزمن", ["douleur-chronique"]),
    ("الآلام المزمنة", ["douleur-chronique"]),
    ("وجع الظهر", ["douleur-chronique"]),
    ("الروماتيزم", ["polyarthrite"]),
    ("التهاب المفاصل", ["polyarthrite"]),
    ("الإيدز", ["vih"]),
    ("الإقلاع عن التدخين", ["tabac"]),
    ("أدخن كثيرا", ["tabac"]),
    ("السـكـري", ["diabete"]),  # tatweel
    ("مرحبا", []),
]

# Language from the words, whatever the page's language.
ACROSS = [
    ("عندي السكر", "fr", ["diabete"]),
    ("I have sugar", "fr", ["diabete"]),
    ("high blood pressure", "ar", ["hypertension"]),
    ("j'ai de la tension", "en", ["hypertension"]),
    ("du pain", "en", []),
    ("diabète سكري الحمل", "en", ["diabete-gestationnel"]),
]


@pytest.fixture(scope="module")
def matcher():
    return ConditionMatcher(list(load_taxonomy()))


def _check(matcher, text, expected, language=None):
    found = matcher.match_text(text, language).direct_codes
    assert sorted(found) == sorted(expected), (text, found)


@pytest.mark.parametrize(("text", "expected"), FRENCH, ids=[t for t, _ in FRENCH])
def test_french_phrases(matcher, text, expected):
    _check(matcher, text, expected, "fr")


@pytest.mark.parametrize(("text", "expected"), ENGLISH, ids=[t for t, _ in ENGLISH])
def test_english_phrases(matcher, text, expected):
    _check(matcher, text, expected, "en")


@pytest.mark.parametrize(("text", "expected"), ARABIC, ids=[t for t, _ in ARABIC])
def test_arabic_phrases(matcher, text, expected):
    _check(matcher, text, expected, "ar")


@pytest.mark.parametrize(("text", "page", "expected"), ACROSS, ids=[t for t, _, _ in ACROSS])
def test_phrase_language_not_page_language(matcher, text, page, expected):
    _check(matcher, text, expected, page)


def test_tables_are_big_enough():
    assert min(len(FRENCH), len(ENGLISH), len(ARABIC)) >= 40


def test_tables_cover_every_condition():
    leaves = {n["code"] for n in load_taxonomy() if not n["is_group"]}
    assert len(leaves) == 20
    for table in (FRENCH, ENGLISH, ARABIC):
        assert leaves <= {code for _, codes in table for code in codes}


def test_unclear_language_takes_the_page_language(matcher):
    # neither the words nor the script tell: the page does
    assert matcher.match_text("diabetes", "en").language == "en"
    assert matcher.match_text("diabetes", "fr").language == "fr"
    assert matcher.match_text("diabetes").language is None
    assert matcher.match_text("I have sugar", "fr").language == "en"


def test_arabic_normalisation():
    assert normalise_arabic("أإآٱ") == "اااا"
    assert normalise_arabic("السُّكَّرِيّ") == normalise_arabic("السكري")
    assert normalise_arabic("السمنة") == "السمنه"
    assert normalise_arabic("مستشفى") == "مستشفي"
    assert normalise_arabic("ســكـري") == "سكري"
    assert normalise_arabic("النوع ٢") == "النوع 2"
    assert normalise_arabic("diabète 2") == ""


def test_word_files_name_only_taxonomy_codes():
    codes = {n["code"] for n in load_taxonomy()}
    for language in LANGUAGES:
        words = load_words(language)
        assert set(words.codes) <= codes, (language, set(words.codes) - codes)
        assert words.pregnancy and words.child


def test_a_word_file_is_extended_by_a_line():
    taxonomy = list(load_taxonomy())
    words = {language: load_words(language) for language in LANGUAGES}
    assert ConditionMatcher(taxonomy, words).match_text("glycosurie").direct_codes == []
    extra = parse_words(
        "# a comment\n[diabete]\nglycosurie\n\n[*not-a-condition]\nsugar\n", "extra.txt"
    )
    words["en"] = extra
    extended = ConditionMatcher(taxonomy, words)
    assert extended.match_text("glycosurie").direct_codes == ["diabete"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("diabete\n", "extra.txt:1: a phrase before any [section]"), ("[*nope]\nx", "unknown")],
)
def test_a_broken_word_file_says_where(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_words(text, "extra.txt")
