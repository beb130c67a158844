"""How many of the people who will need help a list reaches: model, simple rule, random choice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.seniors._selection import select_within_capacity
from sandbox.text import num, pct


@dataclass(frozen=True)
class CapacityEvaluation:
    """People in need reached by a list of *capacity* people, on held-out data.

    Attributes
    ----------
    n : int
        Held-out people.
    capacity : int
        Size of the list among them.
    positives : int
        Held-out people who had the outcome (« in need »).
    model_reached, rule_reached : int
        People in need in the model's list and in the simple rule's list.
    random_expected : float
        Expected number for a list drawn at random: capacity × prevalence.
    """

    n: int
    capacity: int
    positives: int
    model_reached: int
    rule_reached: int
    random_expected: float

    @property
    def share(self) -> float:
        return self.capacity / self.n if self.n else float("nan")

    @property
    def lift(self) -> float:
        """People reached by the model ÷ by random choice."""
        return self.model_reached / self.random_expected if self.random_expected else float("nan")

    @property
    def rule_lift(self) -> float:
        return self.rule_reached / self.random_expected if self.random_expected else float("nan")

    @property
    def recall(self) -> float:
        """Share of the people in need that the model's list reaches."""
        return self.model_reached / self.positives if self.positives else float("nan")

    @property
    def rule_recall(self) -> float:
        return self.rule_reached / self.positives if self.positives else float("nan")

    @property
    def precision(self) -> float:
        return self.model_reached / self.capacity if self.capacity else float("nan")

    def summary_fr(self) -> str:
        return (
            f"Sur {num(self.n)} personnes mises de côté pour le test, une liste de {num(self.capacity)} "
            f"({pct(self.share)}) établie par le modèle contient {num(self.model_reached)} des {num(self.positives)} personnes "
            f"qui ont connu l'événement ({pct(self.recall)}), contre {num(self.rule_reached)} pour la règle simple "
            f"et {num(self.random_expected, 1)} en moyenne pour un tirage au hasard ({num(self.lift, 1)} fois plus)."
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "méthode": ["modèle", "règle simple (85 ans et plus vivant seul)", "hasard (espérance)"],
                "personnes dans la liste": [self.capacity] * 3,
                "personnes ayant besoin atteintes": [self.model_reached, self.rule_reached, round(self.random_expected, 1)],
                "part des personnes ayant besoin": [
                    round(self.recall, 4),
                    round(self.rule_recall, 4),
                    round(self.share, 4),
                ],
            }
        )


def evaluate_capacity(
    y_true,
    model_scores,
    rule_scores,
    capacity: int,
    *,
    groups=None,
    min_share=None,
    seed: int = 0,
) -> CapacityEvaluation:
    """Compare the model's list with the simple rule's and with random choice, at the same capacity.

    Both lists are made by :func:`select_within_capacity` (same lottery for
    ties, same minimum share per group if given).

    Examples
    --------
    >>> y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 1, 0], dtype=bool)
    >>> model = np.array([.9, .8, .1, .2, .1, .3, .2, .1, .7, .2])
    >>> rule = np.arange(10.0)
    >>> e = evaluate_capacity(y, model, rule, 3)
    >>> e.model_reached, e.rule_reached, e.random_expected
    (3, 1, 0.9)
    """
    y = np.asarray(y_true, dtype=bool)
    capacity = max(1, min(int(capacity), len(y)))
    model_sel = select_within_capacity(model_scores, capacity, reserve=0, groups=groups, min_share=min_share, seed=seed)
    rule_sel = select_within_capacity(rule_scores, capacity, reserve=0, groups=groups, min_share=min_share, seed=seed)
    return CapacityEvaluation(
        n=len(y),
        capacity=capacity,
        positives=int(y.sum()),
        model_reached=int(y[model_sel.selected].sum()),
        rule_reached=int(y[rule_sel.selected].sum()),
        random_expected=float(capacity * int(y.sum()) / len(y)) if len(y) else 0.0,
    )
