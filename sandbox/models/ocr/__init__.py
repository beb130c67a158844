"""Archive OCR: clean up scans, read them with Tesseract, check and index the text, export it.

The pieces, one idea per module:

* :mod:`~sandbox.models.ocr.documents` — open images and PDF (300 dpi) into pages;
* :mod:`~sandbox.models.ocr.cleanup` — clean-up steps and the measured automatic preset;
* :mod:`~sandbox.models.ocr.engine` — Tesseract (pytesseract) in parallel workers: words, boxes, confidences;
* :mod:`~sandbox.models.ocr.metrics` — CER and WER against a ground truth;
* :mod:`~sandbox.models.ocr.correction` — a person's correction carried onto the boxes; full-text search;
* :mod:`~sandbox.models.ocr.entities` — dates, persons, communes;
* :mod:`~sandbox.models.ocr.exports` — text, searchable PDF, ALTO, hOCR, CSV, ZIP;
* :mod:`~sandbox.models.ocr.visual` — word boxes coloured by confidence.

Examples
--------
>>> from sandbox.models.ocr import cer, extract_entities
>>> cer("Séance du 14 mai 1926", "Seance du 14 mai 1926")
0.047619047619047616
>>> [e.value for e in extract_entities("le quatorze mai mil neuf cent vingt-six")]
['1926-05-14']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from PIL import Image

from sandbox.models.ocr.cleanup import (
    STEP_LABELS,
    CleanupOptions,
    CleanupResult,
    ImageMeasures,
    auto_options,
    clean,
    measure,
)
from sandbox.models.ocr.choice import EMPTY_LABELS, VARIANT_LABELS, EmptyReason, ReadingScore, Variant
from sandbox.models.ocr.correction import Hit, apply_correction, search
from sandbox.models.ocr.documents import Document, load_document, load_path, open_document
from sandbox.models.ocr.engine import (
    DEFAULT_LANG,
    DEFAULT_PSM,
    DEFAULT_TIMEOUT,
    INSTALL_COMMAND,
    LOW_CONFIDENCE,
    PSM_LABELS,
    OcrPage,
    PageFailure,
    PageTask,
    TesseractStatus,
    Word,
    installed_languages,
    language_label,
    read_page,
    read_pages,
    recognise_page,
    tesseract_status,
)
from sandbox.models.ocr.entities import Entity, entities_frame, extract_entities
from sandbox.models.ocr import exports
from sandbox.models.ocr.exports import export_document, to_alto, to_entity_csv, to_hocr, to_searchable_pdf, to_text, to_zip
from sandbox.models.ocr.metrics import ErrorRates, cer, corpus_cer, wer
from sandbox.models.ocr.visual import draw_word_boxes
from sandbox.sheet.report import Figure

METHOD_SUMMARY_FR = (
    "Chaque page numérisée est d'abord mesurée (bruit, éclairage, inclinaison, taille des lettres, bords sombres) "
    "et seules les corrections utiles lui sont appliquées : niveaux de gris, recadrage, correction du fond, "
    "débruitage, redressement, mise à l'échelle, binarisation. "
    "Le texte est ensuite lu par Tesseract, un logiciel libre de reconnaissance de caractères (OCR) fondé sur un "
    "réseau de neurones entraîné sur des textes imprimés, qui donne pour chaque mot sa position et une confiance. "
    "Les mots peu sûrs sont signalés pour relecture ; le texte corrigé par un agent est celui qui est exporté "
    "(texte, PDF interrogeable, ALTO, hOCR). "
    "Des règles repèrent ensuite les dates, les personnes précédées d'une civilité et les communes de la métropole "
    "pour constituer un index ; la qualité est mesurée par le taux d'erreur par caractère (CER) sur des pages "
    "dont le texte exact est connu."
)


@dataclass(frozen=True)
class BatchResult:
    """A batch read: the pages (in input order), the failures, the wall time.

    Attributes
    ----------
    pages : tuple of OcrPage
    failures : tuple of PageFailure
        Files that could not be opened and pages that could not be read.
    seconds : float
    """

    pages: tuple[OcrPage, ...]
    failures: tuple[PageFailure, ...] = ()
    seconds: float = 0.0
    sources: tuple[str, ...] = field(default=())
    baseline: tuple[OcrPage, ...] = ()

    def page(self, source: str, number: int) -> OcrPage | None:
        """The page read (cleaned) for this file and page number."""
        return next((p for p in self.pages if p.source == source and p.page == number), None)

    def baseline_page(self, source: str, number: int) -> OcrPage | None:
        """The same page read without clean-up, if the batch read it (``baseline=True``)."""
        return next((p for p in self.baseline if p.source == source and p.page == number), None)

    @property
    def mean_confidence(self) -> float | None:
        """Mean confidence over every word of the batch."""
        confs = [w.conf for p in self.pages for w in p.words]
        return sum(confs) / len(confs) if confs else None

    def low_confidence_share(self, threshold: float = LOW_CONFIDENCE) -> float | None:
        confs = [w.conf for p in self.pages for w in p.words]
        return sum(c < threshold for c in confs) / len(confs) if confs else None

    def entities(self) -> list[Entity]:
        """The entity index of every page (on its corrected text)."""
        return [e for p in self.pages for e in extract_entities(p.text, source=p.source, page=p.page)]

    def search(self, query: str) -> list[Hit]:
        return search(list(self.pages), query)

    def with_corrections(self, corrections: Mapping[str, str]) -> "BatchResult":
        """The same batch with a person's corrections (``{"file|page": text}``) carried onto its pages."""
        pages = tuple(apply_correction(p, corrections[f"{p.source}|{p.page}"]) if f"{p.source}|{p.page}" in corrections else p
                      for p in self.pages)
        return replace(self, pages=pages)

    def evaluations(self, truths: Mapping[tuple[str, int], str]) -> list["PageEvaluation"]:
        """Error rates of every page whose exact text is known (``{(file, page): text}``), against raw Tesseract."""
        return [evaluate(truths[(p.source, p.page)], p, self.baseline_page(p.source, p.page))
                for p in self.pages if truths.get((p.source, p.page))]

    def figures(self, truths: Mapping[tuple[str, int], str] | None = None, *, threshold: float = LOW_CONFIDENCE) -> list[Figure]:
        """What the batch measured, for the page, the command line and the project sheet.

        Confidence, doubtful words and time per page; with ground truths, the
        CER of the reading kept against raw Tesseract, and after the person's
        correction where there is one.

        >>> page = OcrPage("a.png", 1, 10, 10, (Word("Le", 90, 0, 0, 5, 5), Word("rnaire", 40, 6, 0, 5, 5)))
        >>> batch = BatchResult((page,), seconds=2.0, baseline=(page,))
        >>> [(f.key, round(f.value, 1)) for f in batch.figures({("a.png", 1): "Le maire"})]
        [('confidence', 65.0), ('doubtful_pct', 50.0), ('seconds_per_page', 2.0), ('cer_pct', 25.0)]
        >>> fixed = batch.with_corrections({"a.png|1": "Le maire"})
        >>> fixed.figures({("a.png", 1): "Le maire"})[-1].value
        0.0
        """
        figures = [
            Figure("Confiance moyenne", self.mean_confidence or 0.0, "/ 100", lower_is_better=False, decimals=1, key="confidence"),
            Figure("Mots douteux", (self.low_confidence_share(threshold) or 0.0) * 100, "%", decimals=1, key="doubtful_pct"),
            Figure("Temps par page", self.seconds / max(1, len(self.pages)), "s", decimals=1, key="seconds_per_page"),
        ]
        evaluations = self.evaluations(truths or {})
        if evaluations and all(e.raw for e in evaluations):
            chars = sum(e.cleaned.characters for e in evaluations) or 1
            raw = 100 * sum(e.raw.cer * e.raw.characters for e in evaluations) / chars
            figures.append(Figure("CER", 100 * sum(e.cleaned.cer * e.cleaned.characters for e in evaluations) / chars,
                                  "%", baseline=raw, decimals=2, key="cer_pct"))
            if any(e.corrected for e in evaluations):
                corrected = sum((e.corrected or e.cleaned).cer * e.cleaned.characters for e in evaluations)
                figures.append(Figure("CER après correction humaine", 100 * corrected / chars, "%", baseline=raw, decimals=2,
                                      key="cer_corrected_pct"))
        return figures

    def to_frame(self):
        """One row per page (read or failed)."""
        import pandas as pd

        from sandbox.models.ocr.exports import summary_rows

        return pd.DataFrame(summary_rows(self.pages, self.failures))


