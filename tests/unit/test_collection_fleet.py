"""Issue 17: a tight but sufficient fleet is never called hopelessly short; parallel searches stay valid and reproducible.

The exact oracle (:func:`sandbox.models.collection.exact.exact_cvrp`) proves which
fleets are sufficient on small instances; the bounds must never exceed them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sandbox.models.collection import routing
from sandbox.models.collection.bounds import fleet_bound
from sandbox.models.collection.exact import exact_cvrp
from sandbox.models.collection.routing import FleetTooSmall, NoPlanFound, solve_vrp
from sandbox.text import plain


def euclidean(xy: np.ndarray) -> np.ndarray:
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


def tight_instance():
    """10 points, 4 trucks of 10: the demand fills 39 of 40 places and the optimum needs all 4 trucks."""
    rng = np.random.default_rng(17)
    for _ in range(200):
        xy = rng.uniform(0, 100, (11, 2))
        demand = np.concatenate([[0.0], rng.integers(1, 8, 10).astype(float)])
        if demand.sum() != 39:
            continue
        try:
            optimum, routes = exact_cvrp(euclidean(xy), demand, 10, 4)
        except ValueError:  # 39 in 4 × 10 does not always pack
            continue
        return euclidean(xy), demand, optimum, routes
    raise AssertionError("no tight instance found")


def check_plan(result, demand, capacity, n_vehicles):
    served = sorted(p for route in result.routes for p in route)
    assert served == list(range(1, len(demand)))  # every point once
    assert result.n_routes <= n_vehicles
    assert all(load <= capacity + 1e-9 for load in result.loads)
    assert all(load == pytest.approx(sum(demand[p] for p in route)) for load, route in zip(result.loads, result.routes))


def test_the_tight_instance_needs_every_truck():
    d, demand, optimum, routes = tight_instance()
    assert len(routes) == 4  # the oracle's optimum uses the whole fleet...
    assert fleet_bound(demand, 10).trucks == 4  # ...and the capacity bound says exactly that
    with pytest.raises(ValueError):
        exact_cvrp(d, demand, 10, 3)  # three trucks are really too few


@pytest.mark.parametrize("workers", [1, 2])
def test_tight_fleet_gets_a_plan_or_the_true_bound_never_more(workers):
    d, demand, optimum, _ = tight_instance()
    try:
        result = solve_vrp(d, demand, 10, 4, time_limit=2, seed=5, workers=workers)
    except NoPlanFound as exc:  # allowed, if it says the truth
        assert exc.bound.trucks <= 4
        assert "il faut au moins 4 camions" in plain(str(exc)) and "un camion de plus" in plain(str(exc))
    else:
        check_plan(result, demand, 10, 4)
        assert result.total_distance == pytest.approx(optimum, rel=1e-6)  # 10 points: the search finds the optimum


def test_a_fleet_below_the_bound_is_proved_too_small_with_the_true_bound():
    d, demand, _, _ = tight_instance()
    with pytest.raises(FleetTooSmall) as err:
        solve_vrp(d, demand, 10, 3, time_limit=1, seed=0)
    assert err.value.bound.trucks == 4
    assert "il en faut au moins 4 camions" in plain(str(err.value))


def test_no_plan_found_in_time_says_so_with_the_bound_and_a_valid_partial_plan(monkeypatch):
    """The search is made to fail (one overloaded route): the answer is the bound and the best plan cut to fit."""
    d, demand, _, _ = tight_instance()

    def failing_search(data, *args, **kwargs):
        from pyvrp import Route, Solution

        return Solution(data, [Route(data, list(range(data.num_clients)), 0)]), 1

    monkeypatch.setattr(routing, "search", failing_search)
    with pytest.raises(NoPlanFound) as err:
        solve_vrp(d, demand, 10, 4, time_limit=1, seed=0, names=["dépôt", *"ABCDEFGHIJ"])
    message = plain(str(err.value))
    assert "aucun plan desservant tous les points avec 4 camions n'a été trouvé en 1 s" in message.lower()
    assert "ce n'est pas prouvé impossible" in message and "il faut au moins 4 camions" in message
    assert "temps de calcul plus long" in message and "un camion de plus" in message
    partial = err.value.partial
    assert err.value.bound.trucks == 4 and not partial.feasible
    assert partial.n_routes == 1 and partial.loads[0] <= 10
    assert sorted(partial.served + partial.unserved) == list(range(1, 11))
    assert f"dessert {len(partial.served)} points sur 10" in message


def test_parallel_and_single_core_runs_give_valid_plans():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 100, (41, 2))
    demand = np.concatenate([[0.0], rng.integers(1, 10, 40).astype(float)])
    capacity = math.ceil(demand.sum() / 5 / 0.9)
    for workers in (1, 2):
        result = solve_vrp(euclidean(xy), demand, capacity, 5, time_limit=2, seed=1, workers=workers)
        check_plan(result, demand, capacity, 5)


def test_same_seed_and_core_count_give_the_same_plan_when_bounded_by_iterations():
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 100, (31, 2))
    demand = np.concatenate([[0.0], rng.integers(1, 10, 30).astype(float)])
    capacity = math.ceil(demand.sum() / 4 / 0.85)
    runs = [solve_vrp(euclidean(xy), demand, capacity, 4, time_limit=120, seed=11, workers=2, max_iterations=300)
            for _ in range(2)]
    assert runs[0].routes == runs[1].routes and runs[0].total_distance == runs[1].total_distance
    check_plan(runs[0], demand, capacity, 4)


# ---------------------------------------------------------------------------
# The search on tight fleets: loose start, one route fewer at a time, shared epochs
# ---------------------------------------------------------------------------

def problem_of(d, demand, capacity, n_vehicles, disposal=None):
    from sandbox.models.collection._problem import build_problem

    n = len(demand)
    sites = {0} | ({disposal} if disposal is not None else set())
    return build_problem(d, np.zeros((n, n)), np.asarray(demand, float), capacity, n_vehicles, 0, disposal,
                         [i for i in range(n) if i not in sites], np.zeros(n), np.full((n, 2), np.nan), np.zeros(n, bool),
                         np.zeros(n), math.inf, 0.0, 0.0, 0.0, 0.0, False).data


def test_a_fleet_is_tight_when_its_trips_are_nearly_full_and_it_cannot_reload():
    from sandbox.models.collection._search import tight

    d, demand, _, _ = tight_instance()  # 39 of 40 places
    assert tight(problem_of(d, demand, 10, 4), 4)
    assert not tight(problem_of(d, demand, 10, 5), 5)  # 39 of 50
    demand_with_site = np.concatenate([demand, [0.0]])
    d_with_site = np.pad(d, ((0, 1), (0, 1)), constant_values=5.0)
    assert not tight(problem_of(d_with_site, demand_with_site, 10, 4, disposal=11), 4)  # trucks empty on the way


def test_shrink_takes_a_plan_of_one_truck_per_point_down_to_the_fleet():
    import time

    from pyvrp import Activity, ActivityType, Route, Solution

    from sandbox.models.collection._search import pack, shrink, with_fleet

    d, demand, _, _ = tight_instance()
    data = problem_of(d, demand, 10, 4)
    loose = with_fleet(data, 10)
    one_each = Solution(loose, [Route(loose, [Activity(ActivityType.CLIENT, k)], 0) for k in range(10)])
    assert one_each.is_feasible() and one_each.num_routes() == 10
    now = time.perf_counter()
    plan, _ = shrink(data, one_each, 4, 3, now, now + 5, 5, None, None)
    assert plan.is_feasible() and plan.is_complete() and plan.num_routes() <= 4
    assert sorted(i for route in pack(plan) for is_client, i in route if is_client) == list(range(10))


def test_plans_cross_processes_as_plain_lists_with_their_reloads():
    from pyvrp import Activity, ActivityType, Route, Solution

    from sandbox.models.collection._search import pack, unpack

    d, demand, _, _ = tight_instance()
    demand_with_site = np.concatenate([demand, [0.0]])
    d_with_site = np.pad(d, ((0, 1), (0, 1)), constant_values=5.0)
    data = problem_of(d_with_site, demand_with_site, 10, 2, disposal=11)
    client, reload = ActivityType.CLIENT, ActivityType.DEPOT
    route = Route(data, [Activity(client, 1), Activity(client, 2), Activity(reload, 1), Activity(client, 3)], 0)
    solution = Solution(data, [route, Route(data, [Activity(client, k) for k in (0, *range(4, 10))], 0)])
    packed = pack(solution)
    assert packed[0] == [(True, 1), (True, 2), (False, 1), (True, 3)]
    again = unpack(data, packed)
    assert again.distance() == solution.distance() and again.num_routes() == 2 and pack(again) == packed


def test_tight_fleet_in_parallel_is_reproducible_when_bounded_by_iterations():
    """96 % of the fleet's places used: the loose start, the descent to 4 routes and the shared epochs all run."""
    rng = np.random.default_rng(21)
    xy = rng.uniform(0, 100, (31, 2))
    demand = np.concatenate([[0.0], rng.integers(1, 10, 30).astype(float)])
    capacity = math.ceil(demand.sum() / 4 / 0.96)
    from sandbox.models.collection._search import tight

    assert tight(problem_of(euclidean(xy), demand, capacity, 4), 4)
    runs = [solve_vrp(euclidean(xy), demand, capacity, 4, time_limit=120, seed=4, workers=2, max_iterations=200)
            for _ in range(2)]
    assert runs[0].routes == runs[1].routes and runs[0].total_distance == runs[1].total_distance
    check_plan(runs[0], demand, capacity, 4)


