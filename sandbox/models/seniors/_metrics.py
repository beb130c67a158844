"""Calibration metrics: the reliability table and the expected calibration error."""

from __future__ import annotations

import numpy as np
import pandas as pd


def calibration_table(y_true, y_prob, *, n_bins: int = 10) -> pd.DataFrame:
    """Reliability diagram data: equal-width bins of predicted probability.

    Returns one row per non-empty bin with ``bin_low``, ``bin_high``,
    ``count``, ``mean_predicted`` and ``observed_rate`` — the same points as
    ``sklearn.calibration.calibration_curve(strategy="uniform")``, plus the counts.

    Examples
    --------
    >>> calibration_table([0, 1, 1, 0], [0.1, 0.9, 0.7, 0.3], n_bins=2)[["count", "mean_predicted", "observed_rate"]].values.tolist()
    [[2.0, 0.2, 0.0], [2.0, 0.8, 1.0]]
    """
    y = np.asarray(y_true, dtype="float64")
    p = np.clip(np.asarray(y_prob, dtype="float64"), 0.0, 1.0)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins).astype("float64")
    sum_p = np.bincount(which, weights=p, minlength=n_bins)
    sum_y = np.bincount(which, weights=y, minlength=n_bins)
    keep = count > 0
    return pd.DataFrame(
        {
            "bin_low": edges[:-1][keep],
            "bin_high": edges[1:][keep],
            "count": count[keep],
            "mean_predicted": sum_p[keep] / count[keep],
            "observed_rate": sum_y[keep] / count[keep],
        }
    )


def expected_calibration_error(y_true, y_prob, *, n_bins: int = 10) -> float:
    """Expected calibration error: Σ (bin size / n) × |observed rate − mean predicted probability|.

    Equal-width bins on [0, 1] (Naeini et al., 2015; Guo et al., 2017). 0 is
    perfect; 0,05 means the stated risks are off by 5 points on average.

    Examples
    --------
    >>> round(expected_calibration_error([0, 1, 1, 0], [0.1, 0.9, 0.7, 0.3], n_bins=2), 3)
    0.2
    """
    table = calibration_table(y_true, y_prob, n_bins=n_bins)
    if table.empty:
        return float("nan")
    weights = table["count"] / table["count"].sum()
    return float((weights * (table["observed_rate"] - table["mean_predicted"]).abs()).sum())
