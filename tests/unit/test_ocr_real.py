"""The measured choice on real scans (``../shared/data/ocr_real``) against bare Tesseract, the practitioner's baseline.

Bare Tesseract is ``tesseract IMAGE stdout -l fra``, run here page by page
(one OpenMP thread, as in the app's workers: the words do not depend on it).

One case per page of the manifest, so that pytest-xdist spreads the pages
over its workers among the other tests (one single test of all the pages ran
alone for minutes at the end of ``make test``). The mean CER against
``MEAN_RATIO`` × bare Tesseract's is the bench's figure (``python -m bench ocr``),
as issue 12 sets it; the per-page rule is checked here.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from sandbox.models.ocr import OcrPage, PageTask, cer, read_pages

REPO_DIR = Path(__file__).resolve().parents[2]
REAL = REPO_DIR.parent / "shared" / "data" / "ocr_real"
WORSE_BY = 0.005  # no page worse than bare Tesseract by more than 0.5 CER point
MEAN_RATIO = 0.85  # mean page CER at most 0.85 × bare Tesseract's (checked by the bench)

pytestmark = [pytest.mark.tesseract, pytest.mark.slow,
              pytest.mark.timeout(1800)]  # one page read twice: up to minutes on a loaded machine


def _manifest() -> list[str]:
    """The manifest's image paths (relative to ``REAL``), largest pages first, or ``[]`` where ../shared/data is absent.

    Largest first: the workers start on the long pages and end together on short ones.
    """
    if not (REAL / "manifest.csv").is_file():
        return []
    with (REAL / "manifest.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows.sort(key=lambda row: -int(row["width_px"]) * int(row["height_px"]))  # a stable sort
    return [row["image"] for row in rows]


IMAGES = _manifest()


def _bare(image: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    run = subprocess.run(["tesseract", str(image), "stdout", "-l", "fra"], capture_output=True, check=True, env=env, timeout=600)
    return run.stdout.decode("utf-8", "replace")


def test_the_manifest_lists_existing_pages_once_each():
    if not IMAGES:
        pytest.skip(f"../shared/data absent : pas de pages réelles à lire ({REAL})")
    assert len(set(IMAGES)) == len(IMAGES), IMAGES
    assert all((REAL / image).is_file() for image in IMAGES)


@pytest.mark.parametrize("relative", IMAGES or [None], ids=[Path(i).stem for i in IMAGES] or ["absent"])
def test_no_real_page_is_read_worse_than_bare_tesseract(relative):
    if relative is None:
        pytest.skip(f"../shared/data absent : pas de pages réelles à lire ({REAL})")
    image = REAL / relative
    truth = image.with_name(image.stem + ".gt.txt").read_text(encoding="utf-8")
    bare_text = _bare(image)
    # no per-page time limit here: on a loaded machine a large page may take minutes, and time is the bench's business
    [page] = read_pages([PageTask(image.name, 1, path=str(image), timeout=1500)], jobs=1)
    assert isinstance(page, OcrPage), page
    assert page.words, f"{image.name} : {page.reason}"  # never empty on a printed page
    bare_cer, our_cer = cer(truth, bare_text), cer(truth, page.text)
    assert our_cer <= bare_cer + WORSE_BY, (
        f"{image.stem} lue plus mal que par tesseract seul : lecture {page.variant.value}, "
        f"CER brut {bare_cer:.4f}, CER retenu {our_cer:.4f}")
