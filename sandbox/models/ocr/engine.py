"""Tesseract through pytesseract: words, boxes and confidences of a page, and batches in parallel.

Every page is read in a worker process whose environment sets
``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads spin on a small machine
(one page takes about three times longer with them than without), and
parallelism comes from reading several pages at once, one per core. The
workers are started once and reused; they hold no data between pages.
The calling process never changes its own environment, so the other demos'
libraries keep their threads.

Examples
--------
>>> status = tesseract_status()
>>> status.available in (True, False)
True
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from sandbox.models.ocr.choice import (
    EMPTY_LABELS,
    EmptyReason,
    ReadingScore,
    Variant,
    choose,
    coverage,
    empty_reason,
    line_bands,
    layout_psm,
    score_words,
    why,
)
from sandbox.models.ocr.layout import reading_order, top_to_bottom
from sandbox.models.ocr.cleanup import (
    TARGET_TEXT_HEIGHT,
    CleanupOptions,
    CleanupResult,
    ImageMeasures,
    as_array,
    auto_options,
    binarise_otsu,
    clean,
    measure,
    normalise_illumination,
    to_grayscale,
)

INSTALL_COMMAND = "sudo apt-get install -y tesseract-ocr tesseract-ocr-fra"
DEFAULT_LANG = "fra"
DEFAULT_PSM = 3
DEFAULT_TIMEOUT = 120.0
LOW_CONFIDENCE = 75.0
# Two-column reordering (layout.reading_order) helped two Argus pages (CER 0.098 → 0.066, 0.073 → 0.035) but ruined
# a third (0.124 → 0.447) in the real-scan bench: off until it is made safe; Tesseract's own block order is kept.
REORDER_COLUMNS = False
PSM_LABELS = {
    3: "Automatique (colonnes et blocs détectés ; ligne seule ou petit bloc reconnus)",
    4: "Une colonne de texte de tailles variables",
    6: "Un seul bloc de texte uniforme",
    7: "Une seule ligne de texte",
    11: "Texte épars, sans ordre",
    12: "Texte épars, avec détection d'orientation",
}
LANGUAGE_LABELS = {
    "fra": "français",
    "eng": "anglais",
    "deu": "allemand",
    "ita": "italien",
    "spa": "espagnol",
    "lat": "latin",
    "frm": "moyen français (1400-1600)",
    "Latin": "écriture latine, imprimés anciens",
    "nld": "néerlandais",
    "por": "portugais",
}


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class Word:
    """A word Tesseract read, with its box in the input page's pixels.

    Attributes
    ----------
    text : str
    conf : float
        Tesseract's confidence, 0–100 (100 for a word a person corrected).
    left, top, width, height : int
    block, par, line : int
        Layout numbers (a line is identified by the three).
    corrected : bool
        The word comes from the person's correction.
    """

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int = 1
    par: int = 1
    line: int = 1
    corrected: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1)."""
        return (self.left, self.top, self.left + self.width, self.top + self.height)

    @property
    def line_key(self) -> tuple[int, int, int]:
        return (self.block, self.par, self.line)


