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

The search itself is PyVRP's iterated local search (Wouda, Lan & Kool,
*PyVRP: a high-performance VRP solver package*, INFORMS Journal on
Computing, 2024), bounded by a wall-clock deadline.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.text import num, plural, q

EARTH_RADIUS_KM = 6371.0088
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 15.0

# Île-de-France, generously: points outside this box are not in the region.
IDF_LAT = (48.10, 49.25)
IDF_LON = (1.40, 3.60)

Progress = Callable[[float, str], None]


class FleetTooSmall(DataError):
    """The fleet cannot serve every required point; the message says how many trucks or trips are needed."""


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingResult:
    """The routes found by :func:`solve_vrp` (or :func:`solve_geo`).

    Attributes
    ----------
    routes : tuple of tuple of int
        One entry per vehicle used: the indices of the points it serves, in
        order (depot and disposal site excluded). Indices are the matrix's
        for :func:`solve_vrp`, positions in the point arrays for :func:`solve_geo`.
    trips : tuple of tuple of tuple of int
        The same routes split into trips: a trip ends when the truck goes to
        the disposal site to empty (one trip per route without a disposal site).
    distances : tuple of float
        Distance of each route in the matrix's unit, from the depot back to
        the depot (legs to and from the disposal site included).
    loads : tuple of float
        Total demand collected by each route (all its trips).
    trip_loads : tuple of tuple of float
        Demand collected on each trip (never above ``capacity``).
    durations : tuple of float or None
        Duration of each route in seconds (travel, service, unloading and
        waiting), when durations were given.
    starts : tuple of tuple of float or None
        Start time of service at each stop of each route, in seconds from the
        start of the shift, when durations were given.
    unserved : tuple of int
        Points not visited: optional points skipped, or (with
        ``on_shortfall="partial"``) points the fleet could not serve.
    capacity : float
    n_vehicles : int
    feasible : bool
    runtime : float
        Wall time of the whole call, in seconds.
    iterations : int
        Iterations of the local search.
    """

    routes: tuple[tuple[int, ...], ...]
    trips: tuple[tuple[tuple[int, ...], ...], ...]
    distances: tuple[float, ...]
    loads: tuple[float, ...]
    trip_loads: tuple[tuple[float, ...], ...]
    capacity: float
    n_vehicles: int
    durations: tuple[float, ...] | None = None
    starts: tuple[tuple[float, ...], ...] | None = None
    unserved: tuple[int, ...] = ()
    feasible: bool = True
    runtime: float = 0.0
    iterations: int = 0

    @property
    def total_distance(self) -> float:
        """Sum of the route distances, in the matrix's unit."""
        return float(sum(self.distances))

    @property
    def n_routes(self) -> int:
        """Vehicles actually used."""
        return len(self.routes)

    @property
    def n_trips(self) -> int:
        """Trips over all routes (a trip ends at the disposal site)."""
        return sum(len(t) for t in self.trips)

    @property
    def served(self) -> tuple[int, ...]:
        """Every point visited, route after route."""
        return tuple(i for route in self.routes for i in route)

    def load_ratios(self) -> np.ndarray:
        """Load of every trip as a fraction of the capacity."""
        loads = [load for trips in self.trip_loads for load in trips]
        return np.asarray(loads, dtype="float64") / self.capacity

    def route_of(self) -> dict[int, tuple[int, int, int]]:
        """``{point: (route, trip, position in the route)}`` for every point served."""
        where = {}
        for r, trips in enumerate(self.trips):
            position = 0
            for t, trip in enumerate(trips):
                for point in trip:
                    where[point] = (r, t, position)
                    position += 1
        return where

    def to_frame(self) -> pd.DataFrame:
        """One row per stop: ``route``, ``trip``, ``order``, ``point``, ``start_s`` (if timed).

        ``route`` and ``trip`` count from 1, ``order`` is the stop's rank in its route.
        """
        rows = []
        for r, trips in enumerate(self.trips):
            order = 0
            for t, trip in enumerate(trips):
                for point in trip:
                    row = {"route": r + 1, "trip": t + 1, "order": order + 1, "point": point}
                    if self.starts is not None:
                        row["start_s"] = self.starts[r][order]
                    rows.append(row)
                    order += 1
        columns = ["route", "trip", "order", "point"] + (["start_s"] if self.starts is not None else [])
        return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def _names(indices: Sequence[int], names: Sequence[str] | None, limit: int = 5) -> str:
    shown = [q(names[i]) if names is not None else str(i) for i in list(indices)[:limit]]
    text = ", ".join(shown)
    if len(indices) > limit:
        text += f", … ({num(len(indices))} en tout)"
    return text


