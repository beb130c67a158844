"""The exact test oracle: optimal CVRP routes of tiny instances by exhaustive dynamic programming.

Used by the tests and the benchmark to check the solver (and to prove that a
tight fleet is sufficient); exponential, so limited to about 12 points.
"""

from __future__ import annotations

import math

import numpy as np


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
    >>> import numpy as np
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
