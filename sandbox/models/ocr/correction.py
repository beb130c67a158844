"""A person's correction of the OCR text, carried onto the word boxes; and full-text search.

The corrected text is what gets exported. For the exports that place words
on the page (searchable PDF, ALTO, hOCR), :func:`apply_correction` aligns
the corrected words with the words Tesseract read (an edit-distance
alignment on word sequences): unchanged words keep their box and
confidence, replaced words take the box of the words they replace, added
words are placed after their neighbour; corrected words get confidence 100.

Examples
--------
>>> from sandbox.models.ocr.engine import OcrPage, Word
>>> page = OcrPage("p.png", 1, 200, 50, (Word("Le", 96, 0, 0, 20, 10), Word("rnaire", 41, 25, 0, 60, 10)))
>>> fixed = apply_correction(page, "Le maire")
>>> [(w.text, w.conf, w.left) for w in fixed.words]
[('Le', 96, 0), ('maire', 100.0, 25)]
>>> fixed.text
'Le maire'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz.distance import Levenshtein

from sandbox.models.ocr.engine import OcrPage, Word


def apply_correction(page: OcrPage, text: str) -> OcrPage:
    """The page with *text* as its text and its words aligned to it (see the module docstring)."""
    if text == page.raw_text or text.strip() == page.raw_text.strip():
        return replace(page, corrected_text=None)
    old = list(page.words)
    new = text.split()
    words: list[Word] = []
    for tag, i1, i2, j1, j2 in _merged_opcodes([w.text for w in old], new):
        if tag == "equal":
            words.extend(old[i1:i2])
        elif j1 == j2:  # deleted words
            continue
        elif i1 < i2:  # replaced words (splits and merges included)
            words.extend(_spread(old[i1:i2], new[j1:j2]))
        else:  # added words
            anchor = words[-1] if words else (old[i1] if i1 < len(old) else None)
            words.extend(_after(anchor, new[j1:j2], page.width, before=not words))
    return replace(page, words=tuple(words), corrected_text=text)


def _merged_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Edit operations on word lists, with neighbouring non-equal operations merged into one.

    « rnaire » corrected to « rn aire » is one replacement of one word by
    two, not an insertion followed by a replacement.
    """
    merged: list[list] = []
    for op in Levenshtein.opcodes(old, new):
        if op.tag != "equal" and merged and merged[-1][0] == "change":
            merged[-1][2], merged[-1][4] = op.src_end, op.dest_end
        else:
            merged.append(["equal" if op.tag == "equal" else "change", op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [tuple(m) for m in merged]


def _spread(old: list[Word], tokens: list[str]) -> list[Word]:
    """Give *tokens* the boxes of *old*: one to one, or split in proportion to their lengths."""
    if len(old) == len(tokens):
        return [replace(w, text=t, conf=100.0, corrected=True) for w, t in zip(old, tokens)]
    total = sum(len(t) for t in tokens) or 1
    slots = sum(max(1, len(w.text)) for w in old) or 1
    # assign each token to the old word under the middle of its span
    assigned: dict[int, list[str]] = {}
    position = 0
    for token in tokens:
        middle = (position + len(token) / 2) / total * slots
        cumulative, index = 0, 0
        for index, w in enumerate(old):
            cumulative += max(1, len(w.text))
            if middle <= cumulative:
                break
        assigned.setdefault(index, []).append(token)
        position += len(token)
    out: list[Word] = []
    for index, w in enumerate(old):
        group = assigned.get(index)
        if not group:
            continue
        chars = sum(len(t) for t in group) + len(group) - 1
        x = w.left
        for token in group:
            width = max(1, round(w.width * len(token) / max(1, chars)))
            out.append(replace(w, text=token, conf=100.0, corrected=True, left=x, width=width))
            x += width + max(1, round(w.width / max(1, chars)))
    return out


def _after(anchor: Word | None, tokens: list[str], page_width: int, before: bool = False) -> list[Word]:
    """Boxes for added words, next to *anchor* (after it, or before it at the start of the page)."""
    if anchor is None:
        return [Word(t, 100.0, 0, 0, max(1, 10 * len(t)), 12, corrected=True) for t in tokens]
    char = max(1.0, anchor.width / max(1, len(anchor.text)))
    out = []
    x = anchor.left if before else anchor.left + anchor.width + char
    for token in tokens:
        width = max(1, round(char * len(token)))
        left = int(min(max(0, x), max(0, page_width - width)))
        out.append(replace(anchor, text=token, conf=100.0, corrected=True, left=left, width=width))
        x += width + char
    return out


# ---------------------------------------------------------------- search

@dataclass(frozen=True)
class Hit:
    """Where a search term occurs: file, page, line number in the page's text, and the line."""

    source: str
    page: int
    line: int
    snippet: str
    start: int


def fold(text: str) -> str:
    """Lower case without accents, ligatures spelled out: the form searches compare.

    >>> fold("Œuvre de l'ÉCOLE")
    "oeuvre de l'ecole"
    """
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE").replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def search(pages: list[OcrPage], query: str, *, limit: int = 200) -> list[Hit]:
    """Every line of *pages* containing *query* (case, accents and line-break hyphens ignored).

    >>> from sandbox.models.ocr.engine import OcrPage
    >>> page = OcrPage("a.png", 2, 10, 10, (), corrected_text="Séance du 14 mai\\nM. LEFÈVRE présent")
    >>> [(h.page, h.line, h.snippet) for h in search([page], "lefevre")]
    [(2, 2, 'M. LEFÈVRE présent')]
    """
    needle = " ".join(fold(query).split())
    if not needle:
        return []
    hits: list[Hit] = []
    for page in pages:
        lines = page.text.splitlines()
        for number, line in enumerate(lines, start=1):
            haystack = fold(line)
            start = haystack.find(needle)
            if start < 0 and number < len(lines):
                # a word cut at the end of the line: « Lefè-\nvre »
                joined = re.sub(r"-$", "", haystack) + fold(lines[number])
                if needle in joined and needle not in fold(lines[number]):
                    start = joined.find(needle)
            if start >= 0:
                hits.append(Hit(page.source, page.page, number, line.strip(), start))
                if len(hits) >= limit:
                    return hits
    return hits
