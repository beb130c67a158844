"""Waste-collection planning: today's rounds, balanced sectors, optimised rounds and prediction, together.

:func:`plan_collection` takes the validated collection points, the depot
(and disposal site) and the fleet, and returns a :class:`CollectionPlan`:
today's rounds (fixed sectors in nearest-neighbour order) as the baseline,
balanced sectors, the rounds optimised by PyVRP under a time limit, the
figures against the baseline, the route sheets and GeoJSON exports, and
« pourquoi ce point ? » explanations.

Examples
--------
>>> import pandas as pd
>>> points = pd.DataFrame({
...     "id": ["A", "B", "C", "D"],
...     "latitude": [48.860, 48.862, 48.866, 48.868],
...     "longitude": [2.440, 2.446, 2.440, 2.446],
...     "container_l": [660.0] * 4,
...     "sector": ["S1", "S2", "S1", "S2"],
... })
>>> plan = plan_collection(points, depot=(48.864, 2.452), fleet=Fleet(vehicles=2, capacity_l=2000),
...                        time_limit=0.5, seed=0)
>>> plan.optimised.total_distance <= plan.baseline.total_distance
True
>>> plan.optimised.n_trips, int(plan.points["route"].notna().sum())  # 2 640 L for 2 000 L trucks: two trips
(2, 4)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.mapping import normalise_name
from sandbox.data.schema import spreadsheet_rows
from sandbox.sheet.report import Figure
from sandbox.models.collection.routing import (
    DEFAULT_DETOUR,
    DEFAULT_SPEED_KMH,
    IDF_LAT,
    IDF_LON,
    FleetTooSmall,
    RoutingResult,
    Progress,
    local_xy_km,
    road_distance_matrix,
    solve_vrp,
)
from sandbox.models.collection.sectors import BalancedSectors, nearest_neighbour_rounds, sector_balance
from sandbox.text import num, pct, plural, q, rows_list

METHOD_SUMMARY_FR = (
    "Les distances entre points sont estimées à vol d'oiseau, multipliées par un facteur de détour "
    "(1,3 par défaut), ou lues dans une matrice de distances routières fournie. "
    "La référence « tournées actuelles » garde les secteurs existants et visite leurs points du plus proche "
    "au plus proche, en vidant le camion à l'exutoire quand il est plein. "
    "L'optimisation répartit les points entre les camions et les ordonne avec PyVRP, un solveur de tournées "
    "de l'état de l'art (recherche locale itérée), en respectant capacités, durée de service et créneaux horaires, "
    "dans un temps de calcul limité. "
    "En option, un modèle d'apprentissage (gradient boosting, scikit-learn) prévoit le remplissage de chaque bac "
    "à partir de l'historique des capteurs ; les points prévus presque vides deviennent facultatifs, "
    "avec le risque de débordement estimé."
)

# Greenhouse-gas factor of road diesel, upstream + combustion: Arrêté du 26 avril 2017 (information GES des
# prestations de transport), annex, « gazole routier » 3,17 kg CO2e/L. The consumption of a collection truck
# is an order of magnitude to replace with the fleet's own figure.
DIESEL_KG_CO2E_PER_L = 3.17
DEFAULT_CONSUMPTION_L_100KM = 60.0
CO2_SOURCE_FR = (
    "3,17 kg CO₂e par litre de gazole routier (amont et combustion : arrêté du 26 avril 2017, annexe, "
    "facteurs d'émission des sources d'énergie des transports) × une consommation supposée de "
    "{consumption} L aux 100 km pour une benne en collecte (ordre de grandeur, à remplacer par la vôtre)"
)

STREAMS = {
    "ordures menageres": "ordures ménagères", "om": "ordures ménagères", "omr": "ordures ménagères",
    "ordures menageres residuelles": "ordures ménagères", "residuel": "ordures ménagères",
    "emballages": "emballages", "cs": "emballages", "collecte selective": "emballages", "recyclables": "emballages",
    "emballages papiers": "emballages", "multimateriaux": "emballages", "bac jaune": "emballages",
    "verre": "verre", "pav verre": "verre", "biodechets": "biodéchets", "bio": "biodéchets", "dechets alimentaires": "biodéchets",
}
ALL_STREAMS = "tous les flux"
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*(?:[:hH]\s*(\d{1,2})?)?(?::\d{1,2})?\s*$")


def normalise_stream(value: object) -> str:
    """Canonical French name of a waste stream (« OM » → « ordures ménagères »).

    >>> normalise_stream("OMR"), normalise_stream("Collecte sélective"), normalise_stream("Papiers")
    ('ordures ménagères', 'emballages', 'Papiers')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return STREAMS.get(normalise_name(text), text)


