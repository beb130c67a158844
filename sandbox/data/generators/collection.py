"""Sample data of the waste-collection demo: Montreuil's collection points and 30 days of sensor readings.

About 400 synthetic collection points along a plausible street grid clipped
to the real outline of Montreuil (93048): household waste, packaging and
glass; the municipal depot on the commune's edge and a transfer centre
outside it; today's sectors; and 30 days of daily fill-level readings with
the bins emptied on today's collection days (household waste Monday,
Wednesday and Friday, packaging on Wednesdays, glass every other Wednesday).
The planning day is Wednesday 1 April 2026, the day after the history.

Files (``sample_data/collection/``): ``points.csv``, ``history.csv``, ``sites.csv``
— semicolon-separated, decimal commas, UTF-8, as a French spreadsheet exports them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.data.communes import load_outlines

COMMUNE = "93048"  # Montreuil
FIRST_DAY = pd.Timestamp("2026-03-02")  # a Monday
DAYS = 30
PLAN_DAY = FIRST_DAY + pd.Timedelta(days=DAYS)  # Wednesday 1 April 2026

STREAMS = {
    # name: (points, containers (L), their weights, service minutes, daily fill rate range (% of the bin))
    "ordures ménagères": (230, (240, 340, 660, 770), (0.15, 0.2, 0.5, 0.15), 1.0, (8.0, 26.0)),
    "emballages": (110, (240, 340, 660), (0.3, 0.3, 0.4), 1.0, (4.0, 12.0)),
    "verre": (60, (3000, 4000), (0.6, 0.4), 4.0, (2.0, 6.5)),
}
# Weekdays (Monday = 0) when each stream is collected today; glass every other Wednesday from 4 March.
SCHEDULE = {"ordures ménagères": {0, 2, 4}, "emballages": {2}, "verre": {2}}
# More household waste at the weekend, a little more packaging on Mondays.
WEEKDAY_FACTOR = {
    "ordures ménagères": (1.05, 0.9, 0.9, 0.9, 1.0, 1.25, 1.35),
    "emballages": (1.2, 0.9, 0.9, 0.9, 0.95, 1.1, 1.15),
    "verre": (0.9, 0.8, 0.8, 0.9, 1.1, 1.3, 1.3),
}
STREET_NAMES = (
    "rue de Paris", "rue de la République", "avenue Pasteur", "rue Victor-Hugo", "boulevard de la Liberté",
    "rue des Lilas", "rue du Progrès", "rue des Jardins", "avenue de la Résistance", "rue Étienne-Marcel",
    "rue des Écoles", "rue de la Fraternité", "rue des Vignes", "rue du Marché", "rue Jean-Jaurès",
    "rue des Roses", "rue de l'Église", "rue des Peupliers", "rue Molière", "rue Voltaire",
    "rue de la Paix", "rue des Acacias", "rue du Moulin", "rue de la Mairie", "rue des Tilleuls",
    "rue Condorcet", "rue de la Solidarité", "rue des Sorbiers", "rue Danton", "rue des Prés",
)
KM_PER_DEG_LAT = 111.195


def _outline() -> np.ndarray:
    outlines = load_outlines()
    feature = next(f for f in outlines["features"] if f["properties"]["code_insee"] == COMMUNE)
    geometry = feature["geometry"]
    ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else max(
        (p[0] for p in geometry["coordinates"]), key=len
    )
    return np.asarray(ring, dtype="float64")  # (lon, lat)


def _inside(x: np.ndarray, y: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Ray casting: which points (x, y) are inside the polygon *ring* (same units)."""
    inside = np.zeros(len(x), bool)
    xs, ys = ring[:, 0], ring[:, 1]
    for i in range(len(ring) - 1):
        x1, y1, x2, y2 = xs[i], ys[i], xs[i + 1], ys[i + 1]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < at)
    return inside