@dataclass(frozen=True)
class OcrPage:
    """What OCR found on one page.

    Attributes
    ----------
    source : str
        File name.
    page : int
        Page number in the file, from 1.
    width, height : int
        Size of the input page (the word boxes are in its pixels).
    words : tuple of Word
        In reading order.
    lang, psm : str, int
        Tesseract's language(s) and page-segmentation mode.
    seconds : float
        Wall time of clean-up and OCR for this page.
    steps : tuple of str
        Clean-up steps applied.
    angle, scale : float
        Rotation and scale the clean-up applied.
    measures : ImageMeasures, optional
    corrected_text : str, optional
        The text as a person corrected it; when set, it is the page's text.
    variant : Variant
        How the page was prepared before the reading kept (raw, measured clean-up…).
    readings : tuple of ReadingScore
        The score of every reading tried, the raw page first; the chosen one is ``variant``.
    reason : str
        Why this reading was kept (French), or why the page gives no text.
    empty : EmptyReason, optional
        Set when no reading gave any word: blank page, image too small, handwriting suspected.
    rotation : int
        Rotation (degrees, multiple of 90) applied after orientation detection.
    raw : OcrPage, optional
        The reading of the raw page when another reading was kept (for comparison).
    """

    source: str
    page: int
    width: int
    height: int
    words: tuple[Word, ...]
    lang: str = DEFAULT_LANG
    psm: int = DEFAULT_PSM
    seconds: float = 0.0
    steps: tuple[str, ...] = ()
    angle: float = 0.0
    scale: float = 1.0
    measures: ImageMeasures | None = None
    corrected_text: str | None = None
    variant: Variant = Variant.RAW
    readings: tuple[ReadingScore, ...] = ()
    reason: str = ""
    empty: EmptyReason | None = None
    rotation: int = 0
    raw: "OcrPage | None" = None

    @property
    def chosen(self) -> ReadingScore | None:
        """The score of the reading kept, if several were measured."""
        return next((r for r in self.readings if r.variant == self.variant), None)

    @property
    def label(self) -> str:
        """« lettre.jpg, p. 2 » (the page only for multi-page files)."""
        return f"{self.source}, p.\u00a0{self.page}"

    @property
    def raw_text(self) -> str:
        """The text as read: words joined by spaces, lines by newlines, blocks and paragraphs by a blank line."""
        out: list[str] = []
        previous: tuple[int, int, int] | None = None
        for word in self.words:
            key = word.line_key
            if previous is None:
                out.append(word.text)
            elif key == previous:
                out.append(" " + word.text)
            elif key[:2] == previous[:2]:
                out.append("\n" + word.text)
            else:
                out.append("\n\n" + word.text)
            previous = key
        return "".join(out) + ("\n" if out else "")

    @property
    def text(self) -> str:
        """The corrected text if there is one, else the text as read."""
        return self.corrected_text if self.corrected_text is not None else self.raw_text

    @property
    def mean_confidence(self) -> float | None:
        """Mean word confidence (0–100), None for a page without words."""
        if not self.words:
            return None
        return float(np.mean([w.conf for w in self.words]))

    def low_confidence_share(self, threshold: float = LOW_CONFIDENCE) -> float | None:
        """Share of the words below *threshold*."""
        if not self.words:
            return None
        return float(np.mean([w.conf < threshold for w in self.words]))

    def lines(self) -> list[list[Word]]:
        """The words grouped by line, in reading order."""
        grouped: list[list[Word]] = []
        previous = None
        for word in self.words:
            if word.line_key != previous:
                grouped.append([])
                previous = word.line_key
            grouped[-1].append(word)
        return grouped

    def to_frame(self):
        """One row per word: text, confidence, box, layout numbers, page and file."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "fichier": self.source,
                    "page": self.page,
                    "mot": w.text,
                    "confiance": round(w.conf, 1),
                    "gauche": w.left,
                    "haut": w.top,
                    "largeur": w.width,
                    "hauteur": w.height,
                    "bloc": w.block,
                    "paragraphe": w.par,
                    "ligne": w.line,
                    "corrigé": w.corrected,
                }
                for w in self.words
            ],
            columns=["fichier", "page", "mot", "confiance", "gauche", "haut", "largeur", "hauteur", "bloc", "paragraphe", "ligne", "corrigé"],
        )


@dataclass(frozen=True)
class PageFailure:
    """A page that could not be read, with the French reason."""

    source: str
    page: int | None
    message: str

    @property
    def label(self) -> str:
        return self.source if self.page is None else f"{self.source}, p.\u00a0{self.page}"


@dataclass(frozen=True)
class TesseractStatus:
    """Whether OCR can run here, and what to install if not."""

    available: bool
    version: str | None
    languages: tuple[str, ...]
    message: str = ""
    install_command: str = INSTALL_COMMAND

    @property
    def french(self) -> bool:
        return "fra" in self.languages


# ---------------------------------------------------------------- Tesseract

@lru_cache(maxsize=1)
def tesseract_status() -> TesseractStatus:
    """Is the ``tesseract`` program installed, which version, which languages (checked once)."""
    import pytesseract

    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        return TesseractStatus(False, None, (), "Tesseract n'est pas installé sur ce poste.")
    try:
        version = str(pytesseract.get_tesseract_version())
        languages = tuple(sorted(lang for lang in pytesseract.get_languages(config="") if lang not in ("osd", "equ")))
    except Exception as exc:  # a broken install: say so, never crash the page
        return TesseractStatus(False, None, (), f"Tesseract ne répond pas ({exc}).")
    if "fra" not in languages:
        return TesseractStatus(
            False,
            version,
            languages,
            "Le modèle français de Tesseract n'est pas installé.",
            "sudo apt-get install -y tesseract-ocr-fra",
        )
    return TesseractStatus(True, version, languages)


def installed_languages() -> tuple[str, ...]:
    """Tesseract's installed language models (``fra``, ``eng``…), without ``osd``."""
    return tesseract_status().languages


