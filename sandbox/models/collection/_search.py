"""The search: PyVRP's iterated local search under a wall-clock deadline, a fleet descent, and parallel runs.

One run (:func:`descend`) searches with a loose fleet first when the real one
is tight (then takes it down to the real fleet a few routes at a time), then
with the whole fleet, then with one truck fewer while that pays, then goes
on from the best. :func:`search` runs *workers* such runs at once, each in
its own process with its own seed (the first one in this process, reporting
progress), for part of the time; then, epoch after epoch, every worker goes
on from the best plan found so far, all within the same wall-clock deadline.
On large instances, each worker takes one sector of that plan instead (its
routes only, a smaller problem: see :mod:`._decompose`). The same seed and
number of workers give the same plan when the search is bounded by
iterations.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sandbox.models.collection._decompose import decomposable, lift, plane, route_groups, subproblem
from sandbox.models.collection._problem import activities, make_solution
from sandbox.text import num

Progress = Callable[[float, str], None]

# Seeds of the parallel runs: worker w uses seed + w × SEED_STRIDE.
SEED_STRIDE = 7919
# Share of a run spent with a loose fleet (every point may have its own truck) when the real fleet is tight.
RELAX_SHARE = 0.4
# PyVRP's cost of an infeasible solution is the largest integer: anything below is feasible.
INFEASIBLE = 2.0**62
# Below this many points a search is too short to share: it runs alone, in this process.
MIN_PARALLEL_POINTS = 12


def default_workers() -> int:
    """The cores this process may use (at most 4): one search per core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


class Deadline:
    """PyVRP stopping criterion: a wall-clock end, an optional iteration cap, progress reports."""

    def __init__(self, start: float, end: float, limit: float, max_iterations: int | None, progress: Progress | None,
                 final_end: float | None = None, until_feasible: bool = False):
        self.start, self.end, self.limit = start, end, limit
        self.until_feasible = until_feasible  # stop at the first feasible solution (see shrink)
        self.max_iterations, self.progress = max_iterations, progress
        self.final_end = final_end  # a slow construction gets the whole budget (see descend)
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
        if self.until_feasible and best_cost < INFEASIBLE:
            return True
        return now >= self.end


def run_ils(data, seed: int, stop: Deadline, initial=None, polish: bool = True, penalties=None):
    """One run of PyVRP's iterated local search (as ``pyvrp.solve``, with a warm start and our stop).

    Without *initial*, it starts from a random solution; *initial* (possibly
    incomplete: the local search inserts the missing points) is polished by
    an exhaustive local search first unless *polish* is False. Returns the
    best solution, the iterations and the seconds spent before the search
    proper (the construction) and the last penalties (to go on with, see
    :func:`search`); *penalties* are the first ones (default: PyVRP's).
    """
    from pyvrp import RandomNumberGenerator, Solution
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
    from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
    from pyvrp.search import OPERATORS, LocalSearch, NeighbourhoodParams, PerturbationManager, PerturbationParams
    from pyvrp.search import compute_neighbours

    began = time.perf_counter()
    rng = RandomNumberGenerator(seed=int(seed) % (2**32))
    search = LocalSearch(data, rng, compute_neighbours(data, NeighbourhoodParams()), PerturbationManager(PerturbationParams()))
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    params = PenaltyParams()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)  # an infeasible fleet is reported in French, later
        penalties = PenaltyManager(params.midpoint_penalties(data) if penalties is None else penalties, params)
        if initial is None:
            initial = Solution.make_random(data, rng)
            polish = True
        if polish:
            initial = search(initial, penalties.max_cost_evaluator(), exhaustive=True)
        setup = time.perf_counter() - began
        algorithm = IteratedLocalSearch(data, penalties, search, initial, IteratedLocalSearchParams())
        outcome = algorithm.run(stop, collect_stats=False, display=False)
    return outcome.best, outcome.num_iterations, setup, penalties.penalties()


def cost(solution) -> float:
    """Objective of a feasible solution (distance, fixed costs, prizes missed); inf if infeasible."""
    from pyvrp import CostEvaluator

    if not solution.is_feasible():
        return math.inf
    return float(CostEvaluator([0] * len(solution.excess_load()), 0, 0).cost(solution))


def _violation(solution) -> float:
    """How far an infeasible solution is from feasible (excess load and lateness), to rank infeasible ones."""
    return float(sum(solution.excess_load()) + solution.time_warp() + (0 if solution.is_complete() else 1e12))