def _rows(indices: Sequence[int], rows: Sequence[int] | None) -> list[int]:
    return [int(rows[i]) for i in indices] if rows is not None else []


def _square(matrix, size: int, what: str, filename: str | None) -> np.ndarray:
    array = np.asarray(matrix, dtype="float64")
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] != size:
        shape = " × ".join(num(s) for s in array.shape) if array.ndim else "un seul nombre"
        raise DataError(
            f"la matrice {what} a la forme {shape} ; il en faut une de {num(size)} × {num(size)} "
            f"(une ligne et une colonne par lieu : dépôt, exutoire éventuel et points, dans le même ordre)",
            filename=filename,
            hint="Vérifiez que la matrice couvre exactement les mêmes lieux que la liste des points.",
        )
    bad = ~np.isfinite(array) | (array < 0)
    if bad.any():
        cells = np.argwhere(bad)[:3]
        where = ", ".join(f"({i + 1}, {j + 1})" for i, j in cells)
        raise DataError(
            f"la matrice {what} contient {plural(int(bad.sum()), 'valeur vide, négative ou non numérique', 'valeurs vides, négatives ou non numériques')}, "
            f"par exemple en (ligne, colonne) {where}",
            filename=filename,
            hint="Chaque case doit être un nombre positif ou nul.",
        )
    return array


def fleet_shortfall(total_demand: float, capacity: float, n_vehicles: int, max_trips: int | None = 1) -> int | None:
    """Fewest vehicles (or trips) the demand needs, if the fleet has fewer; else None.

    >>> fleet_shortfall(250, 100, 2)
    3
    >>> fleet_shortfall(150, 100, 2) is None
    True
    """
    needed = math.ceil(total_demand / capacity - 1e-9)
    available = n_vehicles * (max_trips if max_trips else needed)
    return needed if needed > available else None


# ---------------------------------------------------------------------------
# The solver
# ---------------------------------------------------------------------------


class _Deadline:
    """PyVRP stopping criterion: a wall-clock end, an optional iteration cap, progress reports."""

    def __init__(self, start: float, end: float, limit: float, max_iterations: int | None, progress: Progress | None,
                 final_end: float | None = None):
        self.start, self.end, self.limit = start, end, limit
        self.max_iterations, self.progress = max_iterations, progress
        self.final_end = final_end  # a slow construction gets the whole budget (see _fleet_descent)
        self.extended = False
        self.iterations = 0
        self._last_report = 0.0
        self._began = time.perf_counter()

    def __call__(self, best_cost: float) -> bool:
        self.iterations += 1
        now = time.perf_counter()
        if self.iterations == 1 and self.final_end is not None and now - self._began > 0.1 * self.limit:
            self.end, self.extended = self.final_end, True
        if self.progress is not None and now - self._last_report > 0.25:
            self._last_report = now
            elapsed = now - self.start
            self.progress(min(elapsed / self.limit, 1.0) if self.limit else 1.0,
                          f"Recherche en cours : {num(elapsed, 1)} s sur {num(self.limit, 0)} s")
        if self.max_iterations is not None and self.iterations > self.max_iterations:
            return True
        return now >= self.end


