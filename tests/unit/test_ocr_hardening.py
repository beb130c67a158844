"""Issue 14 on the OCR side: memory caps, the shared worker pool, the content-keyed cache, ZIP member names."""

from __future__ import annotations

import io
import os
import stat
import threading
import zipfile

import numpy as np
import pytest
from PIL import Image

from sandbox.data import DataError
from sandbox.data.generators.ocr import render_lines
from sandbox.models.ocr import OcrPage, PageFailure, PageTask, Word, open_document, read_pages, to_zip
from sandbox.models.ocr import engine
from sandbox.text import plain


def _tiff(pages: int, size=(2000, 2000)) -> bytes:
    frames = [Image.new("L", size, 255) for _ in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    return buffer.getvalue()


def _pdf(pages: int, side_mm: float) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format=(side_mm, side_mm))
    for _ in range(pages):
        pdf.add_page()
    return bytes(pdf.output())


def test_a_small_file_that_expands_to_too_many_pixels_is_refused_before_decoding():
    data = _tiff(12)  # 12 pages of 4 Mpx in a few kilobytes
    assert len(data) < 200_000
    with pytest.raises(DataError) as error:
        open_document(data, "bombe.tif", max_total_pixels=40_000_000)
    message = plain(str(error.value))
    assert "bombe.tif" in message and "12 pages totalisent 48 millions de pixels" in message
    pdf = _pdf(30, 640)  # 30 pages of 64 cm square: 57 Mpx each at 300 dpi
    with pytest.raises(DataError) as error:
        open_document(pdf, "plans.pdf")
    assert "30 pages totalisent" in plain(str(error.value))


def test_pages_are_decoded_one_at_a_time_and_not_kept():
    doc = open_document(_tiff(3, (300, 200)), "trois.tif")
    assert doc.pages == () and doc.page_count == 3 and doc.pixels == 3 * 300 * 200
    assert doc.page(2).size == (300, 200)
    assert doc.pages == ()  # nothing decoded is kept on the document
    pdf = open_document(_pdf(2, 100), "deux.pdf")
    assert pdf.page_count == 2 and pdf.sizes[1] == pdf.page(2).size == (1182, 1182)  # 100 mm at 300 dpi


def test_the_content_digest_tells_two_files_of_the_same_name_apart():
    a = open_document(_tiff(1, (50, 50)), "scan.png")
    buffer = io.BytesIO()
    Image.new("L", (50, 50), 0).save(buffer, "PNG")
    b = open_document(buffer.getvalue(), "scan.png")
    assert a.filename == b.filename and a.digest != b.digest


@pytest.mark.tesseract
def test_the_raw_reading_cache_is_keyed_by_content_not_by_file_name():
    from sandbox.pages.ocr.views import raw_reading

    first = render_lines(["Registre des naissances"], size=(900, 120), font_px=40, margin=30)
    second = render_lines(["Budget primitif voté"], size=(900, 120), font_px=40, margin=30)
    docs = []
    for image in (first, second):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        docs.append(open_document(buffer.getvalue(), "scan.png"))
    read_a = raw_reading(first, docs[0].digest, "scan.png", 1, "fra", 7, 60.0)
    read_b = raw_reading(second, docs[1].digest, "scan.png", 1, "fra", 7, 60.0)
    assert "naissances" in read_a.text and "Budget" in read_b.text


def test_zip_member_names_cannot_leave_the_archive():
    page = OcrPage("x.png", 1, 100, 40, (Word("Texte", 95, 1, 1, 30, 10),))
    image = Image.new("L", (100, 40), 255)
    stems = ["..\\..\\..\\Users\\Public\\Desktop\\evil", "../../etc/cron.d/evil", "C:\\Windows\\evil", "D:evil", "..", ""]
    data = to_zip([(stem, [page], [image]) for stem in stems], formats=("txt",))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    for name in names:
        assert "/" not in name and "\\" not in name and ":" not in name and not name.startswith("."), name
    assert {"evil.txt", "evil_2.txt", "evil_3.txt", "evil_4.txt", "document.txt", "document_2.txt"} <= set(names)


def test_worker_pools_work_in_a_private_folder_removed_with_the_pool():
    pool = engine._pool(1)
    folder = pool.folder
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    future = pool.executor.submit(__import__("tempfile").gettempdir)
    assert future.result(timeout=120).startswith(folder)  # Tesseract's own temporary files go there too
    engine._drop_pool(1, kill=True)
    assert not os.path.exists(folder)


@pytest.mark.tesseract
def test_one_batch_deadline_does_not_stop_another_sessions_page():
    image = np.asarray(render_lines(["Séance du conseil municipal"] * 12, size=(1400, 1400), font_px=40))
    slow = [PageTask(f"lot_{i}.png", 1, image=image, cleanup=None) for i in range(6)]
    results: dict[str, list] = {}

    def big_batch():
        results["a"] = read_pages(slow, jobs=2, deadline=0.5)

    thread = threading.Thread(target=big_batch)
    thread.start()
    single = read_pages([PageTask("seul.png", 1, image=image, cleanup=None)], jobs=2)
    thread.join()
    assert isinstance(single[0], OcrPage) and "conseil" in single[0].text
    assert any(isinstance(r, PageFailure) and "limite de 0 s pour le lot" in r.message.replace("\u00a0", " ")
               for r in results["a"])