def rank(solution) -> tuple[float, float]:
    """Sort key of solutions: feasible first, by cost; then the least infeasible."""
    c = cost(solution)
    return (0.0, c) if math.isfinite(c) else (1.0, _violation(solution))


def with_fleet(data, n_vehicles: int):
    """*data* with *n_vehicles* trucks of its (single) vehicle type."""
    return data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=int(n_vehicles))])


def tight(data, n_vehicles: int) -> bool:
    """True when the fleet is nearly full by capacity alone (more than 90 % of its single trips), without reloads."""
    vehicle = data.vehicle_type(0)
    if vehicle.reload_depots or n_vehicles >= data.num_clients:
        return False
    return all(sum(max(c.pickup[d], c.delivery[d]) for c in data.clients()) > 0.9 * n_vehicles * vehicle.capacity[d]
               for d in range(data.num_load_dimensions))


def shrink(data, solution, n_vehicles: int, seed: int, start: float, end: float, limit: float, max_iterations, progress):
    """A plan of at most *n_vehicles* routes from *solution*, feasible with more: a few routes fewer at a time.

    Each step drops the routes with the fewest points (half the excess over
    the fleet, at least one) and searches, their points put back by the
    local search, until the first feasible plan; each step gets half the
    time left at most. Returns the plan in *data* (infeasible
    if a step failed: the search that follows goes on from it) and the
    iterations.
    """
    iterations = 0
    used = sum(1 for r in solution.routes() if r.num_clients())
    while used > n_vehicles and solution.is_feasible():
        now = time.perf_counter()
        target = used - math.ceil((used - n_vehicles) / 2)  # halve the excess: a few steps even from hundreds of routes
        fewer = with_fleet(data, target)
        routes = activities(solution)
        routes.sort(key=lambda acts: -sum(1 for a in acts if a.is_client()))
        warm = make_solution(fewer, routes[:target])
        solution, more, _, _ = run_ils(fewer, seed + used, Deadline(start, now + (end - now) * 0.5, limit, max_iterations, progress,
                                                                     until_feasible=True), initial=warm)
        iterations += more
        used = sum(1 for r in solution.routes() if r.num_clients())
    routes = activities(solution)
    routes.sort(key=lambda acts: -sum(1 for a in acts if a.is_client()))  # if still too many, keep the fullest
    return make_solution(data, routes[:n_vehicles]), iterations


def descend(data, n_vehicles: int, seed: int, start: float, limit: float, max_iterations, progress,
            min_vehicles: int = 1, initial=None, end: float | None = None, loose: bool = True):
    """Search with a loose fleet, then the whole fleet, then one truck fewer while that pays; go on from the best.

    A search started at random on a tight fleet (every truck nearly full)
    spends its time repairing overloads: half the time goes to a search where
    every point may have its own truck, whose routes with the most points
    then start the search with the real fleet (the local search puts the
    others' points back). Distance is what is minimised, yet a local search
    rarely empties a whole route by itself: starting again with one route
    fewer finds the plans that use fewer trucks when they are shorter. Each
    attempt is made only if the time left is well above what building a
    solution took. The run ends at *end* (default ``start + limit``; *limit*
    is the whole call's budget, for progress reports). With *loose* False,
    the search starts with the real fleet (slower to a good plan, but safer
    when the trucks are full to the last place). Returns the best
    solution, the iterations, the fleet of the search that found it and its
    last penalties.
    """
    end = start + limit if end is None else end
    span = max(end - start, 1e-9)
    iterations = 0
    if loose and RELAX_SHARE and initial is None and tight(data, n_vehicles):
        relaxed = with_fleet(data, data.num_clients)
        now = time.perf_counter()
        loose, iterations, _, _ = run_ils(relaxed, seed, Deadline(start, now + (end - now) * RELAX_SHARE, limit, max_iterations,
                                                                   progress))
        initial, more = shrink(data, loose, n_vehicles, seed, start, end, limit, max_iterations, progress)
        iterations += more
    now = time.perf_counter()
    first_end = end if n_vehicles <= min_vehicles else now + (end - now) * 0.6
    first = Deadline(start, first_end, limit, max_iterations, progress, final_end=end if max_iterations is None else None)
    best, more, setup, penalties = run_ils(data, seed, first, initial=initial)
    iterations += more
    if first.extended:  # thousands of points: building a solution is too dear to start again
        return best, iterations, n_vehicles, penalties
    best_fleet, best_cost = n_vehicles, cost(best)
    used = sum(1 for r in best.routes() if r.num_clients())
    attempt = 1
    while used > min_vehicles and math.isfinite(best_cost):
        now = time.perf_counter()
        if max_iterations is None and (end - now < 0.15 * span or end - now < 3 * setup):
            break
        fewer = with_fleet(data, used - 1)
        smallest = min(range(len(best.routes())), key=lambda k: best.routes()[k].num_clients() or math.inf)
        warm = make_solution(fewer, activities(best, skip_route=smallest))
        candidate, more, _, tried = run_ils(fewer, seed + attempt, Deadline(start, now + (end - now) * 0.5, limit, max_iterations, progress),
                                            initial=warm)
        iterations += more
        attempt += 1
        candidate_cost = cost(candidate)
        if candidate_cost >= best_cost:
            break
        best, best_fleet, best_cost, penalties = candidate, used - 1, candidate_cost, tried
        used = sum(1 for r in candidate.routes() if r.num_clients())
    if time.perf_counter() < end - 0.2 or max_iterations is not None:
        final, more, _, last = run_ils(with_fleet(data, best_fleet), seed, Deadline(start, end, limit, max_iterations, progress),
                                       initial=best, polish=False, penalties=penalties)
        iterations += more
        if cost(final) <= best_cost or not math.isfinite(best_cost):
            best, penalties = final, last
    return best, iterations, best_fleet, penalties