def _search(data, seed: int, stop: _Deadline, initial=None, polish: bool = True):
    """One run of PyVRP's iterated local search (as ``pyvrp.solve``, with a warm start and our stop).

    Without *initial*, it starts from a random solution; *initial* (possibly
    incomplete: the local search inserts the missing points) is polished by
    an exhaustive local search first unless *polish* is False. Returns the
    best solution, the iterations and the seconds spent before the search
    proper (the construction).
    """
    from pyvrp import RandomNumberGenerator, Solution
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
    from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
    from pyvrp.search import OPERATORS, LocalSearch, NeighbourhoodParams, PerturbationManager, PerturbationParams
    from pyvrp.search import compute_neighbours

    began = time.perf_counter()
    rng = RandomNumberGenerator(seed=int(seed))
    search = LocalSearch(data, rng, compute_neighbours(data, NeighbourhoodParams()), PerturbationManager(PerturbationParams()))
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    params = PenaltyParams()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)  # an infeasible fleet is reported in French, later
        penalties = PenaltyManager(params.midpoint_penalties(data), params)
        if initial is None:
            initial = Solution.make_random(data, rng)
            polish = True
        if polish:
            initial = search(initial, penalties.max_cost_evaluator(), exhaustive=True)
        setup = time.perf_counter() - began
        algorithm = IteratedLocalSearch(data, penalties, search, initial, IteratedLocalSearchParams())
        outcome = algorithm.run(stop, collect_stats=False, display=False)
    return outcome.best, outcome.num_iterations, setup


def _cost(solution) -> float:
    """Objective of a feasible solution (distance, fixed costs, prizes missed); inf if infeasible."""
    from pyvrp import CostEvaluator

    if not solution.is_feasible():
        return math.inf
    return float(CostEvaluator([0] * len(solution.excess_load()), 0, 0).cost(solution))


def _activities(solution, skip_route: int | None = None) -> list[list]:
    """The visits of each route (clients and reload depots, without the start and end depots)."""
    routes = []
    for k, route in enumerate(solution.routes()):
        if k == skip_route or not route.num_clients():
            continue
        schedule = list(route.schedule())[1:-1]
        routes.append([activity for activity in schedule if activity.is_client() or activity.is_depot()])
    return routes


def _solution(data, routes: list[list]):
    """A PyVRP solution from activity lists (see :func:`_activities`)."""
    from pyvrp import Activity, Route, Solution

    built = []
    for acts in routes:
        clean = [Activity(a.type, a.idx) for a in acts]
        while clean and clean[-1].is_depot():
            clean.pop()
        if clean:
            built.append(Route(data, clean, 0))
    return Solution(data, built)


def _warm_start(data, initial_routes, points: list[int], n_vehicles: int, reloads: bool):
    """The caller's starting plan as a PyVRP solution, or None if it does not fit the fleet."""
    if not initial_routes or len(initial_routes) > n_vehicles:
        return None
    from pyvrp import Activity, ActivityType

    client = {p: k for k, p in enumerate(points)}
    routes = []
    for trips in initial_routes:
        acts = []
        for t, trip in enumerate(trips):
            if t and reloads:
                acts.append(Activity(ActivityType.DEPOT, 1))
            acts += [Activity(ActivityType.CLIENT, client[p]) for p in trip if p in client]
        routes.append(acts)
    try:
        return _solution(data, routes)
    except (ValueError, IndexError, RuntimeError):
        return None


def _fleet_descent(data, n_vehicles: int, seed: int, start: float, limit: float, max_iterations, progress,
                   min_vehicles: int = 1, initial=None):
    """Search with the whole fleet, then with one truck fewer while that pays, then go on from the best.

    Distance is what is minimised, yet a local search rarely empties a whole
    route by itself: starting again with one route fewer (its points
    reinserted by the local search) finds the plans that use fewer trucks
    when they are shorter. Each attempt is made only if the time left is
    well above what building a solution took.
    """
    end = start + limit
    now = time.perf_counter()
    first_end = end if n_vehicles <= min_vehicles else now + (end - now) * 0.6
    first = _Deadline(start, first_end, limit, max_iterations, progress, final_end=end if max_iterations is None else None)
    best, iterations, setup = _search(data, seed, first, initial=initial)
    if first.extended:  # thousands of points: building a solution is too dear to start again
        return best, iterations
    best_data, best_cost = data, _cost(best)
    used = sum(1 for r in best.routes() if r.num_clients())
    attempt = 1
    while used > min_vehicles and math.isfinite(best_cost):
        now = time.perf_counter()
        if max_iterations is None and (end - now < 0.15 * limit or end - now < 3 * setup):
            break
        fewer = data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=used - 1)])
        smallest = min(range(len(best.routes())), key=lambda k: best.routes()[k].num_clients() or math.inf)
        warm = _solution(fewer, _activities(best, skip_route=smallest))
        candidate, more, _ = _search(fewer, seed + attempt, _Deadline(start, now + (end - now) * 0.5, limit, max_iterations, progress),
                                     initial=warm)
        iterations += more
        attempt += 1
        cost = _cost(candidate)
        if cost >= best_cost:
            break
        best, best_data, best_cost = candidate, fewer, cost
        used = sum(1 for r in candidate.routes() if r.num_clients())
    if time.perf_counter() < end - 0.2 or max_iterations is not None:
        final, more, _ = _search(best_data, seed, _Deadline(start, end, limit, max_iterations, progress), initial=best, polish=False)
        iterations += more
        if _cost(final) <= best_cost or not math.isfinite(best_cost):
            best = final
    return best, iterations


