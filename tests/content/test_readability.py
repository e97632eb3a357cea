"""Readability of every plain-language page, measured on the French text of <main>.

Targets (issue 7): Kandel–Moles ≥ 70, ≤ 12 words a sentence on average, no
sentence over 20 words, no unexplained abbreviation; easy-read pages ≥ 80 and
≤ 10 words on average. Each page's figures are printed.
"""

import pytest

from etp_orient.content.readability import (
    kandel_moles,
    measure,
    measure_html,
    sentences,
    syllables,
    words,
)
from tests.content.comprendre_paths import EASY_PATHS, PLAIN_PATHS

# Spoken syllables in standard French (dictionary syllabification, no mute e).
KNOWN_SYLLABLES = {
    "table": 1,
    "tables": 1,
    "vie": 1,
    "rue": 1,
    "année": 2,
    "journée": 2,
    "éducation": 4,
    "thérapeutique": 4,
    "patient": 2,
    "patients": 2,
    "diabète": 2,
    "coordinateur": 5,
    "réunion": 3,
    "idéal": 3,
    "créer": 2,
    "théâtre": 2,
    "vidéo": 3,
    "géographie": 4,
    "poème": 2,
    "aéroport": 4,
    "chaos": 2,
    "coopérer": 4,
    "client": 2,
    "crier": 2,
    "oublier": 3,
    "payer": 2,
    "moyen": 2,
    "crayon": 2,
    "voyage": 2,
    "yeux": 1,
    "type": 1,
    "lycée": 2,
    "famille": 2,
    "fille": 1,
    "travailler": 3,
    "naïf": 2,
    "Noël": 2,
    "maïs": 2,
    "ambiguïté": 5,
    "aiguë": 2,
    "guérir": 2,
    "langue": 1,
    "pratique": 2,
    "question": 2,
    "quatre": 1,
    "parlent": 1,
    "aiment": 1,
    "parent": 2,
    "souvent": 2,
    "moment": 2,
    "vraiment": 2,
    "mangeons": 2,
    "aujourd'hui": 3,
    "c'est-à-dire": 3,
    "l'atelier": 3,
    "qu'il": 1,
    "rendez-vous": 3,
    "cœur": 1,
    "œil": 1,
    "oiseau": 2,
    "social": 2,
    "nation": 2,
    "bien": 1,
    "pied": 1,
    "pays": 2,
    "alcool": 2,
    "maladie": 3,
    "programme": 2,
    "groupe": 1,
    "asthme": 1,
    "hôpital": 3,
    "télécharger": 4,
    "ETP": 3,
    "BPCO": 4,
}


@pytest.mark.parametrize(("word", "expected"), sorted(KNOWN_SYLLABLES.items()))
def test_french_syllable_count(word, expected):
    assert syllables(word) == expected


def test_word_list_is_large_enough():
    assert len(KNOWN_SYLLABLES) >= 40


def test_elided_and_hyphenated_words_count_once():
    assert words("L'atelier, c'est-à-dire le rendez-vous de 6 mois.") == [
        "L'atelier",
        "c'est-à-dire",
        "le",
        "rendez-vous",
        "de",
        "6",
        "mois",
    ]


def test_sentences_end_at_punctuation_and_at_each_block():
    assert sentences(["Un. Deux ? Trois !", "Quatre sans point"]) == [
        "Un.",
        "Deux ?",
        "Trois !",
        "Quatre sans point",
    ]


def test_kandel_moles_formula():
    assert kandel_moles(10, 1.5) == pytest.approx(207 - 10.15 - 110.4)


def test_abbreviation_is_explained_when_written_out_beside_it():
    report = measure(["Le BEP (bilan éducatif partagé) a lieu seul.", "Le BEP dure."])
    assert report.unexplained == set()
    report = measure(["Le bilan éducatif partagé (BEP) a lieu seul."])
    assert report.unexplained == set()


def test_abbreviation_without_explanation_is_reported():
    assert measure(["Parlez-en à la CPTS."]).unexplained == {"CPTS"}


def test_abbr_title_counts_as_an_explanation():
    html = '<main><p>La <abbr title="agence régionale de santé">ARS</abbr> paie.</p></main>'
    assert measure_html(html).unexplained == set()


def test_only_main_is_measured_and_headings_are_left_out():
    html = "<nav><p>CPTS menu</p></nav><main><h1>Titre MSP</h1><p>Une phrase.</p></main>"
    report = measure_html(html)
    assert report.sentences == ["Une phrase."]
    assert report.unexplained == set()


def _report(client, path, capsys):
    response = client.get(path + "?lang=fr")
    assert response.status_code == 200
    report = measure_html(response.get_data(as_text=True))
    with capsys.disabled():
        print(f"\n{path:38} {report.line()}")
    return report


@pytest.mark.parametrize("path", PLAIN_PATHS)
def test_plain_language_page_is_easy_to_read(client, capsys, path):
    report = _report(client, path, capsys)
    assert report.kandel_moles >= 70, report.line()
    assert report.words_per_sentence <= 12, report.line()
    assert report.longest_words <= 20, report.longest
    assert report.unexplained == set()


@pytest.mark.parametrize("path", EASY_PATHS)
def test_easy_read_page_is_very_easy_to_read(client, capsys, path):
    report = _report(client, path, capsys)
    assert report.kandel_moles >= 80, report.line()
    assert report.words_per_sentence <= 10, report.line()
    assert report.longest_words <= 20, report.longest
    assert report.unexplained == set()