def parse_clock(value: object) -> float:
    """Minutes since midnight from « 8:00 », « 08h30 », « 8h », « 07:45:00 »; NaN if empty; ValueError if unreadable.

    >>> parse_clock("8:00"), parse_clock("08h30"), parse_clock("7 h"), parse_clock("")
    (480.0, 510.0, 420.0, nan)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    text = str(value).strip()
    if not text:
        return math.nan
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(text)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 24 or minutes >= 60:
        raise ValueError(text)
    return hours * 60.0 + minutes


def clock(minutes: float) -> str:
    """« 07 h 42 » for minutes since midnight.

    >>> clock(462)
    '07\\xa0h\\xa042'
    """
    if minutes is None or not math.isfinite(minutes):
        return "–"
    total = int(round(minutes))
    return f"{total // 60:02d}\u00a0h\u00a0{total % 60:02d}"


@dataclass(frozen=True)
class Fleet:
    """The trucks of one round.

    Attributes
    ----------
    vehicles : int
        Trucks available.
    capacity_l : float
        Volume of bins a truck collects before it must empty (litres, uncompacted).
    shift_hours : float or None
        Longest round, depot to depot (None: no limit).
    speed_kmh : float
        Average speed between stops.
    unload_minutes : float
        Time to empty the truck at the disposal site.
    shift_start : str
        Clock time the trucks leave the depot (« 06:00 »).
    """

    vehicles: int = 3
    capacity_l: float = 40_000.0
    shift_hours: float | None = 7.0
    speed_kmh: float = DEFAULT_SPEED_KMH
    unload_minutes: float = 20.0
    shift_start: str = "06:00"


@dataclass(frozen=True)
class Site:
    """The depot or the disposal site."""

    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PointExplanation:
    """Answer to « pourquoi ce point ? ».

    Attributes
    ----------
    point_id : str
    status : {"collecté", "facultatif non collecté", "non desservi"}
    text : str
        French explanation (Markdown).
    extra_km : float
        What serving it costs (served: the distance saved without it;
        left out: the cheapest insertion).
    reasons : tuple of str
        For a point left out: what prevents serving it (« capacité », « durée de service », « créneau »).
    """

    point_id: str
    status: str
    text: str
    extra_km: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CollectionPlan:
    """Today's rounds, balanced sectors and optimised rounds for one stream, with their figures.

    Attributes
    ----------
    points : DataFrame
        The points planned, index as in the input (``spreadsheet_rows`` names
        them), with ``demand_l``, ``fill_pct``, ``fill_source``,
        ``sector_current``, ``sector_balanced``, ``optional``, ``route``,
        ``trip``, ``order``, ``arrival`` (« 07 h 42 »), ``baseline_route``,
        ``baseline_order``, ``status``, and ``overflow_risk`` with a forecast.
    depot, disposal : Site
        The disposal site is the depot when none was given.
    fleet : Fleet
    baseline, optimised : RoutingResult
        Indices are positions in ``points``; distances in km, durations in s.
    distance_km : ndarray
        Road-distance matrix over [depot, disposal, points…].
    detour : float or None
        None when the user's matrix was used.
    co2_kg_per_km : float
    consumption_l_100km : float
    stream : str
    warnings : tuple of str
    shortfall : str or None
        Why some points could not be served (the fleet is too small).
    balanced_loads, current_loads : tuple of float
        Volume per sector.
    skip_threshold : float or None
    skip_value_km : float
    """

    points: pd.DataFrame
    depot: Site
    disposal: Site
    fleet: Fleet
    baseline: RoutingResult
    optimised: RoutingResult
    distance_km: np.ndarray
    detour: float | None
    co2_kg_per_km: float
    consumption_l_100km: float
    stream: str
    warnings: tuple[str, ...] = ()
    shortfall: str | None = None
    balanced_loads: tuple[float, ...] = ()
    current_loads: tuple[float, ...] = ()
    current_sectors_given: bool = True
    skip_threshold: float | None = None
    skip_value_km: float = 1.0
    disposal_given: bool = True

    # -- figures -------------------------------------------------------------

    @property
    def hours(self) -> float:
        return sum(self.optimised.durations or ()) / 3600

    @property
    def baseline_hours(self) -> float:
        return sum(self.baseline.durations or ()) / 3600

    @property
    def skipped(self) -> pd.DataFrame:
        """Points not collected today (optional skipped, or not served)."""
        return self.points[self.points["status"] != "collecté"]

    def figures(self) -> tuple[Figure, ...]:
        """The page's figures against today's rounds, with stable keys."""
        base, opt = self.baseline, self.optimised
        figures = [
            Figure("Distance totale", opt.total_distance, "km", base.total_distance, decimals=1, key="km"),
            Figure("Heures d'équipage", self.hours, "h", self.baseline_hours, decimals=1, key="hours"),
            Figure("Camions utilisés", opt.n_routes, "", base.n_routes, key="trucks"),
            Figure(
                "Remplissage moyen par voyage", 100 * float(np.mean(opt.load_ratios())) if opt.n_trips else 0.0, "%",
                100 * float(np.mean(base.load_ratios())) if base.n_trips else None, lower_is_better=False, key="load_pct",
            ),
            Figure("Émissions de CO₂", opt.total_distance * self.co2_kg_per_km, "kg CO₂e",
                   base.total_distance * self.co2_kg_per_km, key="co2_kg"),
            Figure("Points non collectés aujourd'hui", float(len(self.skipped)), "", 0.0, key="points_skipped"),
        ]
        if "overflow_risk" in self.points and self.skip_threshold is not None:
            risk = float(self.skipped["overflow_risk"].fillna(0).sum())
            figures.append(Figure("Débordements attendus", risk, "", 0.0, decimals=1, key="overflow_expected"))
        return tuple(figures)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures() if f.key == key)

    # -- geometry ------------------------------------------------------------

    def _latlon(self, index: int) -> tuple[float, float]:
        """Coordinates of a matrix index (0 depot, 1 disposal, 2+ points)."""
        if index == 0:
            return (self.depot.latitude, self.depot.longitude)
        if index == 1:
            return (self.disposal.latitude, self.disposal.longitude)
        row = self.points.iloc[index - 2]
        return (float(row["latitude"]), float(row["longitude"]))

    def paths(self, which: str = "optimised") -> list[list[tuple[float, float]]]:
        """For each route: the (lat, lon) of depot → stops → disposal … → depot."""
        result = self.optimised if which == "optimised" else self.baseline
        out = []
        for trips in result.trips:
            sequence = [0]
            for trip in trips:
                sequence += [p + 2 for p in trip] + [1]
            sequence.append(0)
            out.append([self._latlon(i) for i in sequence])
        return out

    # -- exports -------------------------------------------------------------

    def route_sheet(self, route: int, which: str = "optimised") -> pd.DataFrame:
        """Ordered stops of route *route* (from 1), with the trips to the disposal site, in French."""
        result = self.optimised if which == "optimised" else self.baseline
        trips = result.trips[route - 1]
        start = parse_clock(self.fleet.shift_start)
        starts = result.starts[route - 1] if result.starts is not None else None
        rows, order, load, km, here = [], 0, 0.0, 0.0, 0
        rows.append(self._sheet_row(None, "départ", self.depot.name, None, np.nan, 0.0, 0.0, start, None))
        for t, trip in enumerate(trips):
            load = 0.0
            for p in trip:
                km += self.distance_km[here, p + 2]
                here = p + 2
                load += float(self.points["demand_l"].iloc[p])
                arrival = start + starts[order] / 60 if starts is not None else math.nan
                rows.append(self._sheet_row(order + 1, "collecte", None, t + 1, p, load, km, arrival, None))
                order += 1
            km += self.distance_km[here, 1]
            here = 1
            rows.append(self._sheet_row(None, "vidage", self.disposal.name, t + 1, np.nan, load, km, math.nan, None))
        km += self.distance_km[here, 0]
        rows.append(self._sheet_row(None, "retour", self.depot.name, None, np.nan, 0.0, km, math.nan, None))
        sheet = pd.DataFrame(rows)
        for column in ("ordre", "voyage", "volume prévu (L)", "charge cumulée (L)"):
            sheet[column] = sheet[column].astype("Int64")
        return sheet

    def _sheet_row(self, order, kind, name, trip, point, load, km, arrival, _):
        if isinstance(point, (int, np.integer)):
            row = self.points.iloc[int(point)]
            where = row.get("address") if isinstance(row.get("address"), str) and row.get("address") else ""
            ident, lat, lon, volume = row["id"], row["latitude"], row["longitude"], row["demand_l"]
            window = _window_text(row.get("tw_start_min"), row.get("tw_end_min"), parse_clock(self.fleet.shift_start))
        else:
            ident, where, volume, window = "", name, np.nan, ""
            lat, lon = self._latlon(0 if kind in ("départ", "retour") else 1)
        return {
            "ordre": order,
            "étape": kind,
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

    def route_sheets(self) -> dict[int, pd.DataFrame]:
        """A route sheet per truck of the optimised plan."""
        return {r + 1: self.route_sheet(r + 1) for r in range(self.optimised.n_routes)}

    def to_geojson(self, which: str = "optimised") -> dict:
        """The routes as LineStrings (and their stops as Points), GeoJSON (lon, lat)."""
        result = self.optimised if which == "optimised" else self.baseline
        features = []
        for r, path in enumerate(self.paths(which)):
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
            row = self.points.iloc[p]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(float(row["longitude"]), 6), round(float(row["latitude"]), 6)]},
                    "properties": {"identifiant": str(row["id"]), "tournee": r + 1, "voyage": t + 1, "ordre": k + 1,
                                   "volume_l": round(float(row["demand_l"]))},
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def summary_lines(self) -> list[str]:
        """The figures as French lines (command line, logs)."""
        lines = []
        for f in self.figures():
            change = f" ({pct(f.change, signed=True)} par rapport aux tournées actuelles : {num(f.baseline, f.decimals)})" if f.change is not None else ""
            lines.append(f"{f.label} : {num(f.value, f.decimals)}{' ' + f.unit if f.unit else ''}{change}")
        return lines

    # -- « pourquoi ce point ? » ---------------------------------------------

    def explain(self, point_id: str) -> PointExplanation:
        """Why this point is served where it is (its extra km), or what keeps it out of the rounds."""
        matches = np.flatnonzero(self.points["id"].astype(str).to_numpy() == str(point_id))
        if not len(matches):
            raise KeyError(point_id)
        p = int(matches[0])
        row = self.points.iloc[p]
        where = self.optimised.route_of()
        if p in where:
            return self._explain_served(p, row, where[p])
        return self._explain_left_out(p, row)

    def _sequence(self, route: int) -> list[int]:
        sequence = [0]
        for trip in self.optimised.trips[route]:
            sequence += [q_ + 2 for q_ in trip] + [1]
        return sequence + [0]

    def _name(self, index: int) -> str:
        if index == 0:
            return f"le dépôt ({self.depot.name})"
        if index == 1:
            return f"l'exutoire ({self.disposal.name})" if self.disposal_given else f"le dépôt ({self.depot.name})"
        return q(self.points["id"].iloc[index - 2])

    def _explain_served(self, p: int, row, where) -> PointExplanation:
        r, t, k = where
        d = self.distance_km
        seq = self._sequence(r)
        pos = seq.index(p + 2)
        prev, nxt = seq[pos - 1], seq[pos + 1]
        extra = d[prev, p + 2] + d[p + 2, nxt] - d[prev, nxt]
        trip_load = self.optimised.trip_loads[r][t]
        lines = [
            f"**{q(row['id'])} est collecté par le camion {r + 1}**, voyage {t + 1}, {_nth(k + 1)} arrêt"
            + (f", vers {row['arrival']}" if isinstance(row.get("arrival"), str) and row.get("arrival") else "") + ".",
            f"Le desservir coûte **{num(extra, 2)} km** de plus : sans lui, le camion irait directement de "
            f"{self._name(prev)} à {self._name(nxt)}.",
            f"Volume prévu : {num(row['demand_l'])} L ({row['fill_source']}) ; charge du voyage : "
            f"{num(trip_load)} L sur {num(self.fleet.capacity_l)} L ({pct(trip_load / self.fleet.capacity_l, 0)}).",
        ]
        window = _window_text(row.get("tw_start_min"), row.get("tw_end_min"), parse_clock(self.fleet.shift_start))
        if window:
            lines.append(f"Créneau à respecter : {window}.")
        if bool(row.get("optional")):
            value = float(row["fill_pct"]) / 100 * self.skip_value_km
            lines.append(
                f"Visite facultative (remplissage prévu {num(row['fill_pct'])} %, sous le seuil de {num(self.skip_threshold)} %), "
                f"faite quand même : le détour ({num(extra, 2)} km) vaut moins que la collecte ({num(value, 2)} km)."
            )
        base_route = row.get("baseline_route")
        if pd.notna(base_route):
            lines.append(f"Aujourd'hui : secteur {q(row['sector_current'])}, {_nth(int(row['baseline_order']))} arrêt.")
        return PointExplanation(str(row["id"]), "collecté", "\n\n".join(lines), float(extra))

    def _explain_left_out(self, p: int, row) -> PointExplanation:
        d = self.distance_km
        dur_per_km = 3600.0 / self.fleet.speed_kmh
        demand = float(row["demand_l"])
        service = float(row.get("service_min") or 0.0) * 60
        start = parse_clock(self.fleet.shift_start)
        early = row.get("tw_start_min")
        late = row.get("tw_end_min")
        shift = (self.fleet.shift_hours or math.inf) * 3600
        best = (math.inf, None, None)
        per_route = []
        for r in range(self.optimised.n_routes):
            seq = self._sequence(r)
            trip_of = _trip_of_edges(self.optimised.trips[r])
            starts = self.optimised.starts[r] if self.optimised.starts is not None else ()
            options = []
            for e in range(len(seq) - 1):
                a, b = seq[e], seq[e + 1]
                if trip_of[e] is None:  # the way home: not part of a trip
                    continue
                extra = d[a, p + 2] + d[p + 2, b] - d[a, b]
                reasons = []
                if self.optimised.trip_loads[r][trip_of[e]] + demand > self.fleet.capacity_l * (1 + 1e-9):
                    reasons.append("capacité")
                if self.optimised.durations is not None and self.optimised.durations[r] + extra * dur_per_km + service > shift:
                    reasons.append("durée de service")
                before = _service_start(e, seq, starts)
                if before is not None and late is not None and np.isfinite(late):
                    arrival = before + (d[a, p + 2] * dur_per_km) / 60
                    if arrival > late:
                        reasons.append("créneau")
                options.append((extra, reasons, (a, b)))
            if not options:
                continue
            options.sort(key=lambda o: o[0])
            feasible = [o for o in options if not o[1]]
            cheapest = options[0]
            per_route.append((r, cheapest, feasible[0] if feasible else None))
            if cheapest[0] < best[0]:
                best = (cheapest[0], r, cheapest[2])
        optional = bool(row.get("optional"))
        status = "facultatif non collecté" if optional else "non desservi"
        lines = []
        if optional:
            value = float(row["fill_pct"]) / 100 * self.skip_value_km
            lines.append(
                f"**{q(row['id'])} n'est pas collecté aujourd'hui** : remplissage prévu {num(row['fill_pct'])} %, "
                f"sous le seuil de {num(self.skip_threshold)} % (visite facultative)."
            )
            if math.isfinite(best[0]):
                lines.append(
                    f"Le collecter coûterait au mieux **{num(best[0], 2)} km** de plus (camion {best[1] + 1}, entre "
                    f"{self._name(best[2][0])} et {self._name(best[2][1])}), plus que sa collecte ne vaut "
                    f"({num(value, 2)} km : {num(row['fill_pct'])} % de {num(self.skip_value_km, 1)} km pour un bac plein)."
                )
            if pd.notna(row.get("overflow_risk")):
                lines.append(
                    f"Risque de débordement d'ici la prochaine collecte habituelle (dans {plural(int(row['next_days']), 'jour')}) : "
                    f"**{pct(float(row['overflow_risk']), 0)}** (remplissage prévu alors : {num(row['fill_next_pred'])} %)."
                )
            return PointExplanation(str(row["id"]), status, "\n\n".join(lines), float(best[0]))
        reasons_all: set[str] = set()
        detail = []
        for r, cheapest, feasible in per_route:
            if feasible is not None:
                detail.append(f"camion {r + 1} : rien ne l'empêche (+{num(feasible[0], 2)} km) — la recherche a manqué de temps")
                continue
            reasons_all.update(cheapest[1])
            detail.append(f"camion {r + 1} : {', '.join(cheapest[1])} (+{num(cheapest[0], 2)} km au mieux)")
        if not per_route:
            reasons_all.add("flotte")
            detail.append("aucun camion n'est disponible")
        lines.append(f"**{q(row['id'])} n'est pas desservi** : la flotte ne suffit pas pour tout collecter.")
        lines.append("Ce qui l'empêche, pour chaque camion : " + " ; ".join(detail) + ".")
        if self.shortfall:
            lines.append(self.shortfall)
        return PointExplanation(str(row["id"]), status, "\n\n".join(lines), float(best[0]), tuple(sorted(reasons_all)))


def _nth(k: int) -> str:
    """« 1er », « 2e »…"""
    return "1er" if k == 1 else f"{k}e"


def _trip_of_edges(trips) -> list[int | None]:
    """For each edge of depot → trip 1 → disposal → trip 2 → … → disposal → depot: its trip (None for the way home)."""
    out = []
    for t, trip in enumerate(trips):
        out += [t] * (len(trip) + 1)
    return out + [None]


def _service_start(edge: int, seq: list[int], starts) -> float | None:
    """Clock-free start of service (minutes from shift start) at the stop before *edge*, if it is a point."""
    if not len(starts) or seq[edge] < 2:
        return 0.0 if seq[edge] == 0 else None
    position = sum(1 for s in seq[1 : edge + 1] if s >= 2) - 1
    return starts[position] / 60 if 0 <= position < len(starts) else None


def _window_text(early, late, start: float) -> str:
    parts = []
    if early is not None and np.isfinite(early):
        parts.append(f"pas avant {clock(start + early)}")
    if late is not None and np.isfinite(late):
        parts.append(f"au plus tard {clock(start + late)}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def check_coordinates(frame: pd.DataFrame, *, filename: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Detect latitude/longitude swapped (corrected, and said) and points far outside Île-de-France (dropped, and said).

    Raises DataError when no point is left in Île-de-France.

    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "latitude": [48.86, 2.45, 43.3], "longitude": [2.44, 48.87, 5.4]})
    >>> fixed, warnings = check_coordinates(df)
    >>> fixed[["latitude", "longitude"]].values.tolist()
    [[48.86, 2.44], [48.87, 2.45]]
    >>> len(warnings)
    2
    """
    frame = frame.copy()
    lat = frame["latitude"].astype("float64")
    lon = frame["longitude"].astype("float64")
    warnings = []
    swapped = lat.between(*IDF_LON) & lon.between(*IDF_LAT)
    rows = pd.Series(spreadsheet_rows(frame.index), index=frame.index)
    if swapped.any():
        frame.loc[swapped, ["latitude", "longitude"]] = frame.loc[swapped, ["longitude", "latitude"]].to_numpy()
        where = "sur toutes les lignes" if swapped.all() else f"sur {plural(int(swapped.sum()), 'ligne')} ({_lines(rows[swapped].tolist())})"
        warnings.append(
            f"Latitude et longitude semblent inversées {where} : elles ont été remises dans l'ordre. "
            "Vérifiez la correspondance des colonnes."
        )
    lat = frame["latitude"].astype("float64")
    lon = frame["longitude"].astype("float64")
    outside = ~(lat.between(*IDF_LAT) & lon.between(*IDF_LON))
    if outside.all():
        raise DataError(
            "aucun point n'est en Île-de-France (latitude attendue entre 48,1 et 49,25, longitude entre 1,4 et 3,6)",
            filename=filename, column="latitude", rows=rows[outside].tolist(),
            hint="Vérifiez que les coordonnées sont en degrés WGS 84 et que les colonnes latitude et longitude sont les bonnes.",
        )
    if outside.any():
        count = int(outside.sum())
        sample = ", ".join(f"{q(i)} ({num(a, 3)} ; {num(o, 3)})" for i, a, o in zip(frame.loc[outside, "id"].head(3), lat[outside].head(3), lon[outside].head(3)))
        warnings.append(
            f"{plural(count, 'point')} loin de l'Île-de-France, {'ignoré' if count == 1 else 'ignorés'} "
            f"({_lines(rows[outside].tolist())}) : {sample}. Corrigez {'ses' if count == 1 else 'leurs'} coordonnées."
        )
        frame = frame[~outside]
    return frame, warnings