# ---------------------------------------------------------------------------
# Large instances: each worker improves one sector of the best plan (route-based decomposition)
# ---------------------------------------------------------------------------

def test_the_plane_of_the_distances_gives_back_euclidean_points():
    from sandbox.models.collection._decompose import plane

    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1000, (451, 2))  # more than 400 locations: the Lanczos path
    d = np.rint(euclidean(xy))
    data = problem_of(d, np.concatenate([[0.0], np.ones(450)]), 10, 60)
    found = plane(data)
    assert found.shape == (451, 2)
    # Up to a rotation or reflection, the distances between the positions are the problem's (rounded: 1 % at most).
    given = np.asarray(data.distance_matrix(0), float)
    assert np.abs(euclidean(found) - given).max() < 0.01 * given.max()


def sectors_instance(n_routes=12, per_route=20, seed=9):
    """Routes of *per_route* points along *n_routes* rays from the depot at the origin: the sectors are known."""
    rng = np.random.default_rng(seed)
    xy = [(0.0, 0.0)]
    for r in range(n_routes):
        angle = 2 * math.pi * (r + 0.5) / n_routes
        for radius in np.sort(rng.uniform(10, 100, per_route)):
            xy.append((radius * math.cos(angle), radius * math.sin(angle)))
    return np.array(xy)


