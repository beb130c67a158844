"""The archive OCR page in a real browser: upload scans, read them, see the text and a confidence figure."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_page, wait_for_app

from sandbox.data.generators.ocr import render_lines

pytestmark = pytest.mark.tesseract


LINES = ["Registre des délibérations", "Séance du quatorze mai 1926", "Présents : MM. Lacombe, Girardin."]


def _scan() -> bytes:
    image = render_lines(
        LINES,
        size=(1300, 420),
        font_px=40,
    ).rotate(1.5, fillcolor=255)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_a_scan_read_it_and_see_text_and_confidence(page, app_url, external_requests):
    open_page(page, app_url, "ocr")
    expect(page.get_by_text("pas l'écriture manuscrite")).to_be_visible()
    page.get_by_role("radio", name="Mes fichiers").click()  # a single-choice segmented control is a radio group
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        [
            {"name": "seance_1926.png", "mimeType": "image/png", "buffer": _scan()},
            {"name": "vide.png", "mimeType": "image/png", "buffer": b""},
        ]
    )
    wait_for_app(page)
    expect(page.get_by_text("vide.png").last).to_be_visible()
    expect(page.get_by_text("le fichier est vide (0 octet)")).to_be_visible()  # named, and the other file goes on
    page.get_by_role("button", name="Lire les documents").click()
    # the rerun may not have started when the click returns: wait for its result, not for idleness
    expect(page.get_by_text("Confiance moyenne", exact=True)).to_be_visible(timeout=90_000)
    wait_for_app(page)
    expect(page.get_by_text("/ 100").first).to_be_visible()
    expect(page.get_by_label("Texte corrigé (c'est ce texte qui est exporté)")).to_contain_text("Séance du quatorze mai 1926")
    # a transcription pasted for the page gives the error rates against raw Tesseract
    page.get_by_label("Transcription de référence (facultatif)", exact=False).fill("\n".join(LINES))
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("CER", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Tesseract seul, sur l'image brute", exact=False)).to_be_visible(timeout=60_000)
    assert_no_error_box(page)
    assert external_requests == []
