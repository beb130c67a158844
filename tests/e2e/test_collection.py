"""The collection page in a real browser: fewer trucks change the figures and the map, offline, without an error box.

Names written as markup or script in the uploaded files: ``test_injection.py``."""

from __future__ import annotations

from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, wait_for_app

MAP = 'iframe[title="streamlit_folium.st_folium"]'


def test_changing_the_number_of_trucks_updates_the_figures_and_the_map(page, app_url, external_requests):
    open_demo(page, app_url, "collection")
    expect(page.get_by_role("heading", name="Collecte des déchets : tournées optimisées")).to_be_visible()
    trucks = page.get_by_test_id("stMetric").filter(has_text="Camions utilisés")
    distance = page.get_by_test_id("stMetric").filter(has_text="Distance totale")
    expect(distance).to_contain_text("vs actuel", timeout=60_000)  # the first run fits the forecast and solves
    before = distance.inner_text()
    expect(trucks.get_by_test_id("stMetricValue")).not_to_have_text("1")
    legend = page.frame_locator(MAP).first
    expect(legend.get_by_text("Tournées optimisées")).to_be_visible()
    expect(legend.get_by_text("Camion 2 —")).to_be_visible()

    box = page.get_by_label("Nombre de camions")
    box.fill("1")
    box.press("Enter")
    wait_for_app(page)

    expect(trucks.get_by_test_id("stMetricValue")).to_have_text("1", timeout=30_000)
    expect(distance).not_to_have_text(before)
    # One truck is not proved too few (the bound is 1): the page says no plan was found in time, and what to try.
    expect(page.get_by_text("Aucun plan desservant tous les points", exact=False).first).to_be_visible()
    expect(legend.get_by_text("Camion 1 —")).to_be_visible()
    expect(legend.get_by_text("Camion 2 —")).to_have_count(0)
    assert_no_error_box(page)
    assert external_requests == []
