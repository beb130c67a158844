"""The measured choice of a page's reading: raw kept on clean pages, clean-up on faded ones, never empty without a reason."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sandbox.data.generators.ocr import render_lines, render_typescript
from sandbox.models.ocr import cer
from sandbox.models.ocr.choice import (
    EMPTY_LABELS,
    EmptyReason,
    ReadingScore,
    Variant,
    choose,
    coverage,
    empty_reason,
    layout_psm,
    line_bands,
    why,
)
from sandbox.models.ocr.cleanup import as_array, to_grayscale
from sandbox.models.ocr.engine import PageTask, recognise_page
from sandbox.models.ocr.lexicon import Lexicon, french_lexicon, normalise_word


# ---------------------------------------------------------------- pure parts

def test_choose_keeps_raw_on_a_tie_and_never_a_variant_that_reads_markedly_less():
    raw = ReadingScore(Variant.RAW, 85.0, 0.80, 1000, 180)
    same = ReadingScore(Variant.PRESET, 85.5, 0.80, 1000, 180)  # better by less than the margin
    assert choose([raw, same]) is raw
    confident_but_short = ReadingScore(Variant.BINARY, 97.0, 0.99, 600, 100)
    assert choose([raw, confident_but_short]) is raw
    better = ReadingScore(Variant.LIGHT, 90.0, 0.9, 990, 178)
    assert choose([raw, same, confident_but_short, better]) is better
    assert "retenu" in why(better, [raw, better]) and "990 caractères" in why(better, [raw, better]).replace("\u202f", " ")


def test_a_reading_that_misses_lines_loses_against_one_that_reads_them_all():
    partial = ReadingScore(Variant.RAW, 93.0, 0.98, 215, 40)  # confident on what it read, but a third of the text
    full = ReadingScore(Variant.PRESET, 92.0, 0.97, 357, 64)
    assert choose([partial, full]) is full
    assert partial.against(357) < full.against(357)


def test_confident_needs_confidence_french_words_and_coverage_of_the_lines():
    assert ReadingScore(Variant.RAW, 92.0, 0.9, 900, 160, coverage=0.95).confident
    assert not ReadingScore(Variant.RAW, 80.0, 0.9, 900, 160, coverage=0.95).confident
    assert not ReadingScore(Variant.RAW, 92.0, 0.4, 900, 160, coverage=0.95).confident
    assert not ReadingScore(Variant.RAW, 92.0, 0.9, 300, 60, coverage=0.4).confident


def test_lexicon_counts_french_words_without_elisions_and_case():
    lexicon = Lexicon.builtin()
    assert normalise_word("L’Arrêté,") == "arrêté" and normalise_word("«qu'elle»") == "elle"
    assert lexicon.share(["Le", "Maire", "arrête", "xqzw"]) == pytest.approx(13 / 17)  # 13 of 17 letters
    assert lexicon.share(["1926", "—", "."]) is None  # nothing word-like
    full = french_lexicon()
    assert full.words >= lexicon.words
    assert "délibération" in full or full.source == "liste intégrée"  # Tesseract's list when its tools are installed


def test_line_bands_and_coverage_find_missed_lines():
    page = np.asarray(render_lines(["Première ligne du texte", "Deuxième ligne", "Troisième ligne", "Quatrième"],
                                   size=(900, 420), font_px=36))
    bands = line_bands(page)
    assert len(bands) == 4
    boxes = [(80, y0, 400, y1) for y0, y1 in bands[:2]]  # words found on the first two lines only
    assert coverage(bands, boxes) == 0.5


def test_single_line_and_narrow_block_detection():
    line = to_grayscale(as_array(render_lines(["Registre des délibérations du conseil"], size=(1100, 110), font_px=40, margin=30)))
    block = to_grayscale(as_array(render_lines(["Séance du 14 mai", "Présents : MM. Lacombe", "Girardin et Martin"],
                                               size=(900, 260), font_px=36, margin=30)))
    page = to_grayscale(as_array(render_lines([f"Ligne numéro {i} du registre" for i in range(20)], size=(1240, 1754), font_px=34)))
    assert layout_psm(line) == 7
    assert layout_psm(block) == 6
    assert layout_psm(page) == 3
    assert layout_psm(line, default=4) == 7 and layout_psm(page, default=4) == 4


def test_empty_page_reasons():
    assert empty_reason(np.full((2000, 1500), 245, np.uint8)) == EmptyReason.BLANK
    assert empty_reason(np.full((10, 300), 245, np.uint8)) == EmptyReason.TOO_SMALL
    tiny = to_grayscale(as_array(render_lines(["minuscule texte illisible " * 3] * 6, size=(600, 120), font_px=4, margin=5, leading=2)))
    assert empty_reason(tiny) == EmptyReason.TOO_SMALL
    scribble = Image.new("L", (1200, 800), 245)
    draw = ImageDraw.Draw(scribble)
    rng = np.random.default_rng(3)
    for row in range(8):  # cursive-like loops: ink, but no letters Tesseract knows
        points = [(60 + 12 * i, 90 + 85 * row + 18 * np.sin(i * 1.3 + rng.normal(0, 0.4))) for i in range(90)]
        draw.line(points, fill=20, width=4)
    assert empty_reason(np.asarray(scribble)) == EmptyReason.HANDWRITING
    assert "manuscrite" in EMPTY_LABELS[EmptyReason.HANDWRITING]


# ---------------------------------------------------------------- with Tesseract

@pytest.mark.tesseract
def test_a_clean_typescript_page_in_rgb_gives_its_text():
    image, truth = render_typescript()
    page = recognise_page(PageTask("tapuscrit.jpg", 1, image=as_array(image)))
    assert page.empty is None and page.text.strip()
    assert cer(truth, page.text) < 0.03
    assert page.variant == Variant.RAW  # a clean page is read once, as it is
    assert page.readings[0].variant == Variant.RAW


@pytest.mark.tesseract
def test_per_page_choice_keeps_raw_on_a_clean_page_and_the_cleanup_on_a_faded_one():
    clean_image, truth = render_typescript(seed=11)
    faded_image, _ = render_typescript(seed=11, faded=True)
    clean = recognise_page(PageTask("propre.png", 1, image=as_array(clean_image)))
    faded = recognise_page(PageTask("pale.png", 1, image=as_array(faded_image)))
    assert clean.variant == Variant.RAW
    assert faded.variant in (Variant.PRESET, Variant.LIGHT, Variant.BINARY)
    assert faded.raw is not None and faded.raw.variant == Variant.RAW
    assert cer(truth, faded.text) < 0.05 < cer(truth, faded.raw.text)  # measured: 0.009 against 0.41
    assert len(faded.readings) >= 2 and "retenu" in faded.reason


@pytest.mark.tesseract
def test_a_single_line_image_is_read_as_one_line():
    text = "Arrêté municipal du 3 avril 1911"
    image = render_lines([text], size=(1000, 100), font_px=38, margin=25)
    page = recognise_page(PageTask("ligne.png", 1, image=as_array(image)))
    assert page.psm == 7
    assert cer(text, page.text) < 0.05


@pytest.mark.tesseract
def test_a_blank_page_says_why_it_is_empty():
    page = recognise_page(PageTask("blanc.png", 1, image=np.full((1200, 900), 248, np.uint8)))
    assert page.words == () and page.empty == EmptyReason.BLANK
    assert page.reason == EMPTY_LABELS[EmptyReason.BLANK]


@pytest.mark.tesseract
def test_a_page_turned_on_its_side_is_read_upright():
    image, truth = render_typescript(seed=5)
    turned = image.rotate(90, expand=True)  # counter-clockwise: the lines run upwards
    page = recognise_page(PageTask("couchee.png", 1, image=as_array(turned)))
    assert page.rotation == 90
    assert cer(truth, page.text) < 0.05
    width, height = turned.size
    assert all(0 <= w.left and w.left + w.width <= width and w.top + w.height <= height for w in page.words)
    first = page.words[0]
    assert first.height > first.width  # boxes are on the input page, where the words stand vertically


@pytest.mark.tesseract
def test_the_command_line_says_why_a_page_is_empty_and_prints_the_batch_figures(tmp_path, capsys):
    from sandbox.cli import main as cli
    from sandbox.text import plain

    Image.new("L", (900, 1200), 248).save(tmp_path / "blanc.png")
    image, _ = render_typescript()
    image.save(tmp_path / "tapuscrit.jpg")
    code = cli(["ocr", str(tmp_path / "blanc.png"), str(tmp_path / "tapuscrit.jpg"), "--out", str(tmp_path / "out"), "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 0
    assert "blanc.png, p. 1 : aucun texte — page blanche" in plain(captured.err)
    assert "Confiance moyenne : " in plain(captured.out) and "Mots douteux : " in plain(captured.out)
    assert "MAIRIE DE MONTREUIL" in (tmp_path / "out" / "tapuscrit.txt").read_text(encoding="utf-8")


def test_two_column_pages_are_read_column_by_column():
    from sandbox.models.ocr.engine import Word
    from sandbox.models.ocr.layout import find_gutter, reading_order

    words = []
    for row in range(25):  # Tesseract joined each left line with the right one across the gutter
        y = 100 + 40 * row
        words.append(Word(f"G{row}", 90, 100, y, 700, 30, block=1, par=1, line=row + 1))
        words.append(Word(f"D{row}", 90, 1100, y, 700, 30, block=1, par=1, line=row + 1))
    words.append(Word("TITRE", 95, 500, 40, 1000, 40, block=0, par=1, line=1))  # a title across both columns
    assert find_gutter(words, 2000, min_words=10) is not None
    ordered = [w.text for w in reading_order(words, 2000, min_words=10)]
    assert ordered == ["TITRE"] + [f"G{i}" for i in range(25)] + [f"D{i}" for i in range(25)]
    single = [Word(f"m{i}", 90, 100, 100 + 40 * i, 1700, 30, line=i + 1) for i in range(60)]
    assert reading_order(single, 2000) == single  # one column: unchanged
