"""The collection map: points coloured by route and sized by fill, one line per truck, today's rounds or the optimised ones.

A plain function (no Streamlit): the page shows the map it returns, the
tests and the benchmark build it directly. Points are drawn as one GeoJSON
layer of canvas circle markers, with their style in the features, so that
2,000 points stay fluid; nothing is loaded from outside the app.

Every user string (point ids, sector names, site names) reaches the map as
data, HTML-escaped for the tooltips (which use ``innerHTML``) and the legend
(escaped by :func:`sandbox.ui.maps.add_legend`); none is written into a script.
"""

from __future__ import annotations

import math

import folium
import numpy as np

from sandbox.models.collection.labels import Rounds, label
from sandbox.models.collection.plan import CollectionPlan
from sandbox.text import num
from sandbox.ui.maps import add_legend, add_markers, base_map, html_text

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#843c39",
)
SKIPPED = "#9e9e9e"
DEPOT = "#000000"
DISPOSAL = "#6d4c41"
SECTORS = "sectors"
VIEWS = {
    Rounds.OPTIMISED.value: "Tournées optimisées",
    Rounds.BASELINE.value: "Tournées actuelles",
    SECTORS: "Secteurs équilibrés",
}


def colour(k: int) -> str:
    """Colour of route or sector *k* (from 0)."""
    return PALETTE[k % len(PALETTE)]


def _radius(fill: float) -> float:
    fill = 60.0 if fill is None or not math.isfinite(fill) else fill
    return 3.0 + 5.0 * min(max(fill, 0.0), 120.0) / 100.0


