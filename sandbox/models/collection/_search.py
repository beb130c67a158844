"""The search: PyVRP's iterated local search under a wall-clock deadline, a fleet descent, and parallel runs.

One run (:func:`descend`) searches with the whole fleet, then with one truck
fewer while that pays, then goes on from the best. :func:`search` runs
*workers* such runs at once, each in its own process with its own seed (the
first one in this process, reporting progress), all within the same
wall-clock deadline, and keeps the best: the same seed and number of workers
give the same plan when the search is bounded by iterations.
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

from sandbox.models.collection._problem import activities, make_solution
from sandbox.text import num

Progress = Callable[[float, str], None]

# Seeds of the parallel runs: worker w uses seed + w × SEED_STRIDE.
SEED_STRIDE = 7919
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
                 final_end: float | None = None):
        self.start, self.end, self.limit = start, end, limit
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
        return now >= self.end


def run_ils(data, seed: int, stop: Deadline, initial=None, polish: bool = True):
    """One run of PyVRP's iterated local search (as ``pyvrp.solve``, with a warm start and our stop).

    Without *initial*, it starts from a random solution; *initial* (possibly
    incomplete: the local search inserts the missing points) is polished by
    an exhaustive local search first unless *polish* is False. Returns the
    best solution, the iterations and the seconds spent before the search
    proper (the construction).
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
        penalties = PenaltyManager(params.midpoint_penalties(data), params)
        if initial is None:
            initial = Solution.make_random(data, rng)
            polish = True
        if polish:
            initial = search(initial, penalties.max_cost_evaluator(), exhaustive=True)
        setup = time.perf_counter() - began
        algorithm = IteratedLocalSearch(data, penalties, search, initial, IteratedLocalSearchParams())
        outcome = algorithm.run(stop, collect_stats=False, display=False)
    return outcome.best, outcome.num_iterations, setup


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


def descend(data, n_vehicles: int, seed: int, start: float, limit: float, max_iterations, progress,
            min_vehicles: int = 1, initial=None):
    """Search with the whole fleet, then with one truck fewer while that pays, then go on from the best.

    Distance is what is minimised, yet a local search rarely empties a whole
    route by itself: starting again with one route fewer (its points
    reinserted by the local search) finds the plans that use fewer trucks
    when they are shorter. Each attempt is made only if the time left is
    well above what building a solution took.
    """
    end = start + limit
    now = time.perf_counter()
    first_end = end if n_vehicles <= min_vehicles else now + (end - now) * 0.6
    first = Deadline(start, first_end, limit, max_iterations, progress, final_end=end if max_iterations is None else None)
    best, iterations, setup = run_ils(data, seed, first, initial=initial)
    if first.extended:  # thousands of points: building a solution is too dear to start again
        return best, iterations
    best_data, best_cost = data, cost(best)
    used = sum(1 for r in best.routes() if r.num_clients())
    attempt = 1
    while used > min_vehicles and math.isfinite(best_cost):
        now = time.perf_counter()
        if max_iterations is None and (end - now < 0.15 * limit or end - now < 3 * setup):
            break
        fewer = data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=used - 1)])
        smallest = min(range(len(best.routes())), key=lambda k: best.routes()[k].num_clients() or math.inf)
        warm = make_solution(fewer, activities(best, skip_route=smallest))
        candidate, more, _ = run_ils(fewer, seed + attempt, Deadline(start, now + (end - now) * 0.5, limit, max_iterations, progress),
                                     initial=warm)
        iterations += more
        attempt += 1
        candidate_cost = cost(candidate)
        if candidate_cost >= best_cost:
            break
        best, best_data, best_cost = candidate, fewer, candidate_cost
        used = sum(1 for r in candidate.routes() if r.num_clients())
    if time.perf_counter() < end - 0.2 or max_iterations is not None:
        final, more, _ = run_ils(best_data, seed, Deadline(start, end, limit, max_iterations, progress), initial=best, polish=False)
        iterations += more
        if cost(final) <= best_cost or not math.isfinite(best_cost):
            best = final
    return best, iterations


# ---------------------------------------------------------------------------
# Parallel runs
# ---------------------------------------------------------------------------

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


def _remote(data, n_vehicles, seed, end_wall, limit, max_iterations, min_vehicles, initial):
    """One :func:`descend` in a worker process; *end_wall* is the shared deadline in ``time.time()`` seconds.

    Returns None when the worker starts with less than a fifth of the time left (unless bounded by iterations).
    """
    now = time.perf_counter()
    remaining = end_wall - time.time()
    if max_iterations is None and remaining < 0.2 * limit:  # started too late (a busy machine): leave the cores free
        return None
    remaining = max(remaining, 0.0)
    best, iterations = descend(data, n_vehicles, seed, now - (limit - remaining), limit, max_iterations, None,
                               min_vehicles=min_vehicles, initial=initial)
    return best, iterations


def search(data, n_vehicles: int, seed: int, start: float, limit: float, max_iterations, progress,
           min_vehicles: int = 1, initial=None, workers: int = 1):
    """The best of *workers* independent fleet descents, within the same deadline.

    Worker 0 runs here (with *progress*); workers 1… run in other processes
    with seeds ``seed + w × SEED_STRIDE``. Ties go to the lowest worker, so the
    result depends only on the seed and the number of workers when the search
    is bounded by iterations. Returns the best solution and the iterations of
    all workers.
    """
    if workers <= 1 or data.num_clients < MIN_PARALLEL_POINTS:
        return descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles, initial)
    end_wall = time.time() + (start + limit - time.perf_counter())
    try:
        pool = _pool(workers - 1)
        futures = [
            pool.submit(_remote, data, n_vehicles, seed + w * SEED_STRIDE, end_wall, limit, max_iterations, min_vehicles, initial)
            for w in range(1, workers)
        ]
    except (OSError, RuntimeError):  # no process can be started here: search alone
        return descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles, initial)
    results = [descend(data, n_vehicles, seed, start, limit, max_iterations, progress, min_vehicles, initial)]
    for future in futures:
        try:
            # A remote run stops at the same deadline; past it (a busy machine, a worker still starting), it is
            # waited for a second at most,
            # unless the search is bounded by iterations (then its result is part of the answer).
            wait = None if max_iterations is not None else max(end_wall - time.time(), 0.0) + min(1.0, 0.3 + 0.05 * limit)
            outcome = future.result(timeout=wait)
            if outcome is not None:
                results.append(outcome)
        except BrokenProcessPool:  # a worker died (or could not start): the next search starts a new pool
            _reset_pool()
        except Exception:  # a late or failed worker only loses its share of the search
            future.cancel()
    best = min(range(len(results)), key=lambda w: (rank(results[w][0]), w))
    return results[best][0], sum(r[1] for r in results)
