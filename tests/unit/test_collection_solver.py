"""The routing solver: it finds brute-force optima, never overloads a truck, serves each point once, keeps its promises.

Known answers come from :func:`sandbox.models.collection.exact.exact_cvrp` (exhaustive
dynamic programming) and from instances whose optimum is provable by hand.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from sandbox.data import DataError
from sandbox.models.collection.exact import exact_cvrp
from sandbox.models.collection.geo import haversine_km, road_distance_matrix
from sandbox.models.collection.routing import FleetTooSmall, NoPlanFound, solve_geo, solve_vrp
from sandbox.text import plain


def euclidean(xy: np.ndarray) -> np.ndarray:
    return np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))


def random_instance(seed: int, n: int, tightness: float = 0.85):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n + 1, 2))
    demand = rng.integers(1, 10, n + 1).astype(float)
    demand[0] = 0
    vehicles = 3
    capacity = float(np.ceil(demand.sum() / (vehicles * tightness)))
    capacity = max(capacity, demand.max())
    return euclidean(xy), demand, capacity, vehicles


def route_cost(d: np.ndarray, route, depot: int = 0) -> float:
    path = [depot, *route, depot]
    return float(sum(d[a, b] for a, b in zip(path[:-1], path[1:])))


def brute_force(d: np.ndarray, demand: np.ndarray, capacity: float, vehicles: int) -> float:
    """Independent check of exact_cvrp on very small instances: every assignment, every order."""
    points = list(range(1, len(demand)))
    best = np.inf
    for labels in itertools.product(range(vehicles), repeat=len(points)):
        if labels[0] != 0:  # symmetry: the first point rides the first truck
            continue
        groups = [[p for p, g in zip(points, labels) if g == k] for k in range(vehicles)]
        if any(demand[g].sum() > capacity for g in groups):
            continue
        total = 0.0
        for g in groups:
            if g:
                total += min(route_cost(d, perm) for perm in itertools.permutations(g))
            if total >= best:
                break
        best = min(best, total)
    return best


def test_exact_reference_matches_a_plain_enumeration():
    for seed in range(3):
        d, q, cap, k = random_instance(seed, 6)
        assert exact_cvrp(d, q, cap, k)[0] == pytest.approx(brute_force(d, q, cap, k), rel=1e-12)


@pytest.mark.parametrize("seed,n", [(0, 7), (1, 8), (2, 9), (3, 10), (4, 10), (5, 11)])
def test_solver_finds_the_brute_force_optimum(seed, n):
    d, q, cap, k = random_instance(seed, n)
    optimum, _ = exact_cvrp(d, q, cap, k)
    result = solve_vrp(d, q, cap, k, time_limit=2.0, seed=seed, max_iterations=3000)
    assert result.total_distance == pytest.approx(optimum, rel=1e-6)
    assert result.feasible


def test_solver_optimum_in_any_unit_and_on_an_asymmetric_matrix():
    d, q, cap, k = random_instance(7, 9)
    rng = np.random.default_rng(7)
    asym = d * rng.uniform(1.0, 1.4, d.shape)  # one-way streets: A→B differs from B→A
    np.fill_diagonal(asym, 0)
    optimum, _ = exact_cvrp(asym, q, cap, k)
    in_metres = solve_vrp(asym * 1000, q, cap, k, time_limit=2.0, seed=1, max_iterations=3000)
    assert in_metres.total_distance == pytest.approx(optimum * 1000, rel=1e-6)
    in_litres = solve_vrp(asym, q * 0.37, cap * 0.37, k, time_limit=2.0, seed=1, max_iterations=3000)
    assert in_litres.total_distance == pytest.approx(optimum, rel=1e-6)


def test_star_instance_with_a_provable_optimum():
    """Points on four rays from the depot, unit demands, one ray per truckload.

    Every route costs at least twice its farthest point, and the farthest
    groups of 5 are the rays themselves: the optimum is 2 × Σ farthest radius.
    """
    radii = {0: (40, 44), 1: (30, 34), 2: (20, 24), 3: (10, 14)}
    xy, q = [(0.0, 0.0)], [0.0]
    for ray, (lo, hi) in radii.items():
        angle = ray * np.pi / 2 + 0.3
        for r in np.linspace(lo, hi, 5):
            xy.append((r * np.cos(angle), r * np.sin(angle)))
            q.append(1.0)
    d = euclidean(np.array(xy))
    result = solve_vrp(d, q, 5, 4, time_limit=2.0, seed=0, max_iterations=3000)
    assert result.total_distance == pytest.approx(2 * (44 + 34 + 24 + 14), rel=1e-6)
    assert sorted(len(r) for r in result.routes) == [5, 5, 5, 5]


def test_capacity_never_exceeded_and_each_point_served_exactly_once():
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 50, (121, 2))
    q = rng.integers(1, 30, 121).astype(float)
    q[0] = 0
    result = solve_vrp(euclidean(xy), q, 150.0, 30, time_limit=1.5, seed=3, max_iterations=1500)
    served = Counter(result.served)
    assert set(served) == set(range(1, 121)) and set(served.values()) == {1}
    assert all(load <= 150.0 for load in result.loads)
    assert result.total_distance == pytest.approx(sum(route_cost(euclidean(xy), r) for r in result.routes))


def test_disposal_site_trips_keep_every_trip_under_capacity():
    rng = np.random.default_rng(5)
    xy = np.vstack([[0, 0], [30, 0], rng.uniform(0, 20, (40, 2))])  # depot, disposal, 40 points
    q = np.concatenate([[0, 0], rng.integers(5, 15, 40)]).astype(float)
    result = solve_vrp(euclidean(xy), q, 60.0, 1, disposal=1, time_limit=1.0, seed=0, max_iterations=1000)
    assert result.n_routes == 1 and result.n_trips >= int(np.ceil(q.sum() / 60))
    assert all(load <= 60.0 for load in result.trip_loads[0])
    assert sorted(result.served) == list(range(2, 42))
    # Distance goes depot → trip → disposal → … → disposal → depot.
    d = euclidean(xy)
    path = [0]
    for trip in result.trips[0]:
        path += [*trip, 1]
    path.append(0)
    assert result.distances[0] == pytest.approx(sum(d[a, b] for a, b in zip(path[:-1], path[1:])))


def test_time_windows_and_shift_are_honoured():
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 10, (31, 2))
    d = euclidean(xy)
    durations = d * 120  # 2 minutes per unit
    q = np.ones(31)
    q[0] = 0
    windows = np.full((31, 2), np.nan)
    windows[1:6, 1] = 900  # these five before 15 minutes
    windows[6:9, 0] = 3600  # these three not before one hour
    result = solve_vrp(d, q, 100, 3, durations=durations, service_times=np.full(31, 60.0), time_windows=windows,
                       shift_duration=3 * 3600, time_limit=1.5, seed=0, max_iterations=1500)
    for r, route in enumerate(result.routes):
        for point, start in zip(route, result.starts[r]):
            if np.isfinite(windows[point, 1]):
                assert start <= windows[point, 1]
            if np.isfinite(windows[point, 0]):
                assert start >= windows[point, 0]
        assert result.durations[r] <= 3 * 3600


def test_optional_points_are_skipped_when_not_worth_their_detour():
    xy = np.array([[0, 0], [10, 0], [5, 0.1], [10, 30]], dtype=float)  # point 2 on the way, point 3 far off it
    d = euclidean(xy)
    q = [0, 1, 1, 1]
    cheap = solve_vrp(d, q, 10, 1, optional=[False, False, True, True], prizes=[0, 0, 5, 5], time_limit=0.5, seed=0, max_iterations=300)
    assert sorted(cheap.served) == [1, 2] and cheap.unserved == (3,)  # point 2 costs almost nothing
    worth = solve_vrp(d, q, 10, 1, optional=[False, False, True, True], prizes=[0, 0, 5, 200], time_limit=0.5, seed=0, max_iterations=300)
    assert sorted(worth.served) == [1, 2, 3]


def test_to_frame_lists_every_stop_in_order():
    d, q, cap, k = random_instance(1, 8)
    result = solve_vrp(d, q, cap, k, time_limit=0.5, seed=0)
    frame = result.to_frame()
    assert sorted(frame["point"]) == list(range(1, 9))
    for r, route in enumerate(result.routes):
        assert frame.loc[frame["route"] == r + 1, "point"].tolist() == list(route)


def test_progress_is_reported_and_the_time_limit_bounds_the_call():
    d, q, cap, k = random_instance(3, 60)
    seen = []
    result = solve_vrp(d, q, cap, 10, time_limit=0.6, seed=0, progress=lambda f, m: seen.append((f, m)))
    assert seen and seen[-1][0] == 1.0 and all(0.0 <= f <= 1.0 for f, _ in seen)
    assert result.feasible


# --- bad inputs -----------------------------------------------------------------------


def test_matrix_of_the_wrong_size_is_refused_in_french():
    with pytest.raises(DataError) as err:
        solve_vrp(np.zeros((4, 5)), [0, 1, 1, 1, 1], 5, 1)
    assert "forme 4 × 5" in plain(str(err.value)) and "5 × 5" in plain(str(err.value))
    with pytest.raises(DataError, match="forme"):
        solve_vrp(np.zeros((3, 3)), [0, 1, 1, 1], 5, 1)


def test_negative_or_missing_distances_are_refused():
    d = np.ones((3, 3)) - np.eye(3)
    d[1, 2] = np.nan
    with pytest.raises(DataError, match=r"\(2, 3\)"):
        solve_vrp(d, [0, 1, 1], 5, 1)


def test_zero_points():
    with pytest.raises(DataError, match="(?i)aucun point"):
        solve_vrp(np.zeros((1, 1)), [0], 5, 1)
    with pytest.raises(DataError, match="(?i)aucun point"):
        solve_geo([], [], [], 5, 1, depot=(48.86, 2.44))


def test_demand_larger_than_a_truck_names_the_points():
    d = np.ones((4, 4)) - np.eye(4)
    with pytest.raises(DataError) as err:
        solve_vrp(d, [0, 3, 12, 2], 10, 2, names=["dépôt", "A", "B", "C"], rows=[0, 2, 3, 4])
    text = plain(str(err.value))
    assert "« B »" in text and "(ligne 3)" in text and "capacité" in text


def test_fleet_too_small_says_how_many_trucks_are_needed():
    d, q, cap, _ = random_instance(0, 9)
    needed = int(np.ceil(q.sum() / cap))
    with pytest.raises(FleetTooSmall) as err:
        solve_vrp(d, q, cap, needed - 1, time_limit=0.5)
    assert f"au moins {needed} camions" in plain(str(err.value))


def test_fleet_too_small_within_the_shift_says_how_many_trucks():
    rng = np.random.default_rng(4)
    xy = np.vstack([[0, 0], [1, 1], rng.uniform(0, 10, (30, 2))])
    d = euclidean(xy)
    q = np.concatenate([[0, 0], np.ones(30)])
    # 30 points × 10 minutes of service: 5 hours of work for one truck of 2 hours.
    with pytest.raises(FleetTooSmall) as err:
        solve_vrp(d, q, 100, 1, disposal=1, durations=d * 60, service_times=np.full(32, 600.0),
                  shift_duration=7200, time_limit=1.0, seed=0, max_iterations=800)
    message = plain(str(err.value))
    # 30 × 10 min of service alone is 5 h: at least 3 trucks of 2 h, a bound proved before any search.
    assert "durée de service" in message and "il en faut au moins 3 camions" in message
    assert err.value.bound.trucks == 3
    partial = solve_vrp(d, q, 100, 1, disposal=1, durations=d * 60, service_times=np.full(32, 600.0),
                        shift_duration=7200, time_limit=1.0, seed=0, on_shortfall="partial", max_iterations=800)
    assert 0 < len(partial.served) < 30 and len(partial.unserved) == 30 - len(partial.served)
    assert partial.durations[0] <= 7200


def test_window_out_of_reach_names_the_point():
    d = np.array([[0, 10, 10], [10, 0, 5], [10, 5, 0]], dtype=float)
    windows = np.array([[np.nan, np.nan], [np.nan, 300], [np.nan, np.nan]])
    with pytest.raises(DataError, match="créneau"):
        solve_vrp(d, [0, 1, 1], 5, 1, durations=d * 60, time_windows=windows, names=["dépôt", "P1", "P2"])


# --- geography --------------------------------------------------------------------------


def test_great_circle_and_detour():
    assert float(haversine_km(48.8566, 2.3522, 48.8566, 2.3522)) == 0.0
    one_degree_lat = float(haversine_km(48.0, 2.0, 49.0, 2.0))
    assert one_degree_lat == pytest.approx(111.19, abs=0.01)
    m = road_distance_matrix([48.0, 49.0], [2.0, 2.0], detour=1.5)
    assert m[0, 1] == pytest.approx(one_degree_lat * 1.5)


def test_geo_wrapper_returns_point_positions_and_km():
    lat = [48.860, 48.861, 48.870, 48.871]
    lon = [2.440, 2.441, 2.440, 2.441]
    result = solve_geo(lat, lon, [500, 500, 500, 500], 1000, 2, depot=(48.865, 2.45), time_limit=0.5, seed=0)
    assert sorted(sorted(r) for r in result.routes) == [[0, 1], [2, 3]]
    assert 2 < result.total_distance < 5  # two short loops from a depot ~700 m away, × 1.3
