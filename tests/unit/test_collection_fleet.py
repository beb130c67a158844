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
