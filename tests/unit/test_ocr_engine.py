"""Tesseract on generated pages: error rate bounds, timeouts, boxes on the input page, and the command line."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from sandbox.cli import main as cli
from sandbox.data.generators.ocr import render_lines
from sandbox.models.ocr import (
    CleanupOptions,
    Document,
    OcrPage,
    PageFailure,
    PageTask,
    cer,
    load_path,
    read_documents,
    read_pages,
    tesseract_status,
)
from sandbox.text import plain

pytestmark = pytest.mark.tesseract

LINES = ["Séance du quatorze mai 1926", "Le Conseil municipal de Vincennes", "a délibéré sur l'école de garçons."]


def test_tesseract_and_its_french_model_are_reported():
    status = tesseract_status()
    assert status.available and status.french and status.version


def test_ocr_of_an_aged_sample_page_reaches_the_measured_cer_bound(repo):
    folder = repo / "sample_data" / "ocr"
    truth = (folder / "deliberation_1926.txt").read_text(encoding="utf-8")
    batch = read_documents([load_path(folder / "deliberation_1926.jpg")], baseline=True, jobs=2)
    cleaned, raw = batch.pages[0], batch.baseline[0]
    # measured: 0.000 with the automatic clean-up, 0.43 on the raw image (uneven light, bleed-through)
    assert cer(truth, cleaned.text) <= 0.02
    assert cer(truth, raw.text) >= 0.15
    assert {"illumination", "deskew"} <= set(cleaned.steps) and cleaned.angle == pytest.approx(-1.8, abs=0.3)
    assert cleaned.mean_confidence > 90 and cleaned.low_confidence_share() < 0.05
    assert raw.mean_confidence < cleaned.mean_confidence


def test_word_boxes_are_on_the_words_of_the_input_page():
    page = render_lines(LINES, size=(1300, 420), font_px=40)
    rotated = page.rotate(3.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    # the raw page reads well (a clean 3° tilt): ask for the deskew explicitly to test the box mapping
    result = read_documents([Document("tourne.png", (rotated,), "image")], cleanup=CleanupOptions(deskew=True), jobs=1).pages[0]
    assert result.steps and "deskew" in result.steps
    assert cer("\n".join(LINES), result.text) < 0.05
    ink = np.asarray(rotated) < 128
    for word in result.words:
        x0, y0, x1, y1 = word.box
        assert 0 <= x0 < x1 <= 1300 and 0 <= y0 < y1 <= 420
        assert ink[y0:y1, x0:x1].mean() > 0.04, word  # the box covers ink, not blank paper


def test_a_page_over_the_timeout_fails_alone_and_the_batch_goes_on():
    small = np.asarray(render_lines(LINES, size=(1300, 420), font_px=40))
    tasks = [
        PageTask("lent.png", 1, image=small, timeout=0.001),
        PageTask("rapide.png", 1, image=small, cleanup=None),
    ]
    done = []
    results = read_pages(tasks, jobs=2, on_page=lambda r, n, total: done.append((n, total)))
    assert isinstance(results[0], PageFailure)
    assert results[0].label == "lent.png, p.\u00a01" and "délai par page" in results[0].message
    assert isinstance(results[1], OcrPage) and "Vincennes" in results[1].text
    assert sorted(done) == [(1, 2), (2, 2)]


def test_the_command_line_on_two_files_and_a_broken_one(tmp_path, capsys):
    from fpdf import FPDF
    from pypdf import PdfReader

    image = render_lines(LINES, size=(1300, 420), font_px=40)
    image.save(tmp_path / "seance.png")
    pdf = FPDF(format=(148, 105))  # half an A5, landscape: a small page to read
    pdf.add_page()
    pdf.set_font("helvetica", size=18)
    pdf.text(15, 30, "Arrete du Maire de Montreuil")
    pdf.output(str(tmp_path / "arrete.pdf"))
    (tmp_path / "vide.jpg").write_bytes(b"")
    out = tmp_path / "sortie"
    code = cli(["ocr", str(tmp_path / "seance.png"), str(tmp_path / "arrete.pdf"), str(tmp_path / "vide.jpg"),
                "--out", str(out), "--formats", "txt,pdf,alto,hocr", "--jobs", "2"])
    captured = capsys.readouterr()
    assert code == 1  # one file could not be read
    lines = [plain(line) for line in captured.out.splitlines()]
    assert lines[0].startswith("seance.png : 1 page, confiance moyenne ") and lines[0].endswith(" s")
    assert lines[1].startswith("arrete.pdf : 1 page, confiance moyenne ")
    assert "vide.jpg" in captured.err and "vide (0 octet)" in plain(captured.err)
    assert "Vincennes" in (out / "seance.txt").read_text(encoding="utf-8")
    assert "Montreuil" in (out / "arrete.txt").read_text(encoding="utf-8")
    assert {p.name for p in out.iterdir()} == {
        f"{stem}{ext}" for stem in ("seance", "arrete") for ext in (".txt", ".pdf", ".alto.xml", ".hocr.html")
    }
    assert "Conseil" in PdfReader(io.BytesIO((out / "seance.pdf").read_bytes())).pages[0].extract_text()


def test_the_command_line_refuses_an_unknown_format_or_language(tmp_path, capsys):
    render_lines(LINES, size=(600, 200)).save(tmp_path / "a.png")
    assert cli(["ocr", str(tmp_path / "a.png"), "--out", str(tmp_path), "--formats", "docx"]) == 2
    assert cli(["ocr", str(tmp_path / "a.png"), "--out", str(tmp_path), "--lang", "klingon"]) == 2
    err = plain(capsys.readouterr().err)
    assert "Format inconnu : docx" in err and "Langue non installée pour Tesseract : klingon" in err