def _streets(rng: np.random.Generator, ring_km: np.ndarray, inward: float = 0.06) -> tuple[np.ndarray, np.ndarray]:
    """Candidate addresses along a rotated, irregular street grid inside the outline.

    Returns positions (km) and the index of the street each lies on.
    """
    angle = math.radians(17.0)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    lo, hi = ring_km.min(axis=0) - 0.5, ring_km.max(axis=0) + 0.5
    span = float(np.max(hi - lo)) * 1.5
    centre = (lo + hi) / 2
    positions, street_ids = [], []
    street = 0
    for axis, spacing in ((0, 0.16), (1, 0.22)):
        offsets = np.arange(-span / 2, span / 2, spacing)
        offsets = offsets + rng.normal(0, spacing * 0.15, len(offsets))
        for offset in offsets:
            t = np.arange(-span / 2, span / 2, 0.012)  # a candidate every 12 m
            local = np.column_stack([t, np.full_like(t, offset)]) if axis == 0 else np.column_stack([np.full_like(t, offset), t])
            local[:, 1 - axis] += 0.02 * np.sin(t * rng.uniform(0.5, 1.5) + rng.uniform(0, 6))  # streets bend a little
            pts = local @ rot.T + centre
            positions.append(pts)
            street_ids.append(np.full(len(pts), street))
            street += 1
    pts = np.vstack(positions)
    ids = np.concatenate(street_ids)
    keep = _inside(pts[:, 0], pts[:, 1], ring_km)
    # Stay a little inside the boundary (a street on the border belongs to the neighbour).
    shrunk = centre + (ring_km - centre) * (1 - inward / max(float(np.max(np.abs(ring_km - centre))), 1e-9))
    keep &= _inside(pts[:, 0], pts[:, 1], shrunk)
    return pts[keep], ids[keep]


