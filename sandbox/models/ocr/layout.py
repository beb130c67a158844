"""Reading order of two-column pages: left column, then right column, between full-width lines.

Tesseract segments a two-column page into blocks, but may order some of
them out of sequence or join the two halves of a line across the gutter.
:func:`reading_order` finds the gutter (a vertical band free of words near
the middle of the page), splits each line at it, and orders the text as a
person reads it: for each band between full-width lines (titles), the left
column top to bottom, then the right column. A page without a clear gutter
is returned unchanged.

Examples
--------
>>> from sandbox.models.ocr.engine import Word
>>> words = [Word("droite", 90, 600, 100, 80, 20, block=1), Word("gauche", 90, 50, 100, 80, 20, block=1),
...          Word("bas", 90, 50, 140, 80, 20, block=2, line=2)]
>>> [w.text for w in reading_order(words, 1000, min_words=1)]
['gauche', 'bas', 'droite']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

GUTTER_RANGE = (0.3, 0.7)  # where a gutter is looked for, as a share of the page width
MIN_GUTTER = 0.008  # narrowest gutter, share of the page width
SPAN_REACH = 0.03  # a full-width line reaches this share of the page width into both columns
MAX_SPANNING = 0.1  # at most this share of the lines may cross the gutter (titles, headers)


def find_gutter(words: Sequence, width: int, *, min_words: int = 40) -> tuple[int, int] | None:
    """The (x0, x1) of the vertical band between two columns of words, or None for a single-column page."""
    if len(words) < 2 * min_words or width <= 0:
        return None
    cover = np.zeros(width + 1, np.int32)
    for w in words:
        cover[max(0, w.left): min(width, w.left + w.width)] += 1
    lo, hi = int(width * GUTTER_RANGE[0]), int(width * GUTTER_RANGE[1])
    # words crossing the gutter (titles) are allowed: a gutter is where few words are
    limit = max(1, int(MAX_SPANNING * len({w.line_key for w in words}) / 2))
    free = cover[lo:hi] <= limit
    best, start = None, None
    for x, ok in enumerate(np.append(free, False)):
        if ok and start is None:
            start = x
        elif not ok and start is not None:
            if best is None or x - start > best[1] - best[0]:
                best = (start, x)
            start = None
    if best is None or best[1] - best[0] < MIN_GUTTER * width:
        return None
    x0, x1 = lo + best[0], lo + best[1]
    left = sum(w.left + w.width <= x1 for w in words)
    right = sum(w.left >= x0 for w in words)
    if left < min_words or right < min_words:
        return None
    return x0, x1


def reading_order(words: Sequence, width: int, *, min_words: int = 40) -> list:
    """The words of a two-column page in reading order, renumbered so each column is its own block.

    Single-column pages (no gutter found) are returned unchanged.
    """
    gutter = find_gutter(words, width, min_words=min_words)
    if gutter is None:
        return list(words)
    middle = (gutter[0] + gutter[1]) / 2
    lines: dict[tuple, list] = {}
    for w in words:
        lines.setdefault(w.line_key, []).append(w)
    parts: list[tuple[str, float, list]] = []  # (column "L"/"R"/"F", top, words)
    for line in lines.values():
        reach = SPAN_REACH * width  # a word straddling the gutter by a few pixels (a column rule read as « | ») is not a title
        spanning = [w for w in line if w.left < gutter[0] - reach and w.left + w.width > gutter[1] + reach]
        if spanning:
            parts.append(("F", min(w.top for w in line), line))
            continue
        for column, side in (("L", [w for w in line if w.left + w.width / 2 < middle]),
                             ("R", [w for w in line if w.left + w.width / 2 >= middle])):
            if side:
                parts.append((column, min(w.top for w in side), side))
    ordered: list = []
    full = sorted((p for p in parts if p[0] == "F"), key=lambda p: p[1])
    edges = [p[1] for p in full] + [float("inf")]
    block = 0
    previous = float("-inf")
    for index, edge in enumerate(edges):
        for column in ("L", "R"):
            chunk = sorted((p for p in parts if p[0] == column and previous <= p[1] < edge), key=lambda p: p[1])
            if chunk:
                block += 1
                for number, (_, _, line) in enumerate(chunk, start=1):
                    ordered += [replace(w, block=block, par=1, line=number) for w in sorted(line, key=lambda w: w.left)]
        if index < len(full):
            block += 1
            ordered += [replace(w, block=block, par=1, line=1) for w in sorted(full[index][2], key=lambda w: w.left)]
            previous = edge
    return ordered



SIDE_BY_SIDE_SHARE = 0.1  # more paragraphs than this share with a wide neighbour at their height: columns, order kept
COLUMN_WIDTH = 0.25  # a paragraph of a column is at least this share of the widest one (margin specks are narrower)


def _side_by_side(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Two boxes (x0, y0, x1, y1) at the same height (overlapping by half the shorter), one beside the other."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    shorter = min(a[3] - a[1], b[3] - b[1])
    return shorter > 0 and overlap >= 0.5 * shorter and (a[2] <= b[0] or b[2] <= a[0])


def top_to_bottom(words: Sequence) -> list:
    """The paragraphs of a single-column page from top to bottom, where Tesseract's block order strays.

    Tesseract reads a page block by block and sometimes puts a block or a
    paragraph (one line set apart by an indent, a speck or the scanner's
    edge) after the text it belongs in: on the shared real scans, a line
    moved to the end of its page costs up to 30 CER points. A person reads
    one column from top to bottom, so the paragraphs are put in the order
    of their tops; the lines inside a paragraph keep Tesseract's order.
    When wide paragraphs stand side by side (several columns, a table),
    Tesseract's order is kept: reading across the columns would be far
    worse. Narrow bits beside the text (specks in a clipped margin, article
    numbers, the « » quotes of old arrêtés) do not count as columns.

    >>> from sandbox.models.ocr.engine import Word
    >>> words = [Word("haut", 90, 50, 100, 80, 20, block=1), Word("bas", 90, 50, 300, 80, 20, block=1, line=2),
    ...          Word("milieu", 90, 50, 200, 80, 20, block=2)]
    >>> [w.text for w in top_to_bottom(words)]
    ['haut', 'bas', 'milieu']
    >>> words[1] = Word("bas", 90, 50, 300, 80, 20, block=3)
    >>> [w.text for w in top_to_bottom(words)]
    ['haut', 'milieu', 'bas']
    """
    parts: dict[tuple, list] = {}
    for w in words:
        parts.setdefault(w.line_key[:2], []).append(w)
    if len(parts) < 2:
        return list(words)
    boxes = {key: (min(w.left for w in part), min(w.top for w in part), max(w.left + w.width for w in part),
                   max(w.top + w.height for w in part)) for key, part in parts.items()}
    wide = COLUMN_WIDTH * max(b[2] - b[0] for b in boxes.values())
    columns = {a for a in boxes for b in boxes if a != b and _side_by_side(boxes[a], boxes[b])
               and min(boxes[a][2] - boxes[a][0], boxes[b][2] - boxes[b][0]) >= wide}
    if len(columns) > SIDE_BY_SIDE_SHARE * len(parts):
        return list(words)
    ordered = sorted(parts, key=lambda k: (boxes[k][1], boxes[k][0]))
    return [w for key in ordered for w in parts[key]]
