"""The collection map shows user text (point ids, sector and site names) as text: no script can run from a cell."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sandbox.models.collection.plan import Fleet, Site, plan_collection
from sandbox.pages.collection.map import VIEWS, build_routes_map
from sandbox.ui.maps import add_legend, base_map, external_urls

IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "${alert(1)}"
QUOTE = "\"'><script>alert(2)</script>"


def rendered(fmap) -> str:
    """What streamlit-folium sends to the browser: the root page, its HTML part and the map's script."""
    root = fmap.get_root()
    page = root.render()
    return page + root.html.render() + root.script.render()


@pytest.fixture(scope="module")
def hostile_plan():
    points = pd.DataFrame({
        "id": [IMG, TEMPLATE, QUOTE, "`${document.cookie}`"],
        "latitude": [48.860, 48.862, 48.866, 48.868],
        "longitude": [2.440, 2.446, 2.440, 2.446],
        "container_l": [660.0] * 4,
        "sector": [IMG, TEMPLATE, IMG, QUOTE],
    })
    return plan_collection(points, depot=Site(TEMPLATE, 48.864, 2.452), disposal=Site(IMG, 48.861, 2.45),
                           fleet=Fleet(vehicles=2, capacity_l=2000), time_limit=0.5, seed=0, max_iterations=200)


@pytest.mark.parametrize("view", list(VIEWS))
def test_user_text_never_reaches_the_page_as_markup_or_script(hostile_plan, view):
    fmap = build_routes_map(hostile_plan, view=view, selected=IMG)
    html = rendered(fmap)
    # The names are still shown, as escaped text (JSON-encoded inside the map's data)...
    escaped = "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;"
    assert escaped in html
    # ...and nowhere else: no markup, no template-literal expression, no script.
    rest = html.replace(escaped, "").replace("&lt;img src=x onerror=alert(1)&gt;", "")  # JSON data, legend HTML
    assert "<img" not in rest and "onerror" not in rest
    assert "${alert" not in rest and "${document" not in rest
    assert "<script>alert(2)" not in rest
    assert external_urls(fmap) == []


def test_depot_name_is_data_not_a_tooltip_template(hostile_plan):
    html = rendered(build_routes_map(hostile_plan, view="optimised"))
    assert "bindTooltip(\n" not in html.replace(" ", "") or TEMPLATE not in html
    assert "&#36;{alert(1)}" in html or "\\u0026#36;{alert(1)}" in html


def test_shared_legend_escapes_labels_and_title_and_refuses_css_in_colours():
    fmap = base_map((48.86, 2.44), 13, outlines=False)
    add_legend(fmap, [(IMG, IMG), ("red;background:url(http://evil)", "Secteur " + QUOTE)], title=IMG)
    html = rendered(fmap)
    assert "<img" not in html and "<script>alert(2)" not in html and "evil" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2  # the label and the title, as text


def test_why_this_point_shows_ids_and_site_names_as_text_in_markdown():
    image = "![h](http://x.example/p.png)"
    points = pd.DataFrame({
        "id": [image, "B", "C", "D"],
        "latitude": [48.860, 48.862, 48.866, 48.868], "longitude": [2.440, 2.446, 2.440, 2.446],
        "container_l": [660.0] * 4,
    })
    plan = plan_collection(points, depot=Site(image, 48.864, 2.452), fleet=Fleet(vehicles=2, capacity_l=2000),
                           time_limit=0.3, seed=0, max_iterations=100)
    for point in ("B", image):
        text = plan.explain(point).text
        assert "![h](" not in text and not re.search(r"(?<!\\)\]\(", text)  # no live link or image syntax
        assert "!\\[h\\](http\\://x.example/p.png)" in text or point == image  # shown, escaped
