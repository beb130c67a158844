"""The app shell in a real browser: home, navigation, the French error on a broken upload, no network."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit_helpers import assert_no_error_box, open_demo, open_page, upload, wait_for_app

from sandbox import registry


def test_home_loads_with_a_card_per_demo_and_makes_no_external_request(page, app_url, external_requests):
    open_page(page, app_url)
    expect(page.get_by_role("heading", name="Bac à sable IA", exact=True)).to_be_visible()
    expect(page.get_by_text("Vos données restent sur votre poste").first).to_be_visible()
    for demo in registry.available_demos():
        expect(page.get_by_role("heading", name=demo.title)).to_be_visible()
    assert_no_error_box(page)
    assert external_requests == []


def test_every_navigation_entry_opens_without_an_error_box(page, app_url, external_requests):
    open_page(page, app_url)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for entry in registry.all_pages():
        nav.get_by_role("link", name=entry.title).click()
        wait_for_app(page)
        heading = "Bac à sable IA" if entry is registry.HOME else entry.title
        expect(page.locator("h1").first).to_have_text(heading)
        assert_no_error_box(page)
    assert external_requests == []


def test_a_broken_csv_gets_the_french_error_and_the_page_keeps_working(page, app_url):
    """On the first demo whose tables go through the shared input (« Mon fichier »)."""
    for demo in registry.available_demos():
        open_demo(page, app_url, demo.key)  # waits for the title and the end of the script
        try:  # on a loaded machine the choice may be drawn a moment after the script's end
            page.get_by_text("Mon fichier", exact=True).first.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    else:  # a registry or shared-input regression: fail, do not skip
        pytest.fail("aucune démonstration ne propose « Mon fichier » (import de tableau)")
    page.get_by_text("Mon fichier", exact=True).first.click()
    wait_for_app(page)
    # the first table's uploader, first on the page (a count taken before the click raced with the drawing of the page)
    expect(page.get_by_test_id("stFileUploader").first).to_contain_text("Déposez votre fichier (")
    upload(page, "export_casse.csv", b"\x00\x01\x02\x03 binaire \xff\xfe")
    expect(page.get_by_text("export_casse.csv").last).to_be_visible()
    expect(page.get_by_text("ne contient pas de texte (contenu binaire)")).to_be_visible()
    assert_no_error_box(page)
    page.get_by_text("Données d'exemple", exact=True).first.click()
    wait_for_app(page)
    expect(page.get_by_text("ne contient pas de texte (contenu binaire)")).to_have_count(0)
    assert_no_error_box(page)
