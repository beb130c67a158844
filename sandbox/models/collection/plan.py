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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.schema import spreadsheet_rows
from sandbox.models.collection import exports
from sandbox.models.collection.explain import PointExplanation, explain_point
from sandbox.models.collection.geo import DEFAULT_DETOUR, DEFAULT_SPEED_KMH, IDF_LAT, IDF_LON, local_xy_km, road_distance_matrix
from sandbox.models.collection.inputs import (  # noqa: F401  (re-exported: the page and the command read them here)
    ALL_STREAMS,
    check_coordinates,
    matrix_from_table,
    normalise_stream,
    point_demands,
    select_stream,
    streams_in,
    time_windows,
)
from sandbox.models.collection.labels import FillSource, Rounds, Status
from sandbox.models.collection.result import RoutingResult, shift_indices
from sandbox.models.collection.routing import FleetTooSmall, NoPlanFound, Progress, solve_vrp
from sandbox.models.collection.sectors import BalancedSectors, nearest_neighbour_rounds, sector_balance
from sandbox.models.collection.times import clock, parse_clock
from sandbox.sheet.report import Figure
from sandbox.text import num, plural, q

# Matrix indices of a plan: 0 the depot, 1 the disposal site, then the points (position p at index p + SITES).
SITES = 2

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
class CollectionPlan:
    """Today's rounds, balanced sectors and optimised rounds for one stream, with their figures.

    Attributes
    ----------
    points : DataFrame
        The points planned, index as in the input (``spreadsheet_rows`` names
        them), with ``demand_l``, ``fill_pct``, ``fill_source``,
        ``sector_current``, ``sector_balanced``, ``optional``, ``route``,
        ``trip``, ``order``, ``arrival`` (« 07 h 42 »), ``baseline_route``,
        ``baseline_order``, ``status`` (a :class:`~sandbox.models.collection.labels.Status`),
        ``fill_source`` (a :class:`~sandbox.models.collection.labels.FillSource`), and
        ``overflow_risk`` with a forecast.
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
        Why some points could not be served (the fleet is proved too small, or
        no plan serving them all was found in the time given).
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
        return self.points[self.points["status"] != Status.SERVED]

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

    def rounds(self, which: Rounds | str = Rounds.OPTIMISED) -> RoutingResult:
        """The optimised rounds or today's (``Rounds.BASELINE``)."""
        return self.optimised if Rounds(which) is Rounds.OPTIMISED else self.baseline

    def latlon(self, index: int) -> tuple[float, float]:
        """Coordinates of a matrix index (0 depot, 1 disposal, 2+ points)."""
        if index == 0:
            return (self.depot.latitude, self.depot.longitude)
        if index == 1:
            return (self.disposal.latitude, self.disposal.longitude)
        row = self.points.iloc[index - 2]
        return (float(row["latitude"]), float(row["longitude"]))

    def paths(self, which: Rounds | str = Rounds.OPTIMISED) -> list[list[tuple[float, float]]]:
        """For each route: the (lat, lon) of depot → stops → disposal … → depot."""
        result = self.rounds(which)
        out = []
        for trips in result.trips:
            sequence = [0]
            for trip in trips:
                sequence += [p + 2 for p in trip] + [1]
            sequence.append(0)
            out.append([self.latlon(i) for i in sequence])
        return out

    # -- exports (sandbox.models.collection.exports) ---------------------------

    def route_sheet(self, route: int, which: Rounds | str = Rounds.OPTIMISED) -> pd.DataFrame:
        """Ordered stops of route *route* (from 1), with the trips to the disposal site, in French."""
        return exports.route_sheet(self, route, which)

    def route_sheets(self) -> dict[int, pd.DataFrame]:
        """A route sheet per truck of the optimised plan."""
        return exports.route_sheets(self)

    def to_geojson(self, which: Rounds | str = Rounds.OPTIMISED) -> dict:
        """The routes as LineStrings (and their stops as Points), GeoJSON (lon, lat)."""
        return exports.to_geojson(self, which)

    def summary_lines(self) -> list[str]:
        """The figures as French lines (command line, logs)."""
        return exports.summary_lines(self)

    # -- « pourquoi ce point ? » (sandbox.models.collection.explain) -----------

    def explain(self, point_id: str) -> PointExplanation:
        """Why this point is served where it is (its extra km), or what keeps it out of the rounds."""
        return explain_point(self, point_id)


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
    demand, fill, source, more = point_demands(chosen, fill_forecast, filename)
    warnings += more
    start = parse_clock(fleet.shift_start)
    if not math.isfinite(start):
        raise DataError(f"heure de début de service illisible : {q(fleet.shift_start)}")
    windows = time_windows(chosen, start, filename)
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
        predicted = (source == FillSource.FORECAST).to_numpy()
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
    shortfall = None
    try:
        optimised = solve_vrp(dist, demand_all, fleet.capacity_l, fleet.vehicles, 0, on_shortfall="raise", **solve)
    except NoPlanFound as exc:  # not proved impossible: the best plan found, cut to what the fleet serves
        shortfall, optimised = str(exc), exc.partial
    except FleetTooSmall as exc:  # proved: serve what the fleet can
        shortfall = f"{exc} Le plan ci-dessous dessert ce qu'il peut."
        optimised = solve_vrp(dist, demand_all, fleet.capacity_l, fleet.vehicles, 0, on_shortfall="partial", **solve)
    if shortfall is not None:
        warnings.append(shortfall)
    optimised = shift_indices(optimised, SITES)
    baseline = shift_indices(baseline, SITES)
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
    frame["status"] = [Status.SERVED if s else Status.OPTIONAL_SKIPPED if o else Status.UNSERVED
                       for s, o in zip(served, frame["optional"].to_numpy())]
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


def sector_summary(plan: CollectionPlan) -> dict[str, float]:
    """Balance of today's sectors and of the balanced sectors (largest load ÷ mean)."""
    return {"current": sector_balance(plan.current_loads), "balanced": sector_balance(plan.balanced_loads)}
