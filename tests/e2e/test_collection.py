"""The collection page in a real browser: fewer trucks change the figures and the map, offline, without an error box;
names written as markup or script in the uploaded files stay text."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from streamlit_helpers import assert_no_error_box, open_demo, upload, wait_for_app

REPO_DIR = Path(__file__).resolve().parents[2]
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "${alert(2)}"

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


def test_names_written_as_markup_or_script_never_run(page, app_url, external_requests):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    lines = (REPO_DIR / "sample_data" / "collection" / "points.csv").read_text(encoding="utf-8").splitlines()
    drop = lines[0].split(";").index("adresse")  # an address column asks for a privacy choice first: not the point here
    lines = [";".join(c for i, c in enumerate(line.split(";")) if i != drop) for line in lines]
    header, rows = lines[0], lines[1:13]
    hostile = [IMG, TEMPLATE, "'><script>alert(3)</script>", "`${alert(4)}`"]  # no double quote: the CSV's own
    out = [header]
    for k, row in enumerate(rows):
        cells = row.split(";")
        cells[0] = hostile[k % len(hostile)] + (f" {k}" if k >= len(hostile) else "")
        cells[-1] = IMG if k % 2 else TEMPLATE  # today's sectors, shown in the legend
        out.append(";".join(cells))
    points = ("\n".join(out) + "\n").encode("utf-8")
    sites = f"role;nom;latitude;longitude\ndépôt;{TEMPLATE};48,86011;2,479451\nexutoire;{IMG};48,892869;2,446292\n"

    open_demo(page, app_url, "collection")
    page.get_by_text("Mon fichier", exact=True).nth(0).click()
    wait_for_app(page)
    upload(page, "points.csv", points, index=0)
    page.get_by_text("Mon fichier", exact=True).nth(1).click()
    wait_for_app(page)
    upload(page, "sites.csv", sites.encode("utf-8"), index=1)
    distance = page.get_by_test_id("stMetric").filter(has_text="Distance totale")
    expect(distance).to_contain_text("vs actuel", timeout=60_000)
    legend = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    expect(legend.get_by_text("Tournées optimisées")).to_be_visible()

    page.get_by_role("radio", name="Tournées actuelles").click()  # a segmented control; the legend lists the sectors
    wait_for_app(page)
    expect(legend.get_by_text(f"Secteur {IMG}", exact=False).first).to_be_visible()  # shown as text
    expect(legend.locator("img")).to_have_count(0)
    page.wait_for_timeout(1_000)  # an onerror or a template literal would have fired by now
    assert dialogs == []
    assert_no_error_box(page)
    assert external_requests == []