def read_documents(
    documents: Sequence[Document],
    *,
    cleanup: CleanupOptions | str | None = "auto",
    lang: str = DEFAULT_LANG,
    psm: int = DEFAULT_PSM,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int | None = None,
    deadline: float | None = None,
    on_page: Callable | None = None,
    failures: Sequence[PageFailure] = (),
    baseline: bool = False,
) -> BatchResult:
    """Clean up and read every page of *documents* in parallel; failures are collected, not raised.

    With *baseline*, every page is also read without clean-up (in the same
    parallel batch), so the error rates of both can be compared.

    Examples
    --------
    >>> from sandbox.data.generators.ocr import render_lines
    >>> page = render_lines(["Séance du conseil municipal"], size=(900, 200))
    >>> doc = Document("seance.png", (page,), "image")
    >>> result = read_documents([doc], jobs=1)
    >>> result.pages[0].text, result.pages[0].psm  # one line: read as a single text line
    ('Séance du conseil municipal\\n', 7)
    """
    import time

    from sandbox.models.ocr.cleanup import as_array

    start = time.perf_counter()
    tasks = [
        PageTask(doc.filename, number, image=as_array(doc.page(number)), cleanup=cleanup, lang=lang, psm=psm, timeout=timeout)
        for doc in documents
        for number in range(1, doc.page_count + 1)
    ]
    # the measured choice reads the raw page anyway: its reading is the baseline, no second pass
    raw_tasks = [replace(t, cleanup=None) for t in tasks] if baseline and cleanup not in (None, "auto") else []
    results = read_pages(tasks + raw_tasks, jobs=jobs, deadline=deadline, on_page=on_page)
    main, raw = results[: len(tasks)], results[len(tasks):]
    pages = tuple(r for r in main if isinstance(r, OcrPage))
    failed = tuple(failures) + tuple(r for r in main if isinstance(r, PageFailure))
    if raw_tasks:
        raw_pages = tuple(r for r in raw if isinstance(r, OcrPage))
    elif baseline:
        raw_pages = tuple(p.raw if p.raw is not None else p for p in pages)
    else:
        raw_pages = ()
    return BatchResult(pages, failed, time.perf_counter() - start, tuple(d.filename for d in documents), raw_pages)


