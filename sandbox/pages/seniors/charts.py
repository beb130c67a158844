"""Maps and charts of the seniors demo: a choropleth of the communes, calibration and robustness plots."""

from __future__ import annotations

import altair as alt
import folium
import numpy as np
import pandas as pd

from sandbox.text import num
from sandbox.ui.maps import add_legend, base_map

PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA = "#d9d9d9"


def class_breaks(values, k: int = 5) -> np.ndarray:
    """Upper bounds of up to *k* quantile classes of the finite values."""
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype="float64")
    if finite.size == 0:
        return np.array([0.0])
    return np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)[1:]))


def _fr(value, decimals: int) -> object:
    """Numbers as French text for the tooltip (Leaflet would show « 0.362 »)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return "–" if value is None else value
    if isinstance(value, int | np.integer):
        return num(int(value))
    return num(float(value), decimals)


def _bounds(geojson: dict) -> list[list[float]]:
    """[[south, west], [north, east]] of every coordinate of the features."""
    lons, lats = [], []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson["features"]:
        walk(feature["geometry"]["coordinates"])
    if not lons:
        return [[48.72, 2.15], [49.0, 2.6]]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def choropleth(
    geojson: dict,
    field: str,
    *,
    title: str,
    tooltip: list[tuple[str, str]],
    decimals: int = 2,
    zero_is_empty: bool = False,
    height: int = 520,
) -> folium.Map:
    """The communes coloured by ``properties[field]`` (quantile classes), with a legend and a tooltip.

    Parameters
    ----------
    geojson : dict
        Features with ``field`` in their properties (None: no data, grey).
    title : str
        Legend title.
    tooltip : list of (property, French alias)
    zero_is_empty : bool
        Draw 0 in grey too (e.g. communes without a visit).
    """
    values = [f["properties"].get(field) for f in geojson["features"]]
    shown = [v for v in values if v is not None and (not zero_is_empty or v > 0)]
    breaks = class_breaks(shown, len(PALETTE))
    colours = PALETTE[-len(breaks):] if len(breaks) < len(PALETTE) else PALETTE

    def colour(value) -> str:
        if value is None or (zero_is_empty and value <= 0):
            return NO_DATA
        return colours[min(int(np.searchsorted(breaks, value, side="left")), len(colours) - 1)]

    fmap = base_map(outlines=False, height=height)
    fmap.fit_bounds(_bounds(geojson))
    shown_geojson = {
        "type": "FeatureCollection",
        "features": [
            {**f, "properties": {**f["properties"], f"_{field}": f["properties"].get(field),
                                 **{k: _fr(f["properties"].get(k), decimals) for k, _ in tooltip}}}
            for f in geojson["features"]
        ],
    }
    folium.GeoJson(
        shown_geojson,
        name=title,
        style_function=lambda feature: {
            "fillColor": colour(feature["properties"].get(f"_{field}")),
            "color": "#555555",
            "weight": 0.8,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda _: {"weight": 2.5, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(fields=[f for f, _ in tooltip], aliases=[a for _, a in tooltip]),
    ).add_to(fmap)
    items, low = [], min(shown) if shown else 0.0
    for colour_hex, high in zip(colours, breaks):
        if decimals == 0:  # whole counts: « 1 », « 2 à 4 », « 5 à 72 » (classes do not overlap)
            text = num(high) if round(low) == round(high) else f"{num(low)} à {num(high)}"
            low = round(high) + 1
        else:
            text = f"{num(low, decimals)} à {num(high, decimals)}"
            low = high
        items.append((colour_hex, text))
    if any(v is None or (zero_is_empty and v <= 0) for v in values):
        items.append((NO_DATA, "aucune" if zero_is_empty else "pas de données"))
    add_legend(fmap, items, title)
    return fmap


def localized(frame: pd.DataFrame, **extra) -> dict:
    """``column_config`` that shows every numeric column in the browser's (French) number format."""
    import streamlit as st

    config = {c: st.column_config.NumberColumn(format="localized") for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    config.update(extra)
    return config


def calibration_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Reliability diagram: observed rate against predicted probability, one line per model."""
    data = frame.assign(
        predicted=frame["mean_predicted"] * 100,
        observed=frame["observed_rate"] * 100,
        people=frame["count"].astype(int),
    )
    diagonal = alt.Chart(pd.DataFrame({"x": [0, 100], "y": [0, 100]})).mark_line(strokeDash=[4, 4], color="#888").encode(x="x", y="y")
    lines = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True), strokeWidth=2)
        .encode(
            x=alt.X("predicted:Q", title="Risque estimé (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("observed:Q", title="Fréquence observée (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("model:N", title="Modèle", legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
            tooltip=[
                alt.Tooltip("model:N", title="Modèle"),
                alt.Tooltip("predicted:Q", title="Risque estimé (%)", format=".1f"),
                alt.Tooltip("observed:Q", title="Observé (%)", format=".1f"),
                alt.Tooltip("people:Q", title="Personnes"),
            ],
        )
    )
    return (diagonal + lines).properties(height=340, width=560)


def robustness_chart(table: pd.DataFrame, top: int) -> alt.Chart:
    """Share of the draws where each territory is in the top, for the territories that ever are."""
    data = table[table["top_frequency"] > 0].sort_values(["base_rank"]).head(2 * top)
    data = data.assign(share=data["top_frequency"] * 100, name=data["label"].astype(str))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort=None, title=None),
            x=alt.X("share:Q", title=f"Tirages où le territoire est dans le top {top} (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.condition(alt.datum.base_rank <= top, alt.value("#bd0026"), alt.value("#fd8d3c")),
            tooltip=[
                alt.Tooltip("name:N", title="Territoire"),
                alt.Tooltip("base_rank:Q", title="Rang"),
                alt.Tooltip("share:Q", title="Dans le top (%)", format=".0f"),
                alt.Tooltip("rank_p05:Q", title="Rang (5e centile)"),
                alt.Tooltip("rank_p95:Q", title="Rang (95e centile)"),
            ],
        )
        .properties(height=max(160, 18 * len(data)))
    )