def test_routes_are_cut_into_sectors_of_as_many_points_that_turn_with_the_epoch():
    from sandbox.models.collection._decompose import route_groups

    xy = sectors_instance()
    routes = [[(True, r * 20 + k) for k in range(20)] for r in range(12)]  # route r: the points of ray r
    for turn in (0.0, 1 / 3, 2 / 3):
        groups = route_groups(routes, xy, 2, turn)
        assert sorted(r for g in groups for r in g) == list(range(12)) and [len(g) for g in groups] == [6, 6]
        for group in groups:  # six neighbouring rays: a half-plane around the depot
            assert sorted((r - group[0]) % 12 for r in group) == list(range(6))
    assert route_groups(routes, xy, 2, 0.0) != route_groups(routes, xy, 2, 1 / 3)  # the borders move
    quarters = route_groups(routes, xy, 4, 0.0)
    assert [len(g) for g in quarters] == [3, 3, 3, 3]


def test_sub_problems_put_back_together_give_the_plan_and_its_cost():
    """With reloads at a disposal site: each sector's sub-problem costs what its routes cost in the whole plan."""
    from sandbox.models.collection._decompose import decomposable, lift, plane, route_groups, subproblem
    from sandbox.models.collection._search import cost, unpack

    xy = np.vstack([sectors_instance(), [[5.0, 5.0]]])  # point 241: the disposal site
    d = euclidean(xy)
    demand = np.concatenate([[0.0], np.full(240, 3.0), [0.0]])
    data = problem_of(d, demand, 30.0, 12, disposal=241)
    routes = [[(True, r * 20 + k) for k in range(10)] + [(False, 1)] + [(True, r * 20 + k) for k in range(10, 20)]
              for r in range(12)]  # 60 per route: two trips of 30
    whole = unpack(data, routes)
    assert whole.is_feasible() and whole.is_complete()
    assert decomposable(data, 12, 2) and not decomposable(data, 5, 2)  # 2 groups need 3 routes each
    groups = route_groups(routes, plane(data), 2, 0.25)
    parts = [subproblem(data, [routes[r] for r in group]) for group in groups]
    assert sum(sub.num_clients for sub, _, _ in parts) == 240
    assert all(sub.num_locations == sub.num_clients + 2 for sub, _, _ in parts)  # its points, the depot, the disposal site
    assert sum(cost(unpack(sub, sub_routes)) for sub, sub_routes, _ in parts) == cost(whole)
    again = [route for sub, sub_routes, clients in parts for route in lift(sub_routes, clients)]
    assert sorted(again) == sorted(routes)


