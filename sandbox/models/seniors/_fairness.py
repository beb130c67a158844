"""Fairness report: selection rate and recall per group (sex, age band, commune), disparities flagged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.text import num, pct, q

DIMENSION_LABELS = {"sex": "sexe", "age_band": "tranche d'âge", "commune": "commune"}


@dataclass(frozen=True)
class FairnessReport:
    """Selection rate and recall of each group, against the whole population.

    Attributes
    ----------
    table : DataFrame
        One row per (dimension, group): ``dimension``, ``group``, ``n``,
        ``selected``, ``selection_rate``, ``rate_ratio`` (÷ overall rate),
        ``positives``, ``reached``, ``recall``, ``recall_gap`` (group recall −
        overall recall, in points of share), ``enough`` (group large enough
        to judge), ``flagged`` and ``flag`` (French reason).
    overall_rate : float
    overall_recall : float or None
        None when no outcome was given.
    ratio_bounds : tuple of float
        Selection-rate ratios outside these bounds are flagged (the
        « four-fifths » rule: 0,8 and 1,25).
    max_recall_gap : float
        A recall lower (or higher) than the overall recall by more than this is flagged.
    """

    table: pd.DataFrame
    overall_rate: float
    overall_recall: float | None
    ratio_bounds: tuple[float, float]
    max_recall_gap: float
    min_group: int
    min_positives: int

    @property
    def flagged(self) -> pd.DataFrame:
        return self.table[self.table["flagged"]]

    def summary_fr(self, limit: int = 2) -> str:
        """« 6 écarts signalés (sexe, tranche d'âge) — sexe « H » : … » (the first *limit* in detail)."""
        flagged = self.flagged
        if flagged.empty:
            return "Aucun écart signalé entre groupes assez nombreux pour être jugés."
        dimensions = ", ".join(dict.fromkeys(DIMENSION_LABELS.get(d, d) for d in flagged["dimension"]))
        parts = [f"{DIMENSION_LABELS.get(r.dimension, r.dimension)} {q(r.group)} : {r.flag}" for r in flagged.itertuples()]
        more = f" ; {len(parts) - limit} autre{'s' if len(parts) - limit > 1 else ''} dans le tableau" if len(parts) > limit else ""
        return (
            f"{len(flagged)} écart{'s' if len(flagged) > 1 else ''} signalé{'s' if len(flagged) > 1 else ''} ({dimensions}) — "
            + " ; ".join(parts[:limit]) + more + "."
        )

    def to_frame(self) -> pd.DataFrame:
        """The table with French column names, rates in percent."""
        t = self.table
        return pd.DataFrame(
            {
                "dimension": t["dimension"].map(lambda d: DIMENSION_LABELS.get(d, d)),
                "groupe": t["group"],
                "signalement": t["flag"],
                "personnes": t["n"],
                "retenues": t["selected"],
                "taux de sélection (%)": (t["selection_rate"] * 100).round(1),
                "rapport au taux global": t["rate_ratio"].round(2),
                "personnes ayant besoin": t["positives"],
                "atteintes": t["reached"],
                "rappel (%)": (t["recall"] * 100).round(1),
                "écart de rappel (points)": (t["recall_gap"] * 100).round(1),
            }
        )


def fairness_report(
    selected,
    groups: Mapping[str, object],
    outcome=None,
    *,
    min_group: int = 30,
    min_positives: int = 10,
    ratio_bounds: tuple[float, float] = (0.8, 1.25),
    max_recall_gap: float = 0.10,
) -> FairnessReport:
    """Compare each group's selection rate and recall with the population's.

    Parameters
    ----------
    selected : array-like of bool
        Who is on the list.
    groups : mapping
        ``{dimension: array of group labels}``, e.g. ``{"sex": …, "age_band": …, "commune": …}``.
    outcome : array-like of bool, optional
        Who had the outcome (held-out data): adds recall, the share of the
        people in need that the list reaches (« equal opportunity »).
    min_group, min_positives : int
        Smaller groups are shown but not judged (« effectif trop faible »).
    ratio_bounds : (low, high)
        Flag a selection rate below low × or above high × the overall rate.
    max_recall_gap : float
        Flag a recall that differs from the overall recall by more than this.

    Returns
    -------
    FairnessReport

    Examples
    --------
    >>> sel = np.array([1, 1, 1, 0, 1, 0, 0, 0] * 10, dtype=bool)
    >>> sex = np.array(["F", "F", "F", "F", "H", "H", "H", "H"] * 10)
    >>> r = fairness_report(sel, {"sex": sex}, min_group=5)
    >>> r.table[["group", "selection_rate", "flagged"]].values.tolist()
    [['F', 0.75, True], ['H', 0.25, True]]
    """
    sel = np.asarray(selected, dtype=bool)
    y = None if outcome is None else np.asarray(outcome, dtype=bool)
    overall_rate = float(sel.mean()) if len(sel) else float("nan")
    overall_recall = None
    if y is not None and y.sum():
        overall_recall = float((sel & y).sum() / y.sum())
    rows = []
    for dimension, labels in groups.items():
        labels = pd.Series(np.asarray(labels, dtype=object)).fillna("inconnu").astype(str).to_numpy()
        for group in sorted(pd.unique(labels)):
            member = labels == group
            n = int(member.sum())
            chosen = int((sel & member).sum())
            rate = chosen / n if n else float("nan")
            ratio = rate / overall_rate if overall_rate else float("nan")
            positives = reached = None
            recall = gap = float("nan")
            if y is not None:
                positives = int((y & member).sum())
                reached = int((y & member & sel).sum())
                if positives:
                    recall = reached / positives
                    if overall_recall is not None:
                        gap = recall - overall_recall
            enough = n >= min_group
            reasons = []
            if enough and np.isfinite(ratio) and not ratio_bounds[0] <= ratio <= ratio_bounds[1]:
                reasons.append(f"taux de sélection {num(ratio, 2)} fois le taux global")
            recall_judged = positives is not None and positives >= min_positives and enough
            if recall_judged and np.isfinite(gap) and abs(gap) > max_recall_gap:
                word = "inférieur" if gap < 0 else "supérieur"
                reasons.append(f"rappel {pct(recall, 0)}, {word} de {num(abs(gap) * 100, 0)} points au rappel global")
            if not enough:
                flag = "effectif trop faible pour juger"
            elif reasons:
                flag = " ; ".join(reasons)
            else:
                flag = ""
            rows.append(
                {
                    "dimension": dimension,
                    "group": group,
                    "n": n,
                    "selected": chosen,
                    "selection_rate": rate,
                    "rate_ratio": ratio,
                    "positives": positives if positives is not None else np.nan,
                    "reached": reached if reached is not None else np.nan,
                    "recall": recall,
                    "recall_gap": gap,
                    "enough": enough,
                    "flagged": bool(reasons) and enough,
                    "flag": flag,
                }
            )
    table = pd.DataFrame(rows)
    return FairnessReport(table, overall_rate, overall_recall, ratio_bounds, max_recall_gap, min_group, min_positives)
