"""The result of a routing run: :class:`RoutingResult`, and the one place where its indices are shifted."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd


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


def shift_indices(result: RoutingResult, offset: int) -> RoutingResult:
    """The same result with every point index lowered by *offset* (e.g. matrix indices → point positions).

    >>> r = RoutingResult(routes=((2, 3),), trips=(((2, 3),),), distances=(1.0,), loads=(2.0,),
    ...                   trip_loads=((2.0,),), capacity=2.0, n_vehicles=1, unserved=(4,))
    >>> shifted = shift_indices(r, 2)
    >>> shifted.routes, shifted.trips, shifted.unserved
    (((0, 1),), (((0, 1),),), (2,))
    """
    return replace(
        result,
        routes=tuple(tuple(i - offset for i in r) for r in result.routes),
        trips=tuple(tuple(tuple(i - offset for i in t) for t in trips) for trips in result.trips),
        unserved=tuple(i - offset for i in result.unserved),
    )
