"""What archive software expects: plain text, searchable PDF, ALTO XML, hOCR, entity CSV, a ZIP per batch.

Every export is built from the pages as they stand after the person's
correction (:func:`~sandbox.models.ocr.correction.apply_correction`): the
corrected text is what is exported, placed on the page with the boxes of
the words it replaces.

* **Text**: UTF-8, pages separated by a form feed (``\\f``) as Tesseract and
  pdftotext do.
* **Searchable PDF**: each page image (JPEG) with an invisible text layer,
  one word per box, stretched to its width, so a PDF reader can search,
  select and copy the text.
* **ALTO XML** (v4, the format of library and archive platforms): blocks,
  lines and words with positions in pixels and word confidence ``WC`` (0–1).
* **hOCR**: the same as XHTML (``ocr_page``, ``ocr_carea``, ``ocr_par``,
  ``ocr_line``, ``ocrx_word`` with ``bbox`` and ``x_wconf``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from PIL import Image

from sandbox import __version__
from sandbox.models.ocr.cleanup import STEP_LABELS
from sandbox.models.ocr.choice import VARIANT_LABELS
from sandbox.models.ocr.engine import OcrPage, PageFailure, Word
from sandbox.models.ocr.entities import Entity, entities_frame

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
XHTML_NS = "http://www.w3.org/1999/xhtml"
PDF_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
FORMATS = ("txt", "pdf", "alto", "hocr")
EXTENSIONS = {"txt": ".txt", "pdf": ".pdf", "alto": ".alto.xml", "hocr": ".hocr.html"}


def to_text(pages: Sequence[OcrPage]) -> str:
    """The text of *pages*, separated by form feeds.

    >>> to_text([OcrPage("a", 1, 1, 1, (), corrected_text="un\\n"), OcrPage("a", 2, 1, 1, (), corrected_text="deux\\n")])
    'un\\n\\x0cdeux\\n'
    """
    return "\f".join(page.text if page.text.endswith("\n") or not page.text else page.text + "\n" for page in pages)


# ---------------------------------------------------------------- PDF

def _jpeg(image: Image.Image, quality: int = 80) -> io.BytesIO:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    buffer.seek(0)
    return buffer


def to_searchable_pdf(pages: Sequence[OcrPage], images: Sequence[Image.Image], *, dpi: float = 300, title: str = "") -> bytes:
    """A PDF of the page images with an invisible, selectable text layer (one word per box).

    Parameters
    ----------
    pages : sequence of OcrPage
        Word boxes in the pixels of the matching image.
    images : sequence of PIL.Image.Image
        The page images (same order).
    dpi : float
        Resolution used to turn pixels into the page size when an image does not say.
    """
    from fpdf import FPDF
    from fpdf.enums import TextMode

    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_creator(f"Bac à sable IA {__version__} (Tesseract)")
    if title:
        pdf.set_title(title)
    font = next((f for f in PDF_FONTS if f.is_file()), None)
    if font is not None:
        pdf.add_font("ocr", fname=str(font))
        family = "ocr"
    else:
        family = "helvetica"

    def printable(text: str) -> str:
        if font is not None:
            return text
        return text.replace("œ", "oe").replace("Œ", "OE").replace("’", "'").encode("latin-1", "replace").decode("latin-1")

    for page, image in zip(pages, images):
        image_dpi = image.info.get("dpi", (dpi, dpi))[0] or dpi
        k = 72.0 / float(image_dpi)  # points per pixel
        width, height = page.width * k, page.height * k
        pdf.add_page(format=(width, height))
        pdf.image(_jpeg(image), x=0, y=0, w=width, h=height)
        pdf.text_mode = TextMode.INVISIBLE
        for word in page.words:
            text = printable(word.text)
            if not text.strip():
                continue
            size = max(1.0, word.height * k * 0.95)
            pdf.set_font(family, size=size)
            pdf.set_stretching(100)
            natural = pdf.get_string_width(text + " ")
            target = (word.width * k) + size * 0.25
            if natural > 0:
                pdf.set_stretching(max(10.0, min(1000.0, 100.0 * target / natural)))
            baseline = (word.top + word.height * 0.80) * k
            pdf.text(word.left * k, baseline, text + " ")
        pdf.text_mode = TextMode.FILL
    return bytes(pdf.output())


# ---------------------------------------------------------------- ALTO

def _bbox(words: Sequence[Word]) -> tuple[int, int, int, int]:
    return (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.left + w.width for w in words),
        max(w.top + w.height for w in words),
    )


def _blocks(page: OcrPage) -> list[list[list[Word]]]:
    """Words grouped by block, then by line, in reading order."""
    blocks: list[list[list[Word]]] = []
    previous_block, previous_line = None, None
    for word in page.words:
        block = (word.block,)
        if block != previous_block:
            blocks.append([])
            previous_block, previous_line = block, None
        if word.line_key != previous_line:
            blocks[-1].append([])
            previous_line = word.line_key
        blocks[-1][-1].append(word)
    return blocks


def to_alto(pages: Sequence[OcrPage], *, filename: str = "") -> bytes:
    """ALTO v4 XML of *pages* (one ``Page`` each), positions in pixels, ``WC`` = confidence / 100."""
    ET.register_namespace("", ALTO_NS)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    n = f"{{{ALTO_NS}}}"
    root = ET.Element(n + "alto", {"{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": f"{ALTO_NS} {ALTO_SCHEMA}"})
    description = ET.SubElement(root, n + "Description")
    ET.SubElement(description, n + "MeasurementUnit").text = "pixel"
    source = ET.SubElement(description, n + "sourceImageInformation")
    ET.SubElement(source, n + "fileName").text = filename or (pages[0].source if pages else "")
    processing = ET.SubElement(description, n + "OCRProcessing", ID="OCR_0")
    step = ET.SubElement(processing, n + "ocrProcessingStep")
    ET.SubElement(step, n + "processingStepSettings").text = (
        f"tesseract lang={pages[0].lang} psm={pages[0].psm}" if pages else "tesseract"
    )
    software = ET.SubElement(step, n + "processingSoftware")
    ET.SubElement(software, n + "softwareCreator").text = "Tesseract OCR, Bac à sable IA"
    ET.SubElement(software, n + "softwareName").text = "Bac à sable IA"
    ET.SubElement(software, n + "softwareVersion").text = __version__
    layout = ET.SubElement(root, n + "Layout")
    for p, page in enumerate(pages, start=1):
        page_el = ET.SubElement(
            layout, n + "Page", ID=f"page_{p}", PHYSICAL_IMG_NR=str(page.page), WIDTH=str(page.width), HEIGHT=str(page.height)
        )
        space = ET.SubElement(page_el, n + "PrintSpace", HPOS="0", VPOS="0", WIDTH=str(page.width), HEIGHT=str(page.height))
        for b, block in enumerate(_blocks(page), start=1):
            x0, y0, x1, y1 = _bbox([w for line in block for w in line])
            block_el = ET.SubElement(
                space, n + "TextBlock", ID=f"p{p}_b{b}", HPOS=str(x0), VPOS=str(y0), WIDTH=str(x1 - x0), HEIGHT=str(y1 - y0)
            )
            for l_, line in enumerate(block, start=1):
                x0, y0, x1, y1 = _bbox(line)
                line_el = ET.SubElement(
                    block_el, n + "TextLine", ID=f"p{p}_b{b}_l{l_}", HPOS=str(x0), VPOS=str(y0), WIDTH=str(x1 - x0), HEIGHT=str(y1 - y0)
                )
                for w_, word in enumerate(line, start=1):
                    if w_ > 1:
                        ET.SubElement(line_el, n + "SP")
                    ET.SubElement(
                        line_el,
                        n + "String",
                        ID=f"p{p}_b{b}_l{l_}_w{w_}",
                        CONTENT=word.text,
                        HPOS=str(word.left),
                        VPOS=str(word.top),
                        WIDTH=str(word.width),
                        HEIGHT=str(word.height),
                        WC=f"{max(0.0, min(100.0, word.conf)) / 100:.2f}",
                    )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# ---------------------------------------------------------------- hOCR

def to_hocr(pages: Sequence[OcrPage], *, filename: str = "") -> bytes:
    """hOCR (XHTML) of *pages*: ``ocr_page`` › ``ocr_carea`` › ``ocr_par`` › ``ocr_line`` › ``ocrx_word``."""
    ET.register_namespace("", XHTML_NS)
    n = f"{{{XHTML_NS}}}"
    html = ET.Element(n + "html", {"lang": "fr", "{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    head = ET.SubElement(html, n + "head")
    ET.SubElement(head, n + "title").text = filename or (pages[0].source if pages else "OCR")
    ET.SubElement(head, n + "meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    ET.SubElement(head, n + "meta", name="ocr-system", content=f"tesseract (Bac à sable IA {__version__})")
    ET.SubElement(head, n + "meta", name="ocr-capabilities", content="ocr_page ocr_carea ocr_par ocr_line ocrx_word")
    body = ET.SubElement(html, n + "body")

    def bbox(box: tuple[int, int, int, int]) -> str:
        return "bbox {} {} {} {}".format(*box)

    for p, page in enumerate(pages, start=1):
        page_el = ET.SubElement(
            body,
            n + "div",
            {"class": "ocr_page", "id": f"page_{p}", "title": f'image "{page.source}"; {bbox((0, 0, page.width, page.height))}; ppageno {page.page - 1}'},
        )
        for b, block in enumerate(_blocks(page), start=1):
            words = [w for line in block for w in line]
            area = ET.SubElement(page_el, n + "div", {"class": "ocr_carea", "id": f"block_{p}_{b}", "title": bbox(_bbox(words))})
            paragraphs: dict[int, list[list[Word]]] = {}
            for line in block:
                paragraphs.setdefault(line[0].par, []).append(line)
            for par_number, lines in paragraphs.items():
                par_words = [w for line in lines for w in line]
                par = ET.SubElement(area, n + "p", {"class": "ocr_par", "id": f"par_{p}_{b}_{par_number}", "lang": "fr", "title": bbox(_bbox(par_words))})
                for l_, line in enumerate(lines, start=1):
                    line_el = ET.SubElement(par, n + "span", {"class": "ocr_line", "id": f"line_{p}_{b}_{par_number}_{l_}", "title": bbox(_bbox(line))})
                    for w_, word in enumerate(line, start=1):
                        word_el = ET.SubElement(
                            line_el,
                            n + "span",
                            {"class": "ocrx_word", "id": f"word_{p}_{b}_{par_number}_{l_}_{w_}", "title": f"{bbox(word.box)}; x_wconf {round(word.conf)}"},
                        )
                        word_el.text = word.text
                        word_el.tail = " "
    ET.indent(html)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + ET.tostring(html, encoding="utf-8")


# ---------------------------------------------------------------- tables and ZIP

def to_entity_csv(entities: Sequence[Entity]) -> bytes:
    """The entity index as a CSV for a French spreadsheet: ``;`` separator, UTF-8 with BOM."""
    frame = entities_frame(list(entities))
    return frame.to_csv(index=False, sep=";", quoting=csv.QUOTE_MINIMAL).encode("utf-8-sig")


def summary_rows(pages: Sequence[OcrPage], failures: Sequence[PageFailure] = (), threshold: float = 75.0) -> list[dict]:
    """One row per page read or failed: words, mean confidence, share of doubtful words, seconds, steps."""
    rows = []
    for page in pages:
        rows.append(
            {
                "fichier": page.source,
                "page": page.page,
                "mots": len(page.words),
                "confiance moyenne": None if page.mean_confidence is None else round(page.mean_confidence, 1),
                "part de mots douteux": None if page.low_confidence_share(threshold) is None else round(page.low_confidence_share(threshold), 3),
                "secondes": round(page.seconds, 2),
                "nettoyage": ", ".join(STEP_LABELS.get(step, step).lower() for step in page.steps) or "aucun",
                "lecture retenue": VARIANT_LABELS.get(page.variant, str(page.variant)),
                "raison": page.reason,
                "corrigé": page.corrected_text is not None,
                "erreur": "",
            }
        )
    for failure in failures:
        rows.append({"fichier": failure.source, "page": failure.page, "mots": 0, "erreur": failure.message})
    return rows


def export_document(pages: Sequence[OcrPage], images: Sequence[Image.Image], formats: Sequence[str] = FORMATS) -> dict[str, bytes]:
    """The exports of one document: ``{format: bytes}`` for each of *formats* (txt, pdf, alto, hocr)."""
    name = pages[0].source if pages else ""
    out: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "txt":
            out[fmt] = to_text(pages).encode("utf-8")
        elif fmt == "pdf":
            out[fmt] = to_searchable_pdf(pages, images, title=name)
        elif fmt == "alto":
            out[fmt] = to_alto(pages, filename=name)
        elif fmt == "hocr":
            out[fmt] = to_hocr(pages, filename=name)
        else:
            raise ValueError(f"format inconnu : {fmt}")
    return out


_UNSAFE = re.compile(r'[\x00-\x1f<>:"|?*]+')


def safe_member_name(name: str) -> str:
    r"""A file name safe inside a ZIP: the last path part (``/`` or ``\``), no drive letter, no leading dots.

    >>> safe_member_name("..\\..\\..\\Users\\Public\\Desktop\\evil")
    'evil'
    >>> safe_member_name("C:evil"), safe_member_name("../../etc/passwd"), safe_member_name(".."), safe_member_name("a<b>")
    ('evil', 'passwd', 'document', 'a_b_')
    """
    part = re.split(r"[\\/]", name or "")[-1]
    part = re.sub(r"^[A-Za-z]:", "", part)
    part = _UNSAFE.sub("_", part).strip().lstrip(".").strip()
    return part[:120] or "document"


def to_zip(
    documents: Sequence[tuple[str, Sequence[OcrPage], Sequence[Image.Image]]],
    *,
    entities: Sequence[Entity] = (),
    failures: Sequence[PageFailure] = (),
    formats: Sequence[str] = FORMATS,
) -> bytes:
    """A ZIP of a batch: every format of every document, the entity index, a summary and the failures.

    *documents* is a sequence of ``(stem, pages, images)``.
    """
    buffer = io.BytesIO()
    used: set[str] = set()
    all_pages: list[OcrPage] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, pages, images in documents:
            stem = safe_member_name(stem)  # an uploaded name may carry a path: never let it leave the archive's root
            base, k = stem, 2
            while base in used:
                base, k = f"{stem}_{k}", k + 1
            used.add(base)
            all_pages.extend(pages)
            for fmt, data in export_document(pages, images, formats).items():
                archive.writestr(f"{base}{EXTENSIONS[fmt]}", data)
        archive.writestr("entites.csv", to_entity_csv(entities))
        import pandas as pd

        summary = pd.DataFrame(summary_rows(all_pages, failures))
        archive.writestr("synthese.csv", summary.to_csv(index=False, sep=";").encode("utf-8-sig"))
        if failures:
            archive.writestr(
                "pages_non_lues.txt", "\n".join(f"{f.label} : {f.message}" for f in failures).encode("utf-8") + b"\n"
            )
    return buffer.getvalue()