def _lines(rows: list[int]) -> str:
    """« ligne 6 » or « lignes 6, 9 »."""
    return f"ligne {rows[0]}" if len(rows) == 1 else f"lignes {rows_list(rows)}"


def _demands(frame: pd.DataFrame, forecast_fill: pd.Series | None, filename: str | None) -> tuple[pd.Series, pd.Series, pd.Series, list[str]]:
    """Volume to collect at each point (L), the fill level used (%), and where it came from."""
    n = len(frame)
    volume = frame["volume_l"] if "volume_l" in frame else pd.Series(np.nan, index=frame.index)
    fill = frame["fill_pct"] if "fill_pct" in frame else pd.Series(np.nan, index=frame.index)
    container = frame["container_l"] if "container_l" in frame else pd.Series(np.nan, index=frame.index)
    source = pd.Series("", index=frame.index, dtype="object")
    warnings = []
    if forecast_fill is not None:
        predicted = forecast_fill.reindex(frame["id"].astype(str)).to_numpy()
        has = np.isfinite(predicted) & container.notna().to_numpy()
        fill = fill.astype("float64").where(~has, predicted)
        source[has] = "prévision"
        missing = int((~has).sum())
        if missing and missing < n:
            warnings.append(f"{plural(missing, 'point')} sans historique de capteur : volume tiré du fichier des points.")
    demand = volume.astype("float64").copy()
    from_fill = demand.isna() & fill.notna() & container.notna()
    demand[from_fill] = fill[from_fill] / 100 * container[from_fill]
    source[from_fill & (source == "")] = "remplissage indiqué"
    full = demand.isna() & container.notna()
    demand[full] = container[full]
    fill = fill.where(~full, 100.0)
    source[full] = "bac plein supposé"
    given = volume.notna() & (source == "")
    source[given] = "volume indiqué"
    fill = fill.where(fill.notna(), np.where(container.notna() & (container > 0), 100 * demand / container, np.nan))
    unknown = demand.isna()
    if unknown.any():
        rows = spreadsheet_rows(frame.index[unknown])
        raise DataError(
            f"volume à collecter inconnu pour {plural(int(unknown.sum()), 'point')}",
            filename=filename, rows=rows.tolist(),
            hint="Indiquez le volume à collecter, ou la contenance du bac (avec, si possible, son taux de remplissage).",
        )
    return demand, fill, source, warnings


