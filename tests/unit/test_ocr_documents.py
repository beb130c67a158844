"""Opening scans and PDF: pages, 300 dpi rendering, and a French message naming the file for each bad input."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sandbox.data import DataError
from sandbox.models.ocr import load_document, load_path
from sandbox.text import plain


def _png(size=(60, 40), colour=255) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def _pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.text(20, 30, f"Page {number + 1}")
    data = bytes(pdf.output())
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password, algorithm="RC4-128")  # RC4 needs no extra dependency
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def test_a_pdf_is_rasterised_at_300_dpi_page_by_page():
    doc = load_document(_pdf(2), "registre.pdf")
    assert doc.kind == "pdf" and doc.page_count == 2 and doc.stem == "registre"
    width, height = doc.pages[0].size
    assert abs(width - 2480) <= 1 and abs(height - 3508) <= 1  # A4 at 300 dpi


def test_a_multipage_tiff_gives_one_page_per_frame():
    buffer = io.BytesIO()
    frames = [Image.new("L", (50, 70), v) for v in (255, 128, 0)]
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    doc = load_document(buffer.getvalue(), "liasse.tif")
    assert doc.page_count == 3 and [p.getpixel((0, 0)) for p in doc.pages] == [255, 128, 0]


def _message(data: bytes, name: str, **options) -> str:
    with pytest.raises(DataError) as caught:
        load_document(data, name, **options)
    return plain(str(caught.value))


def test_each_bad_input_gets_a_french_message_naming_the_file():
    assert "« vide.png »" in _message(b"", "vide.png") and "0 octet" in _message(b"", "vide.png")
    assert "pas une image lisible" in _message(b"GIF89a\x01\x00\x01\x00", "anim.gif")
    assert "« casse.png »" in _message(_png()[:60], "casse.png")
    assert "tronquée" in _message(_png((400, 400))[:-40], "tronque.png") or "abîmée" in _message(_png((400, 400))[:-40], "tronque.png")
    assert "illisible" in _message(b"%PDF-1.7\n garbage", "abime.pdf")
    encrypted = _message(_pdf(password="secret"), "protege.pdf")
    assert "« protege.pdf »" in encrypted and "mot de passe" in encrypted
    too_long = _message(_pdf(3), "long.pdf", max_pages=2)
    assert "« long.pdf »" in too_long and "3 pages" in too_long and "limite de 2" in too_long


def test_a_decompression_bomb_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buffer, "PNG")  # 144 MP in a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    message = _message(buffer.getvalue(), "bombe.png")
    assert "« bombe.png »" in message and "trop grande" in message


def test_a_missing_file_on_disk(tmp_path):
    with pytest.raises(DataError, match="introuvable"):
        load_path(tmp_path / "absent.jpg")
    (tmp_path / "ok.png").write_bytes(_png())
    assert load_path(tmp_path / "ok.png").page_count == 1
