"""Exports of a collection plan: a route sheet per truck (French CSV, formulas neutralised), GeoJSON, summary lines."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sandbox.data.export import to_csv_bytes
from sandbox.models.collection.labels import Rounds, Step, label
from sandbox.models.collection.times import clock, parse_clock, window_text
from sandbox.text import num, pct

if TYPE_CHECKING:
    from sandbox.models.collection.plan import CollectionPlan


def route_sheet(plan: CollectionPlan, route: int, which: Rounds | str = Rounds.OPTIMISED) -> pd.DataFrame:
    """Ordered stops of route *route* (from 1), with the trips to the disposal site, in French."""
    result = plan.rounds(which)
    trips = result.trips[route - 1]
    start = parse_clock(plan.fleet.shift_start)
    starts = result.starts[route - 1] if result.starts is not None else None
    rows, order, load, km, here = [], 0, 0.0, 0.0, 0
    rows.append(_sheet_row(plan, None, Step.START, plan.depot.name, None, np.nan, 0.0, 0.0, start, None))
    for t, trip in enumerate(trips):
        load = 0.0
        for p in trip:
            km += plan.distance_km[here, p + 2]
            here = p + 2
            load += float(plan.points["demand_l"].iloc[p])
            arrival = start + starts[order] / 60 if starts is not None else math.nan
            rows.append(_sheet_row(plan, order + 1, Step.COLLECT, None, t + 1, p, load, km, arrival, None))
            order += 1
        km += plan.distance_km[here, 1]
        here = 1
        rows.append(_sheet_row(plan, None, Step.UNLOAD, plan.disposal.name, t + 1, np.nan, load, km, math.nan, None))
    km += plan.distance_km[here, 0]
    rows.append(_sheet_row(plan, None, Step.RETURN, plan.depot.name, None, np.nan, 0.0, km, math.nan, None))
    sheet = pd.DataFrame(rows)
    for column in ("ordre", "voyage", "volume prévu (L)", "charge cumulée (L)"):
        sheet[column] = sheet[column].astype("Int64")
    return sheet


def _sheet_row(plan: CollectionPlan, order, kind, name, trip, point, load, km, arrival, _):
    if isinstance(point, (int, np.integer)):
        row = plan.points.iloc[int(point)]
        where = row.get("address") if isinstance(row.get("address"), str) and row.get("address") else ""
        ident, lat, lon, volume = row["id"], row["latitude"], row["longitude"], row["demand_l"]
        window = window_text(row.get("tw_start_min"), row.get("tw_end_min"), parse_clock(plan.fleet.shift_start))
    else:
        ident, where, volume, window = "", name, np.nan, ""
        lat, lon = plan.latlon(0 if kind in (Step.START, Step.RETURN) else 1)
    return {
        "ordre": order,
        "étape": label(kind),
        "voyage": trip,
        "identifiant": ident,
        "adresse ou site": where,
        "latitude": round(float(lat), 6),
        "longitude": round(float(lon), 6),
        "volume prévu (L)": round(float(volume)) if np.isfinite(volume) else None,
        "charge cumulée (L)": round(load),
        "km cumulés": round(km, 2),
        "heure prévue": clock(arrival) if np.isfinite(arrival) else "",
        "créneau": window,
    }


def route_sheets(plan: CollectionPlan) -> dict[int, pd.DataFrame]:
    """A route sheet per truck of the optimised plan."""
    return {r + 1: route_sheet(plan, r + 1) for r in range(plan.optimised.n_routes)}


def to_geojson(plan: CollectionPlan, which: Rounds | str = Rounds.OPTIMISED) -> dict:
    """The routes as LineStrings (and their stops as Points), GeoJSON (lon, lat)."""
    result = plan.rounds(which)
    features = []
    for r, path in enumerate(plan.paths(which)):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)] for lat, lon in path]},
                "properties": {
                    "tournee": r + 1,
                    "km": round(result.distances[r], 2),
                    "duree_h": round(result.durations[r] / 3600, 2) if result.durations else None,
                    "points": len(result.routes[r]),
                    "voyages": len(result.trips[r]),
                    "volume_l": round(result.loads[r]),
                },
            }
        )
    where = result.route_of()
    for p, (r, t, k) in sorted(where.items(), key=lambda kv: kv[1]):
        row = plan.points.iloc[p]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(row["longitude"]), 6), round(float(row["latitude"]), 6)]},
                "properties": {"identifiant": str(row["id"]), "tournee": r + 1, "voyage": t + 1, "ordre": k + 1,
                               "volume_l": round(float(row["demand_l"]))},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def summary_lines(plan: CollectionPlan) -> list[str]:
    """The figures as French lines (command line, logs)."""
    lines = []
    for f in plan.figures():
        change = f" ({pct(f.change, signed=True)} par rapport aux tournées actuelles : {num(f.baseline, f.decimals)})" if f.change is not None else ""
        lines.append(f"{f.label} : {num(f.value, f.decimals)}{' ' + f.unit if f.unit else ''}{change}")
    return lines


def sheet_name(route: int) -> str:
    """File name of truck *route*'s sheet (no user text in it).

    >>> sheet_name(3)
    'camion_03.csv'
    """
    return f"camion_{int(route):02d}.csv"


def route_sheets_zip(plan: CollectionPlan) -> bytes:
    """Every route sheet as a French CSV (formulas neutralised) in one ZIP archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for r, sheet in route_sheets(plan).items():
            zf.writestr(sheet_name(r), to_csv_bytes(sheet))
    return archive.getvalue()


def write_route_sheets(plan: CollectionPlan, folder: Path) -> list[Path]:
    """Write every route sheet into *folder* as a French CSV (formulas neutralised); return the paths."""
    written = []
    for r, sheet in route_sheets(plan).items():
        path = Path(folder) / sheet_name(r)
        path.write_bytes(to_csv_bytes(sheet))
        written.append(path)
    return written
