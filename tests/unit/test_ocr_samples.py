"""The sample pages: their text files are the generator's exact text, the renderer is deterministic, the budget holds."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from sandbox.data.generators.ocr import DOCUMENTS, ground_truth, render_document


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_each_sample_has_its_exact_ground_truth(repo, name):
    folder = repo / "sample_data" / "ocr"
    assert (folder / f"{name}.jpg").is_file()
    assert (folder / f"{name}.txt").read_text(encoding="utf-8") == ground_truth(DOCUMENTS[name])


def test_the_samples_are_period_french_with_what_the_index_looks_for(repo):
    texts = {name: (repo / "sample_data" / "ocr" / f"{name}.txt").read_text(encoding="utf-8") for name in DOCUMENTS}
    assert "le douze mars" in texts["etat_civil_1890"] and "mil huit cent quatre-vingt-dix" in texts["etat_civil_1890"]
    assert "DÉLIBÉRATIONS" in texts["deliberation_1926"] and "ARRÊTONS" in texts["arrete_1911"]
    assert "Madame veuve Rigaud" in texts["lettre_1947"]


def test_the_samples_fit_their_budget(repo):
    folder = repo / "sample_data" / "ocr"
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 6_000_000


def test_rendering_is_deterministic_and_the_clean_version_is_straight_black_on_white():
    first, text = render_document("arrete_1911", seed=7, dpi=72)
    second, _ = render_document("arrete_1911", seed=7, dpi=72)
    assert hashlib.sha1(first.tobytes()).digest() == hashlib.sha1(second.tobytes()).digest()
    other, _ = render_document("arrete_1911", seed=8, dpi=72)
    assert first.tobytes() != other.tobytes()
    clean, clean_text = render_document("arrete_1911", aged=False, dpi=72)
    assert clean_text == text and clean.mode == "L"
    pixels = np.asarray(clean)
    assert pixels.max() == 255 and pixels.min() < 40 and np.mean(pixels == 255) > 0.8
