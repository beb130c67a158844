"""Reading a PyVRP solution back: routes, trips, distances, loads, durations and start times, in matrix indices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Decoded:
    """The parts of a :class:`~sandbox.models.collection.result.RoutingResult` read from a solution."""

    routes: tuple
    trips: tuple
    distances: tuple
    loads: tuple
    trip_loads: tuple
    durations: tuple
    starts: tuple
    unserved: tuple


def decode(solution, points: list[int], dist: np.ndarray, demand: np.ndarray, depot: int, disposal: int | None,
           back_time: float) -> Decoded:
    """The routes of *solution* in matrix indices; distances recomputed on the caller's (unscaled) matrix.

    The reload depot of PyVRP is the disposal site (PyVRP depot index 1): a
    trip ends at each visit to it, and every route ends there when there is one.
    """
    client_point = np.asarray(points)
    routes, trips, distances, loads, trip_loads, durations, starts = [], [], [], [], [], [], []
    for route in solution.routes():
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
        distances.append(float(sum(dist[a, b] for a, b in zip(path[:-1], path[1:]))))
        loads.append(float(sum(route_trip_loads)))
        trip_loads.append(tuple(route_trip_loads))
        durations.append(float(route.end_time() - route.start_time() + back_time))
        starts.append(tuple(route_starts))
    served = {p for r in routes for p in r}
    return Decoded(
        routes=tuple(routes), trips=tuple(trips), distances=tuple(distances), loads=tuple(loads),
        trip_loads=tuple(trip_loads), durations=tuple(durations), starts=tuple(starts),
        unserved=tuple(i for i in points if i not in served),
    )