def language_label(code: str) -> str:
    """« français (fra) »; a combination such as ``fra+lat`` lists both."""
    return " + ".join(f"{LANGUAGE_LABELS.get(c, c)} ({c})" for c in code.split("+"))


def _read_words(image_path: str, lang: str, psm: int, timeout: float) -> list[Word]:
    """Run Tesseract on a file and return its words (empty and non-word rows dropped)."""
    import pytesseract

    data = pytesseract.image_to_data(
        image_path,
        lang=lang,
        config=f"--psm {int(psm)}",
        output_type=pytesseract.Output.DICT,
        timeout=timeout,
    )
    words = []
    for i, text in enumerate(data["text"]):
        conf = float(data["conf"][i])
        text = (text or "").strip()
        if conf < 0 or not text:
            continue
        words.append(
            Word(
                text=text,
                conf=conf,
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
            )
        )
    return words


def _to_input_coordinates(words: list[Word], result: CleanupResult | None, width: int, height: int) -> list[Word]:
    """Map word boxes from the cleaned image back to the input page (bounding box of the mapped corners)."""
    if result is None or np.allclose(result.matrix, np.eye(3)):
        return words
    inverse = np.linalg.inv(result.matrix)
    out = []
    for w in words:
        x0, y0, x1, y1 = w.box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], float).T
        mapped = inverse @ corners
        left = int(np.clip(np.floor(mapped[0].min()), 0, width - 1))
        top = int(np.clip(np.floor(mapped[1].min()), 0, height - 1))
        right = int(np.clip(np.ceil(mapped[0].max()), left + 1, width))
        bottom = int(np.clip(np.ceil(mapped[1].max()), top + 1, height))
        out.append(replace(w, left=left, top=top, width=right - left, height=bottom - top))
    return out


def _in_order(words: list[Word], width: int, psm: int) -> list[Word]:
    """Reading order of an automatically segmented page: paragraphs top to bottom on a single column (layout.py)."""
    if psm != DEFAULT_PSM:
        return words
    if REORDER_COLUMNS:
        return reading_order(words, width)
    return top_to_bottom(words)


@dataclass(frozen=True)
class PageTask:
    """One page to read: its image, or the path of its file (opened and checked in the worker), and how.

    *cleanup* is ``"auto"`` (the measured choice between the raw page and the
    clean-up variants), a :class:`CleanupOptions` (those steps, read once),
    or None (the page as it is, read once).
    """

    source: str
    page: int
    image: np.ndarray | None = None
    path: str | None = None
    cleanup: CleanupOptions | str | None = "auto"
    lang: str = DEFAULT_LANG
    psm: int = DEFAULT_PSM
    timeout: float = DEFAULT_TIMEOUT


def _orientation(path: str, timeout: float) -> int:
    """Rotation (0, 90, 180, 270) Tesseract's orientation detection (OSD) advises, 0 when unsure or unavailable."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(path, config="--psm 0", output_type=pytesseract.Output.DICT, timeout=timeout)
    except Exception:  # OSD model missing, too little text to tell: keep the page as it is
        return 0
    if float(osd.get("orientation_conf", 0)) < 2.0:
        return 0
    return int(osd.get("rotate", 0)) % 360


class _Reader:
    """Reads variants of one page with Tesseract, within the page's time limit, in a private folder."""

    def __init__(self, task: PageTask, folder: str, start: float):
        self.task, self.folder, self.start = task, folder, start
        self.count = 0

    def remaining(self) -> float:
        left = self.task.timeout - (time.perf_counter() - self.start)
        if left <= 0:
            raise RuntimeError("Tesseract process timeout")
        return left

    def path_of(self, pixels: np.ndarray) -> str:
        self.count += 1
        path = str(Path(self.folder) / f"page{self.count}.pnm")  # uncompressed: fastest to write and to read
        Image.fromarray(np.ascontiguousarray(pixels)).save(path, format="PPM")
        return path

    def read(self, variant: Variant, path: str, psm: int, bands=None, result=None) -> tuple[list[Word], ReadingScore]:
        """Read the image at *path*; *bands* (text lines of the input page) give the reading's coverage."""
        began = time.perf_counter()
        words = _read_words(path, self.task.lang, psm, self.remaining())
        score = score_words(variant, [w.text for w in words], [w.conf for w in words],
                            seconds=time.perf_counter() - began, psm=psm)
        if bands is not None:
            boxes = [w.box for w in words if w.conf >= 30]
            if result is not None:
                boxes = [w.box for w in _to_input_coordinates([w for w in words if w.conf >= 30], result, 10**6, 10**6)]
            score = replace(score, coverage=coverage(bands, boxes))
        return words, score


def _light(gray: np.ndarray, measures: ImageMeasures) -> np.ndarray:
    return normalise_illumination(gray, measures.text_height or TARGET_TEXT_HEIGHT)


def recognise_page(task: PageTask) -> OcrPage:
    """Clean up and read one page in *this* process (the workers call it; so can a test).

    With ``cleanup="auto"`` the page is read as it is first; if that reading
    is not already confident (:attr:`ReadingScore.confident`), the measured
    clean-up and one more variant are read too, and :func:`choose` keeps the
    best. A page that gives no word at all says why (:class:`EmptyReason`).

    Raises
    ------
    RuntimeError
        « Tesseract process timeout » past *timeout* seconds.
    """
    start = time.perf_counter()
    if task.image is None:
        if task.path is None:
            raise ValueError("a task needs an image or a path")
        from sandbox.models.ocr.documents import load_path

        document = load_path(task.path, lazy=True)  # the same checks as in the app; only this page is decoded
        array = as_array(document.page(task.page))
        direct = document.kind == "image" and document.page_count == 1
    else:
        array = task.image
        direct = False
    height, width = array.shape[:2]
    with tempfile.TemporaryDirectory(prefix="page-") as folder:  # inside the worker's private (0700) folder
        reader = _Reader(task, folder, start)
        raw_path = str(task.path) if direct else None
        if task.cleanup is None or isinstance(task.cleanup, CleanupOptions):
            return _read_once(task, reader, array, raw_path, width, height)
        return _read_best(task, reader, array, raw_path, width, height)


def _page(task: PageTask, words, width, height, start, **fields) -> OcrPage:
    return OcrPage(source=task.source, page=task.page, width=width, height=height, words=tuple(words), lang=task.lang,
                   seconds=time.perf_counter() - start, **fields)


