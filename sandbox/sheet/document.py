"""What the sheet says, as plain blocks that the Markdown and PDF renderers draw without knowing the sheet.

Every text here is final (French typography included); user text is kept
as it is and each renderer escapes it for its format. Sizes are bounded
so that no user input can make a table row taller than a page.

Examples
--------
>>> doc = Document("Titre", "en-tête", "avertissement", (Heading("1. Partie"), Paragraph("Texte.", lead="Gras.")))
>>> [type(b).__name__ for b in doc.blocks]
['Heading', 'Paragraph']
>>> bounded("x" * 10, 4)
'xxx…'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest text kept in one table cell or one user field (characters): a cell must fit in a page.
MAX_CELL = 600


_BREAKS = re.compile(r"[ \t\r\n\v\f\u2028\u2029\x85]+")


def one_line(text: object) -> str:
    """*text* with its line breaks and runs of ordinary spaces made one space (no-break spaces kept).

    >>> one_line(" a\\n  b\\u202f!") == "a b\\u202f!"
    True
    """
    return _BREAKS.sub(" ", str(text)).strip()


def bounded(text: object, limit: int = MAX_CELL) -> str:
    """*text* on one line (no-break spaces kept), cut to *limit* characters with « … »."""
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; *lead* is written in bold before it; *small* is a note (smaller in the PDF)."""

    text: str
    lead: str = ""
    small: bool = False


@dataclass(frozen=True)
class Table:
    """A table; without *header* it is a two-column « label: value » table with bold labels.

    *widths* are the column shares of the page width (PDF); *caption* is a bold line above it.
    """

    header: tuple[str, ...] | None
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    small: bool = False
    caption: str = ""


@dataclass(frozen=True)
class Bullets:
    """A list under a bold *lead*; the PDF writes the first item after the lead and the others as notes."""

    lead: str
    items: tuple[str, ...]


Block = Heading | Paragraph | Table | Bullets


@dataclass(frozen=True)
class Document:
    """A titled document: *subtitle* (who, when) and *disclaimer* under the title, then the blocks."""

    title: str
    subtitle: str
    disclaimer: str
    blocks: tuple[Block, ...]
    author: str = ""
    footer: str = ""
