"""Capacitated vehicle routing with PyVRP: the solver entry point and its geographic wrapper.

:func:`solve_vrp` takes a distance matrix in any unit, the demands, the
capacity and number of vehicles, the depot's index, a time limit and a seed,
and returns a :class:`RoutingResult`: the routes as lists of point indices
(depot excluded), each route's distance and load, and the total distance.
Optional arguments add what waste collection needs: service times, time
windows and a shift length (with a duration matrix), a disposal site where a
full truck empties before going on (multi-trip routes), and optional points
that are visited only when it is worth it.

:func:`solve_geo` builds the matrices from coordinates (great-circle distance
× a detour factor, or the user's road-distance matrix) and calls it.

A call goes through four steps, one module each: checks (``_checks``, and
the fleet's lower bounds in ``bounds``), the PyVRP problem (``_problem``),
the search (``_search``: PyVRP's iterated local search, Wouda, Lan & Kool,
*PyVRP: a high-performance VRP solver package*, INFORMS Journal on
Computing, 2024, bounded by a wall-clock deadline, one run per core, the
runs going on from the best plan so far in a few epochs; a tight fleet is
first searched loose, then taken down one route at a time) and the
decoding of the best solution (``_decode``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from sandbox.data.errors import DataError
from sandbox.models.collection._checks import check_demands, check_fleet, check_reach, square
from sandbox.models.collection._decode import decode
from sandbox.models.collection._problem import build_problem, repair, warm_start
from sandbox.models.collection._search import MIN_PARALLEL_POINTS, Progress, default_workers, search, warm_up
from sandbox.models.collection.bounds import FleetBound, fleet_bound
from sandbox.models.collection.geo import DEFAULT_DETOUR, DEFAULT_SPEED_KMH, road_distance_matrix
from sandbox.models.collection.result import RoutingResult, shift_indices
from sandbox.text import num, plural

__all__ = ["FleetTooSmall", "NoPlanFound", "Progress", "RoutingResult", "solve_geo", "solve_vrp"]


class FleetTooSmall(DataError):
    """The fleet cannot serve every required point, and a lower bound proves it (``bound`` says how many trucks)."""

    def __init__(self, problem: str, *, bound: FleetBound | None = None, **kwargs) -> None:
        super().__init__(problem, **kwargs)
        self.bound = bound


class NoPlanFound(DataError):
    """No plan serving every point was found in time, though the fleet is not proved too small.

    Attributes
    ----------
    bound : FleetBound
        The true lower bound (never above the fleet).
    partial : RoutingResult
        The best plan found, cut down to what the fleet can serve (``unserved`` lists the rest).
    """

    def __init__(self, problem: str, *, bound: FleetBound, partial: RoutingResult, **kwargs) -> None:
        super().__init__(problem, **kwargs)
        self.bound, self.partial, self._kwargs = bound, partial, dict(kwargs, problem=problem)

    def shifted(self, offset: int) -> NoPlanFound:
        """The same error with the partial plan's indices lowered by *offset* (see :func:`shift_indices`)."""
        kwargs = dict(self._kwargs)
        problem = kwargs.pop("problem")
        return NoPlanFound(problem, bound=self.bound, partial=shift_indices(self.partial, offset), **kwargs)


def size_hint(distances) -> int:
    """Rows of a distance matrix (0 if it has no length), before it is checked."""
    try:
        return len(distances)
    except TypeError:
        return 0


def _proved_short(bound: FleetBound, n_vehicles: int, reloads: bool, filename) -> FleetTooSmall:
    return FleetTooSmall(
        f"la flotte ne suffit pas : {plural(n_vehicles, 'camion')} alors qu'il en faut {bound.text()}",
        bound=bound, filename=filename,
        hint=("Ajoutez des camions, augmentez leur capacité, allongez la durée de service ou élargissez les créneaux horaires."
              if reloads else
              "Ajoutez des camions, augmentez leur capacité, ou indiquez un exutoire où les vider en cours de tournée."),
    )


def _not_found(bound: FleetBound, n_vehicles: int, limit: float, partial: RoutingResult, n_required: int,
               missing: int, reloads: bool, filename) -> NoPlanFound:
    served = n_required - missing
    return NoPlanFound(
        f"aucun plan desservant tous les points avec {plural(n_vehicles, 'camion')} n'a été trouvé en "
        f"{num(limit, 0)} s, mais ce n'est pas prouvé impossible : il faut {bound.text()}. "
        f"Le meilleur plan trouvé dessert {num(served)} points sur {num(n_required)}",
        bound=bound, partial=partial, filename=filename,
        hint="Essayez un temps de calcul plus long, un camion de plus"
        + (" ou des créneaux plus larges." if reloads else ", ou un exutoire pour vider les camions en cours de tournée."),
    )


