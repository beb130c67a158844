"""The water page in a real browser: pick a household with a leak, see the alert and the message; a utility export."""

from __future__ import annotations

from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, upload, wait_for_app

from sandbox.data import sample_path


def _open(page, app_url) -> None:
    open_demo(page, app_url, "water")


def _pick(page, label: str, option: str) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def test_pick_a_household_with_a_leak_and_read_its_alert_and_messages(page, app_url, external_requests):
    _open(page, app_url)
    page.get_by_role("tab", name="Un foyer").click()
    _pick(page, "Foyer", "C100042 — fuite probable")
    alert = page.get_by_text("Fuite probable depuis le 01/05/2025")
    expect(alert).to_be_visible()
    expect(page.get_by_text("écoulement d'eau continu depuis le 01/05/2025").first).to_be_visible()  # the letter
    expect(page.get_by_text("Service de l'eau : votre compteur C100042 indique un écoulement continu")).to_be_visible()  # the SMS
    assert_no_error_box(page)
    assert external_requests == []


def test_a_utility_export_maps_its_columns_and_finds_the_leak(page, app_url, external_requests):
    _open(page, app_url)
    page.get_by_text("Mon fichier", exact=True).first.click()
    wait_for_app(page)
    upload(page, "export_releveur.csv", sample_path("water/export_releveur.csv").read_bytes())
    expect(page.get_by_text("5 998 lignes retenues sur 5 998").first).to_be_visible()
    page.get_by_role("tab", name="Un foyer").click()
    _pick(page, "Foyer", "40221789 — fuite probable")
    expect(page.get_by_text("Fuite probable depuis le 16/03/2025")).to_be_visible()
    assert_no_error_box(page)
    assert external_requests == []