def _windows(frame: pd.DataFrame, start: float, filename: str | None) -> np.ndarray:
    out = np.full((len(frame), 2), np.nan)
    for k, column in enumerate(("tw_start", "tw_end")):
        if column not in frame:
            continue
        bad = []
        for i, value in enumerate(frame[column].tolist()):
            try:
                out[i, k] = parse_clock(value) - start
            except ValueError:
                bad.append(i)
        if bad:
            raise DataError(
                f"heure illisible dans {plural(len(bad), 'ligne')} : {', '.join(q(frame[column].iloc[i]) for i in bad[:3])}",
                filename=filename, column=column, rows=spreadsheet_rows(frame.index[bad]).tolist(),
                hint="Écrivez les heures sous la forme hh:mm (par exemple 07:30 ou 7h30).",
            )
    reversed_ = np.isfinite(out).all(axis=1) & (out[:, 0] > out[:, 1])
    if reversed_.any():
        raise DataError(
            "créneau horaire qui finit avant de commencer",
            filename=filename, rows=spreadsheet_rows(frame.index[reversed_]).tolist(),
            hint="Vérifiez le début et la fin du créneau de ces points.",
        )
    return out


def matrix_from_table(
    table: pd.DataFrame, ids, *, depot_label: str = "dépôt", disposal_label: str | None = "exutoire",
    unit: str = "km", filename: str | None = None,
) -> np.ndarray:
    """A labelled square distance matrix (first column and header = place names) → km over [depot, disposal, ids…].

    The depot and disposal rows are found by their label (« dépôt », « exutoire »,
    case and accents ignored). Without a disposal label, the depot is used twice.

    >>> t = pd.DataFrame({"lieu": ["dépôt", "A", "B"], "dépôt": [0, 1000, 2000], "A": [1000, 0, 1500], "B": [2000, 1500, 0]})
    >>> matrix_from_table(t, ["B", "A"], disposal_label=None, unit="m").tolist()
    [[0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 1.0], [2.0, 2.0, 0.0, 1.5], [1.0, 1.0, 1.5, 0.0]]
    """
    if table.shape[1] < 2:
        raise DataError("la matrice des distances n'a qu'une colonne", filename=filename,
                        hint="La première colonne nomme les lieux, l'en-tête aussi, dans le même ordre.")
    labels = [str(v).strip() for v in table.iloc[:, 0].tolist()]
    header = [str(v).strip() for v in table.columns[1:]]
    if len(labels) != len(header):
        raise DataError(
            f"la matrice des distances a {plural(len(labels), 'ligne')} et {plural(len(header), 'colonne')} de distances : "
            "elle doit être carrée",
            filename=filename, hint="Une ligne et une colonne par lieu : le dépôt, l'exutoire et chaque point.",
        )
    key = {normalise_name(v): i for i, v in enumerate(labels)}
    col_key = {normalise_name(v): i for i, v in enumerate(header)}
    wanted = [depot_label, disposal_label or depot_label, *[str(i) for i in ids]]
    missing = [w for w in wanted if normalise_name(w) not in key or normalise_name(w) not in col_key]
    if missing:
        raise DataError(
            f"la matrice des distances ne couvre pas {plural(len(missing), 'lieu')} : {', '.join(q(m) for m in missing[:5])}"
            + (f", … ({num(len(missing))} en tout)" if len(missing) > 5 else ""),
            filename=filename,
            hint=f"La matrice doit avoir une ligne et une colonne pour {q(depot_label)}"
            + (f", {q(disposal_label)}" if disposal_label else "") + " et chaque identifiant de point.",
        )
    rows_idx = [key[normalise_name(w)] for w in wanted]
    cols_idx = [col_key[normalise_name(w)] for w in wanted]
    values = table.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    matrix = values[np.ix_(rows_idx, cols_idx)]
    bad = ~np.isfinite(matrix) | (matrix < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(
            f"la matrice des distances contient {plural(int(bad.sum()), 'case vide, négative ou non numérique', 'cases vides, négatives ou non numériques')}, "
            f"par exemple de {q(wanted[i])} à {q(wanted[j])}",
            filename=filename, hint="Chaque case doit être une distance positive ou nulle.",
        )
    return matrix / 1000.0 if unit == "m" else matrix


def streams_in(frame: pd.DataFrame) -> list[str]:
    """The waste streams present, the largest first."""
    if "stream" not in frame or frame["stream"].isna().all():
        return []
    counts = frame["stream"].map(normalise_stream).replace("", np.nan).dropna().value_counts()
    return counts.index.tolist()


def select_stream(frame: pd.DataFrame, stream: str | None, *, filename: str | None = None) -> pd.DataFrame:
    """The points of one stream (all of them for None or « tous les flux »); DataError if none."""
    if len(frame) == 0:
        raise DataError("aucun point à collecter : le tableau est vide", filename=filename)
    if stream in (None, "", ALL_STREAMS) or "stream" not in frame:
        return frame
    chosen = frame[frame["stream"].map(normalise_stream) == normalise_stream(stream)]
    if chosen.empty:
        raise DataError(
            f"aucun point à collecter pour le flux {q(stream)}", filename=filename,
            hint="Flux présents : " + ", ".join(q(s) for s in streams_in(frame)) + ".",
        )
    return chosen


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


def plan_collection(
    points: pd.DataFrame,
    depot: tuple[float, float] | Site,
    *,
    disposal: tuple[float, float] | Site | None = None,
    fleet: Fleet = Fleet(),
    stream: str | None = None,
    detour: float = DEFAULT_DETOUR,
    matrix_km: np.ndarray | None = None,
    forecast=None,
    skip_below: float | None = None,
    skip_value_km: float = 1.0,
    consumption_l_100km: float = DEFAULT_CONSUMPTION_L_100KM,
    time_limit: float = 5.0,
    seed: int = 0,
    max_iterations: int | None = None,
    filename: str | None = None,
    progress: Progress | None = None,
) -> CollectionPlan:
    """Plan one stream's collection and compare it with today's rounds.

    Parameters
    ----------
    points : DataFrame
        Validated collection points (:data:`sandbox.data.schemas.collection.POINTS` columns).
    depot : (lat, lon) or Site
    disposal : (lat, lon) or Site, optional
        Where full trucks empty; the depot when not given.
    fleet : Fleet
    stream : str, optional
        Plan only this waste stream.
    detour : float
        Road distance ÷ great-circle distance; ignored with *matrix_km*.
    matrix_km : ndarray, optional
        Road distances over [depot, disposal, points of *points* in order] (see :func:`matrix_from_table`);
        the points of other streams are dropped from it.
    forecast : FillForecast, optional
        Predicted fill levels: they give the volumes, and allow skipping.
    skip_below : float, optional
        With a forecast: points predicted under this fill level (%) become
        optional visits, collected only when worth their detour.
    skip_value_km : float
        What collecting a full bin is worth, in km of detour (a bin at 40 %
        is worth 0.4 × this).
    consumption_l_100km : float
        Fuel use of a collection truck, for CO₂.
    time_limit, seed, max_iterations : the solver's budget.
    filename : str, optional
        Named in error messages.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    CollectionPlan

    Raises
    ------
    DataError
        No point, coordinates outside Île-de-France, unknown volumes, a point
        larger than a truck, unreadable or impossible time windows, a matrix
        of the wrong size.
    """
    depot_site = depot if isinstance(depot, Site) else Site("Dépôt", float(depot[0]), float(depot[1]))
    disposal_given = disposal is not None
    if disposal is None:
        disposal_site = Site(depot_site.name, depot_site.latitude, depot_site.longitude)
    else:
        disposal_site = disposal if isinstance(disposal, Site) else Site("Exutoire", float(disposal[0]), float(disposal[1]))
    for site, label in ((depot_site, "du dépôt"), (disposal_site, "de l'exutoire")):
        if not (np.isfinite(site.latitude) and np.isfinite(site.longitude)):
            raise DataError(f"coordonnées {label} manquantes ou non numériques")
        if IDF_LAT[0] <= site.longitude <= IDF_LAT[1] and IDF_LON[0] <= site.latitude <= IDF_LON[1]:
            raise DataError(f"latitude et longitude {label} semblent inversées ({num(site.latitude, 4)} ; {num(site.longitude, 4)})",
                            hint="Donnez la latitude (vers 48,8) puis la longitude (vers 2,4).")
        if not (IDF_LAT[0] <= site.latitude <= IDF_LAT[1] and IDF_LON[0] <= site.longitude <= IDF_LON[1]):
            raise DataError(f"coordonnées {label} hors d'Île-de-France ({num(site.latitude, 4)} ; {num(site.longitude, 4)})",
                            hint="Donnez la latitude (vers 48,8) puis la longitude (vers 2,4), en degrés WGS 84.")
    if fleet.vehicles < 1:
        raise DataError("il faut au moins un camion")
    if not fleet.capacity_l > 0:
        raise DataError("la capacité d'un camion doit être strictement positive")

    chosen = select_stream(points, stream, filename=filename)
    chosen, warnings = check_coordinates(chosen, filename=filename)
    kept_positions = points.index.get_indexer(chosen.index)
    fill_forecast = forecast.frame["fill_pred"] if forecast is not None else None
    demand, fill, source, more = _demands(chosen, fill_forecast, filename)
    warnings += more
    start = parse_clock(fleet.shift_start)
    if not math.isfinite(start):
        raise DataError(f"heure de début de service illisible : {q(fleet.shift_start)}")
    windows = _windows(chosen, start, filename)
    service_min = chosen["service_min"].astype("float64").fillna(0.0).to_numpy() if "service_min" in chosen else np.zeros(len(chosen))

    lat = chosen["latitude"].to_numpy(dtype="float64")
    lon = chosen["longitude"].to_numpy(dtype="float64")
    n = len(chosen)
    if matrix_km is not None:
        full = np.asarray(matrix_km, dtype="float64")
        if full.shape != (len(points) + 2, len(points) + 2):
            raise DataError(
                f"la matrice des distances a la forme {' × '.join(num(s) for s in full.shape)} ; il en faut une de "
                f"{num(len(points) + 2)} × {num(len(points) + 2)} (dépôt, exutoire et {plural(len(points), 'point')})"
            )
        keep = np.concatenate([[0, 1], kept_positions + 2])
        dist = full[np.ix_(keep, keep)]
        used_detour = None
    else:
        dist = road_distance_matrix(
            np.concatenate([[depot_site.latitude, disposal_site.latitude], lat]),
            np.concatenate([[depot_site.longitude, disposal_site.longitude], lon]),
            detour,
        )
        used_detour = float(detour)
    durations = dist / float(fleet.speed_kmh) * 3600.0
    demand_all = np.concatenate([[0.0, 0.0], demand.to_numpy()])
    service_all = np.concatenate([[0.0, 0.0], service_min * 60])
    windows_all = np.vstack([np.full((2, 2), np.nan), windows * 60])
    ids = chosen["id"].astype(str).tolist()
    rows = spreadsheet_rows(chosen.index).tolist()

    # Today's sectors: the file's, or balanced sectors when it has none.
    xy = local_xy_km(lat, lon)
    balanced = BalancedSectors(n_sectors=min(fleet.vehicles, n), random_state=seed).fit(xy, sample_weight=demand.to_numpy())
    balanced_labels = [f"S{c + 1}" for c in balanced.labels_]
    sector_given = "sector" in chosen and chosen["sector"].notna().all() and (chosen["sector"].astype(str).str.strip() != "").all()
    current = chosen["sector"].astype(str).str.strip().tolist() if sector_given else balanced_labels
    if not sector_given:
        warnings.append(
            "Le fichier n'indique pas les secteurs actuels : la référence « tournées actuelles » utilise des secteurs "
            "équilibrés (une hypothèse favorable à la situation actuelle)."
        )
    baseline = nearest_neighbour_rounds(
        dist, demand_all, fleet.capacity_l, ["", ""] + current, 0, disposal=1,
        durations=durations, service_times=service_all, unload_time=fleet.unload_minutes * 60,
    )

    # A starting plan for the solver: the balanced sectors, each in nearest-neighbour order.
    start_plan = nearest_neighbour_rounds(dist, demand_all, fleet.capacity_l, ["", ""] + balanced_labels, 0, disposal=1)
    optional = np.zeros(n + 2, bool)
    prizes = np.zeros(n + 2)
    if forecast is not None and skip_below is not None:
        predicted = source.to_numpy() == "prévision"
        optional[2:] = predicted & (fill.to_numpy() < skip_below)
        prizes[2:] = np.clip(fill.to_numpy(), 0, None) / 100 * skip_value_km
    shift_s = fleet.shift_hours * 3600 if fleet.shift_hours else None
    solve = dict(
        time_limit=time_limit, seed=seed, disposal=1, durations=durations, service_times=service_all,
        time_windows=windows_all, shift_duration=shift_s, unload_time=fleet.unload_minutes * 60,
        duration_weight=fleet.speed_kmh / 3600,  # an hour on the road costs the km driven in an hour
        optional=optional, prizes=prizes, max_iterations=max_iterations, initial_routes=start_plan.trips,
        names=["dépôt", "exutoire", *ids], rows=[0, 0, *rows], filename=filename, progress=progress,
    )
    shortfall = _obvious_shortfall(demand_all, service_all, durations, fleet, optional)
    if shortfall is None:
        try:
            optimised = solve_vrp(dist, demand_all, fleet.capacity_l, fleet.vehicles, 0, on_shortfall="raise", **solve)
        except FleetTooSmall as exc:
            shortfall = str(exc)
    if shortfall is not None:
        optimised = solve_vrp(dist, demand_all, fleet.capacity_l, fleet.vehicles, 0, on_shortfall="partial", **solve)
        warnings.append(shortfall)
    optimised = _to_positions(optimised)
    baseline = _to_positions(baseline)
    if shift_s and baseline.durations and max(baseline.durations) > shift_s:
        warnings.append(
            f"Les tournées actuelles reconstituées dépassent la durée de service (jusqu'à {num(max(baseline.durations) / 3600, 1)} h "
            f"pour {num(fleet.shift_hours, 1)} h) : heures supplémentaires, ou secteurs à revoir."
        )
    far = float(np.median(dist[0, 2:]))
    if far > 15:
        warnings.append(
            f"Le dépôt est à {num(far, 0)} km des points (distance médiane) : vérifiez ses coordonnées."
        )

    frame = chosen.copy()
    frame["stream"] = frame["stream"].map(normalise_stream) if "stream" in frame else ""
    frame["demand_l"] = demand.to_numpy()
    frame["fill_pct"] = fill.to_numpy()
    frame["fill_source"] = source.to_numpy()
    frame["service_min"] = service_min
    frame["tw_start_min"] = windows[:, 0]
    frame["tw_end_min"] = windows[:, 1]
    frame["sector_current"] = current
    frame["sector_balanced"] = balanced_labels
    frame["optional"] = optional[2:]
    for name, result in (("", optimised), ("baseline_", baseline)):
        route = np.full(n, np.nan)
        trip = np.full(n, np.nan)
        order = np.full(n, np.nan)
        for p, (r, t, k) in result.route_of().items():
            route[p], trip[p], order[p] = r + 1, t + 1, k + 1
        frame[f"{name}route"] = pd.array(route, dtype="Int64") if not np.isnan(route).any() else route
        frame[f"{name}order"] = order
        if not name:
            frame["trip"] = trip
    arrival = [""] * n
    if optimised.starts is not None:
        for r, trips in enumerate(optimised.trips):
            for k, p in enumerate(p_ for t in trips for p_ in t):
                arrival[p] = clock(start + optimised.starts[r][k] / 60)
    frame["arrival"] = arrival
    served = np.isfinite(frame["route"].to_numpy(dtype="float64"))
    frame["status"] = np.where(served, "collecté", np.where(frame["optional"], "facultatif non collecté", "non desservi"))
    if forecast is not None:
        extra = forecast.frame.reindex(frame["id"].astype(str))[["fill_next_pred", "next_days", "overflow_risk"]]
        for column in extra:
            frame[column] = extra[column].to_numpy()

    return CollectionPlan(
        points=frame,
        depot=depot_site,
        disposal=disposal_site,
        fleet=fleet,
        baseline=baseline,
        optimised=optimised,
        distance_km=dist,
        detour=used_detour,
        co2_kg_per_km=consumption_l_100km / 100 * DIESEL_KG_CO2E_PER_L,
        consumption_l_100km=consumption_l_100km,
        stream=normalise_stream(stream) if stream not in (None, "", ALL_STREAMS) else ALL_STREAMS,
        warnings=tuple(warnings),
        shortfall=shortfall,
        balanced_loads=tuple(float(v) for v in balanced.loads_),
        current_loads=tuple(float(v) for v in pd.Series(demand.to_numpy()).groupby(current).sum().to_numpy()),
        current_sectors_given=bool(sector_given),
        skip_threshold=skip_below if forecast is not None else None,
        skip_value_km=skip_value_km,
        disposal_given=disposal_given,
    )


def _to_positions(result: RoutingResult) -> RoutingResult:
    """Matrix indices (0 depot, 1 disposal, 2+ points) → positions in the points."""
    return replace(
        result,
        routes=tuple(tuple(i - 2 for i in r) for r in result.routes),
        trips=tuple(tuple(tuple(i - 2 for i in t) for t in trips) for trips in result.trips),
        unserved=tuple(i - 2 for i in result.unserved),
    )


def _obvious_shortfall(demand, service, durations, fleet: Fleet, optional) -> str | None:
    """A lower bound on the work: if even it exceeds the fleet's hours, say how many trucks are needed."""
    if not fleet.shift_hours:
        return None
    required = ~optional
    required[:2] = False
    trips = math.ceil(demand[required].sum() / fleet.capacity_l - 1e-9)
    # Each point needs its service and at least the shortest way out of it; each trip one unloading.
    nearest = np.where(np.eye(len(durations), dtype=bool), np.inf, durations).min(axis=1)
    work = service[required].sum() + nearest[required].sum() + trips * fleet.unload_minutes * 60
    available = fleet.vehicles * fleet.shift_hours * 3600
    if work <= available:
        return None
    needed = math.ceil(work / (fleet.shift_hours * 3600))
    return (
        f"La flotte ne suffit pas : même sans compter les trajets entre quartiers, il faut au moins "
        f"{num(work / 3600, 1)} h de travail ({plural(trips, 'voyage')} à l'exutoire) pour {plural(fleet.vehicles, 'camion')} "
        f"de {num(fleet.shift_hours, 1)} h : il faudrait au moins {plural(needed, 'camion')}. "
        "Le plan ci-dessous dessert ce qu'il peut."
    )


def sector_summary(plan: CollectionPlan) -> dict[str, float]:
    """Balance of today's sectors and of the balanced sectors (largest load ÷ mean)."""
    return {"current": sector_balance(plan.current_loads), "balanced": sector_balance(plan.balanced_loads)}