def _int_scale(values: np.ndarray, target: float = 1e5) -> float:
    """A power of ten that turns *values* into integers of at most about *target*.

    PyVRP works on integers and bounds its penalty per unit of excess load or
    lateness (10⁵ by default): distances must not dwarf them, so they are
    brought to about 10⁵ for the longest edge (five significant digits).
    """
    top = float(np.max(values)) if values.size else 0.0
    if top <= 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(target / top))


def _demand_scale(demands: np.ndarray, capacity: float) -> float:
    """A power of ten bringing the capacity to 10⁵–10⁶ units (integers stay exact when scaled up)."""
    integral = np.allclose(demands, np.round(demands)) and float(capacity).is_integer()
    scale = 10.0 ** math.floor(math.log10(1e6 / capacity))
    return max(scale, 1.0) if integral else scale


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
        When the fleet cannot serve every required point: raise a DataError
        saying how many trucks or trips are needed, or serve as many points
        as possible and list the others in ``unserved``.
    max_iterations : int, optional
        Stop each search phase after this many iterations (makes a run
        reproducible when the time limit is not reached).
    names, rows : sequence, optional
        Name and spreadsheet row of each index, used in error messages.
    filename : str, optional
        Named in error messages.
    progress : callable, optional
        ``progress(fraction, message)``, called a few times per second.

    Returns
    -------
    RoutingResult

    Raises
    ------
    DataError
        Matrix of the wrong shape, negative or missing values, no point to
        serve, a demand larger than a truck, a point out of reach within the
        shift or its time window, or a fleet too small (with
        ``on_shortfall="raise"``).

    Examples
    --------
    Four points on a line, a truck of capacity 2: two trips out and back.

    >>> import numpy as np
    >>> x = np.array([0.0, 1.0, 2.0, -1.0, -2.0])
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> result = solve_vrp(d, [0, 1, 1, 1, 1], capacity=2, n_vehicles=2, time_limit=1, seed=1)
    >>> sorted(sorted(r) for r in result.routes)
    [[1, 2], [3, 4]]
    >>> result.total_distance, result.loads
    (8.0, (2.0, 2.0))
    """
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    start = time.perf_counter()
    if on_shortfall not in ("raise", "partial"):
        raise ValueError("on_shortfall must be 'raise' or 'partial'")
    demand = np.asarray(demands, dtype="float64").ravel()
    size = len(demand)
    dist = _square(distances, size, "des distances", filename)
    if not 0 <= depot < size:
        raise ValueError(f"depot index {depot} outside 0..{size - 1}")
    if disposal is not None and (not 0 <= disposal < size or disposal == depot):
        raise ValueError(f"disposal index {disposal} must be another index in 0..{size - 1}")
    if not (np.isfinite(capacity) and capacity > 0):
        raise DataError("la capacité d'un camion doit être un nombre strictement positif")
    if int(n_vehicles) < 1:
        raise DataError("il faut au moins un camion")
    n_vehicles = int(n_vehicles)
    sites = {depot} | ({disposal} if disposal is not None else set())
    points = [i for i in range(size) if i not in sites]
    if not points:
        raise DataError("aucun point à collecter : la liste ne contient que le dépôt", filename=filename)
    bad = [i for i in points if not np.isfinite(demand[i]) or demand[i] < 0]
    if bad:
        raise DataError(
            f"volume à collecter vide ou négatif pour {plural(len(bad), 'point')} : {_names(bad, names)}",
            filename=filename, rows=_rows(bad, rows), hint="Indiquez un volume positif ou nul.",
        )
    too_big = [i for i in points if demand[i] > capacity * (1 + 1e-9)]
    if too_big:
        worst = max(demand[i] for i in too_big)
        one = len(too_big) == 1
        raise DataError(
            (f"1 point dépasse à lui seul la capacité d'un camion ({num(capacity)}) : {_names(too_big, names)}, avec {num(worst)}"
             if one else
             f"{plural(len(too_big), 'point')} dépassent chacun la capacité d'un camion ({num(capacity)}) : "
             f"{_names(too_big, names)}, jusqu'à {num(worst)}"),
            filename=filename, rows=_rows(too_big, rows),
            hint="Augmentez la capacité des camions, ou scindez ce point en plusieurs passages.",
        )
    optional_mask = np.zeros(size, bool) if optional is None else np.asarray(optional, bool).ravel().copy()
    optional_mask[list(sites)] = False
    prize = np.zeros(size) if prizes is None else np.nan_to_num(np.asarray(prizes, dtype="float64").ravel())
    required = [i for i in points if not optional_mask[i]]
    total_required = float(demand[required].sum())
    max_trips = 1 if disposal is None else None
    needed = fleet_shortfall(total_required, capacity, n_vehicles, max_trips)
    if needed is not None and on_shortfall == "raise":
        raise FleetTooSmall(
            f"la flotte ne suffit pas : {num(total_required)} à collecter pour {plural(n_vehicles, 'camion')} "
            f"de {num(capacity)}, soit au plus {num(n_vehicles * capacity)} en un seul voyage ; "
            f"il faut au moins {plural(needed, 'camion')}",
            filename=filename,
            hint="Ajoutez des camions, augmentez leur capacité, ou indiquez un exutoire où les vider en cours de tournée.",
        )

    timed = durations is not None
    if not timed and (time_windows is not None or shift_duration is not None or service_times is not None):
        raise ValueError("service_times, time_windows and shift_duration need a durations matrix")
    dur = _square(durations, size, "des temps de parcours", filename) if timed else np.zeros((size, size))
    service = np.zeros(size) if service_times is None else np.nan_to_num(np.asarray(service_times, dtype="float64").ravel())
    service[list(sites)] = 0.0
    windows = np.full((size, 2), np.nan) if time_windows is None else np.asarray(time_windows, dtype="float64").reshape(size, 2)

    end = disposal if disposal is not None else depot
    back_dist = dist[disposal, depot] if disposal is not None else 0.0
    back_time = (dur[disposal, depot] + unload_time) if disposal is not None else 0.0
    shift = math.inf if shift_duration is None else float(shift_duration)
    if timed:
        _check_reach(points, dur, service, windows, depot, end, shift - back_time,
                     names, rows, filename)

    # Integers for PyVRP: distances to about 1e7, demands exactly or to 1e6 per truck.
    d_scale = _int_scale(np.concatenate([dist.ravel(), prize[optional_mask]]))
    q_scale = _demand_scale(demand[points], capacity)
    dist_int = np.rint(dist * d_scale).astype(np.int64)
    dur_int = np.rint(dur).astype(np.int64)
    np.fill_diagonal(dist_int, 0)
    np.fill_diagonal(dur_int, 0)
    # In "partial" mode a point is worth more than any detour it can cost (distance and, if weighted, time).
    big_prize = int(4 * dist_int.max() + duration_weight * d_scale * (4 * dur.max() + service.max() + unload_time) + 1)
    partial = on_shortfall == "partial"

    big = np.iinfo(np.int64).max
    locations = [Location(x=float(i), y=0.0) for i in range(size)]
    depots = [Depot(location=depot)]
    if disposal is not None:
        depots.append(Depot(location=disposal, service_duration=int(round(unload_time))))
    clients = []
    for i in points:
        early, late = windows[i]
        if optional_mask[i]:
            req, value = False, int(round(max(prize[i], 0) * d_scale))
        elif partial:
            req, value = False, big_prize
        else:
            req, value = True, 0
        clients.append(
            Client(
                location=i,
                pickup=[int(round(demand[i] * q_scale))],
                service_duration=int(round(service[i])),
                tw_early=int(early) if np.isfinite(early) else 0,
                tw_late=int(late) if np.isfinite(late) else big,
                prize=value,
                required=req,
            )
        )
    route_limit = shift - back_time
    vehicle = VehicleType(
        num_available=n_vehicles,
        capacity=[int(math.floor(capacity * q_scale + 1e-6))],
        start_depot=0,
        end_depot=len(depots) - 1,
        reload_depots=[1] if disposal is not None else [],
        fixed_cost=int(round((back_dist + duration_weight * back_time) * d_scale)),
        unit_duration_cost=max(1, int(round(duration_weight * d_scale))) if duration_weight > 0 else 0,
        tw_early=0,
        start_late=0,  # crews leave the depot at the start of the shift
        tw_late=int(route_limit) if math.isfinite(route_limit) else big,
        shift_duration=int(route_limit) if math.isfinite(route_limit) else big,
    )
    data = ProblemData(locations, clients, depots, [vehicle], [dist_int], [dur_int])

    if progress is not None:
        progress(0.0, "Construction d'une première solution…")
    fewest = max(1, math.ceil(total_required / capacity - 1e-9)) if disposal is None else 1
    warm = _warm_start(data, initial_routes, points, n_vehicles, disposal is not None)
    best, iterations = _fleet_descent(data, n_vehicles, int(seed), start, max(float(time_limit), 0.0), max_iterations, progress,
                                      min_vehicles=min(fewest, n_vehicles), initial=warm)
    if progress is not None:
        progress(1.0, "Recherche terminée")

    client_point = np.asarray(points)
    routes, trips, distances_out, loads, trip_loads, durations_out, starts = [], [], [], [], [], [], []
    for route in best.routes():
        stops, route_trips, current, current_load, route_trip_loads, route_starts = [], [], [], 0.0, [], []
        path = [depot]
        for activity in route.schedule():
            if activity.is_client():
                point = int(client_point[activity.idx])
                stops.append(point)
                current.append(point)
                current_load += demand[point]
                path.append(point)
                route_starts.append(float(activity.start_time))
            elif activity.is_depot() and activity.idx == 1 and current:
                route_trips.append(tuple(current))
                route_trip_loads.append(float(current_load))
                current, current_load = [], 0.0
                path.append(disposal)
        if current:
            route_trips.append(tuple(current))
            route_trip_loads.append(float(current_load))
            if disposal is not None:
                path.append(disposal)
        path.append(depot)
        if not stops:
            continue
        routes.append(tuple(stops))
        trips.append(tuple(route_trips))
        distances_out.append(float(sum(dist[a, b] for a, b in zip(path[:-1], path[1:]))))
        loads.append(float(sum(route_trip_loads)))
        trip_loads.append(tuple(route_trip_loads))
        durations_out.append(float(route.end_time() - route.start_time() + back_time))
        starts.append(tuple(route_starts))
    served = {p for r in routes for p in r}
    unserved = tuple(i for i in points if i not in served)
    missing_required = [i for i in unserved if not optional_mask[i]]
    feasible = bool(best.is_feasible())
    if on_shortfall == "raise" and (not feasible or missing_required):
        raise _shortfall_error(best, durations_out, shift, n_vehicles, capacity, total_required, disposal, filename)
    return RoutingResult(
        routes=tuple(routes),
        trips=tuple(trips),
        distances=tuple(distances_out),
        loads=tuple(loads),
        trip_loads=tuple(trip_loads),
        capacity=float(capacity),
        n_vehicles=n_vehicles,
        durations=tuple(durations_out) if timed else None,
        starts=tuple(starts) if timed else None,
        unserved=unserved,
        feasible=feasible and not missing_required,
        runtime=time.perf_counter() - start,
        iterations=int(iterations),
    )


def _check_reach(points, dur, service, windows, depot, end, route_limit, names, rows, filename) -> None:
    """Points that no truck can serve on its own: out of their window, or beyond the shift."""
    arrive = dur[depot, points]
    late = windows[points, 1]
    early = windows[points, 0]
    begin = np.where(np.isfinite(early), np.maximum(arrive, early), arrive)
    bad_window = [p for p, b, l in zip(points, begin, late) if np.isfinite(l) and b > l]
    if bad_window:
        one = len(bad_window) == 1
        raise DataError(
            f"{plural(len(bad_window), 'point')} impossible{'' if one else 's'} à atteindre dans {'son' if one else 'leur'} "
            f"créneau horaire, même en y allant directement depuis le dépôt au début du service : {_names(bad_window, names)}",
            filename=filename, rows=_rows(bad_window, rows),
            hint="Élargissez ces créneaux ou avancez le début du service.",
        )
    if math.isfinite(route_limit):
        alone = begin + service[points] + dur[points, end]  # route_limit already leaves room to unload and go home
        too_far = [p for p, a in zip(points, alone) if a > route_limit]
        if too_far:
            one = len(too_far) == 1
            raise DataError(
                f"{plural(len(too_far), 'point')} trop loin{'' if one else 's'} pour la durée de service, même "
                f"{'servi seul' if one else 'servis seuls'} : {_names(too_far, names)}",
                filename=filename, rows=_rows(too_far, rows),
                hint="Allongez la durée de service ou vérifiez les coordonnées de ces points.",
            )


def _shortfall_error(best, durations, shift, n_vehicles, capacity, total, disposal, filename) -> FleetTooSmall:
    trips_needed = math.ceil(total / capacity - 1e-9)
    if best.has_excess_load() or disposal is None:
        needed = max(trips_needed, n_vehicles + 1)
        return FleetTooSmall(
            f"la flotte ne suffit pas : il faut au moins {plural(needed, 'camion')} "
            f"({plural(trips_needed, 'voyage')} de {num(capacity)} au minimum)",
            filename=filename,
            hint="Ajoutez des camions ou augmentez leur capacité.",
        )
    hours = (sum(durations) + best.time_warp()) / 3600 if durations else 0.0  # lateness is work the shift lacks
    needed = max(n_vehicles + 1, math.ceil(hours / (shift / 3600))) if math.isfinite(shift) and hours else n_vehicles + 1
    return FleetTooSmall(
        f"la flotte ne suffit pas dans la durée de service : {plural(trips_needed, 'voyage')} à l'exutoire au minimum, "
        f"environ {num(hours, 1)} h de travail pour {plural(n_vehicles, 'camion')} de {num(shift / 3600, 1)} h ; "
        f"il faudrait environ {plural(needed, 'camion')}",
        filename=filename,
        hint="Ajoutez des camions, allongez la durée de service ou élargissez les créneaux horaires.",
    )


# ---------------------------------------------------------------------------
# Exact reference for tiny instances
# ---------------------------------------------------------------------------


def exact_cvrp(distances, demands, capacity: float, n_vehicles: int, depot: int = 0) -> tuple[float, list[list[int]]]:
    """The optimal CVRP solution of a tiny instance, by exhaustive dynamic programming.

    Held–Karp gives the shortest tour through every subset of points; a
    second dynamic programme splits the points into at most *n_vehicles*
    subsets that each fit in a truck. Exact, and exponential: up to about
    12 points. Used to check the solver.

    Returns
    -------
    (float, list of list of int)
        The optimal total distance and its routes (matrix indices, in order).

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, -1.0, -2.0])
    >>> exact_cvrp(np.abs(x[:, None] - x[None, :]), [0, 1, 1, 1, 1], 2, 2)
    (8.0, [[2, 1], [4, 3]])
    """
    dist = np.asarray(distances, dtype="float64")
    demand = np.asarray(demands, dtype="float64")
    points = [i for i in range(len(demand)) if i != depot]
    n = len(points)
    if n > 14:
        raise ValueError("exact_cvrp is exponential: at most 14 points")
    full = 1 << n
    d = dist[np.ix_([depot] + points, [depot] + points)]
    # Held-Karp: best[mask, j] = shortest path depot -> (mask) ending at point j (j in mask).
    best = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=int)
    for j in range(n):
        best[1 << j, j] = d[0, j + 1]
    for mask in range(1, full):
        for j in range(n):
            if not mask >> j & 1 or not np.isfinite(best[mask, j]):
                continue
            for k in range(n):
                if mask >> k & 1:
                    continue
                value = best[mask, j] + d[j + 1, k + 1]
                if value < best[mask | 1 << k, k]:
                    best[mask | 1 << k, k] = value
                    parent[mask | 1 << k, k] = j
    tour = np.full(full, np.inf)
    last = np.full(full, -1, dtype=int)
    for mask in range(1, full):
        closing = best[mask] + d[1:, 0]
        last[mask] = int(np.argmin(closing))
        tour[mask] = closing[last[mask]]
    load = np.array([sum(demand[points[j]] for j in range(n) if mask >> j & 1) for mask in range(full)])
    fits = load <= capacity * (1 + 1e-12)
    # Partition: cover[k][mask] = cheapest way to serve mask with k routes.
    cover = np.full((n_vehicles + 1, full), np.inf)
    choice = np.zeros((n_vehicles + 1, full), dtype=int)
    cover[0, 0] = 0.0
    for k in range(1, n_vehicles + 1):
        cover[k, 0] = 0.0
        for mask in range(1, full):
            low = mask & -mask
            sub = mask
            while sub:
                if sub & low and fits[sub]:
                    value = tour[sub] + cover[k - 1, mask ^ sub]
                    if value < cover[k, mask]:
                        cover[k, mask], choice[k, mask] = value, sub
                sub = (sub - 1) & mask
    total = float(cover[n_vehicles, full - 1])
    if not math.isfinite(total):
        raise ValueError("no feasible solution")
    routes, mask, k = [], full - 1, n_vehicles
    while mask:
        sub = int(choice[k, mask])
        order, m, j = [], sub, int(last[sub])
        while j >= 0:
            order.append(points[j])
            j, m = int(parent[m, j]), m ^ (1 << j)
        routes.append(order[::-1])
        mask ^= sub
        k -= 1
    return total, sorted(routes)


# ---------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (broadcasts).

    >>> round(float(haversine_km(48.8566, 2.3522, 48.8606, 2.3376)), 2)  # Hôtel de Ville → Louvre
    1.16
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_distance_matrix(lat, lon, detour: float = DEFAULT_DETOUR) -> np.ndarray:
    """Estimated road distances (km): great-circle distance × *detour*.

    >>> m = road_distance_matrix([48.85, 48.86], [2.35, 2.35], detour=1.3)
    >>> m.shape, round(float(m[0, 1]), 3)
    ((2, 2), 1.446)
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * float(detour)


