"""Pieces of the app shell that are plain functions: registry, offline maps, text, communes, config."""

from __future__ import annotations

import re
import tomllib

import folium

from sandbox import REPO_DIR, registry
from sandbox.data.communes import find_commune, load_communes, load_outlines
from sandbox.text import num, pct, plain, q, typography
from sandbox.ui.maps import add_legend, base_map, ensure_leaflet, external_urls


def test_registry_pages_have_unique_keys_and_existing_files():
    pages = registry.all_pages()
    assert pages[0] is registry.HOME
    assert len({p.key for p in pages}) == len(pages)
    assert all(p.exists for p in pages)
    assert {d.key for d in registry.DEMOS} == {"ocr", "collection", "water", "matching", "seniors"}


def test_offline_map_fetches_nothing_from_outside():
    assert ensure_leaflet()
    fmap = base_map((48.86, 2.44), 13)
    folium.CircleMarker((48.86, 2.44), radius=5).add_to(fmap)
    folium.PolyLine([(48.86, 2.44), (48.87, 2.45)]).add_to(fmap)
    add_legend(fmap, [("#1f77b4", "Camion 1")], "Tournées")
    assert external_urls(fmap) == []
    html = fmap.get_root().render()
    assert "Montreuil" in html  # the commune outlines are the base layer


def test_osm_background_is_the_only_network_use_and_is_opt_in():
    # Even with the OSM background, Leaflet's scripts and styles are served by the app...
    assert external_urls(base_map(osm=True)) == []
    # ...and the only outside addresses in the page are OpenStreetMap's tiles and credit.
    with_osm = base_map(osm=True).get_root().render()
    hosts = set(re.findall(r"https?://([^/\"'\\\s]+)", with_osm))
    assert hosts == {"tile.openstreetmap.org", "www.openstreetmap.org"}
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in with_osm
    assert re.findall(r"https?://", base_map().get_root().render()) == []


def test_streamlit_config_keeps_the_privacy_and_safety_defaults():
    config = tomllib.loads((REPO_DIR / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == 50
    assert config["server"]["headless"] is True


def test_french_formatting():
    assert plain(num(1234567.891, 2)) == "1 234 567,89"
    assert num(-3) == "\u22123"
    assert plain(pct(0.153)) == "15,3 %" and plain(pct(0.2, 0, signed=True)) == "+20 %"
    assert plain(q("x")) == "« x »"
    assert plain(typography("Attention: fuite ! Vraiment ?")) == "Attention : fuite ! Vraiment ?"


def test_communes_reference_and_matcher():
    communes = load_communes()
    assert len(communes) == 130
    assert communes.loc["75056", "nom"] == "Paris"
    assert find_commune("Saint-Maur-des-Fossés") == find_commune("st maur des fosses") == "94068"
    assert find_commune("Pierrefitte-sur-Seine") == "93066"  # merged into Saint-Denis in 2025
    assert find_commune(" 93048 ") == "93048" and find_commune("Lyon") is None
    outlines = load_outlines()
    assert len(outlines["features"]) == 130
