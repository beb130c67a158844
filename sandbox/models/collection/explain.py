"""« Pourquoi ce point ? »: what serving a point costs, or what keeps it out of the rounds.

For a point served, the extra distance of its visit (the way its neighbours
would go without it). For a point left out, the cheapest insertion into
every route and what forbids it (capacity, shift length, time window).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sandbox.models.collection.labels import Status, label
from sandbox.models.collection.times import parse_clock, window_text
from sandbox.text import md_escape, num, pct, plural, q

if TYPE_CHECKING:
    from sandbox.models.collection.plan import CollectionPlan


@dataclass(frozen=True)
class PointExplanation:
    """Answer to « pourquoi ce point ? ».

    Attributes
    ----------
    point_id : str
    status : Status
        Served, optional and skipped, or not served (French label: :func:`~sandbox.models.collection.labels.label`).
    text : str
        French explanation (Markdown).
    extra_km : float
        What serving it costs (served: the distance saved without it;
        left out: the cheapest insertion).
    reasons : tuple of str
        For a point left out: what prevents serving it (« capacité », « durée de service », « créneau »).
    """

    point_id: str
    status: Status
    text: str
    extra_km: float
    reasons: tuple[str, ...] = ()


def explain_point(plan: CollectionPlan, point_id: str) -> PointExplanation:
    """Why this point is served where it is (its extra km), or what keeps it out of the rounds."""
    matches = np.flatnonzero(plan.points["id"].astype(str).to_numpy() == str(point_id))
    if not len(matches):
        raise KeyError(point_id)
    p = int(matches[0])
    row = plan.points.iloc[p]
    where = plan.optimised.route_of()
    if p in where:
        return _explain_served(plan, p, row, where[p])
    return _explain_left_out(plan, p, row)


def _sequence(plan: CollectionPlan, route: int) -> list[int]:
    sequence = [0]
    for trip in plan.optimised.trips[route]:
        sequence += [q_ + 2 for q_ in trip] + [1]
    return sequence + [0]


def _name(plan: CollectionPlan, index: int) -> str:
    if index == 0:
        return f"le dépôt ({md_escape(plan.depot.name)})"
    if index == 1:
        return f"l'exutoire ({md_escape(plan.disposal.name)})" if plan.disposal_given else f"le dépôt ({md_escape(plan.depot.name)})"
    return q(md_escape(plan.points["id"].iloc[index - 2]))


def _explain_served(plan: CollectionPlan, p: int, row, where) -> PointExplanation:
    r, t, k = where
    d = plan.distance_km
    seq = _sequence(plan, r)
    pos = seq.index(p + 2)
    prev, nxt = seq[pos - 1], seq[pos + 1]
    extra = d[prev, p + 2] + d[p + 2, nxt] - d[prev, nxt]
    trip_load = plan.optimised.trip_loads[r][t]
    lines = [
        f"**{q(md_escape(row['id']))} est collecté par le camion {r + 1}**, voyage {t + 1}, {_nth(k + 1)} arrêt"
        + (f", vers {row['arrival']}" if isinstance(row.get("arrival"), str) and row.get("arrival") else "") + ".",
        (f"Le desservir coûte **{num(extra, 2)} km** de plus : sans lui, le camion irait directement de "
         f"{_name(plan, prev)} à {_name(plan, nxt)}.").replace("de le dépôt", "du dépôt").replace("à le dépôt", "au dépôt"),
        f"Volume prévu : {num(row['demand_l'])} L ({label(row['fill_source'])}) ; charge du voyage : "
        f"{num(trip_load)} L sur {num(plan.fleet.capacity_l)} L ({pct(trip_load / plan.fleet.capacity_l, 0)}).",
    ]
    window = window_text(row.get("tw_start_min"), row.get("tw_end_min"), parse_clock(plan.fleet.shift_start))
    if window:
        lines.append(f"Créneau à respecter : {window}.")
    if bool(row.get("optional")):
        value = float(row["fill_pct"]) / 100 * plan.skip_value_km
        lines.append(
            f"Visite facultative (remplissage prévu {num(row['fill_pct'])} %, sous le seuil de {num(plan.skip_threshold)} %), "
            f"faite quand même : le détour ({num(extra, 2)} km) vaut moins que la collecte ({num(value, 2)} km)."
        )
    base_route = row.get("baseline_route")
    if pd.notna(base_route):
        lines.append(f"Aujourd'hui : secteur {q(md_escape(row['sector_current']))}, {_nth(int(row['baseline_order']))} arrêt.")
    return PointExplanation(str(row["id"]), Status.SERVED, "\n\n".join(lines), float(extra))


def _explain_left_out(plan: CollectionPlan, p: int, row) -> PointExplanation:
    d = plan.distance_km
    dur_per_km = 3600.0 / plan.fleet.speed_kmh
    demand = float(row["demand_l"])
    service = float(row.get("service_min") or 0.0) * 60
    start = parse_clock(plan.fleet.shift_start)
    early = row.get("tw_start_min")
    late = row.get("tw_end_min")
    shift = (plan.fleet.shift_hours or math.inf) * 3600
    best = (math.inf, None, None)
    per_route = []
    for r in range(plan.optimised.n_routes):
        seq = _sequence(plan, r)
        trip_of = _trip_of_edges(plan.optimised.trips[r])
        starts = plan.optimised.starts[r] if plan.optimised.starts is not None else ()
        options = []
        for e in range(len(seq) - 1):
            a, b = seq[e], seq[e + 1]
            if trip_of[e] is None:  # the way home: not part of a trip
                continue
            extra = d[a, p + 2] + d[p + 2, b] - d[a, b]
            reasons = []
            if plan.optimised.trip_loads[r][trip_of[e]] + demand > plan.fleet.capacity_l * (1 + 1e-9):
                reasons.append("capacité")
            if plan.optimised.durations is not None and plan.optimised.durations[r] + extra * dur_per_km + service > shift:
                reasons.append("durée de service")
            before = _service_start(e, seq, starts)
            if before is not None and late is not None and np.isfinite(late):
                arrival = before + (d[a, p + 2] * dur_per_km) / 60
                if arrival > late:
                    reasons.append("créneau")
            options.append((extra, reasons, (a, b)))
        if not options:
            continue
        options.sort(key=lambda o: o[0])
        feasible = [o for o in options if not o[1]]
        cheapest = options[0]
        per_route.append((r, cheapest, feasible[0] if feasible else None))
        if cheapest[0] < best[0]:
            best = (cheapest[0], r, cheapest[2])
    optional = bool(row.get("optional"))
    status = Status.OPTIONAL_SKIPPED if optional else Status.UNSERVED
    lines = []
    if optional:
        value = float(row["fill_pct"]) / 100 * plan.skip_value_km
        lines.append(
            f"**{q(md_escape(row['id']))} n'est pas collecté aujourd'hui** : remplissage prévu {num(row['fill_pct'])} %, "
            f"sous le seuil de {num(plan.skip_threshold)} % (visite facultative)."
        )
        if math.isfinite(best[0]):
            lines.append(
                f"Le collecter coûterait au mieux **{num(best[0], 2)} km** de plus (camion {best[1] + 1}, entre "
                f"{_name(plan, best[2][0])} et {_name(plan, best[2][1])}), plus que sa collecte ne vaut "
                f"({num(value, 2)} km : {num(row['fill_pct'])} % de {num(plan.skip_value_km, 1)} km pour un bac plein)."
            )
        if pd.notna(row.get("overflow_risk")):
            lines.append(
                f"Risque de débordement d'ici la prochaine collecte habituelle (dans {plural(int(row['next_days']), 'jour')}) : "
                f"**{pct(float(row['overflow_risk']), 0)}** (remplissage prévu alors : {num(row['fill_next_pred'])} %)."
            )
        return PointExplanation(str(row["id"]), status, "\n\n".join(lines), float(best[0]))
    reasons_all: set[str] = set()
    detail = []
    for r, cheapest, feasible in per_route:
        if feasible is not None:
            detail.append(f"camion {r + 1} : rien ne l'empêche (+{num(feasible[0], 2)} km) — la recherche a manqué de temps")
            continue
        reasons_all.update(cheapest[1])
        detail.append(f"camion {r + 1} : {', '.join(cheapest[1])} (+{num(cheapest[0], 2)} km au mieux)")
    if not per_route:
        reasons_all.add("flotte")
        detail.append("aucun camion n'est disponible")
    lines.append(f"**{q(md_escape(row['id']))} n'est pas desservi** : la flotte ne suffit pas pour tout collecter, "
                 "ou la recherche n'a pas trouvé de plan complet dans le temps donné.")
    lines.append("Ce qui l'empêche, pour chaque camion : " + " ; ".join(detail) + ".")
    if plan.shortfall:
        lines.append(md_escape(plan.shortfall))  # it may quote a file name
    return PointExplanation(str(row["id"]), status, "\n\n".join(lines), float(best[0]), tuple(sorted(reasons_all)))


def _nth(k: int) -> str:
    """« 1er », « 2e »…"""
    return "1er" if k == 1 else f"{k}e"


def _trip_of_edges(trips) -> list[int | None]:
    """For each edge of depot → trip 1 → disposal → trip 2 → … → disposal → depot: its trip (None for the way home)."""
    out = []
    for t, trip in enumerate(trips):
        out += [t] * (len(trip) + 1)
    return out + [None]


def _service_start(edge: int, seq: list[int], starts) -> float | None:
    """Clock-free start of service (minutes from shift start) at the stop before *edge*, if it is a point."""
    if not len(starts) or seq[edge] < 2:
        return 0.0 if seq[edge] == 0 else None
    position = sum(1 for s in seq[1 : edge + 1] if s >= 2) - 1
    return starts[position] / 60 if 0 <= position < len(starts) else None