@dataclass(frozen=True)
class PageEvaluation:
    """Error rates of one page against its ground truth: raw Tesseract, after clean-up, after correction."""

    source: str
    page: int
    raw: ErrorRates | None
    cleaned: ErrorRates
    corrected: ErrorRates | None = None


def evaluate(truth: str, cleaned: OcrPage, raw: OcrPage | None = None) -> PageEvaluation:
    """CER and WER of the page read with clean-up (and without, and as corrected) against *truth*.

    >>> page = OcrPage("a.png", 1, 10, 10, (Word("Le", 90, 0, 0, 5, 5), Word("rnaire", 40, 6, 0, 5, 5)))
    >>> result = evaluate("Le maire", page)
    >>> round(result.cleaned.cer, 3), result.cleaned.wer
    (0.25, 0.5)
    """
    corrected = ErrorRates.of(truth, cleaned.corrected_text) if cleaned.corrected_text is not None else None
    return PageEvaluation(
        cleaned.source,
        cleaned.page,
        ErrorRates.of(truth, raw.raw_text) if raw is not None else None,
        ErrorRates.of(truth, cleaned.raw_text),
        corrected,
    )


__all__ = [
    "BatchResult",
    "CleanupOptions",
    "CleanupResult",
    "DEFAULT_LANG",
    "DEFAULT_PSM",
    "DEFAULT_TIMEOUT",
    "Document",
    "Entity",
    "ErrorRates",
    "Hit",
    "INSTALL_COMMAND",
    "ImageMeasures",
    "LOW_CONFIDENCE",
    "METHOD_SUMMARY_FR",
    "OcrPage",
    "PageEvaluation",
    "evaluate",
    "EMPTY_LABELS",
    "EmptyReason",
    "ReadingScore",
    "VARIANT_LABELS",
    "Variant",
    "PSM_LABELS",
    "PageFailure",
    "PageTask",
    "STEP_LABELS",
    "TesseractStatus",
    "Word",
    "apply_correction",
    "auto_options",
    "cer",
    "clean",
    "corpus_cer",
    "draw_word_boxes",
    "entities_frame",
    "export_document",
    "extract_entities",
    "installed_languages",
    "language_label",
    "load_document",
    "load_path",
    "open_document",
    "measure",
    "read_documents",
    "read_page",
    "read_pages",
    "recognise_page",
    "search",
    "tesseract_status",
    "to_alto",
    "to_entity_csv",
    "to_hocr",
    "to_searchable_pdf",
    "to_text",
    "to_zip",
    "wer",
]
