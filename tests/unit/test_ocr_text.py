"""Error rates, entity extraction (dates written out, titles, communes), correction alignment and search."""

from __future__ import annotations

import pytest

from sandbox.models.ocr import OcrPage, Word, apply_correction, cer, corpus_cer, extract_entities, search, wer
from sandbox.models.ocr.entities import find_communes, find_dates, find_persons, words_to_number


# ---------------------------------------------------------------- metrics

def test_cer_and_wer_count_edits_over_the_reference():
    assert cer("Lefèvre", "Lefevre") == pytest.approx(1 / 7)
    assert cer("abc", "") == 1.0 and cer("", "") == 0.0
    assert wer("le sieur Louis Bernard", "le sienr Louis Bernard") == 0.25
    assert wer("un deux", "un deux trois quatre") == 1.0  # insertions count
    # line breaks, double spaces and typographic apostrophes are not errors
    assert cer("L'an mil\nhuit cent", "L\u2019an  mil huit cent") == 0.0


def test_corpus_cer_weights_pages_by_length():
    pairs = [("a" * 100, "a" * 99 + "b"), ("bb", "xx")]
    assert corpus_cer(pairs) == pytest.approx(3 / 102)


# ---------------------------------------------------------------- entities

@pytest.mark.parametrize(
    "words, value",
    [
        ("mil huit cent quatre-vingt-dix", 1890),
        ("mil neuf cent vingt-six", 1926),
        ("dix-sept cent quatre-vingt-neuf", 1789),
        ("mil sept cent quatre vingt treize", 1793),
        ("soixante et onze", 71),
        ("quatre-vingt-dix-neuf", 99),
        ("deux mille vingt-quatre", 2024),
        ("vingt et un", 21),
        ("trente et un", 31),
    ],
)
def test_french_numbers_in_words(words, value):
    assert words_to_number(words) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("le douze mars mil huit cent quatre-vingt-dix", "1890-03-12"),
        ("L'an mil neuf cent vingt-six, le quatorze mai, à vingt heures", "1926-05-14"),
        ("L\u2019an mil huit cent quatre-vingt-dix, le premier aoust", "1890-08-01"),
        ("Fait le 1er mars 1890.", "1890-03-01"),
        ("Vincennes, le 17 mai 1926.", "1926-05-17"),
        ("né le 27/08/1901 à Bobigny", "1901-08-27"),
        ("le vingt-trois 7bre mil sept cent quatre-vingt-douze", "1792-09-23"),
        ("le trente et un décembre mil neuf cent", "1900-12-31"),
        ("né le dix mars courant", "--03-10"),
    ],
)
def test_dates_numeric_and_written_out(text, value):
    assert [e.value for e in find_dates(text)] == [value]


def test_impossible_dates_and_plain_numbers_are_not_dates():
    assert find_dates("le trente février mil neuf cent") == []
    assert find_dates("le 31/02/1950, article 91 et 97, 64 000 francs") == []


@pytest.mark.parametrize(
    "text, names",
    [
        ("sous la présidence de M. Émile Lacombe, Maire.", ["Émile Lacombe"]),
        ("est comparu le sieur Louis Auguste Bernard, âgé de trente-deux ans", ["Louis Auguste Bernard"]),
        ("de dame Marie Joséphine Lefèvre, son épouse", ["Marie Joséphine Lefèvre"]),
        ("la veuve Céline Morin, née Dubois", ["Céline Morin"]),
        ("à Madame veuve Rigaud, 12, rue Hoche", ["Rigaud"]),
        ("Mlle Augustine Morin et Mme Jeanne DUVAL-PERRIN", ["Augustine Morin", "Jeanne DUVAL-PERRIN"]),
        ("Me Charles de La Fontaine, notaire", ["Charles de La Fontaine"]),
        ("M. le Maire expose ; vu l'avis de M. l'Inspecteur ; Madame, veuillez agréer", []),
    ],
)
def test_persons_after_civil_titles(text, names):
    assert [e.value for e in find_persons(text)] == names


