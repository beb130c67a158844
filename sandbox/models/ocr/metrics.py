"""Character and word error rates (CER, WER) of an OCR text against its ground truth.

Both are edit distances (insertions + deletions + substitutions, Levenshtein)
divided by the length of the reference, after the same light normalisation
of both texts: Unicode NFC, typographic apostrophes and quotes made plain,
runs of whitespace (line breaks included) collapsed to one space. Case and
accents count: « Lefèvre » read as « Lefevre » is an error.

Examples
--------
>>> cer("le douze mars", "le douze mars")
0.0
>>> round(cer("le douze mars", "le dooze mars"), 3)
0.077
>>> wer("le douze mars", "le dooze mars")
0.3333333333333333
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u202f": " ", "\u2014": "—", "\u2013": "-"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, plain apostrophes, whitespace collapsed: the form both texts are compared in.

    >>> normalise("L\u2019an  mil\\nhuit")
    "L'an mil huit"
    """
    text = unicodedata.normalize("NFC", text or "").translate(_PLAIN)
    return _SPACES.sub(" ", text).strip()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance over the reference's length (can exceed 1)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: edit distance between the word sequences over the number of reference words."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


@dataclass(frozen=True)
class ErrorRates:
    """CER and WER of one text, with the sizes they are relative to."""

    cer: float
    wer: float
    characters: int
    words: int

    @classmethod
    def of(cls, reference: str, hypothesis: str) -> "ErrorRates":
        """Both rates of *hypothesis* against *reference*.

        >>> ErrorRates.of("un deux", "un deux").cer
        0.0
        """
        ref = normalise(reference)
        return cls(cer(reference, hypothesis), wer(reference, hypothesis), len(ref), len(ref.split()))


def corpus_cer(pairs: list[tuple[str, str]]) -> float:
    """CER over several pages: total edits over total reference characters."""
    edits = sum(Levenshtein.distance(normalise(r), normalise(h)) for r, h in pairs)
    total = sum(len(normalise(r)) for r, _ in pairs)
    return edits / total if total else 0.0
