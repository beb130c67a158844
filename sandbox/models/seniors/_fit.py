"""Weights learnt from an observed need: non-negative weights that rank territories like the need does.

Given, per territory, an observed need (APA beneficiaries per 100 people
aged 60+, ASPA recipients, requests to the CCAS…), the indicators' z-scores
are regressed on the need's standardised ranks by non-negative least
squares: each weight says how much an indicator helps to rank territories
by that need, and none can push the index against its meaning. Every
territory's out-of-sample index comes from weights fitted without it
(leave-one-out, or k folds by territory on large tables), so the Spearman ρ
reported for the fitted index is honest, and comparable to the ρ of the
equal-weight index and of each indicator alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from sandbox.data.errors import DataError
from sandbox.models.seniors._territories import OUTCOME, TerritoryTable, indicator_label
from sandbox.sheet.report import Figure
from sandbox.text import num, plural

#: Fewer observed territories than this: the fit is refused.
MIN_FIT = 8
#: Fewer than this: the fit runs with a French warning.
FEW_FIT = 30
#: Up to this many observed territories, leave-one-out; above, k folds.
MAX_LOO = 300


def spearman(a, b) -> float:
    """Spearman's rank correlation of two sequences (ties share their average rank).

    >>> spearman([1, 2, 3, 4], [10, 20, 30, 45]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    a = pd.Series(np.asarray(a, dtype="float64")).rank()
    b = pd.Series(np.asarray(b, dtype="float64")).rank()
    value = a.corr(b)
    return float(value) if np.isfinite(value) else float("nan")


def _standardise(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    return (x - mean) / sd


def _fit_one(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-negative weights (summing to 1) of the z-scored columns of *x* for the ranks of *y*."""
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    z = _standardise(x, mean, sd)
    ranks = pd.Series(y).rank().to_numpy()
    target = (ranks - ranks.mean()) / (ranks.std() or 1.0)
    w, _ = nnls(z, target)
    if w.sum() <= 0:  # nothing tracks the need: fall back on equal weights
        w = np.ones(x.shape[1])
    return w / w.sum(), mean, sd


@dataclass(frozen=True)
class WeightFit:
    """Weights fitted on an observed need, measured out of sample.

    Attributes
    ----------
    outcome : str
        What the need is (the column's label).
    indicators : tuple of str
    weights : dict
        ``{indicator: weight}``, fitted on every observed territory, summing to 1.
    fold_weights : DataFrame
        One row per fold, one column per indicator (each row sums to 1).
    rho_fitted : float
        Spearman ρ between the out-of-sample index and the need.
    rho_equal : float
        Spearman ρ between the equal-weight z-score index and the need.
    rho_single : dict
        ``{indicator: ρ}`` of each indicator alone (oriented: higher = more need).
    out_of_sample : Series
        Each territory's index from weights fitted without it (territories
        without an observed need: from the weights fitted on all).
    observed : int
    scheme : str
        « validation croisée un territoire à la fois » or « en k blocs ».
    warnings : tuple of str
    """

    outcome: str
    indicators: tuple[str, ...]
    weights: dict[str, float]
    fold_weights: pd.DataFrame
    rho_fitted: float
    rho_equal: float
    rho_single: dict[str, float]
    out_of_sample: pd.Series
    observed: int
    scheme: str
    warnings: tuple[str, ...] = ()

    def stability(self) -> pd.DataFrame:
        """Per indicator: the weight fitted on all, and its mean, spread and range across folds."""
        f = self.fold_weights
        return pd.DataFrame(
            {
                "indicateur": [indicator_label(i) for i in self.indicators],
                "poids": [self.weights[i] for i in self.indicators],
                "poids_moyen_plis": f.mean().to_numpy(),
                "ecart_type_plis": f.std(ddof=0).to_numpy(),
                "poids_min": f.min().to_numpy(),
                "poids_max": f.max().to_numpy(),
                "part_plis_non_nul": (f > 1e-9).mean().to_numpy(),
            },
            index=pd.Index(self.indicators, name="code"),
        )

    def comparison(self) -> pd.DataFrame:
        """ρ of the fitted index (out of sample), of equal weights, and of each indicator alone."""
        rows = [("indice appris (hors échantillon)", self.rho_fitted), ("indice à poids égaux", self.rho_equal)]
        rows += [(f"{indicator_label(i)} seul", r) for i, r in sorted(self.rho_single.items(), key=lambda kv: -np.nan_to_num(kv[1]))]
        return pd.DataFrame(rows, columns=["classement", "rho_spearman"])

    def summary_fr(self) -> str:
        """One French sentence for the page or the command line."""
        best = max(self.rho_single, key=lambda i: np.nan_to_num(self.rho_single[i], nan=-2))
        return (
            f"Sur {plural(self.observed, 'territoire')} où le besoin {self.outcome} est observé, l'indice aux poids appris "
            f"le suit avec un ρ de Spearman de {num(self.rho_fitted, 2)} hors échantillon ({self.scheme}), contre "
            f"{num(self.rho_equal, 2)} pour les poids égaux et {num(self.rho_single[best], 2)} pour le meilleur "
            f"indicateur seul ({indicator_label(best)})."
        )

    def figures(self) -> list[Figure]:
        """The fitted index's out-of-sample ρ against equal weights."""
        return [
            Figure("ρ de Spearman de l'indice appris (hors échantillon)", self.rho_fitted, "", baseline=self.rho_equal,
                   lower_is_better=False, decimals=2, key="rho_fitted"),
            Figure("Territoires avec un besoin observé", self.observed, "territoires", lower_is_better=False, key="observed"),
        ]


def fit_weights(
    table: TerritoryTable,
    *,
    outcome_label: str = "observé",
    cv: str | int = "auto",
    seed: int = 0,
) -> WeightFit:
    """Fit non-negative weights on the observed need (column ``outcome``) with cross-validation by territory.

    Parameters
    ----------
    table : TerritoryTable
        With an ``outcome`` column (see :meth:`TerritoryTable.without` to take
        an indicator as the need). Missing needs are not used to fit.
    outcome_label : str
        How the need is named in sentences.
    cv : {"auto", "loo"} or int
        Leave-one-out, *k* folds, or ``"auto"``: leave-one-out up to
        :data:`MAX_LOO` observed territories, 10 folds above.
    seed : int
        Shuffles the folds.

    Raises
    ------
    DataError
        No outcome column, or fewer than :data:`MIN_FIT` territories with an observed need.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["share_75plus", "poverty_60plus", "apa_rate"])
    >>> frame["outcome"] = 3 * frame["share_75plus"] + frame["poverty_60plus"] + rng.normal(0, 0.3, 60)
    >>> frame.index = [f"T{i}" for i in range(60)]
    >>> table = TerritoryTable(frame.assign(code_insee=frame.index, label=frame.index, population_60plus=np.nan),
    ...                        ("share_75plus", "poverty_60plus", "apa_rate"))
    >>> fit = fit_weights(table)
    >>> 0.65 < fit.weights["share_75plus"] < 0.9, fit.weights["apa_rate"] < 0.05, fit.rho_fitted > fit.rho_equal
    (True, True, True)
    """
    if OUTCOME not in table.frame.columns:
        raise DataError("aucune colonne de besoin observé pour apprendre les poids",
                        hint="Choisissez la colonne du besoin observé (bénéficiaires de l'APA, demandes au CCAS…).")
    frame = table.frame
    indicators = table.indicators
    signs = np.array([float(table.directions.get(i, 1)) for i in indicators])
    x_all = frame[list(indicators)].to_numpy(dtype="float64") * signs
    y_all = frame[OUTCOME].to_numpy(dtype="float64")
    observed = np.isfinite(y_all)
    n = int(observed.sum())
    if n < MIN_FIT:
        raise DataError(
            f"seulement {plural(n, 'territoire')} avec un besoin observé : il en faut au moins {MIN_FIT} pour apprendre des poids",
            hint="Ajoutez des territoires, ou gardez les poids choisis à la main.",
        )
    warnings = []
    if n < FEW_FIT:
        warnings.append(
            f"Avec {plural(n, 'territoire')} seulement, les poids appris sont fragiles : un territoire de plus ou de moins "
            "peut les changer beaucoup. Regardez leur stabilité entre les plis avant de vous y fier."
        )
    missing = len(y_all) - n
    if missing:
        warnings.append(
            f"Besoin non renseigné pour {plural(missing, 'territoire')} : ils sont classés avec les poids appris sur les autres, "
            "sans servir à les apprendre."
        )
    x, y = x_all[observed], y_all[observed]
    if cv == "auto":
        cv = "loo" if n <= MAX_LOO else 10
    if cv == "loo":
        folds = [np.array([i]) for i in range(n)]
        scheme = "validation croisée en laissant de côté un territoire à la fois"
    else:
        k = int(cv)
        if not 2 <= k <= n:
            raise ValueError("cv must be 'loo', 'auto' or a number of folds between 2 and the number of territories")
        order = np.random.default_rng(seed).permutation(n)
        folds = [np.sort(part) for part in np.array_split(order, k)]
        scheme = f"validation croisée en {k} blocs de territoires"
    oos = np.empty(n)
    fold_weights = []
    for test in folds:
        train = np.setdiff1d(np.arange(n), test)
        w, mean, sd = _fit_one(x[train], y[train])
        oos[test] = _standardise(x[test], mean, sd) @ w
        fold_weights.append(w)
    w_all, mean, sd = _fit_one(x, y)
    out_of_sample = _standardise(x_all, mean, sd) @ w_all
    out_of_sample[observed] = oos
    z_equal = _standardise(x, x.mean(axis=0), np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)).mean(axis=1)
    rho_single = {i: spearman(x[:, j], y) for j, i in enumerate(indicators)}
    return WeightFit(
        outcome=outcome_label,
        indicators=indicators,
        weights={i: float(w) for i, w in zip(indicators, w_all)},
        fold_weights=pd.DataFrame(fold_weights, columns=list(indicators)),
        rho_fitted=spearman(oos, y),
        rho_equal=spearman(z_equal, y),
        rho_single=rho_single,
        out_of_sample=pd.Series(np.round(out_of_sample, 12), index=frame.index, name="indice_hors_echantillon"),
        observed=n,
        scheme=scheme,
        warnings=tuple(warnings),
    )