def test_small_instances_and_optional_points_are_not_decomposed():
    from sandbox.models.collection._decompose import decomposable

    xy = sectors_instance(n_routes=12, per_route=10)  # 120 points: below 200
    assert not decomposable(problem_of(euclidean(xy), np.concatenate([[0.0], np.ones(120)]), 10, 12), 12, 2)
    xy = sectors_instance()
    n = len(xy)
    data = problem_of(euclidean(xy), np.concatenate([[0.0], np.ones(n - 1)]), 20, 12)
    assert decomposable(data, 12, 2) and not decomposable(data, 12, 1)
    from pyvrp import Client

    optional = data.replace(clients=[Client(location=1, pickup=[1], required=False, prize=5)] + data.clients()[1:])
    assert not decomposable(optional, 12, 2)  # a point left out of every route would be in no sector


def large_instance(seed=4, n=200):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n + 1, 2))
    demand = np.concatenate([[0.0], rng.integers(1, 10, n).astype(float)])
    capacity = 40.0
    return euclidean(xy), demand, capacity, math.ceil(demand.sum() / capacity) + 1


def test_large_instances_are_searched_by_sectors_reproducibly_when_bounded_by_iterations(monkeypatch):
    from sandbox.models.collection import _search

    calls = []
    original = _search._decomposed_epoch
    monkeypatch.setattr(_search, "_decomposed_epoch", lambda *a, **k: calls.append(a[3]) or original(*a, **k))
    d, demand, capacity, fleet = large_instance()
    runs = [solve_vrp(d, demand, capacity, fleet, time_limit=300, seed=2, workers=2, max_iterations=20) for _ in range(2)]
    assert len(calls) == 2 * _search.DECOMPOSED_EPOCHS and set(calls) == {2}  # every epoch, in two sectors
    assert runs[0].routes == runs[1].routes and runs[0].total_distance == runs[1].total_distance
    check_plan(runs[0], demand, capacity, fleet)


def test_sectors_keep_the_shift_and_the_time_windows(monkeypatch):
    """Time windows, a shift and reloads at a disposal site: the plan put back together keeps every promise."""
    from sandbox.models.collection import _search

    calls = []
    original = _search._decomposed_epoch
    monkeypatch.setattr(_search, "_decomposed_epoch", lambda *a, **k: calls.append(len(a[1])) or original(*a, **k))
    d, demand, _, _ = large_instance(seed=6)
    n = len(demand)
    d = np.pad(d, ((0, 1), (0, 1)), constant_values=30.0)  # the disposal site, 30 from everywhere
    d[n, n] = 0.0
    demand = np.append(demand, 0.0)
    durations = d * 20  # 20 s per unit
    windows = np.full((n + 1, 2), np.nan)
    windows[1:41, 1] = 2400  # the first 40 points within 40 minutes
    result = solve_vrp(d, demand, 60.0, 12, disposal=n, durations=durations, service_times=np.full(n + 1, 30.0),
                       time_windows=windows, shift_duration=4 * 3600, time_limit=300, seed=3, workers=2, max_iterations=20)
    assert calls and min(calls) >= 6  # searched by sectors of 3 routes or more
    assert sorted(result.served) == list(range(1, n))
    for r, route in enumerate(result.routes):
        assert result.durations[r] <= 4 * 3600
        assert all(start <= 2400 for point, start in zip(route, result.starts[r]) if point <= 40)
        assert all(load <= 60.0 for load in result.trip_loads[r])