def test_communes_of_the_metropole_in_any_spelling_but_not_streets():
    text = "domiciliés à Aubervilliers, à ST-OUEN et à L'Haÿ-les-Roses ; rue de Paris ; vu le Kremlin-Bicêtre ; à Lyon"
    found = [(e.value, e.label) for e in find_communes(text)]
    assert found == [
        ("93001", "Aubervilliers"),
        ("93070", "Saint-Ouen-sur-Seine"),
        ("94038", "L'Haÿ-les-Roses"),
        ("94043", "Le Kremlin-Bicêtre"),
    ]
    assert find_communes("les lilas en fleur") == []  # a common noun, not the commune


def test_extract_entities_on_a_sample_ground_truth(repo):
    text = (repo / "sample_data" / "ocr" / "etat_civil_1890.txt").read_text(encoding="utf-8")
    entities = extract_entities(text, source="etat_civil_1890.jpg", page=1)
    values = {(e.kind.value, e.value) for e in entities}
    assert {("date", "1890-03-12"), ("date", "1890-03-13"), ("commune", "93066"), ("commune", "93001"), ("commune", "93070")} <= values
    assert {("person", "Louis Auguste Bernard"), ("person", "Céline Morin"), ("person", "Augustine Morin")} <= values
    assert all(e.source == "etat_civil_1890.jpg" and e.page == 1 for e in entities)
    assert all(text[e.start:e.end] == e.text for e in entities)


# ---------------------------------------------------------------- correction and search

def _page() -> OcrPage:
    words = (
        Word("Le", 96, 10, 10, 40, 20, 1, 1, 1),
        Word("rnaire", 41, 60, 10, 90, 20, 1, 1, 1),
        Word("de", 93, 160, 10, 30, 20, 1, 1, 1),
        Word("Vinceunes", 52, 200, 10, 140, 20, 1, 1, 1),
        Word("expose", 95, 10, 40, 90, 20, 1, 1, 2),
    )
    return OcrPage("deliberation.png", 1, 400, 80, words)


def test_correction_keeps_boxes_of_unchanged_words_and_moves_corrected_ones():
    page = _page()
    fixed = apply_correction(page, "Le maire de Vincennes\nexpose au Conseil")
    assert fixed.text == "Le maire de Vincennes\nexpose au Conseil"
    texts = [w.text for w in fixed.words]
    assert texts == ["Le", "maire", "de", "Vincennes", "expose", "au", "Conseil"]
    by_text = {w.text: w for w in fixed.words}
    assert by_text["maire"].box == page.words[1].box and by_text["maire"].corrected and by_text["maire"].conf == 100
    assert by_text["Le"].conf == 96 and not by_text["Le"].corrected
    assert by_text["au"].left > by_text["expose"].left + by_text["expose"].width - 1  # added after its neighbour


def test_correction_splitting_and_merging_words_shares_the_boxes():
    page = _page()
    split = apply_correction(page, "Le rn aire de Vincennes expose")
    parts = [w for w in split.words if w.text in ("rn", "aire")]
    assert len(parts) == 2 and parts[0].left == 60 and parts[1].left > parts[0].left
    merged = apply_correction(page, "Le rnaire deVincennes expose")
    assert [w.text for w in merged.words] == ["Le", "rnaire", "deVincennes", "expose"]


def test_uncorrected_text_is_the_raw_text():
    page = _page()
    assert apply_correction(page, page.raw_text).corrected_text is None
    assert page.raw_text == "Le rnaire de Vinceunes\nexpose\n"


def test_search_ignores_case_accents_and_finds_the_page_and_line():
    pages = [
        OcrPage("a.jpg", 1, 1, 1, (), corrected_text="Séance du 14 mai\nM. Émile LACOMBE, Maire"),
        OcrPage("b.pdf", 3, 1, 1, (), corrected_text="Le sieur Lacombe, propriétaire\nà Saint-Mandé"),
        OcrPage("c.png", 1, 1, 1, (), corrected_text="la veuve Lefè-\nvre, sans profession"),
    ]
    hits = search(pages, "lacombe")
    assert [(h.source, h.page, h.line) for h in hits] == [("a.jpg", 1, 2), ("b.pdf", 3, 1)]
    assert [(h.source, h.line) for h in search(pages, "saint mande")] == []  # a hyphen is not a space
    assert [(h.source, h.line) for h in search(pages, "SAINT-MANDE")] == [("b.pdf", 2)]
    assert [(h.source, h.line) for h in search(pages, "lefèvre")] == [("c.png", 1)]  # hyphenated at the line end
    assert search(pages, "   ") == []
