"""Choose exactly N people within a capacity, plus a reserve list; ties drawn by lot; optional minimum per commune."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.text import num, pct, plural, q

#: Scores are compared after rounding to this many decimals (equal risks are ties, not float noise).
SCORE_DECIMALS = 10


@dataclass(frozen=True)
class Selection:
    """Who to visit first, and who next.

    Positions refer to the order of the scores given to
    :func:`select_within_capacity` (0 … n − 1).

    Attributes
    ----------
    selected : ndarray of int
        Exactly ``min(capacity, n)`` positions, in visit order (highest score first).
    reserve : ndarray of int
        The next people, in order, if a visit cannot take place.
    capacity : int
    cutoff : float
        Score of the last person selected on merit (not by a quota).
    tied : int
        People whose score equals the cutoff.
    tied_selected : int
        Of those, how many were selected (the lottery decided between them).
    forced : ndarray of int
        Positions selected only to meet a commune's minimum share.
    quotas : mapping
        ``{group: minimum number of visits}`` that were applied.
    notes : tuple of str
        French sentences (capacity larger than the register, ties drawn by lot…).
    """

    selected: np.ndarray
    reserve: np.ndarray
    capacity: int
    cutoff: float
    tied: int
    tied_selected: int
    forced: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    quotas: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def mask(self, n: int) -> np.ndarray:
        """Boolean array of length *n*: True for the selected people."""
        out = np.zeros(n, dtype=bool)
        out[self.selected] = True
        return out

    def to_frame(self, ids=None, scores=None) -> pd.DataFrame:
        """``rang``, ``statut`` (« visite » / « réserve »), ``position`` and optionally ``identifiant`` and ``score``."""
        positions = np.concatenate([self.selected, self.reserve])
        forced = set(self.forced.tolist())
        out = pd.DataFrame(
            {
                "rang": np.arange(1, len(positions) + 1),
                "statut": ["visite"] * len(self.selected) + ["réserve"] * len(self.reserve),
                "position": positions,
                "quota_commune": [p in forced for p in positions],
            }
        )
        if ids is not None:
            out.insert(2, "identifiant", np.asarray(ids, dtype=object)[positions])
        if scores is not None:
            out["score"] = np.asarray(scores, dtype="float64")[positions]
        return out


def _quotas(groups: np.ndarray, capacity: int, min_share: float | Mapping[str, float]) -> dict[str, int]:
    present, sizes = np.unique(groups[pd.notna(groups)].astype(str), return_counts=True)
    size = dict(zip(present.tolist(), sizes.tolist()))
    if isinstance(min_share, Mapping):
        shares = {str(g): float(s) for g, s in min_share.items()}
    else:
        shares = {g: float(min_share) for g in size}
    bad = [g for g, s in shares.items() if not 0 <= s <= 1]
    if bad:
        raise DataError("part minimale hors de 0 à 100 % pour " + ", ".join(q(b) for b in bad[:3]))
    quotas = {g: min(math.ceil(s * capacity - 1e-9), size.get(g, 0)) for g, s in shares.items() if s > 0}
    quotas = {g: k for g, k in quotas.items() if k > 0}
    if sum(quotas.values()) > capacity:
        total = sum(shares.get(g, 0) for g in size)
        raise DataError(
            f"les parts minimales demandent {num(sum(quotas.values()))} visites pour une capacité de {num(capacity)} "
            f"({plural(len(quotas), 'commune')}, {pct(total, 0)} des visites au total)",
            hint="Baissez la part minimale par commune ou augmentez la capacité.",
        )
    return quotas


def select_within_capacity(
    scores,
    capacity: int,
    *,
    reserve: int | None = None,
    groups=None,
    min_share: float | Mapping[str, float] | None = None,
    seed: int = 0,
) -> Selection:
    """The *capacity* people with the highest scores, a reserve list, ties drawn by lot.

    Parameters
    ----------
    scores : array-like of float
        One score per person (higher = visit first). NaN is not allowed.
    capacity : int
        Number of visits possible (≥ 1). If it exceeds the number of
        people, everyone is selected and a note says so.
    reserve : int, optional
        Size of the reserve list (default: 20 % of the capacity, at least 1).
    groups : array-like, optional
        Group of each person (the commune), for *min_share*.
    min_share : float or mapping, optional
        Minimum share of the visits guaranteed to each group (a float for
        every group present, or ``{group: share}``): the group gets at least
        ``ceil(share × capacity)`` visits (or all its people if fewer),
        filled by its own highest scores; the rest goes to the highest
        scores overall.
    seed : int
        Seeds the lottery that orders people with equal scores (so the
        tie-break is fair and reproducible).

    Returns
    -------
    Selection

    Raises
    ------
    DataError
        Capacity below 1, NaN scores, or minimum shares that need more visits than the capacity.

    Examples
    --------
    >>> s = select_within_capacity([0.9, 0.5, 0.5, 0.5, 0.1], 2, reserve=2, seed=0)
    >>> len(s.selected), int(s.selected[0]), s.tied, s.tied_selected
    (2, 0, 3, 1)
    """
    values = np.asarray(scores, dtype="float64")
    n = len(values)
    if capacity is None or int(capacity) < 1:
        raise DataError(f"capacité invalide ({q(capacity)}) : indiquez un nombre de visites d'au moins 1")
    capacity = int(capacity)
    if np.isnan(values).any():
        raise DataError(f"{plural(int(np.isnan(values).sum()), 'score')} manquant{'s' if np.isnan(values).sum() > 1 else ''} : impossible de classer")
    notes: list[str] = []
    if capacity > n:
        notes.append(f"La capacité ({num(capacity)}) dépasse le nombre de personnes ({num(n)}) : tout le monde est retenu.")
        capacity = n
    reserve = max(1, math.ceil(0.2 * capacity)) if reserve is None else max(0, int(reserve))
    rounded = np.round(values, SCORE_DECIMALS)
    lottery = np.random.default_rng(seed).permutation(n)
    order = np.lexsort((lottery, -rounded))  # highest score first, lottery among equals
    rank_of = np.empty(n, dtype="int64")
    rank_of[order] = np.arange(n)

    quotas: dict[str, int] = {}
    forced_positions: list[int] = []
    taken = np.zeros(n, dtype=bool)
    if min_share is not None and groups is not None and capacity < n:
        group_values = np.asarray(groups, dtype=object)
        quotas = _quotas(group_values, capacity, min_share)
        if quotas:
            merit = np.zeros(n, dtype=bool)
            merit[order[:capacity]] = True  # who the capacity alone would have chosen
            ordered_groups = group_values[order].astype(str)
            for group, k in quotas.items():
                members = order[ordered_groups == group][:k]
                taken[members] = True
                forced_positions += [int(p) for p in members if not merit[p]]
    remaining = capacity - int(taken.sum())
    free = order[~taken[order]]
    taken[free[:remaining]] = True
    selected = order[taken[order]]
    rest = order[~taken[order]]
    reserve_positions = rest[:reserve]

    merit_selected = np.setdiff1d(selected, np.asarray(forced_positions, dtype="int64"))
    cutoff = float(rounded[merit_selected].min()) if len(merit_selected) else float(rounded[selected].min())
    tied = int((rounded == cutoff).sum())
    tied_selected = int((rounded[selected] == cutoff).sum())
    if tied > tied_selected and tied_selected > 0:
        notes.append(
            f"{num(tied)} personnes ont exactement le même score à la limite de la liste : "
            f"{num(tied_selected)} {'a été retenue' if tied_selected == 1 else 'ont été retenues'} par tirage au sort "
            f"(graine {seed}), les autres ouvrent la liste de réserve."
        )
    if forced_positions:
        notes.append(
            f"{plural(len(forced_positions), 'visite')} attribuée{'s' if len(forced_positions) > 1 else ''} pour respecter la part minimale par commune."
        )
    return Selection(
        selected=selected.astype("int64"),
        reserve=reserve_positions.astype("int64"),
        capacity=capacity,
        cutoff=cutoff,
        tied=tied,
        tied_selected=tied_selected,
        forced=np.asarray(sorted(forced_positions, key=lambda p: rank_of[p]), dtype="int64"),
        quotas=quotas,
        notes=tuple(notes),
    )
