"""Shared test fixtures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Test files import their shared helpers as ``from helpers import no_crash`` (tests/helpers.py).
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

# Tests never write the user's feedback database or reach the network.
os.environ.setdefault("SANDBOX_FEEDBACK_DB", str(REPO / "test-artifacts" / "feedback-test.sqlite3"))


def tesseract_missing_reason() -> str | None:
    """Why OCR tests cannot run here, or None if Tesseract and its French model are installed."""
    if shutil.which("tesseract") is None:
        return "Tesseract absent : sudo apt-get install -y tesseract-ocr tesseract-ocr-fra"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "Tesseract ne répond pas"
    if "fra" not in langs.split():
        return "modèle français de Tesseract absent : sudo apt-get install -y tesseract-ocr-fra"
    return None


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


def pytest_collection_modifyitems(config, items):
    """Tests marked ``tesseract`` skip, with the install command, only where Tesseract is absent."""
    reason = None
    for item in items:
        if item.get_closest_marker("tesseract"):
            reason = reason or tesseract_missing_reason() or "ok"
            if reason != "ok":
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Restore ``sys.modules["__main__"]`` after each test.

    ``AppTest.from_function`` runs its script as ``__main__`` from a temporary
    file; a process pool started later in the same pytest worker (spawn or
    forkserver) would re-run that vanished script in its children and break.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