def _farthest_first(pts: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [int(rng.integers(len(pts)))]
    dist = np.hypot(*(pts - pts[chosen[0]]).T)
    for _ in range(k - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.hypot(*(pts - pts[nxt]).T))
    return np.asarray(chosen)


def _simulate_history(rng: np.random.Generator, points: pd.DataFrame) -> pd.DataFrame:
    days = pd.date_range(FIRST_DAY, periods=DAYS, freq="D")
    records = []
    for _, point in points.iterrows():
        stream = point["flux"]
        low, high = STREAMS[stream][4]
        rate = rng.uniform(low, high) * (0.35 if rng.random() < 0.1 else 1.0)  # a few bins barely used
        factors = WEEKDAY_FACTOR[stream]
        level = rate * rng.uniform(0.5, 3.0)
        for day in days:
            reading = min(100.0, max(0.0, level + rng.normal(0, 1.5)))
            collected = day.weekday() in SCHEDULE[stream]
            if stream == "verre":
                collected = collected and ((day - pd.Timestamp("2026-03-04")).days % 14 == 0)
            missing = rng.random() < 0.008 and not collected  # the sensor did not report that morning
            if not missing:
                records.append((point["identifiant"], day, int(round(reading)), "oui" if collected else "non"))
            if collected:
                level = rng.uniform(0, 3)
            nxt = day + pd.Timedelta(days=1)
            level += rate * factors[nxt.weekday()] * rng.lognormal(0, 0.25)
            if rng.random() < 0.03:
                level += rng.uniform(15, 35)  # bulky deposit, party, market day
    history = pd.DataFrame(records, columns=["identifiant", "date", "remplissage_pct", "vide"])
    history["date"] = history["date"].dt.strftime("%d/%m/%Y")
    return history


def generate(out_dir: Path, seed: int) -> list[Path]:
    rng = np.random.default_rng(seed)
    ring = _outline()
    lat0 = float(ring[:, 1].mean())
    lon0 = float(ring[:, 0].mean())
    km_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))

    def to_km(lon, lat):
        return np.column_stack([(np.asarray(lon) - lon0) * km_lon, (np.asarray(lat) - lat0) * KM_PER_DEG_LAT])

    def to_deg(xy):
        return xy[:, 1] / KM_PER_DEG_LAT + lat0, xy[:, 0] / km_lon + lon0

    ring_km = to_km(ring[:, 0], ring[:, 1])
    candidates, streets = _streets(rng, ring_km)
    # Denser towards Paris (west) and the town centre.
    west = candidates[:, 0] - candidates[:, 0].min()
    weight = 1.0 + 1.8 * np.exp(-west / 1.4)
    weight /= weight.sum()

    n_om, n_pack, n_glass = (STREAMS[s][0] for s in STREAMS)
    om = rng.choice(len(candidates), size=n_om, replace=False, p=weight)
    pack = rng.choice(om, size=n_pack, replace=False)  # packaging bins stand next to household-waste bins
    others = np.setdiff1d(np.arange(len(candidates)), om)
    glass = others[_farthest_first(candidates[others], n_glass, rng)]

    rows = []
    for stream, chosen, prefix in (("ordures ménagères", om, "OM"), ("emballages", pack, "EMB"), ("verre", glass, "VER")):
        _, sizes, probs, service, _ = STREAMS[stream]
        xy = candidates[chosen] + rng.normal(0, 0.004, (len(chosen), 2))
        if stream == "emballages":
            xy = xy + 0.003
        lat, lon = to_deg(xy)
        containers = rng.choice(sizes, size=len(chosen), p=probs)
        for k in range(len(chosen)):
            street = int(streets[chosen[k]])
            rows.append(
                {
                    "identifiant": f"{prefix}-{k + 1:03d}",
                    "latitude": round(float(lat[k]), 6),
                    "longitude": round(float(lon[k]), 6),
                    "flux": stream,
                    "contenance_l": int(containers[k]),
                    "temps_service_min": round(service * (0.7 if containers[k] <= 340 else 1.0), 1),
                    "debut_creneau": "",
                    "fin_creneau": "",
                    "adresse": f"{int(rng.integers(1, 120))} {STREET_NAMES[street % len(STREET_NAMES)]}",
                    "_x": float(xy[k, 0]),
                    "_y": float(xy[k, 1]),
                }
            )
    points = pd.DataFrame(rows)

    # Time windows: the market street before 8:00, around schools not before 9:00.
    om_rows = points.index[points["flux"] == "ordures ménagères"]
    centre = np.array([points.loc[om_rows, "_x"].median(), points.loc[om_rows, "_y"].median()])
    near_market = np.hypot(points.loc[om_rows, "_x"] - centre[0], points.loc[om_rows, "_y"] - centre[1]).sort_values().index[:12]
    points.loc[near_market, "fin_creneau"] = "08:00"
    schools = rng.choice(np.setdiff1d(om_rows, near_market), size=8, replace=False)
    points.loc[schools, "debut_creneau"] = "09:00"

    # Today's sectors, drawn long ago along main roads: unequal bands.
    points["secteur"] = ""
    for stream, cuts in (("ordures ménagères", (0.3, 0.62)), ("emballages", (0.55,)), ("verre", ())):
        rows_s = points.index[points["flux"] == stream]
        coord = points.loc[rows_s, "_x"] if stream != "emballages" else points.loc[rows_s, "_y"]
        edges = [coord.quantile(c) for c in cuts]
        band = np.searchsorted(edges, coord.to_numpy())
        points.loc[rows_s, "secteur"] = [f"{'OM' if stream == 'ordures ménagères' else stream[:3].upper()}-{chr(65 + b)}" for b in band]

    # The depot on the commune's south-eastern edge, a transfer centre outside, to the north.
    score = ring_km[:, 0] - ring_km[:, 1]
    edge = ring_km[int(np.argmax(score))]
    depot_xy = edge + (ring_km.mean(axis=0) - edge) * 0.04
    north = ring_km[int(np.argmax(ring_km[:, 1]))]
    disposal_xy = north + np.array([-0.4, 1.6])
    (dlat, dlon), (xlat, xlon) = (to_deg(depot_xy[None, :]), to_deg(disposal_xy[None, :]))
    sites = pd.DataFrame(
        {
            "role": ["dépôt", "exutoire"],
            "nom": ["Centre technique municipal (fictif)", "Centre de transfert des déchets (fictif)"],
            "latitude": [round(float(dlat[0]), 6), round(float(xlat[0]), 6)],
            "longitude": [round(float(dlon[0]), 6), round(float(xlon[0]), 6)],
        }
    )

    history = _simulate_history(rng, points)
    points = points.drop(columns=["_x", "_y"])

    folder = Path(out_dir) / "collection"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("points.csv", points), ("history.csv", history), ("sites.csv", sites)):
        path = folder / name
        text = frame.to_csv(sep=";", decimal=",", index=False, lineterminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths
