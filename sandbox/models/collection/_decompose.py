"""Route-based decomposition of a large plan: groups of routes by angle around the depot, their sub-problems, and back.

On a large instance, an iterated local search that works on the whole plan
spreads its iterations thin, and a second core started from the same plan
mostly repeats the first one's work. Cutting the plan's routes into as many
groups as there are cores, each a sector around the depot, gives each core
a sub-problem of its own: only the points of its routes, the same depot and
trucks, as many trucks as it has routes. Each sub-problem is smaller, so a
core runs many more iterations per second on it; the improved groups put
back together form a plan of the whole instance (Santini, Schneider, Vidal
& Vigo, 2023, « Decomposition strategies for vehicle routing heuristics »).
Moving the sector borders from one round to the next lets routes on either
side of a border exchange points later.

The problems are PyVRP ``ProblemData``; plans are the packed routes of
:func:`sandbox.models.collection._search.pack` (lists of ``(is_client,
index)``), so that they cross processes as plain lists.
"""

from __future__ import annotations

import math

import numpy as np

# Below this many points, the whole instance is searched: a sub-problem would be too small to pay.
MIN_POINTS = 200
# Fewest routes per group: a group of one route can only reorder it.
MIN_ROUTES_PER_GROUP = 3


def plane(data) -> np.ndarray:
    """Positions in the plane of the depot (row 0) and of every client (row 1 + k), from the distances alone.

    Classical multidimensional scaling: the two main axes of the doubly
    centred matrix of squared distances (made symmetric). Euclidean
    distances give back the points up to a rotation or a reflection; road
    distances give a faithful enough map to cut sectors.

    >>> from pyvrp import Client, Depot, Location, ProblemData, VehicleType
    >>> xy = np.array([[0, 0], [3, 0], [0, 4], [-3, 0]])
    >>> d = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    >>> data = ProblemData([Location(x=i, y=0) for i in range(4)], [Client(location=i) for i in (1, 2, 3)],
    ...                    [Depot(location=0)], [VehicleType()], [d], [d])
    >>> p = plane(data)
    >>> round(float(np.hypot(*(p[2] - p[0]))), 6), round(float(np.hypot(*(p[1] - p[3]))), 6)
    (4.0, 6.0)
    """
    locations = [data.depot(0).location] + [data.client(k).location for k in range(data.num_clients)]
    d = np.asarray(data.distance_matrix(0), dtype="float64")[np.ix_(locations, locations)]
    d = np.minimum(d, 1e15)  # an unreachable pair (the largest integer) must not overflow its square
    squared = ((d + d.T) / 2) ** 2
    row = squared.mean(axis=0)
    centred = -0.5 * (squared - row[:, None] - row[None, :] + row.mean())
    if len(locations) > 400:  # Lanczos: the two largest eigenvalues of a large matrix in a few products
        from scipy.sparse.linalg import eigsh

        start = np.cos(np.arange(len(locations), dtype="float64"))  # fixed start vector: reproducible
        values, vectors = eigsh(centred, k=2, which="LA", v0=start)
    else:
        values, vectors = np.linalg.eigh(centred)
        values, vectors = values[-2:], vectors[:, -2:]
    return vectors * np.sqrt(np.maximum(values, 0.0))


def decomposable(data, n_routes: int, parts: int) -> bool:
    """True when a plan of *n_routes* routes of *data* can be cut into *parts* sub-problems that pay.

    The instance must be large (:data:`MIN_POINTS` points), every point
    required (a point left out of every route would be in no group), one
    vehicle type, no client groups nor shipments (they tie points across
    routes), and enough routes for every group.
    """
    return (parts >= 2 and data.num_clients >= MIN_POINTS and n_routes >= parts * MIN_ROUTES_PER_GROUP
            and data.num_vehicle_types == 1 and data.num_groups == 0 and data.num_shipments == 0
            and all(data.client(k).required for k in range(data.num_clients)))