def local_xy_km(lat, lon, origin: tuple[float, float] | None = None) -> np.ndarray:
    """Equirectangular projection (km east, km north) around *origin* — exact enough at a city's scale."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    lat0, lon0 = origin if origin is not None else (float(np.mean(lat)), float(np.mean(lon)))
    k = math.pi / 180 * EARTH_RADIUS_KM
    return np.column_stack([(lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k])


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
    time_limit, seed, on_shortfall, max_iterations, names, rows, filename, progress :
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
        dist = _square(matrix_km, n + offset, "des distances", filename)
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
    result = solve_vrp(
        dist, demand, capacity, n_vehicles, 0,
        time_limit=time_limit, seed=seed, disposal=1 if disposal is not None else None,
        durations=durations, service_times=service, time_windows=windows,
        shift_duration=None if shift_hours is None else shift_hours * 3600.0,
        unload_time=unload_minutes * 60.0, optional=opt, prizes=prizes,
        on_shortfall=on_shortfall, max_iterations=max_iterations,
        names=all_names, rows=all_rows, filename=filename, progress=progress,
    )
    return _shift_indices(result, offset)


def _shift_indices(result: RoutingResult, offset: int) -> RoutingResult:
    return replace(
        result,
        routes=tuple(tuple(i - offset for i in r) for r in result.routes),
        trips=tuple(tuple(tuple(i - offset for i in t) for t in trips) for trips in result.trips),
        unserved=tuple(i - offset for i in result.unserved),
    )
