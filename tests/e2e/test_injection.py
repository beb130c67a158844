"""User text that looks like markup, script, Markdown or a formula stays text on every page (issue 14 #2).

One scenario per page that shows text from an uploaded table: a small valid table
built from the committed sample files, whose identifiers, names, one header and the
file's own name carry the strings below. The page must settle without a JS dialog
(``alert`` from an ``onerror``, a ``<script>`` or a template literal), without any
request to another host (a Markdown image fetched from ``example.invalid``) and
without the app's generic error box. Where the page shows the hostile text, the test
also checks that it is shown as text (so the scenario did reach the display).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit_helpers import assert_no_error_box, open_demo, wait_for_app

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES = REPO_DIR / "sample_data"

IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "${alert(1)}"
SCRIPT = '"><script>alert(1)</script>'
MD_IMAGE = "![h](http://example.invalid/x.png)"
FORMULA = '=HYPERLINK("http://x")'
INJECTIONS = (IMG, TEMPLATE, SCRIPT, MD_IMAGE, FORMULA)

MAP = 'iframe[title="streamlit_folium.st_folium"]'


# --- building the hostile tables --------------------------------------------------------


def _rows(path: Path, limit: int | None = None) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        rows = [row for _, row in zip(range(limit or 10**9), reader)]
        return list(reader.fieldnames or []), rows


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _taint(value: str, k: int) -> str:
    """*value* with one of the injection strings in front (the original keeps identifiers unique)."""
    return f"{INJECTIONS[k % len(INJECTIONS)]} {value}"


def _with_hostile_column(header: list[str], rows: list[dict[str, str]]) -> list[str]:
    """An extra column whose header is a Markdown image and whose cells are formulas."""
    for row in rows:
        row[MD_IMAGE] = FORMULA
    return [*header, MD_IMAGE]


# --- driving the page ---------------------------------------------------------------------


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Messages of every JS dialog the page (or one of its frames) opens; each is dismissed."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


def _choose_upload(page: Page, index: int) -> None:
    page.get_by_text("Mon fichier", exact=True).nth(index).click()
    wait_for_app(page)


def _upload(page: Page, k: int, name: str, data: bytes) -> None:
    """Put a file into the k-th table uploader (« Déposez votre fichier (…) »; other uploaders, such as
    the ROME importer hidden in an expander, are skipped) and wait for the rerun."""
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Déposez votre fichier (").nth(k)
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )
    wait_for_app(page)


def _keep_personal_columns(page: Page, asks: bool) -> None:
    """Answer the personal-data guard with « Conserver telle quelle » (the text must reach the page).

    *asks*: whether the guard asks about this table (it does where a column holds addresses or names).
    A table it does not ask about is not waited for (3 s per upload); should the guard ask after all,
    it stops the page until answered, and the checks that follow fail.
    """
    if not asks:
        return
    button = page.get_by_role("button", name=re.compile("Appliquer et continuer"))
    try:
        button.first.wait_for(timeout=30_000)
    except PlaywrightTimeoutError:
        pytest.fail("le garde-fou des données personnelles n'a rien demandé")
    for choice in page.get_by_text("Conserver telle quelle", exact=True).all():
        choice.click()
    button.first.click()
    wait_for_app(page)


# The screen positions of the first *count* shapes of the maps in a frame. The maps draw on a canvas
# (``prefer_canvas``): their shapes are no DOM elements to hover, Leaflet knows where they are.
SHAPES_JS = """(count) => {
  const maps = [...new Set(Object.values(window).filter(v => { try { return v instanceof L.Map; } catch (e) { return false; } }))];
  const spots = [];
  for (const map of maps) {
    const box = map.getContainer().getBoundingClientRect();
    const size = map.getSize();
    map.eachLayer(layer => {
      const at = layer.getLatLng ? layer.getLatLng() : (layer.getBounds && layer.getBounds().isValid() ? layer.getBounds().getCenter() : null);
      if (!at || spots.length >= count) return;
      const p = map.latLngToContainerPoint(at);
      if (p.x > 2 && p.y > 2 && p.x < size.x - 2 && p.y < size.y - 2) spots.push([box.left + p.x, box.top + p.y]);
    });
  }
  return spots.length ? spots : null;
}"""


def _hover_map(page: Page, count: int = 6) -> None:
    """Put the pointer on a few shapes of the first map (tooltips are built on hover); at least one tooltip opens."""
    element = page.locator(MAP).first
    try:
        element.wait_for(timeout=15_000)
    except PlaywrightTimeoutError:
        return
    element.scroll_into_view_if_needed()
    frame = element.element_handle().content_frame()
    spots = frame.wait_for_function(SHAPES_JS, arg=count, timeout=30_000).json_value()
    origin = element.bounding_box()
    opened = 0
    for x, y in spots:
        page.mouse.move(origin["x"] + x, origin["y"] + y)
        page.wait_for_timeout(100)
        opened += frame.locator(".leaflet-tooltip").count()
    assert opened, f"aucune infobulle ouverte en survolant la carte ({len(spots)} formes survolées)"


def _settled_and_inert(page: Page, dialogs: list[str], external_requests: list[str]) -> None:
    wait_for_app(page, timeout=120_000)
    page.wait_for_timeout(1_500)  # an onerror, a script or a template literal would have fired by now
    assert dialogs == [], f"un texte importé a été exécuté : {dialogs}"
    assert external_requests == [], f"un texte importé a fait appeler un autre hôte : {external_requests}"
    assert_no_error_box(page)


def _shown_as_text(page: Page, text: str) -> None:
    expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=60_000)


def _file_named(page: Page, name: str) -> None:
    """The upload's caption names the file, markup included, as text (Chromium sends ``"`` as ``%22``)."""
    _shown_as_text(page, name.rsplit('"', 1)[-1])