def pack(solution) -> list[list[tuple[bool, int]]]:
    """The routes of *solution* as plain lists of ``(is_client, index)``: what goes between processes."""
    return [[(bool(a.is_client()), int(a.idx)) for a in acts] for acts in activities(solution)]


def unpack(data, routes):
    """The solution of *data* whose routes :func:`pack` gave."""
    from pyvrp import Activity, ActivityType

    kinds = {True: ActivityType.CLIENT, False: ActivityType.DEPOT}
    return make_solution(data, [[Activity(kinds[c], i) for c, i in route] for route in routes])


# ---------------------------------------------------------------------------
# Parallel runs
# ---------------------------------------------------------------------------

# Share of the time the workers spend on independent descents before they share their best plan.
FIRST_EPOCH = 0.4
# The rest is cut into this many epochs, each starting every worker from the best plan so far.
EPOCHS = 3
# Seed offset of each epoch.
EPOCH_STRIDE = 104_729
# Large instances (see ._decompose.MIN_POINTS): each worker improves one sector of the best plan in each epoch,
# the sectors turning from one epoch to the next (False: every worker searches the whole plan, as on small ones).
DECOMPOSE = True
# Epochs of a decomposed search: more, shorter ones, so that the sector borders move often.
DECOMPOSED_EPOCHS = 12
# Share of the time of a decomposed search spent on the independent descents of the whole instance.
DECOMPOSED_FIRST_EPOCH = 0.3

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def _pool(size: int) -> ProcessPoolExecutor:
    """A pool of *size* worker processes, started once (spawned: safe beside Streamlit's threads)."""
    global _POOL, _POOL_SIZE
    if _POOL is None or _POOL_SIZE < size:
        if _POOL is not None:
            _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
        _POOL_SIZE = size
    return _POOL


def _reset_pool() -> None:
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL, _POOL_SIZE = None, 0


atexit.register(_reset_pool)


def _ready() -> bool:
    return True


def warm_up(workers: int) -> None:
    """Start the worker processes now (a spawned process takes a second or more to import PyVRP), if any are needed."""
    if workers > 1:
        try:
            pool = _pool(workers - 1)
            for _ in range(workers - 1):
                pool.submit(_ready)
        except (OSError, RuntimeError):
            pass


def _remote_descend(data, n_vehicles, seed, end_wall, limit, max_iterations, min_vehicles, initial, loose, span):
    """One :func:`descend` in a worker process, ending at *end_wall* (``time.time()`` seconds).

    *initial* and the solution returned are packed (:func:`pack`). Returns
    None when the worker starts with less than half the time left (unless
    bounded by iterations); *span* is the seconds the run was given.
    """
    now, remaining = time.perf_counter(), end_wall - time.time()
    if max_iterations is None and remaining < 0.5 * span:  # started too late (a busy machine)
        return None
    best, iterations, fleet, penalties = descend(
        data, n_vehicles, seed, now, limit, max_iterations, None, min_vehicles=min_vehicles,
        initial=None if initial is None else unpack(data, initial), end=now + max(remaining, 0.0), loose=loose)
    return pack(best), iterations, fleet, penalties


