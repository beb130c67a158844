"""In a real browser: run a demo, open its project sheet, download the PDF; report from the room; the upload guard."""

from __future__ import annotations

import re

import pypdf
import pytest
from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, upload, wait_for_app

from sandbox import registry
from sandbox.workshop.profiles import load_profile
from sandbox.text import plain

# Fastest first: the seniors page (territory mode) publishes its run as it renders; OCR waits for its button.
PREFERENCE = ["seniors", "collection", "water", "matching", "ocr"]
RUN_BUTTON = re.compile(r"lancer|lire|calculer|optimiser|analyser|classer", re.IGNORECASE)
NO_DEMO = "aucune démonstration disponible dans le registre : une page ou son entrée a disparu"


def first_demo(*, with_upload: bool = False):
    available = {d.key: d for d in registry.available_demos()}
    for key in PREFERENCE:
        if key in available and (not with_upload or key != "ocr"):
            return available[key]
    pytest.fail(NO_DEMO)  # a registry regression must fail, not skip


def run_demo(page, app_url, demo):
    """Open the demo (sample data), run it if it waits for a button; return its result actions bar."""
    open_demo(page, app_url, demo.key, timeout=180_000)
    actions = page.locator(f".st-key-{demo.key}-run_actions")
    run_button = page.get_by_role("button", name=RUN_BUTTON)
    expect(actions.or_(run_button).first).to_be_visible(timeout=60_000)
    if not actions.count():  # a page that waits for its « Lancer » button
        run_button.first.click()
        wait_for_app(page, timeout=180_000)
    expect(actions).to_be_visible(timeout=60_000)
    assert_no_error_box(page)
    return actions


def test_sheet_before_any_run_says_so_in_french(page, app_url, external_requests):
    open_demo(page, app_url, "sheet")
    expect(page.get_by_text("Aucune démonstration n'a encore été lancée")).to_be_visible()
    assert_no_error_box(page)
    assert external_requests == []


def test_run_a_demo_open_the_sheet_and_download_the_pdf(page, app_url, external_requests, tmp_path):
    demo = first_demo()
    actions = run_demo(page, app_url, demo)
    actions.get_by_role("link", name="Fiche projet").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Fiche projet", exact=True)).to_be_visible()
    assert_no_error_box(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="PDF").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.startswith(f"fiche-projet-{demo.key}-") and path.suffix == ".pdf"
    reader = pypdf.PdfReader(path)
    text = " ".join(plain(" ".join(p.extract_text() for p in reader.pages)).split())
    assert 1 <= len(reader.pages) <= 2
    assert demo.title in text and "Résultats mesurés" in text and "Risques et conformité" in text
    profile = load_profile(demo.key)
    assert profile.ai_act.label in text or (profile.ai_act_without_personal_data and profile.ai_act_without_personal_data.label in text)
    assert external_requests == []


def test_a_participant_reports_and_the_trainer_exports_the_reports(page, app_url, external_requests, tmp_path):
    demo = first_demo()
    actions = run_demo(page, app_url, demo)
    actions.get_by_role("button", name="Signaler").click()
    page.get_by_label("Commentaire").fill("Ce résultat me surprend : pourquoi ce point ?")
    # The form sits in a popover that a busy machine may leave partly outside the viewport: press it from the keyboard.
    page.get_by_role("button", name="Envoyer").press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("Merci ! Votre retour")).to_be_visible()

    open_demo(page, app_url, "feedback")
    expect(page.get_by_text(re.compile(r"retours? affichés? sur"))).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter en CSV").click()
    csv_path = tmp_path / "retours.csv"
    info.value.save_as(csv_path)
    assert "Ce résultat me surprend : pourquoi ce point ?" in csv_path.read_text(encoding="utf-8-sig")
    assert_no_error_box(page)
    assert external_requests == []


def test_an_upload_with_personal_columns_is_stopped_until_the_user_chooses(page, app_url):
    demo = first_demo(with_upload=True)
    open_demo(page, app_url, demo.key, timeout=180_000)
    page.get_by_role("radio", name="Mon fichier").first.click()  # a segmented control: radio buttons
    wait_for_app(page)
    rows = "\n".join(
        f"P{i};48,86{i};2,44{i};Marie Dupont;06 12 34 56 7{i};1{i} rue de la Paix" for i in range(8)
    )
    data = ("identifiant;latitude;longitude;Nom complet;Téléphone;Adresse\n" + rows + "\n").encode("cp1252")
    upload(page, "usagers.csv", data)
    expect(page.get_by_text("Données personnelles probables")).to_be_visible()
    expect(page.get_by_text("L'analyse attend votre choix")).to_be_visible()
    page.get_by_role("button", name="Appliquer et continuer").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("«.Nom complet.» pseudonymisée"))).to_be_visible()
    expect(page.get_by_text("n'est écrite nulle part")).to_be_visible()
    assert_no_error_box(page)