def _points_layer(plan: CollectionPlan, view: str) -> dict:
    frame = plan.points
    if view == Rounds.OPTIMISED:
        labels = frame["route"].to_numpy(dtype="float64")
        groups = None
    elif view == Rounds.BASELINE:
        labels = None
        groups = frame["sector_current"].astype(str).tolist()
    else:
        labels = None
        groups = frame["sector_balanced"].astype(str).tolist()
    order = {g: k for k, g in enumerate(dict.fromkeys(groups))} if groups is not None else {}
    features = []
    for i, row in enumerate(frame.itertuples(index=False)):
        if view == Rounds.OPTIMISED:
            served = np.isfinite(labels[i])
            tint = colour(int(labels[i]) - 1) if served else SKIPPED
            where = f"camion {int(labels[i])}, arrêt {int(row.order)}" if served else label(row.status)
        else:
            tint = colour(order[groups[i]])
            where = f"secteur {groups[i]}"
        fill = float(row.fill_pct) if row.fill_pct is not None else math.nan
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(row.longitude), 6), round(float(row.latitude), 6)]},
                "properties": {
                    "id": html_text(row.id),  # tooltips use innerHTML: user text escaped for HTML
                    "tournee": html_text(where),
                    "remplissage": f"{num(fill)} %" if math.isfinite(fill) else "–",
                    "volume": f"{num(row.demand_l)} L",
                    "style": {
                        "radius": round(_radius(fill), 1),
                        "fill": True,
                        "color": "#333333" if tint != SKIPPED else SKIPPED,
                        "weight": 0.6,
                        "fillColor": tint,
                        "fillOpacity": 0.85 if tint != SKIPPED else 0.35,
                        "dashArray": "2 2" if tint == SKIPPED else None,
                    },
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _lines_layer(plan: CollectionPlan, view: str) -> dict:
    which = Rounds.OPTIMISED if view == Rounds.OPTIMISED else Rounds.BASELINE
    result = plan.rounds(which)
    features = []
    for r, path in enumerate(plan.paths(which)):
        name = f"Camion {r + 1}" if which is Rounds.OPTIMISED else f"Secteur actuel {r + 1}"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in path]},
                "properties": {
                    "tournee": name,
                    "km": f"{num(result.distances[r], 1)} km",
                    "points": str(len(result.routes[r])),
                    "style": {
                        "color": colour(r),
                        "weight": 3 if which is Rounds.OPTIMISED else 2.5,
                        "opacity": 0.8,
                        "dashArray": None if which is Rounds.OPTIMISED else "6 5",
                    },
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def build_routes_map(
    plan: CollectionPlan,
    *,
    view: str = "optimised",
    selected: str | None = None,
    height: int = 560,
    osm: bool = False,
) -> folium.Map:
    """The map of a collection plan.

    Parameters
    ----------
    plan : CollectionPlan
    view : {"optimised", "baseline", "sectors"}
        Optimised rounds (points coloured by truck), today's rounds (by
        today's sector, dashed lines) or the balanced sectors (no lines).
    selected : str, optional
        Identifier of a point to ring (the « pourquoi ce point ? » one).
    height : int
        Pixels.
    osm : bool
        OpenStreetMap background (downloads tiles: only on the user's request).

    Returns
    -------
    folium.Map
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {sorted(VIEWS)}")
    frame = plan.points
    lat = np.concatenate([frame["latitude"].to_numpy(dtype="float64"), [plan.depot.latitude, plan.disposal.latitude]])
    lon = np.concatenate([frame["longitude"].to_numpy(dtype="float64"), [plan.depot.longitude, plan.disposal.longitude]])
    fmap = base_map((float(lat.mean()), float(lon.mean())), 14, osm=osm, height=height)
    fmap.fit_bounds([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]], padding=(10, 10))

    if view != SECTORS:
        folium.GeoJson(
            _lines_layer(plan, view),
            name="Trajets",
            tooltip=folium.GeoJsonTooltip(fields=["tournee", "km", "points"], aliases=["", "distance", "points"], labels=True),
        ).add_to(fmap)
    folium.GeoJson(
        _points_layer(plan, view),
        name="Points de collecte",
        marker=folium.CircleMarker(radius=5, fill=True),
        tooltip=folium.GeoJsonTooltip(
            fields=["id", "tournee", "remplissage", "volume"], aliases=["point", "", "remplissage", "volume"], labels=True
        ),
    ).add_to(fmap)

    # Site names and the chosen point's id are user text: markers carry them as escaped data (no folium Tooltip,
    # whose text lands in a JavaScript template literal).
    markers = [
        {"lat": site.latitude, "lon": site.longitude, "tooltip": f"{kind}\u00a0: {site.name}", "radius": 10,
         "color": "#ffffff", "weight": 2, "fill_color": tint}
        for site, tint, kind in ((plan.depot, DEPOT, "Dépôt"), (plan.disposal, DISPOSAL, "Exutoire"))
        if kind == "Dépôt" or plan.disposal_given
    ]
    if selected is not None:
        match = frame[frame["id"].astype(str) == str(selected)]
        if len(match):
            row = match.iloc[0]
            markers.append({"lat": float(row["latitude"]), "lon": float(row["longitude"]), "radius": 14, "weight": 3,
                            "color": "#000000", "fill": False, "fill_opacity": 0.0,
                            "tooltip": f"Point choisi\u00a0: {row['id']}"})
    add_markers(fmap, markers, name="Sites")

    if view == Rounds.OPTIMISED:
        items = [(colour(r), f"Camion {r + 1} — {num(plan.optimised.distances[r], 1)} km") for r in range(plan.optimised.n_routes)]
        if len(plan.skipped):
            items.append((SKIPPED, f"Non collecté aujourd'hui ({num(len(plan.skipped))})"))
        title = "Tournées optimisées"
    elif view == Rounds.BASELINE:
        names = list(dict.fromkeys(frame["sector_current"].astype(str)))
        items = [(colour(k), f"Secteur {name} — {num(plan.baseline.distances[k], 1)} km") for k, name in enumerate(names)]
        title = "Tournées actuelles"
    else:
        names = list(dict.fromkeys(frame["sector_balanced"].astype(str)))
        loads = {f"S{c + 1}": v for c, v in enumerate(plan.balanced_loads)}
        items = [(colour(k), f"Secteur {name} — {num(loads.get(name, 0) / 1000, 1)} m³") for k, name in enumerate(names)]
        title = "Secteurs équilibrés"
    items += [(DEPOT, "Dépôt")] + ([(DISPOSAL, "Exutoire")] if plan.disposal_given else [])
    items.append(("#ffffff", "Taille du point : remplissage prévu"))
    add_legend(fmap, items, title)
    return fmap
