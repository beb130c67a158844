"""Sectors: balanced clustering of the collection points, and today's rounds as the baseline.

:class:`BalancedSectors` splits the territory into *k* compact sectors of
about the same load (k-means from scikit-learn, then a capacity-aware
reassignment), the step a room understands. :func:`nearest_neighbour_rounds`
is « les tournées actuelles »: one truck per fixed sector, visiting every
point of it in nearest-neighbour order and emptying at the disposal site
whenever the next point would not fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from sandbox.models.collection.result import RoutingResult


class BalancedSectors(ClusterMixin, BaseEstimator):
    """K-means sectors rebalanced so that each carries about the same load.

    Parameters
    ----------
    n_sectors : int
        Number of sectors (one per truck, usually).
    tolerance : float
        Allowed excess of a sector's load over the mean (0.05: 5 %).
    max_iter : int
        Rounds of reassignment and centre update.
    random_state : int

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
    cluster_centers_ : ndarray, shape (n_sectors, 2)
    loads_ : ndarray, shape (n_sectors,)
        Total weight of each sector.

    Examples
    --------
    Twelve points in three tight groups of unequal size, four sectors of equal load:

    >>> X = np.array([[0, 0]] * 6 + [[10, 0]] * 3 + [[0, 10]] * 3, dtype=float)
    >>> X += np.arange(12)[:, None] * 0.01
    >>> sectors = BalancedSectors(n_sectors=4, tolerance=0.0, random_state=0).fit(X)
    >>> sorted(np.bincount(sectors.labels_).tolist())
    [3, 3, 3, 3]
    """

    def __init__(self, n_sectors: int = 3, tolerance: float = 0.05, max_iter: int = 30, random_state: int = 0):
        self.n_sectors = n_sectors
        self.tolerance = tolerance
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None) -> "BalancedSectors":
        X = np.asarray(X, dtype="float64")
        n = len(X)
        k = int(min(max(self.n_sectors, 1), n))
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype="float64")
        weight = np.where(weight > 0, weight, 1e-9)
        with threadpool_limits(limits=1):
            kmeans = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(X, sample_weight=weight)
        centers = kmeans.cluster_centers_
        limit = weight.sum() / k * (1 + self.tolerance)
        labels = kmeans.labels_
        for _ in range(self.max_iter):
            labels = _assign(X, weight, centers, limit)
            new = np.array([np.average(X[labels == c], axis=0, weights=weight[labels == c]) if np.any(labels == c) else centers[c] for c in range(k)])
            if np.allclose(new, centers):
                break
            centers = new
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.loads_ = np.bincount(labels, weights=weight, minlength=k)
        return self

    def predict(self, X) -> np.ndarray:
        """Nearest sector centre (no balancing) for new points."""
        check_is_fitted(self, "cluster_centers_")
        X = np.asarray(X, dtype="float64")
        return np.argmin(((X[:, None, :] - self.cluster_centers_[None]) ** 2).sum(-1), axis=1)


def _assign(X: np.ndarray, weight: np.ndarray, centers: np.ndarray, limit: float) -> np.ndarray:
    """Greedy assignment by regret: the points that lose most by not going to their nearest centre choose first."""
    dist = np.sqrt(((X[:, None, :] - centers[None]) ** 2).sum(-1))
    order_c = np.sort(dist, axis=1)
    regret = order_c[:, 1] - order_c[:, 0] if centers.shape[0] > 1 else np.zeros(len(X))
    labels = np.full(len(X), -1)
    load = np.zeros(len(centers))
    for i in np.argsort(-regret, kind="stable"):
        for c in np.argsort(dist[i], kind="stable"):
            if load[c] + weight[i] <= limit + 1e-9:
                labels[i] = c
                load[c] += weight[i]
                break
        else:  # nowhere fits: the least loaded sector takes it
            c = int(np.argmin(load))
            labels[i] = c
            load[c] += weight[i]
    return labels


def nearest_neighbour_rounds(
    distances,
    demands,
    capacity: float,
    sectors: Sequence,
    depot: int = 0,
    *,
    disposal: int | None = None,
    durations=None,
    service_times=None,
    unload_time: float = 0.0,
) -> RoutingResult:
    """Today's rounds: one truck per sector, every point, in nearest-neighbour order.

    From the depot, the truck goes to the nearest point of its sector not yet
    visited, and so on. When the next point would not fit, it empties at the
    disposal site (or at the depot without one) and goes on from there. At
    the end it empties and returns to the depot.

    Parameters
    ----------
    distances : array-like, shape (n, n)
        Any unit; index *depot* is the depot.
    demands : array-like, shape (n,)
    capacity : float
    sectors : sequence, shape (n,)
        Sector label of each index (ignored for the depot and disposal site).
    depot, disposal : int
    durations : array-like, shape (n, n), optional
        Travel times in seconds, for the route durations.
    service_times : array-like, shape (n,), optional
        Seconds at each point.
    unload_time : float
        Seconds to empty the truck.

    Returns
    -------
    RoutingResult
        One route per sector, in the order the sector labels first appear.

    Examples
    --------
    Points at 1, 2 and 3 on a line, the depot at 0, one sector, capacity 2:
    out to 1 and 2, back to empty, out to 3, back: 2 + 2 + 3 + 3 = 10.

    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> r = nearest_neighbour_rounds(d, [0, 1, 1, 1], 2, ["A"] * 4)
    >>> r.trips, r.total_distance
    ((((1, 2), (3,)),), 10.0)
    """
    dist = np.asarray(distances, dtype="float64")
    demand = np.asarray(demands, dtype="float64")
    n = len(demand)
    dur = None if durations is None else np.asarray(durations, dtype="float64")
    service = np.zeros(n) if service_times is None else np.asarray(service_times, dtype="float64")
    dump = depot if disposal is None else disposal
    labels = list(sectors)
    sites = {depot} | ({disposal} if disposal is not None else set())
    order = []
    for i, label in enumerate(labels):
        if i not in sites and label not in order:
            order.append(label)
    routes, trips, distances_out, loads, trip_loads, durations_out, starts = [], [], [], [], [], [], []
    for label in order:
        todo = [i for i in range(n) if i not in sites and labels[i] == label]
        remaining = np.zeros(n, bool)
        remaining[todo] = True
        here, load, km, seconds = depot, 0.0, 0.0, 0.0
        stops, route_trips, current, current_loads, times = [], [], [], [], []
        while remaining.any():
            candidates = np.flatnonzero(remaining)
            nxt = int(candidates[np.argmin(dist[here, candidates])])
            if current and load + demand[nxt] > capacity * (1 + 1e-9):
                km += dist[here, dump]
                seconds += (dur[here, dump] if dur is not None else 0.0) + unload_time
                route_trips.append(tuple(current))
                current_loads.append(load)
                current, load, here = [], 0.0, dump
                continue
            km += dist[here, nxt]
            seconds += dur[here, nxt] if dur is not None else 0.0
            times.append(seconds)
            seconds += service[nxt]
            load += demand[nxt]
            current.append(nxt)
            stops.append(nxt)
            remaining[nxt] = False
            here = nxt
        if current:
            route_trips.append(tuple(current))
            current_loads.append(load)
        if disposal is not None:
            km += dist[here, disposal] + dist[disposal, depot]
            seconds += (dur[here, disposal] + dur[disposal, depot] if dur is not None else 0.0) + unload_time
        else:
            km += dist[here, depot]
            seconds += (dur[here, depot] if dur is not None else 0.0) + unload_time
        routes.append(tuple(stops))
        trips.append(tuple(route_trips))
        distances_out.append(float(km))
        loads.append(float(sum(current_loads)))
        trip_loads.append(tuple(float(v) for v in current_loads))
        durations_out.append(float(seconds))
        starts.append(tuple(times))
    return RoutingResult(
        routes=tuple(routes),
        trips=tuple(trips),
        distances=tuple(distances_out),
        loads=tuple(loads),
        trip_loads=tuple(trip_loads),
        capacity=float(capacity),
        n_vehicles=len(order),
        durations=tuple(durations_out) if dur is not None else None,
        starts=tuple(starts) if dur is not None else None,
    )


def sector_balance(loads) -> float:
    """Largest sector load over the mean (1.0 is perfect balance).

    >>> sector_balance([10, 20, 30])
    1.5
    """
    loads = np.asarray(loads, dtype="float64")
    return float(loads.max() / loads.mean()) if len(loads) and loads.mean() > 0 else math.nan
