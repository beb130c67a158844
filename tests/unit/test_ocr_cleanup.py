"""Clean-up steps on images whose answer is known: angles, ink pixels, borders, noise, the automatic preset."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sandbox.data.generators.ocr import render_document, render_lines
from sandbox.models.ocr.cleanup import (
    CleanupOptions,
    auto_options,
    binarise_otsu,
    binarise_sauvola,
    clean,
    crop_borders,
    denoise,
    estimate_noise,
    estimate_skew,
    find_borders,
    measure,
    normalise_illumination,
    text_height,
)

LINES = [
    "EXTRAIT DU REGISTRE DES DÉLIBÉRATIONS",
    "L'an mil neuf cent vingt-six, le quatorze mai,",
    "le Conseil municipal de la commune, légalement",
    "convoqué, s'est réuni au lieu ordinaire de ses",
    "séances, sous la présidence de M. le Maire.",
    "Présents : MM. Lacombe, Girardin, Devaux,",
    "Bourdon, Chevalier, Marchand, Roussel.",
    "Le Conseil, après en avoir délibéré, décide :",
]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return render_lines(LINES * 2, size=(1300, 1700), font_px=32)


def _aged(gray: np.ndarray, seed: int = 0, noise: float = 8.0) -> np.ndarray:
    """The clean page under a strong light gradient, with paper colour and noise."""
    rng = np.random.default_rng(seed)
    h, w = gray.shape
    light = np.linspace(1.0, 0.55, w)[None, :] * np.linspace(1.0, 0.8, h)[:, None]
    paper = 225 * light
    ink = 40 * light
    out = np.where(gray < 128, ink, paper) + rng.normal(0, noise, gray.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [2.7, -3.4, 1.2])
def test_a_page_rotated_by_a_known_angle_comes_back_within_half_a_degree(page, angle):
    rotated = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    found = estimate_skew(np.asarray(rotated))
    assert abs(found - angle) < 0.5, found
    straightened = clean(np.asarray(rotated), CleanupOptions(deskew=True))
    assert straightened.angle == pytest.approx(found)
    assert abs(estimate_skew(straightened.image)) < 0.5


def test_a_straight_page_is_found_straight(page):
    assert abs(estimate_skew(np.asarray(page))) < 0.1


def test_binarisation_of_an_aged_page_keeps_the_text_pixels(page):
    clean_gray = np.asarray(page)
    ink = clean_gray < 128
    aged = _aged(clean_gray)
    assert np.mean((binarise_otsu(aged) == 0)[ink]) < 0.9 or np.mean((binarise_otsu(aged) == 0)[~ink]) > 0.02  # raw Otsu fails
    for binary in (binarise_otsu(normalise_illumination(aged)), binarise_sauvola(aged, window=51)):
        black = binary == 0
        assert np.mean(black[ink]) > 0.9  # text pixels kept
        assert np.mean(black[~ink]) < 0.02  # paper stays white


def test_illumination_normalisation_flattens_the_paper(page):
    aged = _aged(np.asarray(page), noise=0)
    paper = np.asarray(page) > 200
    before = np.ptp(aged[paper])
    after = np.ptp(normalise_illumination(aged)[paper][::7])
    assert before > 90 and after < 40


def test_noise_estimate_and_denoising():
    rng = np.random.default_rng(3)
    flat = np.full((600, 600), 200.0)
    noisy = np.clip(flat + rng.normal(0, 8, flat.shape), 0, 255).astype(np.uint8)
    assert 6.5 < estimate_noise(noisy) < 9.5
    assert estimate_noise(np.full((600, 600), 200, np.uint8)) == 0
    assert estimate_noise(denoise(noisy, 8)) < 3


def test_dark_scanner_border_is_found_and_cropped(page):
    gray = np.asarray(page).copy()
    gray[:, :60] = 20  # a 60-px dark band on the left
    gray[-45:, :] = 25  # and 45 px at the bottom
    borders = find_borders(gray)
    assert 58 <= borders["left"] <= 62 and 43 <= borders["bottom"] <= 47
    assert borders["top"] == 0 and borders["right"] == 0
    cropped, box = crop_borders(gray, borders)
    assert box[0] >= 60 and cropped.shape[0] <= gray.shape[0] - 45
    assert cropped.min() > 0 or np.mean(cropped < 30) < 0.05


def test_letter_height_and_rescaling_of_a_small_scan(page):
    gray = np.asarray(page)
    height = text_height(gray)
    small = np.asarray(page.resize((page.width // 3, page.height // 3), Image.Resampling.LANCZOS))
    assert text_height(small) == pytest.approx(height / 3, rel=0.2)
    options = auto_options(measure(small))
    assert options.rescale and "rescale" in options.reasons
    result = clean(small, options)
    assert result.scale > 2 and text_height(result.image) == pytest.approx(height / 3 * result.scale, rel=0.2)


def test_the_automatic_preset_leaves_a_clean_scan_unchanged(page):
    gray = np.asarray(page)
    options = auto_options(measure(gray))
    assert options.steps == ("grayscale",)
    result = clean(gray, options)
    assert result.applied == ()
    assert np.array_equal(result.image, gray)


def test_the_automatic_preset_on_an_aged_sample_page_chooses_the_needed_steps():
    image, _ = render_document("lettre_1947", dpi=150)
    m = measure(image)
    assert m.colour and m.uneven_light > 26 and m.borders["right"] > 0
    assert abs(m.skew - (-1.2)) < 0.5  # the generator's skew
    options = auto_options(m)
    assert {"crop", "illumination", "deskew"} <= set(options.steps)
    assert set(options.reasons) >= {"crop", "illumination", "deskew"}


def test_the_geometry_maps_cleaned_points_back_to_the_input(page):
    gray = np.asarray(page.rotate(2.0, fillcolor=255))
    gray = gray.copy()
    gray[:, :50] = 15
    result = clean(gray, CleanupOptions(crop=True, deskew=True, rescale=True))
    # the centre of the cleaned page is the centre of the cropped input
    h, w = result.image.shape
    x, y = result.to_input(w / 2, h / 2)
    assert abs(x - (gray.shape[1] + 50) / 2) < 8 and abs(y - gray.shape[0] / 2) < 8


def test_manual_steps_are_recorded_with_before_and_after_previews(page):
    result = clean(np.asarray(page), CleanupOptions.everything(), keep_steps=True, preview_size=300)
    names = [s.name for s in result.steps]
    assert names[0] == "grayscale" and names[-1] == "binarise"
    assert all(max(s.after.shape) <= 300 for s in result.steps)
    assert set(np.unique(result.image)) <= {0, 255}