def _remote_ils(data, seed, end_wall, limit, max_iterations, initial, penalties):
    """One :func:`run_ils` in a worker process from the packed *initial* (None: at random), ending at *end_wall*; None if late."""
    now, remaining = time.perf_counter(), end_wall - time.time()
    if max_iterations is None and remaining < 0.2:
        return None
    best, iterations, _, last = run_ils(data, seed, Deadline(now, now + remaining, limit, max_iterations, None),
                                        initial=None if initial is None else unpack(data, initial), polish=False,
                                        penalties=penalties)
    return pack(best), iterations, last


def _collect(futures, end_wall, limit, max_iterations):
    """The outcome of each future (None for a worker late, failed or gone); waits a second at most past *end_wall*."""
    outcomes = []
    for future in futures:
        if future is None:
            outcomes.append(None)
            continue
        try:
            # A remote run stops at the same deadline; past it (a busy machine, a worker still starting), it is
            # waited for a second at most, unless the search is bounded by iterations (then it is part of the answer).
            wait = None if max_iterations is not None else max(end_wall - time.time(), 0.0) + min(1.0, 0.3 + 0.05 * limit)
            outcomes.append(future.result(timeout=wait))
        except BrokenProcessPool:  # a worker died (or could not start): the next search starts a new pool
            _reset_pool()
            outcomes.append(None)
        except Exception:  # a late or failed worker only loses its share of the search
            future.cancel()
            outcomes.append(None)
    return outcomes


