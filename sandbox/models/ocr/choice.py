"""The measured choice of a page's reading: raw or cleaned, scored by confidence, lexicon and amount of text.

A clean-up that rescues a faded page can ruin a clean one, so no clean-up is
applied blindly: the page is read as it is first, and only when that
reading is not already confident are the clean-up variants read too. Each
reading gets a :class:`ReadingScore`:

* ``confidence``: Tesseract's word confidences weighted by word length (a
  confident « de » weighs less than a doubtful « délibération »);
* ``lexicon``: the share of its letters in words of a French lexicon
  (:mod:`~sandbox.models.ocr.lexicon`);
* ``characters``: the amount of text read.

:func:`choose` keeps the best-scoring reading among those that read about as
much text as the raw page (a variant that reads markedly less text is
never kept, however confident), and raw on a tie.

Examples
--------
>>> raw = ReadingScore(Variant.RAW, 70.0, 0.60, 900, 160)
>>> preset = ReadingScore(Variant.PRESET, 88.0, 0.85, 910, 160)
>>> shrunk = ReadingScore(Variant.BINARY, 95.0, 0.95, 300, 50)
>>> choose([raw, preset, shrunk]).variant.value
'preset'
>>> raw.confident, ReadingScore(Variant.RAW, 93.0, 0.9, 900, 160).confident
(False, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import cv2
import numpy as np

from sandbox.text import num, pct


class Variant(str, Enum):
    """A way of preparing the page before Tesseract reads it."""

    RAW = "raw"  # the page as it is
    PRESET = "preset"  # the steps the measurements call for (the automatic clean-up)
    LIGHT = "light"  # background evened out only (illumination), gray levels kept
    BINARY = "binary"  # background evened out, then black and white (Otsu)
    MANUAL = "manual"  # the steps a person chose


VARIANT_LABELS = {
    Variant.RAW: "image brute",
    Variant.PRESET: "nettoyage mesuré",
    Variant.LIGHT: "fond égalisé",
    Variant.BINARY: "fond égalisé puis noir et blanc",
    Variant.MANUAL: "nettoyage choisi",
}


class EmptyReason(str, Enum):
    """Why a page gives no text at all."""

    BLANK = "blank"
    TOO_SMALL = "too_small"
    HANDWRITING = "handwriting"


EMPTY_LABELS = {
    EmptyReason.BLANK: "page blanche : aucune encre détectée",
    EmptyReason.TOO_SMALL: "image trop petite : les lettres font moins de 6\u00a0pixels de haut (numérisez à 300\u00a0ppp)",
    EmptyReason.HANDWRITING: (
        "aucun mot lu alors que la page porte de l'encre : écriture manuscrite probable "
        "(Tesseract ne lit que l'imprimé et la dactylographie)"
    ),
}

CONFIDENT = 88.0  # length-weighted confidence above which the raw reading is kept without trying clean-ups
CONFIDENT_LEXICON = 0.70  # ... provided this share of its letters are in French words
MIN_TEXT_SHARE = 0.85  # a variant must read at least this share of the raw reading's characters
MARGIN = 0.015  # a variant must beat raw by this much on the combined score
MIN_COVERAGE = 0.8  # share of the image's text lines the raw reading must touch to stop early
TEXT_TOLERANCE = 0.95  # readings within 5 % of the most text are not penalised for their amount of text


@dataclass(frozen=True)
class ReadingScore:
    """How one reading of a page scores.

    Attributes
    ----------
    variant : Variant
    confidence : float or None
        Tesseract's word confidences weighted by word length, 0–100; None without words.
    lexicon : float or None
        Share of the letters of word-like tokens found in the French lexicon, 0–1.
    characters, words : int
        Amount of text read.
    seconds : float
        Time of the clean-up and the reading.
    psm : int
        Tesseract's page-segmentation mode used.
    """

    variant: Variant
    confidence: float | None
    lexicon: float | None
    characters: int
    words: int
    seconds: float = 0.0
    psm: int = 3
    coverage: float | None = None

    @property
    def score(self) -> float:
        """Combined score, 0–1: half confidence, half lexicon (a reading without words scores 0).

        >>> ReadingScore(Variant.RAW, 90.0, 0.8, 100, 20).score
        0.85
        """
        if not self.words or self.confidence is None:
            return 0.0
        lexicon = self.lexicon if self.lexicon is not None else self.confidence / 100
        return round(0.5 * self.confidence / 100 + 0.5 * lexicon, 4)

    @property
    def confident(self) -> bool:
        """Good enough to stop here: confident words, most of them French, on (nearly) every text line of the image."""
        return ((self.confidence or 0) >= CONFIDENT and (self.lexicon if self.lexicon is not None else 1.0) >= CONFIDENT_LEXICON
                and (self.coverage if self.coverage is not None else 1.0) >= MIN_COVERAGE)

    def against(self, most: int) -> float:
        """The score scaled down when this reading has markedly less text than the one that read *most*.

        >>> ReadingScore(Variant.RAW, 90.0, 0.8, 500, 90).against(1000)
        0.4474
        """
        if most <= 0:
            return self.score
        return round(self.score * min(1.0, self.characters / (TEXT_TOLERANCE * most)), 4)

    @property
    def label(self) -> str:
        return VARIANT_LABELS[self.variant]

    def describe(self) -> str:
        """« image brute : confiance 91,2, mots français 84 %, 1 360 caractères »."""
        if not self.words:
            return f"{self.label} : aucun mot lu"
        lexicon = "–" if self.lexicon is None else pct(self.lexicon, 0)
        return (f"{self.label} : confiance {num(self.confidence, 1)}, mots français {lexicon}, "
                f"{num(self.characters)} caractères")


def score_words(variant: Variant, texts: Sequence[str], confidences: Sequence[float], *, lexicon=None,
                seconds: float = 0.0, psm: int = 3) -> ReadingScore:
    """Score a reading from its words and their confidences.

    >>> from sandbox.models.ocr.lexicon import Lexicon
    >>> s = score_words(Variant.RAW, ["Le", "maire"], [90.0, 60.0], lexicon=Lexicon.builtin())
    >>> s.confidence, s.lexicon, s.characters
    (68.57, 1.0, 7)
    """
    if lexicon is None:
        from sandbox.models.ocr.lexicon import french_lexicon

        lexicon = french_lexicon()
    lengths = [len(t) for t in texts]
    characters = sum(lengths)
    confidence = sum(c * n for c, n in zip(confidences, lengths)) / characters if characters else None
    return ReadingScore(variant, None if confidence is None else round(confidence, 2), lexicon.share(texts),
                        characters, len(texts), seconds, psm)


def choose(scores: Sequence[ReadingScore]) -> ReadingScore:
    """The reading to keep: the best score among those reading enough text; raw unless beaten by :data:`MARGIN`.

    The first score is the reference (the raw page); a variant that reads
    less than :data:`MIN_TEXT_SHARE` of its characters is never chosen.
    """
    if not scores:
        raise ValueError("no reading to choose from")
    reference = scores[0]
    most = max(s.characters for s in scores)
    best = reference
    for candidate in scores[1:]:
        if candidate.characters < MIN_TEXT_SHARE * reference.characters:
            continue
        if candidate.against(most) > best.against(most) + (MARGIN if best is reference else 0.0):
            best = candidate
    return best


def why(chosen: ReadingScore, scores: Sequence[ReadingScore]) -> str:
    """A French sentence saying why *chosen* won.

    >>> raw = ReadingScore(Variant.RAW, 93.0, 0.9, 900, 160)
    >>> why(raw, [raw]).split(" : ")[0]
    'image brute gardée'
    """
    if len(scores) == 1:
        if chosen.confident:
            return (f"{chosen.label} gardée : lecture déjà sûre (confiance ≥ {num(CONFIDENT)} et "
                    f"≥ {pct(CONFIDENT_LEXICON, 0)} de mots français), aucun nettoyage essayé")
        return f"{chosen.label} : seule lecture possible"
    reference = scores[0]
    if chosen is reference:
        return f"{chosen.label} gardée : aucun nettoyage ne lit mieux (score {num(chosen.score, 3)})"
    most = max(s.characters for s in scores)
    return (f"{chosen.label} retenu : score {num(chosen.against(most), 3)} contre {num(reference.against(most), 3)} pour "
            f"l'{reference.label} ({num(chosen.characters)} caractères lus contre {num(reference.characters)})")


# ---------------------------------------------------------------- layout and empty pages

def text_lines(gray: np.ndarray) -> tuple[int, float]:
    """Number of text lines and their median height (px), from the horizontal ink profile.

    >>> page = np.full((120, 800), 245, np.uint8); page[40:70, 20:700:9] = 10
    >>> text_lines(page)
    (1, 30.0)
    """
    h, w = gray.shape
    _, ink = cv2.threshold(np.ascontiguousarray(gray), 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 0.5:  # light text on a dark ground, or a mostly black image: no line structure to find
        return 0, 0.0
    rows = ink.sum(axis=1) > max(2, 0.01 * w)
    runs, start = [], None
    for y, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 4:
                runs.append(y - start)
            start = None
    return len(runs), float(np.median(runs)) if runs else 0.0


def line_bands(gray: np.ndarray, size: int = 1200) -> list[tuple[int, int]]:
    """The horizontal bands (y0, y1) of the image's text lines, in its pixels, after evening out the background.

    >>> page = np.full((400, 600), 240, np.uint8); page[100:120, 50:550:6] = 20; page[200:220, 50:550:6] = 20
    >>> line_bands(page)
    [(100, 120), (200, 220)]
    """
    from sandbox.models.ocr.cleanup import normalise_illumination

    h, w = gray.shape
    factor = min(1.0, size / max(h, w))
    small = gray if factor == 1.0 else cv2.resize(gray, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)
    small = normalise_illumination(small, max(8.0, 24.0 * factor))
    _, ink = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 0.5:
        return []
    sw = small.shape[1]
    ink[:, : sw // 40] = 0  # scanner edges
    ink[:, sw - sw // 40:] = 0
    rows = np.append(ink.sum(axis=1) > max(2, 0.02 * sw), False)
    bands, start = [], None
    for y, on in enumerate(rows):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= max(2, 6 * factor):
                bands.append((round(start / factor), round(y / factor)))
            start = None
    return bands


def coverage(bands: Sequence[tuple[int, int]], boxes: Sequence[tuple[int, int, int, int]]) -> float | None:
    """Share of the text-line bands that some word box overlaps vertically; None with fewer than 3 bands.

    >>> coverage([(0, 10), (20, 30), (40, 50), (60, 70)], [(0, 2, 9, 8), (0, 22, 9, 28), (0, 41, 5, 49)])
    0.75
    """
    if len(bands) < 3:
        return None
    touched = sum(any(b[1] < y1 and b[3] > y0 for b in boxes) for y0, y1 in bands)
    return touched / len(bands)


def layout_psm(gray: np.ndarray, default: int = 3) -> int:
    """Tesseract's segmentation for a crop: 7 for a single text line, 6 for a narrow block of a few lines.

    Full pages (more than 12 lines, or taller than 1,000 px) keep *default*.

    >>> line = np.full((100, 900), 250, np.uint8); line[35:65, 30:870:7] = 0
    >>> layout_psm(line)
    7
    """
    h, w = gray.shape
    if h > 1000:  # a page with a photograph can look like « one tall line »: only crops are re-segmented
        return default
    lines, height = text_lines(gray)
    if lines == 1 and h < 10 * height and height < 150:
        return 7
    if 2 <= lines <= 12 and h < 16 * max(height, 1):
        return 6
    return default


def empty_reason(gray: np.ndarray) -> EmptyReason:
    """Why nothing could be read on a page: blank, letters too small, or (ink present) handwriting suspected.

    >>> empty_reason(np.full((300, 300), 250, np.uint8)).value
    'blank'
    >>> empty_reason(np.full((8, 40), 250, np.uint8)).value
    'too_small'
    """
    h, w = gray.shape
    if min(h, w) < 16:
        return EmptyReason.TOO_SMALL
    _, ink = cv2.threshold(np.ascontiguousarray(gray), 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    spread = float(np.percentile(gray, 99.5)) - float(np.percentile(gray, 0.5))
    if spread < 40 or ink.mean() < 0.002:
        return EmptyReason.BLANK
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= 2) & (heights < h / 3)]
    if heights.size and np.median(heights) < 6:
        return EmptyReason.TOO_SMALL
    return EmptyReason.HANDWRITING