def solve_vrp(
    distances,
    demands,
    capacity: float,
    n_vehicles: int,
    depot: int = 0,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    disposal: int | None = None,
    durations=None,
    service_times=None,
    time_windows=None,
    shift_duration: float | None = None,
    unload_time: float = 0.0,
    duration_weight: float = 0.0,
    initial_routes: Sequence[Sequence[Sequence[int]]] | None = None,
    optional=None,
    prizes=None,
    on_shortfall: str = "raise",
    max_iterations: int | None = None,
    names: Sequence[str] | None = None,
    rows: Sequence[int] | None = None,
    filename: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> RoutingResult:
    """Find short capacitated routes with PyVRP, within a time limit.

    Parameters
    ----------
    distances : array-like, shape (n, n)
        Distances between every pair of locations, in any unit (km, m,
        minutes…); may be asymmetric. Index *depot* is the depot, every
        other index a point to serve (except *disposal*).
    demands : array-like, shape (n,)
        Quantity collected at each location, in any unit (litres, kg…);
        ignored for the depot and the disposal site.
    capacity : float
        What one truck holds, in the demands' unit.
    n_vehicles : int
        Trucks available (the solver may use fewer).
    depot : int
        Index of the depot, where every route starts and ends.
    time_limit : float
        Wall-clock budget of the whole call, in seconds (building the first
        solution of a few thousand points can overrun it by a few seconds).
    seed : int
        Seed of the search's random numbers.
    disposal : int, optional
        Index of the disposal site. When given, a truck empties there when it
        is full and goes on (several trips per route), and every route
        empties there before going back to the depot. Without it, each truck
        makes one trip (the classic CVRP).
    durations : array-like, shape (n, n), optional
        Travel times in seconds; needed for service times, time windows and
        a shift length.
    service_times : array-like, shape (n,), optional
        Seconds spent at each point.
    time_windows : array-like, shape (n, 2), optional
        Earliest and latest start of service at each point, in seconds from
        the start of the shift; NaN where there is none.
    shift_duration : float, optional
        Longest route, in seconds, from leaving the depot to coming back.
    unload_time : float
        Seconds spent emptying the truck at the disposal site.
    duration_weight : float
        What one second of route duration costs, in distance units (0: the
        objective is the distance alone). With time windows, a small weight
        keeps trucks from waiting idle for a window to open.
    initial_routes : list of routes, each a list of trips (lists of indices), optional
        A starting plan (for instance sectors in nearest-neighbour order):
        on thousands of points it saves the solver most of its construction.
    optional : array-like of bool, shape (n,), optional
        Points that may be skipped.
    prizes : array-like, shape (n,), optional
        For optional points, what visiting them is worth, in distance units:
        the solver visits an optional point when its detour costs less.
        Zero (the default) means: visit only if it costs nothing.
    on_shortfall : {"raise", "partial"}
        When the fleet cannot serve every required point: raise
        :class:`FleetTooSmall` when a lower bound proves it (with the bound),
        :class:`NoPlanFound` when the search found no plan in time although
        none is proved impossible (with the bound and the best partial plan);
        or (``"partial"``) serve as many points as possible and list the
        others in ``unserved``.
    max_iterations : int, optional
        Stop each search phase after this many iterations (makes a run
        reproducible when the time limit is not reached).
    names, rows : sequence, optional
        Name and spreadsheet row of each index, used in error messages.
    filename : str, optional
        Named in error messages.
    progress : callable, optional
        ``progress(fraction, message)``, called a few times per second.
    workers : int, optional
        Searches run at once, one per core, each with its own seed, within
        the same time limit: independent at first, then going on from the
        best plan so far, epoch after epoch (default: the cores available, at
        most 4). The same *seed* and *workers* give the same plan when the
        search is bounded by *max_iterations*.

    Returns
    -------
    RoutingResult

    Raises
    ------
    DataError
        Matrix of the wrong shape, negative or missing values, no point to
        serve, a demand larger than a truck, a point out of reach within the
        shift or its time window, or (with ``on_shortfall="raise"``) a fleet
        proved too small (:class:`FleetTooSmall`) or no plan found in time
        (:class:`NoPlanFound`).

    Examples
    --------
    Four points on a line, a truck of capacity 2: two trips out and back.

    >>> x = np.array([0.0, 1.0, 2.0, -1.0, -2.0])
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> result = solve_vrp(d, [0, 1, 1, 1, 1], capacity=2, n_vehicles=2, time_limit=1, seed=1)
    >>> sorted(sorted(r) for r in result.routes)
    [[1, 2], [3, 4]]
    >>> result.total_distance, result.loads
    (8.0, (2.0, 2.0))
    """
    start = time.perf_counter()
    workers = default_workers() if workers is None else max(1, int(workers))
    if size_hint(distances) > MIN_PARALLEL_POINTS:
        warm_up(workers)  # the worker processes start while the problem is checked and built
    if on_shortfall not in ("raise", "partial"):
        raise ValueError("on_shortfall must be 'raise' or 'partial'")
    demand = np.asarray(demands, dtype="float64").ravel()
    size = len(demand)
    dist = square(distances, size, "des distances", filename)
    if not 0 <= depot < size:
        raise ValueError(f"depot index {depot} outside 0..{size - 1}")
    if disposal is not None and (not 0 <= disposal < size or disposal == depot):
        raise ValueError(f"disposal index {disposal} must be another index in 0..{size - 1}")
    check_fleet(capacity, n_vehicles)
    n_vehicles = int(n_vehicles)
    sites = {depot} | ({disposal} if disposal is not None else set())
    points = [i for i in range(size) if i not in sites]
    if not points:
        raise DataError("aucun point à collecter : la liste ne contient que le dépôt", filename=filename)
    check_demands(demand, points, capacity, names, rows, filename)
    optional_mask = np.zeros(size, bool) if optional is None else np.asarray(optional, bool).ravel().copy()
    optional_mask[list(sites)] = False
    prize = np.zeros(size) if prizes is None else np.nan_to_num(np.asarray(prizes, dtype="float64").ravel())

    timed = durations is not None
    if not timed and (time_windows is not None or shift_duration is not None or service_times is not None):
        raise ValueError("service_times, time_windows and shift_duration need a durations matrix")
    dur = square(durations, size, "des temps de parcours", filename) if timed else np.zeros((size, size))
    service = np.zeros(size) if service_times is None else np.nan_to_num(np.asarray(service_times, dtype="float64").ravel())
    service[list(sites)] = 0.0
    windows = np.full((size, 2), np.nan) if time_windows is None else np.asarray(time_windows, dtype="float64").reshape(size, 2)

    end = disposal if disposal is not None else depot
    back_dist = dist[disposal, depot] if disposal is not None else 0.0
    back_time = (dur[disposal, depot] + unload_time) if disposal is not None else 0.0
    shift = math.inf if shift_duration is None else float(shift_duration)
    if timed:
        check_reach(points, dur, service, windows, depot, end, shift - back_time, names, rows, filename)

    required = np.zeros(size, bool)
    required[points] = ~optional_mask[points]
    reloads = disposal is not None
    bound = fleet_bound(demand, capacity, required=required, reloads=reloads, durations=dur if timed else None,
                        service=service, shift_seconds=shift if timed else None, unload_seconds=unload_time)
    if on_shortfall == "raise" and bound.proves_short(n_vehicles):
        raise _proved_short(bound, n_vehicles, reloads, filename)

    problem = build_problem(
        dist, dur, demand, capacity, n_vehicles, depot, disposal, points, service, windows, optional_mask, prize,
        shift - back_time, back_dist, back_time, unload_time, duration_weight, partial=on_shortfall == "partial",
    )
    if progress is not None:
        progress(0.0, "Construction d'une première solution…")
    fewest = max(1, bound.trucks_capacity) if not reloads else 1
    warm = warm_start(problem.data, initial_routes, points, n_vehicles, reloads)
    best, iterations = search(
        problem.data, n_vehicles, int(seed), start, max(float(time_limit), 0.0), max_iterations, progress,
        min_vehicles=min(fewest, n_vehicles), initial=warm,
        workers=workers,
    )
    if progress is not None:
        progress(1.0, "Recherche terminée")

    feasible = bool(best.is_feasible())
    if on_shortfall == "raise" and not feasible:
        best = repair(problem.data, best)
    parts = decode(best, points, dist, demand, depot, disposal, back_time)
    missing_required = [i for i in parts.unserved if not optional_mask[i]]
    result = RoutingResult(
        routes=parts.routes,
        trips=parts.trips,
        distances=parts.distances,
        loads=parts.loads,
        trip_loads=parts.trip_loads,
        capacity=float(capacity),
        n_vehicles=n_vehicles,
        durations=parts.durations if timed else None,
        starts=parts.starts if timed else None,
        unserved=parts.unserved,
        feasible=feasible and not missing_required,
        runtime=time.perf_counter() - start,
        iterations=int(iterations),
    )
    if on_shortfall == "raise" and not result.feasible:
        raise _not_found(bound, n_vehicles, float(time_limit), result, int(required.sum()), len(missing_required), reloads,
                         filename)
    return result


def solve_geo(
    lat,
    lon,
    demands,
    capacity: float,
    n_vehicles: int,
    depot: tuple[float, float],
    *,
    disposal: tuple[float, float] | None = None,
    detour: float = DEFAULT_DETOUR,
    matrix_km=None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    service_minutes=None,
    time_windows_minutes=None,
    shift_hours: float | None = None,
    unload_minutes: float = 15.0,
    optional=None,
    prizes_km=None,
    time_limit: float = 5.0,
    seed: int = 0,
    on_shortfall: str = "raise",
    max_iterations: int | None = None,
    names: Sequence[str] | None = None,
    rows: Sequence[int] | None = None,
    filename: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> RoutingResult:
    """Routes from coordinates: builds the distance and time matrices, then calls :func:`solve_vrp`.

    Parameters
    ----------
    lat, lon : array-like, shape (n,)
        The points to serve, in degrees WGS 84.
    demands : array-like, shape (n,)
        Quantity collected at each point (litres…).
    capacity, n_vehicles : as in :func:`solve_vrp`.
    depot : (lat, lon)
        Where the trucks start and end.
    disposal : (lat, lon), optional
        Where full trucks empty (incinerator, sorting centre…).
    detour : float
        Road distance ÷ great-circle distance (1.3 by default, a usual value
        in dense towns); ignored with *matrix_km*.
    matrix_km : array-like, shape (m, m), optional
        Road distances in km between [depot, disposal (if any), points…],
        e.g. from a router; replaces the great-circle estimate.
    speed_kmh : float
        Average speed between stops, for travel times.
    service_minutes : array-like, shape (n,), optional
        Minutes spent at each point.
    time_windows_minutes : array-like, shape (n, 2), optional
        Earliest and latest start of service, in minutes from the start of
        the shift (NaN: no limit).
    shift_hours : float, optional
        Longest route in hours, depot to depot.
    unload_minutes : float
        Time to empty the truck at the disposal site.
    optional, prizes_km : optional points and what visiting them is worth in km.
    time_limit, seed, on_shortfall, max_iterations, names, rows, filename, progress, workers :
        As in :func:`solve_vrp`.

    Returns
    -------
    RoutingResult
        Indices are positions in *lat*/*lon*; distances in km; durations in seconds.

    Examples
    --------
    >>> result = solve_geo([48.86, 48.87, 48.86], [2.44, 2.45, 2.46], [300, 300, 300],
    ...                    capacity=1000, n_vehicles=1, depot=(48.85, 2.45), time_limit=0.5, seed=1)
    >>> result.n_routes, sorted(result.routes[0]), round(result.total_distance, 1)
    (1, [0, 1, 2], 6.9)
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    n = len(lat)
    if n == 0:
        raise DataError("aucun point à collecter", filename=filename)
    sites = [depot] + ([disposal] if disposal is not None else [])
    offset = len(sites)
    all_lat = np.concatenate([[s[0] for s in sites], lat])
    all_lon = np.concatenate([[s[1] for s in sites], lon])
    if matrix_km is not None:
        dist = square(matrix_km, n + offset, "des distances", filename)
    else:
        dist = road_distance_matrix(all_lat, all_lon, detour)
    durations = dist / float(speed_kmh) * 3600.0
    demand = np.concatenate([np.zeros(offset), np.asarray(demands, dtype="float64")])
    service = None if service_minutes is None else np.concatenate([np.zeros(offset), np.asarray(service_minutes, dtype="float64") * 60])
    windows = None
    if time_windows_minutes is not None:
        windows = np.vstack([np.full((offset, 2), np.nan), np.asarray(time_windows_minutes, dtype="float64").reshape(n, 2) * 60])
    opt = None if optional is None else np.concatenate([np.zeros(offset, bool), np.asarray(optional, bool)])
    prizes = None if prizes_km is None else np.concatenate([np.zeros(offset), np.asarray(prizes_km, dtype="float64")])
    all_names = None if names is None else [*("dépôt", "exutoire")[:offset], *names]
    all_rows = None if rows is None else [0] * offset + list(rows)
    try:
        result = solve_vrp(
            dist, demand, capacity, n_vehicles, 0,
            time_limit=time_limit, seed=seed, disposal=1 if disposal is not None else None,
            durations=durations, service_times=service, time_windows=windows,
            shift_duration=None if shift_hours is None else shift_hours * 3600.0,
            unload_time=unload_minutes * 60.0, optional=opt, prizes=prizes,
            on_shortfall=on_shortfall, max_iterations=max_iterations,
            names=all_names, rows=all_rows, filename=filename, progress=progress, workers=workers,
    )
    except NoPlanFound as exc:
        raise exc.shifted(offset) from None
    return shift_indices(result, offset)