def search(data, n_vehicles: int, seed: int, start: float, limit: float, max_iterations, progress,
           min_vehicles: int = 1, initial=None, workers: int = 1):
    """*workers* searches at once that share their best plan, within the same deadline.

    First, every worker runs its own fleet descent (:func:`descend`, seed
    ``seed + w × SEED_STRIDE``; odd workers start with the real fleet even
    when it is tight, the safer way when trucks are full to the last place)
    for :data:`FIRST_EPOCH` of the time; then, in each of :data:`EPOCHS`
    epochs, every worker goes on from the best plan so far (from a random
    one while none is feasible) with its own seed and penalties, so that the
    second core searches around the best plan instead of repeating the
    first one's work. On instances of :data:`._decompose.MIN_POINTS` points
    or more (unless :data:`DECOMPOSE` is False), there are
    :data:`DECOMPOSED_EPOCHS` epochs after :data:`DECOMPOSED_FIRST_EPOCH` of
    the time, and in each one every worker improves one sector of the best
    plan's routes (:func:`_decomposed_epoch`), the sectors turning from one
    epoch to the next; the groups put back together replace the best plan
    when shorter. Worker 0
    runs here (with *progress*), the others in worker processes. Ties go to
    the lowest worker, so the result depends only on the seed and the number
    of workers when the search is bounded by iterations. Returns the best
    solution and the iterations of all workers.
    """
    if workers <= 1 or data.num_clients < MIN_PARALLEL_POINTS:
        best, iterations, _, _ = descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles, initial)
        return best, iterations
    wall = time.time() - time.perf_counter()  # perf_counter → time.time()
    split = DECOMPOSE and decomposable(data, n_vehicles, workers)
    epochs = DECOMPOSED_EPOCHS if split else EPOCHS
    first_share = DECOMPOSED_FIRST_EPOCH if split else FIRST_EPOCH
    first_end = start + limit * (first_share if epochs else 1.0)
    packed = None if initial is None else pack(initial)
    try:
        pool = _pool(workers - 1)
        futures = [pool.submit(_remote_descend, data, n_vehicles, seed + w * SEED_STRIDE, first_end + wall, limit, max_iterations,
                               min_vehicles, packed, w % 2 == 0, first_end - start) for w in range(1, workers)]
    except (OSError, RuntimeError):  # no process can be started here: search alone
        best, iterations, _, _ = descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles, initial)
        return best, iterations
    best, iterations, fleet, penalties = descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles,
                                                 initial, end=first_end)
    outcomes = _collect(futures, first_end + wall, limit, max_iterations)
    states = [penalties] + [None if o is None else o[3] for o in outcomes]  # each worker's penalties (None: PyVRP's first)
    for w, outcome in enumerate(outcomes, start=1):
        if outcome is None:
            continue
        iterations += outcome[1]
        candidate = unpack(with_fleet(data, outcome[2]), outcome[0])
        if rank(candidate) < rank(best):
            best, fleet = candidate, outcome[2]
    xy = None  # positions of the points, for the sectors of a decomposed epoch (computed once, when first needed)
    for epoch in range(1, epochs + 1):
        epoch_end = start + limit * (first_share + (1 - first_share) * epoch / epochs)
        if max_iterations is None and epoch_end - time.perf_counter() < 0.3:
            continue
        fleet_data = with_fleet(data, fleet)
        packed = pack(best) if best.is_feasible() else None  # no feasible plan yet: start again at random
        if split and packed is not None and decomposable(fleet_data, len(packed), workers):
            if xy is None:
                xy = plane(data)
            candidate, more = _decomposed_epoch(fleet_data, packed, xy, workers, (epoch - 1) / epochs,
                                                seed + epoch * EPOCH_STRIDE, start, epoch_end, wall, limit, max_iterations,
                                                progress, states, pool)
            iterations += more
            if rank(candidate) < rank(best):
                best = candidate
            continue
        futures = []
        for w in range(1, workers):
            try:
                futures.append(pool.submit(
                    _remote_ils, fleet_data, seed + w * SEED_STRIDE + epoch * EPOCH_STRIDE, epoch_end + wall, limit,
                    max_iterations, packed, states[w]))
            except (OSError, RuntimeError):
                futures.append(None)
        local, more, _, states[0] = run_ils(fleet_data, seed + epoch * EPOCH_STRIDE,
                                            Deadline(start, epoch_end, limit, max_iterations, progress),
                                            initial=None if packed is None else best, polish=False, penalties=states[0])
        iterations += more
        candidates = [local]
        for w, outcome in enumerate(_collect(futures, epoch_end + wall, limit, max_iterations), start=1):
            if outcome is None:  # late or failed: it is asked again in the next epoch
                continue
            iterations += outcome[1]
            states[w] = outcome[2]
            candidates.append(unpack(fleet_data, outcome[0]))
        challenger = min(candidates, key=rank)  # min keeps the first of equals: the lowest worker
        if rank(challenger) < rank(best):
            best = challenger
    return best, iterations


def _decomposed_epoch(data, packed, xy, workers: int, turn: float, seed: int, start: float, end: float, wall: float,
                      limit: float, max_iterations, progress, states: list, pool):
    """One epoch where each worker improves the routes of one sector of the plan *packed* (see :mod:`._decompose`).

    Group 0 is searched here (with *progress*), the others in the worker
    processes; a group whose worker is late or failed keeps its routes.
    Returns the plan of *data* put back together from the groups and the
    iterations; *states* (each worker's penalties) are updated in place.
    """
    groups = route_groups(packed, xy, workers, turn)
    subs = [subproblem(data, [packed[r] for r in group]) for group in groups]
    futures = []
    for w in range(1, workers):
        sub, routes, _ = subs[w]
        try:
            futures.append(pool.submit(_remote_ils, sub, seed + w * SEED_STRIDE, end + wall, limit, max_iterations, routes,
                                       states[w]))
        except (OSError, RuntimeError):
            futures.append(None)
    sub, routes, clients = subs[0]
    local, iterations, _, states[0] = run_ils(sub, seed, Deadline(start, end, limit, max_iterations, progress),
                                              initial=unpack(sub, routes), polish=False, penalties=states[0])
    improved = [pack(local) if local.is_feasible() else routes]
    for w, outcome in enumerate(_collect(futures, end + wall, limit, max_iterations), start=1):
        if outcome is None:  # late or failed: its group keeps its routes
            improved.append(subs[w][1])
            continue
        iterations += outcome[1]
        states[w] = outcome[2]
        found = unpack(subs[w][0], outcome[0])
        improved.append(outcome[0] if found.is_feasible() else subs[w][1])
    whole = [route for (_, _, clients), routes in zip(subs, improved) for route in lift(routes, clients)]
    return unpack(data, whole), iterations