def _read_once(task, reader, array, raw_path, width, height) -> OcrPage:
    """No choice: the raw page (``cleanup=None``) or the steps a person chose."""
    result = None
    if isinstance(task.cleanup, CleanupOptions):
        result = clean(array, task.cleanup)
        if not result.applied and raw_path is not None:
            result = None  # nothing changed: let Tesseract read the file itself
    variant = Variant.RAW if result is None else Variant.MANUAL
    path = raw_path if result is None and raw_path else reader.path_of(result.image if result is not None else array)
    words, score = reader.read(variant, path, task.psm)
    words = _in_order(_to_input_coordinates(words, result, width, height), width, task.psm)
    empty = None if words else empty_reason(to_grayscale(array))
    return _page(task, words, width, height, reader.start, psm=task.psm, variant=variant, readings=(score,),
                 reason=EMPTY_LABELS[empty] if empty else "", empty=empty,
                 steps=result.applied if result is not None else (),
                 angle=result.angle if result is not None else 0.0, scale=result.scale if result is not None else 1.0)


def _rotate(array: np.ndarray, rotation: int) -> np.ndarray:
    """Turn the page clockwise by *rotation* degrees (what OSD's « Rotate » asks for)."""
    return np.ascontiguousarray(np.rot90(array, k=-(rotation // 90) % 4))


def _read_best(task, reader, array, raw_path, width, height) -> OcrPage:
    """The measured choice: raw first, stop if confident, else the clean-up variants; keep the best."""
    gray = to_grayscale(array)
    psm = layout_psm(gray, task.psm) if task.psm == DEFAULT_PSM else task.psm
    path = raw_path if raw_path is not None else reader.path_of(array)
    bands = line_bands(gray)
    raw_words, raw_score = reader.read(Variant.RAW, path, psm, bands)
    rotation = 0
    if not raw_score.confident and raw_score.score < 0.6 and psm == DEFAULT_PSM:
        rotation = _orientation(path, reader.remaining())
        if rotation:
            array, gray = _rotate(array, rotation), _rotate(gray, rotation)
            bands = line_bands(gray)
            raw_words, raw_score = reader.read(Variant.RAW, reader.path_of(array), psm, bands)
    readings: list[tuple[ReadingScore, list[Word], CleanupResult | None]] = [(raw_score, raw_words, None)]
    measures = None
    if not raw_score.confident:
        measures = measure(gray)
        options = auto_options(measures)
        preset = clean(gray, options, measures=measures)
        tried: list[np.ndarray] = []
        if set(preset.applied) - {"grayscale"}:
            words, score = reader.read(Variant.PRESET, reader.path_of(preset.image), psm, bands, preset)
            readings.append((score, words, preset))
            tried.append(preset.image)
        best = choose([r[0] for r in readings])
        if not best.confident:
            light = _light(gray, measures)
            variant, pixels = (Variant.BINARY, binarise_otsu(light)) if options.binarise is None else (Variant.LIGHT, light)
            identity = CleanupResult(pixels, (), np.eye(3), measures=measures)
            words, score = reader.read(variant, reader.path_of(pixels), psm, bands)
            readings.append((score, words, identity))
    chosen = choose([r[0] for r in readings])
    score, words, result = next(r for r in readings if r[0] is chosen)
    words = _to_input_coordinates(words, result, *gray.shape[::-1])
    words = _in_order(words, gray.shape[1], psm)
    raw_words = _in_order(raw_words, gray.shape[1], psm)
    if rotation:
        words = _unrotate(words, rotation, width, height)
    scores = tuple(r[0] for r in readings)
    empty = None if words else empty_reason(gray)
    reason = EMPTY_LABELS[empty] if empty else why(chosen, scores)
    raw_page = None
    if chosen.variant != Variant.RAW:
        raw_only = raw_words if not rotation else _unrotate(raw_words, rotation, width, height)
        raw_page = _page(task, raw_only, width, height, reader.start, psm=psm, readings=(raw_score,), rotation=rotation)
    steps = (result.applied or ("illumination",) + (("binarise",) if chosen.variant == Variant.BINARY else ())) if result is not None else ()
    return _page(task, words, width, height, reader.start, psm=psm, steps=steps,
                 angle=result.angle if result is not None else 0.0, scale=result.scale if result is not None else 1.0,
                 measures=measures, variant=chosen.variant, readings=scores, reason=reason, empty=empty,
                 rotation=rotation, raw=raw_page)


def _unrotate(words: list[Word], rotation: int, width: int, height: int) -> list[Word]:
    """Boxes read on the page turned by *rotation* (clockwise), mapped back to the input page of *width* × *height*."""
    out = []
    for w in words:
        x0, y0, x1, y1 = w.box
        if rotation == 90:  # turned clockwise: x' = H - y, y' = x
            box = (y0, height - x1, y1, height - x0)
        elif rotation == 180:
            box = (width - x1, height - y1, width - x0, height - y0)
        else:  # 270: x' = y, y' = W - x
            box = (width - y1, x0, width - y0, x1)
        left, top = max(0, box[0]), max(0, box[1])
        out.append(replace(w, left=left, top=top, width=max(1, box[2] - left), height=max(1, box[3] - top)))
    return out


def _safe_recognise(task: PageTask) -> OcrPage | PageFailure:
    from sandbox.data.errors import DataError

    try:
        return recognise_page(task)
    except DataError as exc:
        return PageFailure(task.source, task.page, str(exc))
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            return PageFailure(task.source, task.page, f"lecture interrompue après {task.timeout:.0f} s (délai par page dépassé)")
        return PageFailure(task.source, task.page, f"Tesseract a échoué ({exc})")
    except Exception as exc:
        return PageFailure(task.source, task.page, f"la page n'a pas pu être lue ({type(exc).__name__} : {exc})")


# ---------------------------------------------------------------- workers
#
# The pool is shared by every session of the app. Fairness: a batch keeps at
# most as many pages queued as there are workers, and submits the next one
# when one is done, so another session's page waits for at most one page per
# worker, not for a whole batch. A batch's time limit only affects its own
# pages: those not started are cancelled, those being read finish (within the
# per-page limit) and are ignored; no worker is killed for it.
#
# Privacy: each pool has a private folder (mode 0700); every worker sets it as
# its temporary folder, so the page images and Tesseract's own temporary files
# (``tess_*``) go there, and it is removed with the pool, however the workers
# ended.

def init_worker(folder: str) -> None:
    """Set up a worker process: one thread for Tesseract and OpenCV, temporary files in the private *folder*.

    The local pool calls it in each of its processes; so does a Dask worker
    (:mod:`sandbox.cluster.ocr`) before its first page. Without it, OpenCV
    starts one thread per core in every worker and the workers fight over
    the cores.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"  # in the worker only: the app's process keeps its own settings
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = tempfile.mkdtemp(prefix="worker-", dir=folder)
    import cv2

    cv2.setNumThreads(1)


@dataclass
class _Pool:
    executor: ProcessPoolExecutor
    folder: str


_POOLS: dict[int, _Pool] = {}
_POOL_LOCK = threading.Lock()


def _pool(jobs: int) -> _Pool:
    with _POOL_LOCK:
        pool = _POOLS.get(jobs)
        if pool is None:
            folder = tempfile.mkdtemp(prefix="sandbox-ocr-")  # 0700: readable by this user only
            executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=init_worker, initargs=(folder,))
            pool = _POOLS[jobs] = _Pool(executor, folder)
        return pool


def _drop_pool(jobs: int, *, kill: bool = False, expected: _Pool | None = None) -> None:
    """Stop a pool (only *expected* if given: another batch may already have replaced it) and remove its folder."""
    with _POOL_LOCK:
        pool = _POOLS.get(jobs)
        if pool is None or (expected is not None and pool is not expected):
            return
        del _POOLS[jobs]
    processes = list((getattr(pool.executor, "_processes", None) or {}).values())
    pool.executor.shutdown(wait=False, cancel_futures=True)
    if kill:
        for process in processes:
            if process.is_alive():
                process.terminate()
    for process in processes:
        process.join(timeout=5)
    shutil.rmtree(pool.folder, ignore_errors=True)


@atexit.register
def shutdown_workers() -> None:
    """Stop the worker processes and remove their private folders (called at exit)."""
    for jobs in list(_POOLS):
        _drop_pool(jobs, kill=True)


def default_jobs() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


def read_pages(
    tasks: Iterable[PageTask],
    *,
    jobs: int | None = None,
    deadline: float | None = None,
    on_page: Callable[[OcrPage | PageFailure, int, int], None] | None = None,
) -> list[OcrPage | PageFailure]:
    """Read pages in parallel (one Tesseract thread per worker); results in the order of *tasks*.

    A page that fails (timeout, Tesseract error, a crashed worker) becomes a
    :class:`PageFailure` and the others go on. Past *deadline* seconds for
    the whole batch, the pages not yet read are reported as not read; the
    pages of other batches sharing the workers are not affected.

    Parameters
    ----------
    tasks : iterable of PageTask
    jobs : int, optional
        Worker processes (default: one per core).
    deadline : float, optional
        Time limit for the batch, seconds.
    on_page : callable, optional
        ``on_page(result, done, total)`` after each page, for a progress bar.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    jobs = max(1, jobs or default_jobs())  # the pool is kept for the next batch: size it for the machine, not this batch
    results: list[OcrPage | PageFailure | None] = [None] * len(tasks)
    start = time.perf_counter()
    done_count = 0
    for attempt in range(2):  # a crashed worker pool is restarted once
        queue = [i for i, r in enumerate(results) if r is None]
        if not queue:
            break
        pool = _pool(jobs)
        futures: dict = {}
        broken = False

        def submit() -> None:
            nonlocal broken
            while queue and len(futures) < jobs and not broken:
                i = queue.pop(0)
                try:
                    futures[pool.executor.submit(_safe_recognise, tasks[i])] = i
                except (BrokenProcessPool, RuntimeError):
                    queue.insert(0, i)
                    broken = True

        submit()
        while futures:
            remaining = None if deadline is None else max(0.0, deadline - (time.perf_counter() - start))
            finished, _ = wait(list(futures), timeout=remaining, return_when=FIRST_COMPLETED)
            if not finished:  # this batch's time limit: only its own pages stop
                for future, j in futures.items():
                    future.cancel()
                    results[j] = PageFailure(tasks[j].source, tasks[j].page, f"non lue : limite de {deadline:.0f} s pour le lot atteinte")
                for j in queue:
                    results[j] = PageFailure(tasks[j].source, tasks[j].page, f"non lue : limite de {deadline:.0f} s pour le lot atteinte")
                futures, queue = {}, []
                break
            for future in sorted(finished, key=futures.get):
                i = futures.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    queue.insert(0, i)
                    continue
                except Exception as exc:
                    outcome = PageFailure(tasks[i].source, tasks[i].page, f"la page n'a pas pu être lue ({exc})")
                results[i] = outcome
                done_count += 1
                if on_page is not None:
                    on_page(outcome, done_count, len(tasks))
            submit()
        if not broken:
            break
        _drop_pool(jobs, kill=True, expected=pool)
    final = []
    for result, task in zip(results, tasks):
        final.append(result if result is not None else PageFailure(task.source, task.page, "le processus de lecture s'est arrêté brutalement"))
    return final


def read_page(image: Image.Image | np.ndarray, **options) -> OcrPage:
    """Read one image (in a worker process) and return its :class:`OcrPage`.

    Keyword arguments are those of :class:`PageTask` (``source``, ``cleanup``,
    ``lang``, ``psm``, ``timeout``).

    Raises
    ------
    RuntimeError
        If the page could not be read (the French reason as message).
    """
    task = PageTask(source=options.pop("source", "image"), page=options.pop("page", 1), image=as_array(image), **options)
    result = read_pages([task])[0]
    if isinstance(result, PageFailure):
        raise RuntimeError(result.message)
    return result
