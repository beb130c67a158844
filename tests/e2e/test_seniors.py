"""The seniors page in a real browser: change the capacity, the visit list and the map follow."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, upload, wait_for_app


def test_changing_the_capacity_updates_the_list_and_the_map(page, app_url, external_requests):
    open_demo(page, app_url, "seniors")
    expect(page.get_by_role("heading", name=re.compile(r"Seniors\W+repérer les besoins"))).to_be_visible()
    page.get_by_text(re.compile(r"^Personnes\W+qui visiter d'abord")).click()
    wait_for_app(page)
    expect(page.get_by_text("250 personnes proposées pour une visite")).to_be_visible(timeout=60_000)
    map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    expect(map_frame.get_by_text("Visites proposées (N = 250)")).to_be_visible()
    assert_no_error_box(page)

    capacity = page.get_by_label("Visites possibles ce mois-ci")
    capacity.fill("400")
    capacity.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("400 personnes proposées pour une visite")).to_be_visible()
    expect(page.get_by_text(re.compile(r"80\s+en réserve"))).to_be_visible()
    expect(map_frame.get_by_text("Visites proposées (N = 400)")).to_be_visible()
    expect(map_frame.get_by_text("Visites proposées (N = 250)")).to_have_count(0)
    assert_no_error_box(page)
    assert external_requests == []


def test_a_register_with_one_outcome_class_gets_a_french_message_and_the_page_keeps_working(page, app_url):
    from sandbox.data.generators.seniors import make_register

    open_demo(page, app_url, "seniors")
    page.get_by_text(re.compile(r"^Personnes\W+qui visiter d'abord")).click()
    wait_for_app(page)
    page.get_by_text("Mon fichier", exact=True).first.click()
    wait_for_app(page)
    register = make_register(300, 31).assign(evenement_12m="non").drop(columns=["nom", "prenom"])
    upload(page, "registre_ccas.csv", register.to_csv(sep=";", index=False).encode("cp1252", errors="replace"))
    try:  # the shared personal-data guard may still ask what to do with a column that looks personal
        page.get_by_role("button", name=re.compile("Appliquer et continuer")).click(timeout=5_000)
        wait_for_app(page)
    except PlaywrightTimeoutError:
        pass
    expect(page.get_by_text(re.compile(r"ne prend qu.une seule valeur"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text("registre_ccas.csv").first).to_be_visible()
    assert_no_error_box(page)
    page.get_by_text("Données d'exemple", exact=True).first.click()
    wait_for_app(page)
    expect(page.get_by_text("250 personnes proposées pour une visite")).to_be_visible(timeout=60_000)
    assert_no_error_box(page)
