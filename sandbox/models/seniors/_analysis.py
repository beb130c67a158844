"""One territory run: the needs index, its robustness and, with an observed need, the learnt weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sandbox.models.seniors._fit import WeightFit, fit_weights
from sandbox.models.seniors._index import IndexRobustness, NeedsIndex, index_robustness, needs_index
from sandbox.models.seniors._territories import TerritoryTable
from sandbox.sheet.report import Figure

#: The indicator the ranking is compared with (the usual demographic criterion).
REFERENCE = "share_75plus"


@dataclass(frozen=True)
class TerritoryAnalysis:
    """The result of the territory mode, read by the page, the command line and the project sheet.

    Attributes
    ----------
    table : TerritoryTable
    index : NeedsIndex
        With the weights given (or the learnt ones when ``use_fitted``).
    robustness : IndexRobustness
    fit : WeightFit or None
        When the table has an observed need.
    """

    table: TerritoryTable
    index: NeedsIndex
    robustness: IndexRobustness
    fit: WeightFit | None = None

    @property
    def new_vs_reference(self) -> int | None:
        """Territories of the top absent from the top ranked by the share of people aged 75+ alone."""
        if REFERENCE not in self.table.frame.columns:
            return None
        top = self.robustness.top
        reference = set(self.table.frame[REFERENCE].sort_values(ascending=False, kind="stable").index[:top])
        return sum(1 for k in self.index.top(top).index if k not in reference)

    def figures(self) -> list[Figure]:
        """Top stability, what the index adds to the 75+ criterion, and the fit's out-of-sample ρ."""
        figures = [Figure(f"Stabilité du top {self.robustness.top}", self.robustness.mean_overlap * 100, "%",
                          lower_is_better=False, key="top_stability")]
        if self.new_vs_reference is not None:
            figures.append(Figure("Territoires repérés en plus du critère « 75 ans et plus »", self.new_vs_reference,
                                  "territoires", lower_is_better=False, key="new_territories"))
        figures.append(Figure("Territoires classés", len(self.index.table), "territoires", lower_is_better=False, key="territories"))
        if self.fit is not None:
            figures.extend(self.fit.figures())
        return figures

    def to_frame(self) -> pd.DataFrame:
        """The ranking (CSV export), with ``indice_hors_echantillon`` when weights were learnt."""
        out = self.index.to_frame()
        if self.fit is not None:
            out["besoin_observe"] = self.table.frame["outcome"].reindex(out["territoire"]).to_numpy()
            out["indice_hors_echantillon"] = self.fit.out_of_sample.reindex(out["territoire"]).round(4).to_numpy()
        return out


def analyse_territories(
    table: TerritoryTable,
    weights: Mapping[str, float] | None = None,
    *,
    method: str = "zscore",
    top: int = 10,
    draws: int = 500,
    spread: float = 0.5,
    seed: int = 0,
    outcome: str | None = None,
    outcome_label: str | None = None,
    use_fitted: bool = False,
    cv: str | int = "auto",
) -> TerritoryAnalysis:
    """Index, robustness and (with *outcome*) weights learnt from an observed need.

    Parameters
    ----------
    outcome : str, optional
        ``"outcome"`` (the table's observed-need column) or an indicator's
        name, taken as the need and left out of the index.
    use_fitted : bool
        Rank with the learnt weights instead of *weights*.

    Examples
    --------
    >>> from sandbox.data import load_sample, validate
    >>> from sandbox.data.schemas.seniors import TERRITORIES
    >>> from sandbox.models.seniors import prepare_territories
    >>> table = prepare_territories(validate(load_sample("seniors/territories"), TERRITORIES).frame)
    >>> run = analyse_territories(table, outcome="apa_rate", draws=50)
    >>> "apa_rate" in run.index.indicators, run.fit.observed, [f.key for f in run.figures()][-2:]
    (False, 130, ['rho_fitted', 'observed'])
    """
    fit = None
    if outcome:
        if outcome != "outcome":
            table = table.without(outcome)
        label = outcome_label or outcome
        fit = fit_weights(table, outcome_label=label, cv=cv, seed=seed)
        if use_fitted:
            weights = fit.weights
    if weights is not None:
        weights = {k: v for k, v in weights.items() if k in table.indicators}
    index = needs_index(table, weights, method=method)
    robustness = index_robustness(table, weights, method=method, top=top, draws=draws, spread=spread, seed=seed)
    return TerritoryAnalysis(table, index, robustness, fit)