# --- one scenario per page ------------------------------------------------------------------


def test_collection_points_and_sites(page, app_url, external_requests, dialogs):
    header, rows = _rows(SAMPLES / "collection" / "points.csv", 30)
    sectors = sorted({row["secteur"] for row in rows})
    renamed = {sector: _taint(sector, k) for k, sector in enumerate(sectors)}
    for k, row in enumerate(rows):
        row["identifiant"] = _taint(row["identifiant"], k)
        row["adresse"] = _taint(row["adresse"], k + 1)
        row["secteur"] = renamed[row["secteur"]]
    header = _with_hostile_column(header, rows)
    sites = f"role;nom;latitude;longitude\ndépôt;{TEMPLATE} {MD_IMAGE};48,86011;2,479451\nexutoire;{IMG} {SCRIPT};48,892869;2,446292\n"

    open_demo(page, app_url, "collection")
    _choose_upload(page, 0)
    _upload(page, 0, f"points {IMG}.csv", _csv(header, rows))
    _keep_personal_columns(page, asks=True)  # the addresses
    _choose_upload(page, 1)
    _upload(page, 1, f"sites {TEMPLATE}.csv", sites.encode("utf-8"))
    _keep_personal_columns(page, asks=False)
    wait_for_app(page, timeout=120_000)
    _file_named(page, f"points {IMG}.csv")
    expect(page.get_by_test_id("stMetric").filter(has_text="Distance totale")).to_contain_text("vs actuel", timeout=60_000)
    legend = page.frame_locator(MAP).first
    expect(legend.get_by_text("Tournées optimisées")).to_be_visible()
    _hover_map(page)
    page.get_by_role("radio", name="Tournées actuelles").click()  # a segmented control; the legend lists the sectors
    wait_for_app(page)
    expect(legend.get_by_text(f"Secteur {IMG}", exact=False).first).to_be_visible()  # shown as text
    expect(legend.locator("img")).to_have_count(0)
    _hover_map(page)
    _settled_and_inert(page, dialogs, external_requests)


def test_water_readings_and_households(page, app_url, external_requests, dialogs):
    header, rows = _rows(SAMPLES / "water" / "export_releveur.csv")
    meters = sorted({row["user key"] for row in rows})
    renamed = {meter: _taint(meter, k) for k, meter in enumerate(meters)}
    for row in rows:
        row["user key"] = renamed[row["user key"]]
    header = _with_hostile_column(header, rows)
    homes = [
        {"compteur": renamed[m], "occupants": "2", "logement": "maison", "jardin": "oui", "piscine": "non", "commune": _taint("Créteil", k)}
        for k, m in enumerate(meters)
    ]

    open_demo(page, app_url, "water")
    _choose_upload(page, 0)
    _upload(page, 0, f"releves {SCRIPT}.csv", _csv(header, rows))
    _keep_personal_columns(page, asks=False)
    _file_named(page, f"releves {SCRIPT}.csv")
    page.get_by_text("Description des logements", exact=False).first.click()
    wait_for_app(page)
    _choose_upload(page, 1)
    _upload(page, 1, f"logements {MD_IMAGE}.csv", _csv(list(homes[0]), homes))
    _keep_personal_columns(page, asks=False)
    wait_for_app(page, timeout=120_000)
    page.get_by_role("tab", name="Un foyer").click()
    wait_for_app(page)
    box = page.get_by_role("combobox", name="Foyer", exact=True)
    box.click()
    page.get_by_role("option", name=re.compile("40221789")).first.click()  # the household with a leak
    wait_for_app(page)
    _shown_as_text(page, renamed["40221789"])  # in the letter and the SMS
    _settled_and_inert(page, dialogs, external_requests)


