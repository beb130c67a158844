"""Building the PyVRP problem: integer scaling, clients, depots, the vehicle type; solutions from routes and back."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    """A PyVRP problem and what is needed to read its solutions back.

    Attributes
    ----------
    data : pyvrp.ProblemData
    points : list of int
        Matrix index of each PyVRP client (client k is ``points[k]``).
    d_scale : float
        Distance units per PyVRP integer unit (``int = round(distance × d_scale)``).
    """

    data: object
    points: list[int]
    d_scale: float


def int_scale(values: np.ndarray, target: float = 1e5) -> float:
    """A power of ten that turns *values* into integers of at most about *target*.

    PyVRP works on integers and bounds its penalty per unit of excess load or
    lateness (10⁵ by default): distances must not dwarf them, so they are
    brought to about 10⁵ for the longest edge (five significant digits).

    >>> int_scale(np.array([0.0, 12.5])), int_scale(np.array([0.0, 3000.0]))
    (1000.0, 10.0)
    """
    top = float(np.max(values)) if values.size else 0.0
    if top <= 0:
        return 1.0
    return 10.0 ** math.floor(math.log10(target / top))


def demand_scale(demands: np.ndarray, capacity: float) -> float:
    """A power of ten bringing the capacity to 10⁵–10⁶ units (integers stay exact when scaled up).

    >>> demand_scale(np.array([1.0, 2.0]), 100.0), demand_scale(np.array([0.5]), 40_000.0)
    (10000.0, 10.0)
    """
    integral = np.allclose(demands, np.round(demands)) and float(capacity).is_integer()
    scale = 10.0 ** math.floor(math.log10(1e6 / capacity))
    return max(scale, 1.0) if integral else scale


def build_problem(
    dist: np.ndarray,
    dur: np.ndarray,
    demand: np.ndarray,
    capacity: float,
    n_vehicles: int,
    depot: int,
    disposal: int | None,
    points: list[int],
    service: np.ndarray,
    windows: np.ndarray,
    optional_mask: np.ndarray,
    prize: np.ndarray,
    route_limit: float,
    back_dist: float,
    back_time: float,
    unload_time: float,
    duration_weight: float,
    partial: bool,
) -> Problem:
    """The PyVRP problem of :func:`~sandbox.models.collection.routing.solve_vrp`'s checked inputs.

    In *partial* mode every point is optional with a prize larger than any
    detour it can cost: the search serves as many points as the fleet can.
    """
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    size = len(demand)
    # Integers for PyVRP: distances to about 1e5, demands exactly or to 1e6 per truck.
    d_scale = int_scale(np.concatenate([dist.ravel(), prize[optional_mask]]))
    q_scale = demand_scale(demand[points], capacity)
    dist_int = np.rint(dist * d_scale).astype(np.int64)
    dur_int = np.rint(dur).astype(np.int64)
    np.fill_diagonal(dist_int, 0)
    np.fill_diagonal(dur_int, 0)
    # In partial mode a point is worth more than any detour it can cost (distance and, if weighted, time).
    big_prize = int(4 * dist_int.max() + duration_weight * d_scale * (4 * dur.max() + service.max() + unload_time) + 1)

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
    return Problem(data=data, points=list(points), d_scale=d_scale)


def activities(solution, skip_route: int | None = None) -> list[list]:
    """The visits of each route (clients and reload depots, without the start and end depots)."""
    routes = []
    for k, route in enumerate(solution.routes()):
        if k == skip_route or not route.num_clients():
            continue
        schedule = list(route.schedule())[1:-1]
        routes.append([activity for activity in schedule if activity.is_client() or activity.is_depot()])
    return routes


def make_route(data, acts: list):
    """A PyVRP route of the first vehicle type from activities (trailing reloads dropped), or None if empty."""
    from pyvrp import Activity, Route

    clean = []
    for a in acts:  # no reload before the first client, nor two in a row
        if a.is_depot() and (not clean or clean[-1].is_depot()):
            continue
        clean.append(Activity(a.type, a.idx))
    while clean and clean[-1].is_depot():
        clean.pop()
    return Route(data, clean, 0) if clean else None


def make_solution(data, routes: list[list]):
    """A PyVRP solution from activity lists (see :func:`activities`)."""
    from pyvrp import Solution

    built = [route for route in (make_route(data, acts) for acts in routes) if route is not None]
    return Solution(data, built)


def warm_start(data, initial_routes, points: list[int], n_vehicles: int, reloads: bool):
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
        return make_solution(data, routes)
    except (ValueError, IndexError, RuntimeError):
        return None


def repair(data, solution):
    """A feasible solution from an infeasible one, by cutting the routes that break a limit.

    Each infeasible route keeps its longest feasible beginning (found by
    bisection: a shorter beginning carries less and ends earlier); the
    clients cut off are simply not visited. Fast enough for routes of
    hundreds of stops.
    """
    from pyvrp import Solution

    kept = []
    for acts in activities(solution):
        route = make_route(data, acts)
        if route is not None and not route.is_feasible():
            low, high = 0, len(acts)  # acts[:low] is feasible (or empty), acts[:high] is not
            while high - low > 1:
                middle = (low + high) // 2
                candidate = make_route(data, acts[:middle])
                if candidate is None or candidate.is_feasible():
                    low = middle
                else:
                    high = middle
            while low > 0 and (make_route(data, acts[:low]) or route).is_feasible() is False:
                low -= 1
            acts = acts[:low]
        if make_route(data, acts) is not None:
            kept.append(acts)
    return make_solution(data, kept) if kept else Solution(data, [])
