"""True lower bounds on the fleet a collection needs: what can be proved before any search.

Two bounds, both valid whatever the routes:

- **capacity**: every trip carries at most one truckload, so the trips are at
  least ⌈total demand ÷ capacity⌉ (and, without a disposal site where trucks
  empty during the round, each truck makes one trip);
- **shift length**: every point needs its service time and at least the
  shortest way out of it, every trip ends with an unloading; the sum of these
  is work no fleet can avoid, and a truck works at most one shift.

The solver calls a fleet « impossible » only when one of them exceeds it;
otherwise a search that found no plan says so, with these bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sandbox.text import num, plural


@dataclass(frozen=True)
class FleetBound:
    """The fewest trips and trucks any plan needs.

    Attributes
    ----------
    trips : int
        Trips needed by capacity: ⌈total demand ÷ capacity⌉.
    trucks_capacity : int
        Trucks needed by capacity (the trips without a disposal site, else 1).
    trucks_shift : int
        Trucks needed by the shift length (0 without a shift).
    work_hours : float
        The unavoidable work, in hours (0 without durations).
    total_demand, capacity : float
    shift_hours : float or None
    """

    trips: int
    trucks_capacity: int
    trucks_shift: int
    work_hours: float
    total_demand: float
    capacity: float
    shift_hours: float | None = None

    @property
    def trucks(self) -> int:
        """The fewest trucks any plan needs (the larger bound)."""
        return max(self.trucks_capacity, self.trucks_shift, 1)

    def proves_short(self, n_vehicles: int) -> bool:
        """True when the bound shows that *n_vehicles* cannot serve everything."""
        return self.trucks > n_vehicles

    def text(self) -> str:
        """The bound in French, with where it comes from.

        >>> from sandbox.text import plain
        >>> print(plain(FleetBound(25, 25, 0, 0.0, 5147, 206).text()))
        au moins 25 camions : 5 147 à collecter, 206 par voyage, soit 25 voyages au minimum
        """
        parts = [
            f"{num(self.total_demand)} à collecter, {num(self.capacity)} par voyage, "
            f"soit {plural(self.trips, 'voyage')} au minimum"
        ]
        if self.trucks_shift:
            parts.append(
                f"au moins {num(self.work_hours, 1)} h de travail incompressible (service, trajet le plus court "
                f"depuis chaque point, vidages) pour une durée de service de {num(self.shift_hours, 1)} h par camion"
            )
        return f"au moins {plural(self.trucks, 'camion')} : " + " ; ".join(parts)


def fleet_bound(
    demand,
    capacity: float,
    *,
    required=None,
    reloads: bool = False,
    durations=None,
    service=None,
    shift_seconds: float | None = None,
    unload_seconds: float = 0.0,
) -> FleetBound:
    """Lower bounds on the trips and trucks serving every *required* point.

    Parameters
    ----------
    demand : array-like, shape (n,)
        Demand of every location (0 for the depot and the disposal site).
    capacity : float
    required : array-like of bool, shape (n,), optional
        The points that must be served (default: every location but index 0, the depot).
    reloads : bool
        Trucks may empty at a disposal site during the round (several trips per truck).
    durations : array-like, shape (n, n), optional
        Travel times in seconds; with *shift_seconds*, gives the shift bound.
    service : array-like, shape (n,), optional
        Service seconds at each location.
    shift_seconds : float, optional
        Longest round of one truck, depot to depot.
    unload_seconds : float
        Time to empty a truck (once per trip, with reloads).

    Examples
    --------
    X-n101-k25's figures: 5,147 to collect with trucks of 206 need 25 trips, hence 25 trucks.

    >>> bound = fleet_bound([0, 5147], 206)
    >>> bound.trips, bound.trucks, bound.proves_short(25), bound.proves_short(24)
    (25, 25, False, True)
    """
    demand = np.asarray(demand, dtype="float64")
    n = len(demand)
    mask = np.ones(n, bool) if required is None else np.asarray(required, bool).copy()
    if required is None:
        mask[0] = False
    total = float(demand[mask].sum())
    trips = max(math.ceil(total / capacity - 1e-9), 0)
    trucks_capacity = 1 if reloads else trips
    trucks_shift, work = 0, 0.0
    if durations is not None and shift_seconds is not None and math.isfinite(shift_seconds) and shift_seconds > 0:
        dur = np.asarray(durations, dtype="float64")
        nearest = np.where(np.eye(n, dtype=bool), np.inf, dur).min(axis=1) if n > 1 else np.zeros(n)
        serve = np.zeros(n) if service is None else np.asarray(service, dtype="float64")
        work = float(serve[mask].sum() + nearest[mask].sum() + (trips * unload_seconds if reloads else 0.0))
        trucks_shift = math.ceil(work / shift_seconds - 1e-9)
    return FleetBound(
        trips=trips, trucks_capacity=trucks_capacity, trucks_shift=trucks_shift, work_hours=work / 3600,
        total_demand=total, capacity=float(capacity),
        shift_hours=shift_seconds / 3600 if shift_seconds else None,
    )