def test_matching_offers_and_candidates(page, app_url, external_requests, dialogs):
    o_header, offers = _rows(SAMPLES / "matching" / "offres.csv", 40)
    for k, row in enumerate(offers):
        row["id_offre"] = _taint(row["id_offre"], k)
        row["intitule"] = f"{row['intitule']} {INJECTIONS[(k + 1) % len(INJECTIONS)]}"
        row["commune"] = row["commune"]  # places must stay real to compute distances
    c_header, candidates = _rows(SAMPLES / "matching" / "candidats.csv", 80)
    for k, row in enumerate(candidates):
        row["id_candidat"] = _taint(row["id_candidat"], k)
        row["nom"] = _taint(row["nom"], k + 2)
        row["offres_retenues"] = ""
    c_header = _with_hostile_column(c_header, candidates)

    open_demo(page, app_url, "matching")
    _choose_upload(page, 0)
    _upload(page, 0, f"offres {TEMPLATE}.csv", _csv(o_header, offers))
    _keep_personal_columns(page, asks=False)
    _choose_upload(page, 1)
    _upload(page, 1, f"candidats {IMG}.csv", _csv(c_header, candidates))
    _keep_personal_columns(page, asks=False)
    wait_for_app(page, timeout=120_000)
    _file_named(page, f"offres {TEMPLATE}.csv")
    _file_named(page, f"candidats {IMG}.csv")
    for tab in ("Candidats pour une offre", "Offres pour un candidat"):
        found = page.get_by_role("tab", name=re.compile(tab))
        if found.count():
            found.first.click()
            wait_for_app(page)
    _settled_and_inert(page, dialogs, external_requests)


def test_seniors_territories(page, app_url, external_requests, dialogs):
    header, rows = _rows(SAMPLES / "seniors" / "territories.csv", 40)
    for k, row in enumerate(rows):
        row["commune"] = _taint(row["commune"], k)
    header = _with_hostile_column(header, rows)

    open_demo(page, app_url, "seniors")
    _choose_upload(page, 0)
    _upload(page, 0, f"territoires {SCRIPT}.csv", _csv(header, rows))
    _keep_personal_columns(page, asks=False)
    wait_for_app(page, timeout=120_000)
    _file_named(page, f"territoires {SCRIPT}.csv")
    _hover_map(page)
    _settled_and_inert(page, dialogs, external_requests)


def test_seniors_persons(page, app_url, external_requests, dialogs):
    header, rows = _rows(SAMPLES / "seniors" / "register.csv", 400)
    personal = f"{IMG} {MD_IMAGE}"  # a header the personal-data guard names in its warning and choices
    for k, row in enumerate(rows):
        row[personal] = f"{row['prenom']} {row['nom']}"  # real-looking names: the guard asks about this column
        row["identifiant"] = _taint(row["identifiant"], k)
        row["nom"] = _taint(row["nom"], k + 1)
        row["prenom"] = _taint(row["prenom"], k + 2)
    header = _with_hostile_column([*header, personal], rows)

    open_demo(page, app_url, "seniors")
    page.get_by_text(re.compile(r"^Personnes\W+qui visiter d'abord")).click()
    wait_for_app(page)
    _choose_upload(page, 0)
    _upload(page, 0, f"registre {IMG}.csv", _csv(header, rows))
    _keep_personal_columns(page, asks=True)  # the names, in a column with markup for a header
    _shown_as_text(page, f"{IMG} {MD_IMAGE} » conservée")
    wait_for_app(page, timeout=120_000)
    _file_named(page, f"registre {IMG}.csv")
    _settled_and_inert(page, dialogs, external_requests)


@pytest.mark.tesseract
def test_ocr_file_name_with_a_path_and_markup(page, app_url, external_requests, dialogs):
    from sandbox.data.generators.ocr import render_lines

    image = render_lines(["Registre des délibérations", "Séance du quatorze mai 1926"], size=(900, 200), font_px=36)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    name = "..\\..\\evil<img src=x onerror=alert(1)>.png"

    open_demo(page, app_url, "ocr")
    page.get_by_role("radio", name="Mes fichiers").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}
    )
    wait_for_app(page)
    page.get_by_role("button", name="Lire les documents").click()
    expect(page.get_by_text("Confiance moyenne", exact=True)).to_be_visible(timeout=90_000)
    _shown_as_text(page, "evil<img src=x onerror=alert(1)>")
    _settled_and_inert(page, dialogs, external_requests)