def route_groups(routes, xy: np.ndarray, parts: int, turn: float) -> list[list[int]]:
    """The routes (indices in *routes*) of each of *parts* sectors around the depot, with about as many points each.

    Each route sits at the polar angle of the centroid of its points around
    the depot (positions from :func:`plane`); the routes sorted by angle,
    starting at ``turn × 2π / parts`` (*turn* in [0, 1): the borders move
    with it), are cut into *parts* consecutive groups of about as many
    points.

    >>> xy = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]], dtype=float)
    >>> routes = [[(True, 0)], [(True, 1)], [(True, 2)], [(True, 3)]]
    >>> route_groups(routes, xy, 2, 0.0), route_groups(routes, xy, 2, 0.5)
    ([[0, 1], [2, 3]], [[1, 2], [3, 0]])
    """
    origin = xy[0]
    start = 2 * math.pi * turn / parts
    keyed = []
    for r, route in enumerate(routes):
        clients = [idx for is_client, idx in route if is_client]
        centre = xy[[1 + k for k in clients]].mean(axis=0) - origin
        angle = (math.atan2(centre[1], centre[0]) - start) % (2 * math.pi)
        keyed.append((angle, r, len(clients)))
    keyed.sort()
    total = sum(size for _, _, size in keyed)
    groups: list[list[int]] = [[] for _ in range(parts)]
    seen = 0
    for _, r, size in keyed:
        middle = seen + size / 2  # a route goes to the group where its middle point falls
        groups[min(int(parts * middle / total), parts - 1)].append(r)
        seen += size
    return groups


def _moved(site, location: int):
    """A copy of a PyVRP client or depot at another location index."""
    from pyvrp import Client, Depot

    if isinstance(site, Depot):
        return Depot(location=location, service_duration=site.service_duration, tw_early=site.tw_early,
                     tw_late=site.tw_late, name=site.name)
    return Client(location=location, delivery=site.delivery, pickup=site.pickup, service_duration=site.service_duration,
                  tw_early=site.tw_early, tw_late=site.tw_late, release_time=site.release_time, prize=site.prize,
                  required=site.required, group=site.group, name=site.name)


def subproblem(data, routes):
    """The sub-problem of *routes* (packed): its clients only, as many trucks as routes; and its routes and clients.

    The sub-problem keeps only the locations of the depots and of its
    clients (smaller matrices to send to a worker process). Returns
    ``(sub_data, sub_routes, clients)`` where ``clients[k]`` is the client
    of *data* that is client *k* of *sub_data*; depots keep their indices.
    """
    clients = sorted({idx for route in routes for is_client, idx in route if is_client})
    position = {c: k for k, c in enumerate(clients)}
    depots = data.depots()
    kept = sorted({d.location for d in depots} | {data.client(c).location for c in clients})
    where = {location: k for k, location in enumerate(kept)}
    grid = np.ix_(kept, kept)
    vehicle = data.vehicle_type(0).replace(num_available=len(routes))
    sub = data.replace(locations=[data.location(k) for k in kept],
                       clients=[_moved(data.client(c), where[data.client(c).location]) for c in clients],
                       depots=[_moved(d, where[d.location]) for d in depots], vehicle_types=[vehicle],
                       distance_matrices=[np.asarray(m)[grid] for m in data.distance_matrices()],
                       duration_matrices=[np.asarray(m)[grid] for m in data.duration_matrices()])
    sub_routes = [[(is_client, position[idx] if is_client else idx) for is_client, idx in route] for route in routes]
    return sub, sub_routes, clients


def lift(routes, clients: list[int]):
    """Packed *routes* of a sub-problem as routes of the whole problem (see :func:`subproblem`).

    >>> lift([[(True, 0), (False, 1), (True, 1)]], [5, 9])
    [[(True, 5), (False, 1), (True, 9)]]
    """
    return [[(is_client, clients[idx] if is_client else idx) for is_client, idx in route] for route in routes]
