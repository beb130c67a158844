"""PDF rendering of the project sheet (fpdf2), with a Unicode TrueType font and a clean fallback.

DejaVu Sans (``fonts-dejavu-core``, installed by ``make run``) has every
character the sheet uses: accents, « », œ, narrow no-break spaces, CO₂.
Another font (``$SANDBOX_PDF_FONT``, or Liberation Sans) may lack some:
they are replaced by the closest plain character. Without any TTF the PDF
uses Helvetica, limited to Latin-1 (« œ » becomes « oe »).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from sandbox.sheet.document import Bullets, Document, Heading, Paragraph, Table, bounded

logger = logging.getLogger("sandbox")

FONT_ENV = "SANDBOX_PDF_FONT"
FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
)


#: Longest text drawn in one table cell: a table row cannot be taller than a page (fpdf « row too high »).
MAX_PDF_CELL = 1500


def render_pdf(doc: Document, font: tuple[str, str] | None = None, *, creator: str = "") -> bytes:
    """The document as PDF bytes (A4); *font* = (regular, bold) TTF paths (default: :func:`find_font`).

    >>> pdf = render_pdf(Document("Titre", "Mairie", "Indicatif.", (Heading("1. Cas"), Paragraph("Texte « cœur »."))))
    >>> pdf[:5]
    b'%PDF-'
    """
    return _PdfWriter(doc, font, creator).render()


_FALLBACK_CHARS = {
    "\u202f": "\u00a0", "\u2009": " ", "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2019": "'", "\u2018": "'",
    "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u20ac": "EUR", "\u0153": "oe", "\u0152": "OE", "\u2082": "2",
    "\u00b3": "3", "\u2248": "~", "\u00d7": "x", "\u00f7": "/", "\u2192": "->", "\u2022": "-", "\u00b7": "-",
}


def find_font() -> tuple[str, str] | None:
    """(regular, bold) TTF paths for the PDF, or None if no Unicode font is installed."""
    env = os.environ.get(FONT_ENV, "").strip()
    candidates = ([(env, env)] if env else []) + list(FONT_CANDIDATES)
    for regular, bold in candidates:
        if regular and Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    return None


class _SheetPDF(FPDF):
    """A4 document with the sheet's footer on every page."""

    footer_text = ""
    footer_family = "Helvetica"

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.footer_family, "", 6.8)
        self.set_text_color(110)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="C")


class _PdfWriter:
    BODY = 8.6
    SMALL = 7.4

    def __init__(self, doc: Document, font: tuple[str, str] | None, creator: str) -> None:
        self.doc = doc
        self.font_paths = font if font is not None else find_font()
        pdf = _SheetPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(14, 12, 14)
        pdf.set_auto_page_break(True, margin=13)
        pdf.set_lang("fr")
        self.family = "Helvetica"
        self.cmap: set[int] = set()
        if self.font_paths:
            try:
                pdf.add_font("Sheet", "", self.font_paths[0])
                pdf.add_font("Sheet", "B", self.font_paths[1])
                self.family = "Sheet"
                self.cmap = set(pdf.fonts["sheet"].cmap) & set(pdf.fonts["sheetB"].cmap)
            except Exception:  # an unreadable font file: fall back to the core font
                logger.exception("could not load the PDF font %s", self.font_paths)
                self.family = "Helvetica"
        pdf.footer_family = self.family
        pdf.footer_text = self.clean(bounded(doc.footer, 150))
        pdf.set_title(self.clean(f"Fiche projet — {doc.title}"))
        pdf.set_author(self.clean(doc.author))
        pdf.set_creator(creator)
        self.pdf = pdf

    def clean(self, text: str) -> str:
        """Replace the characters the font lacks (or, for Helvetica, outside Latin-1)."""
        text = str(text)
        if self.family == "Helvetica":
            text = "".join(_FALLBACK_CHARS.get(c, c) for c in text)
            return text.encode("latin-1", "replace").decode("latin-1")
        return "".join(c if ord(c) in self.cmap or c in "\n\t" else _FALLBACK_CHARS.get(c, "?") for c in text)

    # -- primitives --------------------------------------------------------------------------

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.ln(1.6)
        pdf.set_font(self.family, "B", 10.2)
        pdf.set_text_color(0, 0, 145)
        pdf.cell(0, 5.4, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_font(self.family, "", self.BODY)

    def para(self, text: str, *, bold_prefix: str = "", size: float | None = None) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", size or self.BODY)
        if bold_prefix:
            pdf.set_font(self.family, "B", size or self.BODY)
            pdf.write(4.0, self.clean(bold_prefix + " "))
            pdf.set_font(self.family, "", size or self.BODY)
            pdf.write(4.0, self.clean(text))
            pdf.ln(4.6)
        else:
            pdf.multi_cell(0, 4.0, self.clean(text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.6)

    def table(self, header: tuple[str, ...] | None, rows: list[tuple[str, ...]], widths: tuple[float, ...], *, size: float | None = None, bold_first: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "", size or self.BODY)
        data = ([header] if header else []) + [tuple(r) for r in rows]
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=3.7 if (size or self.BODY) < 8 else 4.0,
            first_row_as_headings=header is not None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 234, 246)),
            padding=(0.7, 1.2),
            borders_layout="HORIZONTAL_LINES",
            width=pdf.epw,
        ) as table:
            for row in data:
                r = table.row()
                for i, cell in enumerate(row):
                    style = FontFace(emphasis="BOLD") if bold_first and i == 0 and row is not header else None
                    r.cell(self.clean(bounded(cell, MAX_PDF_CELL)), style=style)
        pdf.ln(1.2)

    # -- the document ------------------------------------------------------------------------

    def render(self) -> bytes:
        doc, pdf = self.doc, self.pdf
        pdf.add_page()
        pdf.set_font(self.family, "B", 14)
        pdf.set_text_color(0, 0, 145)
        pdf.multi_cell(0, 6.4, self.clean(f"Fiche projet — {doc.title}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(80)
        pdf.set_font(self.family, "", self.SMALL)
        pdf.multi_cell(0, 3.6, self.clean(doc.subtitle), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
        pdf.set_text_color(60)
        pdf.multi_cell(0, 3.6, self.clean(doc.disclaimer), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        for block in doc.blocks:
            if isinstance(block, Heading):
                self.heading(block.text)
            elif isinstance(block, Paragraph):
                self.para(block.text, bold_prefix=block.lead, size=self.SMALL if block.small else None)
            elif isinstance(block, Table):
                if block.caption:
                    self.para("", bold_prefix=block.caption, size=self.SMALL)
                self.table(block.header, list(block.rows), block.widths, size=self.SMALL if block.small else None, bold_first=block.header is None)
            elif isinstance(block, Bullets):
                first, *rest = block.items or ("",)
                self.para(first, bold_prefix=block.lead)
                for item in rest:
                    self.para(item, size=self.SMALL)
        return bytes(pdf.output())
