"""Every export parsed back: ALTO and hOCR are valid XML with the words, the PDF has an extractable text layer."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
from PIL import Image

from sandbox.data import read_table
from sandbox.models.ocr import OcrPage, PageFailure, Word, apply_correction, extract_entities
from sandbox.models.ocr.exports import ALTO_NS, XHTML_NS, to_alto, to_entity_csv, to_hocr, to_searchable_pdf, to_text, to_zip

WORDS = [
    ("Séance", 95, 1), ("du", 96, 1), ("14", 90, 1), ("mai", 92, 1), ("1926", 91, 1),
    ("Le", 94, 2), ("Conseil", 93, 2), ("de", 97, 2), ("Vinceunes", 48, 2), ("a", 88, 2), ("délibéré", 85, 2),
]


@pytest.fixture
def page_and_image():
    words, x, line_y = [], {1: 100, 2: 100}, {1: 100, 2: 170}
    for text, conf, line in WORDS:
        width = 24 * len(text)
        words.append(Word(text, conf, x[line], line_y[line], width, 40, 1, 1, line))
        x[line] += width + 20
    image = Image.new("L", (1240, 600), 255)
    image.info["dpi"] = (150, 150)
    page = OcrPage("seance.png", 1, 1240, 600, tuple(words))
    return apply_correction(page, "Séance du 14 mai 1926\nLe Conseil de Vincennes a délibéré"), image


def test_alto_is_valid_xml_with_the_corrected_words_and_their_confidence(page_and_image):
    page, _ = page_and_image
    root = ET.fromstring(to_alto([page], filename="seance.png"))
    ns = {"a": ALTO_NS}
    assert root.tag == f"{{{ALTO_NS}}}alto"
    assert root.find("a:Description/a:MeasurementUnit", ns).text == "pixel"
    page_el = root.find("a:Layout/a:Page", ns)
    assert (page_el.get("WIDTH"), page_el.get("HEIGHT")) == ("1240", "600")
    strings = root.findall(".//a:String", ns)
    assert [s.get("CONTENT") for s in strings] == "Séance du 14 mai 1926 Le Conseil de Vincennes a délibéré".split()
    by_content = {s.get("CONTENT"): s for s in strings}
    assert by_content["Séance"].get("WC") == "0.95" and by_content["Vincennes"].get("WC") == "1.00"  # corrected
    assert int(by_content["Vincennes"].get("HPOS")) > int(by_content["de"].get("HPOS"))
    assert len(root.findall(".//a:TextLine", ns)) == 2 and len(root.findall(".//a:SP", ns)) == 9


def test_hocr_is_xhtml_with_word_boxes_and_confidences(page_and_image):
    page, _ = page_and_image
    data = to_hocr([page])
    root = ET.fromstring(data.split(b"<!DOCTYPE html>\n", 1)[1])
    ns = {"h": XHTML_NS}
    words = root.findall(".//h:span[@class='ocrx_word']", ns)
    assert [w.text for w in words][:5] == ["Séance", "du", "14", "mai", "1926"]
    assert words[0].get("title") == "bbox 100 100 244 140; x_wconf 95"
    assert root.find(".//h:div[@class='ocr_page']", ns).get("title").startswith('image "seance.png"; bbox 0 0 1240 600')
    assert len(root.findall(".//h:span[@class='ocr_line']", ns)) == 2


def test_the_searchable_pdf_has_a_text_layer_built_from_the_corrected_text(page_and_image):
    from pypdf import PdfReader

    page, image = page_and_image
    second = OcrPage("seance.png", 2, 1240, 600, (Word("Œuvre", 90, 100, 100, 150, 40),))
    reader = PdfReader(io.BytesIO(to_searchable_pdf([page, second], [image, image])))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "Vincennes" in text and "Vinceunes" not in text
    assert "délibéré" in text and "Séance" in text
    assert "Œuvre" in reader.pages[1].extract_text()
    width = float(reader.pages[0].mediabox.width)
    assert width == pytest.approx(1240 / 150 * 72, rel=0.01)  # the image's 150 dpi gives the page size


def test_plain_text_separates_pages_with_a_form_feed(page_and_image):
    page, _ = page_and_image
    text = to_text([page, OcrPage("x", 2, 1, 1, (), corrected_text="suite")])
    assert text == "Séance du 14 mai 1926\nLe Conseil de Vincennes a délibéré\n\fsuite\n"


def test_entity_csv_reads_back_in_the_sandbox_reader(page_and_image):
    page, _ = page_and_image
    entities = extract_entities(page.text, source=page.source, page=page.page)
    frame = read_table(to_entity_csv(entities), "entites.csv")
    assert frame.attrs["separator"] == ";"
    assert set(zip(frame["type"], frame["valeur"].astype(str))) == {("date", "1926-05-14"), ("commune", "94080")}


def test_the_batch_zip_holds_every_format_the_index_a_summary_and_the_failures(page_and_image):
    page, image = page_and_image
    entities = extract_entities(page.text, source=page.source)
    failure = PageFailure("abime.pdf", None, "Fichier « abime.pdf » : ce PDF est illisible.")
    data = to_zip([("seance", [page], [image]), ("seance", [page], [image])], entities=entities, failures=[failure])
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"seance.txt", "seance.pdf", "seance.alto.xml", "seance.hocr.html", "seance_2.txt"} <= names
    assert {"entites.csv", "synthese.csv", "pages_non_lues.txt"} <= names
    assert "abime.pdf" in archive.read("pages_non_lues.txt").decode()
    summary = pd.read_csv(io.BytesIO(archive.read("synthese.csv")), sep=";", encoding="utf-8-sig")
    assert summary["mots"].tolist()[:2] == [11, 11] and bool(summary["corrigé"].iloc[0])
