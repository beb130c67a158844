"""The matching page in a real browser: pick a candidate, see ranked offers and why; a wrong file is named."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, upload, wait_for_app

from sandbox import REPO_DIR


def _open(page, app_url) -> None:
    open_demo(page, app_url, "matching")


def test_pick_a_candidate_and_see_ranked_offers_with_their_explanations(page, app_url, external_requests):
    _open(page, app_url)
    expect(page.get_by_role("heading", name="Emploi : rapprocher offres et candidats")).to_be_visible()
    expect(page.get_by_text("annexe III, point 4").first).to_be_visible()
    box = page.get_by_role("combobox", name="Candidat", exact=True)
    box.click()
    page.keyboard.type("CAND-00003")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(box).to_have_value(re.compile("CAND-00003"))
    first = page.get_by_text(re.compile(r"^1\.\s.+\s—\s\d+/100$")).first
    expect(first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Score\s\d+/100\s=\stexte")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Compétences en commun\s:")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Distance\s:\s.+\skm pour un rayon de mobilité")).first).to_be_visible()
    assert_no_error_box(page)
    assert external_requests == []


def test_an_offers_file_put_in_the_candidates_place_is_named(page, app_url):
    _open(page, app_url)
    page.get_by_text("Mon fichier", exact=True).nth(1).click()
    wait_for_app(page)
    upload(page, "offres.csv", (REPO_DIR / "sample_data" / "matching" / "offres.csv").read_bytes(), index=1)  # 0: the ROME release
    expect(page.get_by_text(re.compile("ressemble à un fichier d'offres d'emploi")).first).to_be_visible()
    expect(page.get_by_text("le fichier des candidats", exact=False).first).to_be_visible()
    assert_no_error_box(page)


def test_a_bad_rome_release_uploaded_on_the_page_gets_a_french_error(page, app_url):
    """Uploading a release zip in the browser: a zip without the mobility file is refused and named (state unchanged)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("unix_referentiel_code_rome_v460_utf8.csv", '"code_rome","libelle_rome"\n"K2204","Nettoyage"\n')
    _open(page, app_url)
    expect(page.get_by_text(re.compile("Extrait livré avec l'application")).first).to_be_visible()
    page.get_by_text("Importer le référentiel ROME 4.0 (archive zip publiée)").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        {"name": "rome.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}
    )
    wait_for_app(page)
    page.get_by_role("button", name="Importer ce référentiel").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("fichiers absents du référentiel")).first).to_be_visible()
    assert_no_error_box(page)
