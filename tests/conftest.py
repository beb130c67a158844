"""Shared test fixtures."""

from __future__ import annotations

import functools
import os
import re
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


def _longest_first(item) -> int:
    """0 for a slow test, 1 for another Tesseract test, 2 for the rest; the browser tests keep their place."""
    if Path(str(item.fspath)).is_relative_to(REPO / "tests" / "e2e"):
        return 2
    if item.get_closest_marker("slow"):
        return 0
    return 1 if item.get_closest_marker("tesseract") else 2


def pytest_collection_modifyitems(config, items):
    """Tests marked ``tesseract`` skip, with the install command, only where Tesseract is absent.

    The modules of the longest tests run first (a stable sort, the same on every xdist worker;
    a module's tests stay together, so its module fixtures are set up once): xdist hands the
    tests out in this order, so the two workers end together on short tests instead of one
    waiting while the other reads pages of real scans.
    """
    reason = None
    for item in items:
        if item.get_closest_marker("tesseract"):
            reason = reason or tesseract_missing_reason() or "ok"
            if reason != "ok":
                item.add_marker(pytest.mark.skip(reason=reason))
    first: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        first[module] = min(first.get(module, 2), _longest_first(item))
    items.sort(key=lambda item: first[item.nodeid.split("::", 1)[0]])


_MODULE_FIXTURE = re.compile(r"""scope\s*=\s*["'](?:module|class)["']""")


@functools.cache
def xdist_group(module: str) -> str | None:
    """The xdist work unit of the tests of *module* (a path relative to the repository), None for one unit per test.

    * ``tests/e2e/``: one unit, ``browser`` (one Streamlit server and one Chromium, on one worker);
    * a test module that defines a module- or class-scoped fixture (a trained model, a page run,
      a loaded release): one unit, so that the fixture is computed once, not once per worker.

    pytest-xdist 3.8 reads ``@pytest.mark.xdist_group`` by renaming the test ids, which pytest 9.2
    ignores (``Node.nodeid`` no longer reads ``_nodeid``): the scheduler below groups by these rules.
    """
    if module.startswith("tests/e2e/"):
        return "browser"
    path = REPO / module
    if module.startswith("tests/") and path.suffix == ".py" and path.is_file():
        if _MODULE_FIXTURE.search(path.read_text(encoding="utf-8")):
            return module
    return None


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the groups of :func:`xdist_group` (other modes: xdist's own scheduler)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class GroupedScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # an xdist that does rename the ids
                return super()._split_scope(nodeid)
            return xdist_group(nodeid.split("::", 1)[0]) or nodeid

    return GroupedScheduling(config, log)


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
