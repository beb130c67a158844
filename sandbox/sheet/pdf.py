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
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.fonts import FontFace

from sandbox.sheet.sheet import DISCLAIMER, TOOL

if TYPE_CHECKING:
    from sandbox.sheet.sheet import ProjectSheet

logger = logging.getLogger("sandbox")

FONT_ENV = "SANDBOX_PDF_FONT"
FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
)


def render_pdf(sheet: "ProjectSheet", font: tuple[str, str] | None = None) -> bytes:
    """The sheet as PDF bytes (A4, one to two pages); *font* = (regular, bold) TTF paths."""
    return _PdfWriter(sheet, font).render()


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

    def __init__(self, sheet: ProjectSheet, font: tuple[str, str] | None) -> None:
        self.sheet = sheet
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
        pdf.footer_text = self.clean(f"{TOOL} · Fiche projet · {sheet.title}")
        pdf.set_title(self.clean(f"Fiche projet — {sheet.title}"))
        pdf.set_author(self.clean(sheet.organisation))
        pdf.set_creator(TOOL)
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
                    r.cell(self.clean(cell), style=style)
        pdf.ln(1.2)

    # -- the document ------------------------------------------------------------------------

    def render(self) -> bytes:
        s, pdf = self.sheet, self.pdf
        pdf.add_page()
        pdf.set_font(self.family, "B", 14)
        pdf.set_text_color(0, 0, 145)
        pdf.multi_cell(0, 6.4, self.clean(f"Fiche projet — {s.title}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(80)
        pdf.set_font(self.family, "", self.SMALL)
        pdf.multi_cell(0, 3.6, self.clean(s._header_line()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
        pdf.set_text_color(60)
        pdf.multi_cell(0, 3.6, self.clean(DISCLAIMER), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)

        self.heading("1. Le cas d'usage")
        self.para(s.problem, bold_prefix="Le problème.")
        self.para(s.ai, bold_prefix="Ce que fait l'IA.")
        if s.users:
            self.para(s.users, bold_prefix="Pour qui.")

        self.heading("2. Les données utilisées")
        self.table(None, s._data_rows(), (0.22, 0.78), bold_first=True)

        self.heading("3. La méthode")
        self.para(s.method)
        self.para(s._parameters(), size=self.SMALL)

        self.heading("4. Résultats mesurés")
        if s.summary.figures:
            self.table(("Indicateur", "Résultat", "Référence (actuel)", "Écart"), s._figure_rows(), (0.40, 0.2, 0.2, 0.2))
        else:
            self.para("Cette exécution n'a publié aucun chiffre.")

        self.heading("5. Gains annuels estimés")
        self.table(("Gain", "Par an", "Calcul"), [(g.label, g.shown, g.calculation) for g in s.gains], (0.34, 0.18, 0.48))
        self.table(("Hypothèse", "Valeur", "Source"), s._assumption_rows(), (0.3, 0.15, 0.55), size=self.SMALL)

        self.heading("6. Coût du calcul (IA frugale)")
        self.para(s.frugality.text())

        self.heading("7. Risques et conformité")
        head, reason, refs = s._ai_act_text()
        self.para(reason, bold_prefix=head)
        self.para(refs, size=self.SMALL)
        lines = s._gdpr_text()
        self.para(lines[0], bold_prefix="RGPD.")
        for line in lines[1:]:
            self.para(line, size=self.SMALL)

        self.heading("8. Fiche de transparence algorithmique")
        self.table(None, s._transparency_rows(), (0.22, 0.78), size=self.SMALL, bold_first=True)
        self.para("Le fichier JSON téléchargeable à côté de cette fiche reprend ces champs pour la publication.", size=self.SMALL)
        return bytes(pdf.output())
