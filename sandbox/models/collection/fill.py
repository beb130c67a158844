"""Fill-level prediction from the bins' sensor history.

From daily readings (percentage of the bin, taken in the morning before the
rounds), predict each point's fill level on the collection day and at the
next collection if it is skipped today, with the risk that it overflows by
then. The model is scikit-learn's gradient boosting on a few explainable
features (level after the last reading, days ahead, the point's usual daily
increase, weekend days ahead, stream, bin size), trained on every
"from this morning, h days ahead" example the history contains. Its error
is measured on the history's last day, held out, against the naive forecast
"the level stays as last read".

Examples
--------
>>> import pandas as pd
>>> days = pd.date_range("2026-03-02", periods=21)
>>> history = pd.DataFrame({
...     "id": ["A"] * 21 + ["B"] * 21,
...     "date": list(days) * 2,
...     "fill_pct": [(10 * (d % 7)) for d in range(21)] + [(5 * (d % 7)) for d in range(21)],
...     "emptied": [d % 7 == 6 for d in range(21)] * 2,
... })
>>> forecast = forecast_fill(history, random_state=0)
>>> forecast.date.date().isoformat()
'2026-03-23'
>>> forecast.evaluation.mae_model < forecast.evaluation.mae_naive
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from sandbox.data.errors import DataError
from sandbox.text import num, plural

FEATURES = ("level", "horizon", "rate", "trend", "weekend_days", "target_weekday", "container_l", "stream_code")
DROP_POINTS = 15.0  # a fall of more than this many points between two readings means the bin was emptied
FULL = 100.0


# ---------------------------------------------------------------------------
# Examples: "from the morning of t0, the reading h days later"
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """The history as a days × points grid."""

    days: pd.DatetimeIndex
    ids: pd.Index
    reading: np.ndarray  # (days, points), NaN where no reading
    emptied: np.ndarray  # (days, points) bool: emptied after that morning's reading
    state: np.ndarray  # level just after day t (0 if emptied), NaN if unknown
    rate: np.ndarray  # expanding mean daily increase up to day t (NaN if none yet)
    gap_days: np.ndarray  # (points,) usual number of days between two emptyings


def _grid(history: pd.DataFrame) -> _Grid:
    frame = history.dropna(subset=["id", "date", "fill_pct"]).copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    agg = {"fill_pct": "mean"}
    has_flag = "emptied" in frame.columns and frame["emptied"].notna().any()
    if has_flag:
        frame["emptied"] = frame["emptied"].fillna(False).astype(bool)
        agg["emptied"] = "max"
    frame = frame.groupby(["date", "id"], sort=True).agg(agg).reset_index()
    days = pd.date_range(frame["date"].min(), frame["date"].max(), freq="D")
    ids = pd.Index(sorted(frame["id"].unique()))
    reading = frame.pivot(index="date", columns="id", values="fill_pct").reindex(index=days, columns=ids).to_numpy(dtype="float64")
    if has_flag:
        flag = frame.pivot(index="date", columns="id", values="emptied").reindex(index=days, columns=ids)
        emptied = flag.fillna(False).to_numpy(dtype=bool, copy=True)
    else:
        emptied = np.zeros_like(reading, dtype=bool)
    # Falls between two consecutive readings say the bin was emptied after the first one.
    falls = np.zeros_like(emptied)
    falls[:-1] = (reading[:-1] - reading[1:]) > DROP_POINTS
    emptied = emptied | falls
    state = np.where(emptied, 0.0, reading)
    # Daily increase: reading(t) - state(t-1), where both are known.
    increase = np.full_like(reading, np.nan)
    increase[1:] = reading[1:] - state[:-1]
    increase = np.where(increase < -DROP_POINTS / 2, np.nan, np.clip(increase, 0, None))
    known = ~np.isnan(increase)
    csum = np.cumsum(np.where(known, increase, 0.0), axis=0)
    count = np.cumsum(known, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(count > 0, csum / np.maximum(count, 1), np.nan)
    gaps = np.full(len(ids), np.nan)
    for j in range(len(ids)):
        when = np.flatnonzero(emptied[:, j])
        if len(when) >= 2:
            gaps[j] = float(np.median(np.diff(when)))
    return _Grid(days, ids, reading, emptied, state, rate, gaps)


def _weekend_days(start: pd.Timestamp, horizon: np.ndarray) -> np.ndarray:
    """Saturdays and Sundays in (start, start + h] for each h."""
    first = (start.weekday() + 1) % 7  # weekday of start + 1
    out = np.zeros(len(horizon))
    for k, h in enumerate(horizon):
        weekdays = (first + np.arange(int(h))) % 7
        out[k] = np.sum(weekdays >= 5)
    return out


def _features(grid: _Grid, origin: np.ndarray, point: np.ndarray, horizon: np.ndarray, static: pd.DataFrame) -> pd.DataFrame:
    """Feature rows for (origin day index, point index, horizon); *origin* may be the last day."""
    level = grid.state[origin, point]
    rate = grid.rate[origin, point]
    fallback = np.nanmedian(grid.rate[-1]) if np.isfinite(grid.rate[-1]).any() else 0.0
    stream_code = static["stream_code"].to_numpy()[point]
    stream_rate = static["stream_rate"].to_numpy()[point]
    rate = np.where(np.isnan(rate), np.where(np.isnan(stream_rate), fallback, stream_rate), rate)
    weekend = np.empty(len(origin))
    weekday = np.empty(len(origin))
    for o in np.unique(origin):
        mask = origin == o
        day = grid.days[0] + pd.Timedelta(days=int(o))
        weekend[mask] = _weekend_days(day, horizon[mask])
        weekday[mask] = (day.weekday() + horizon[mask]) % 7
    return pd.DataFrame(
        {
            "level": level,
            "horizon": horizon.astype("float64"),
            "rate": rate,
            "trend": np.clip(level + rate * horizon, 0, None),
            "weekend_days": weekend,
            "target_weekday": weekday,
            "container_l": np.nan_to_num(static["container_l"].to_numpy()[point], nan=-1.0),
            "stream_code": stream_code,
        }
    )


def _static(grid: _Grid, points: pd.DataFrame | None) -> pd.DataFrame:
    """Per-point attributes aligned with the grid's ids: container size, stream code and its usual rate."""
    out = pd.DataFrame(index=grid.ids)
    if points is not None and "id" in points.columns:
        info = points.drop_duplicates("id").set_index("id")
        out["container_l"] = info["container_l"].reindex(grid.ids).astype("float64") if "container_l" in info else np.nan
        stream = info["stream"].reindex(grid.ids).astype("object") if "stream" in info else pd.Series(None, index=grid.ids, dtype="object")
    else:
        out["container_l"] = np.nan
        stream = pd.Series(None, index=grid.ids, dtype="object")
    codes, _ = pd.factorize(stream.fillna("?"), sort=True)
    out["stream_code"] = codes.astype("float64")
    last_rate = pd.Series(grid.rate[-1], index=grid.ids)
    out["stream_rate"] = last_rate.groupby(codes).transform("median").to_numpy()
    return out


def make_examples(grid: _Grid, static: pd.DataFrame, max_horizon: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Every (morning t0, point, h) whose reading h days later is known, with no emptying in between.

    Returns the features, the target readings and the target day index.
    """
    n_days = len(grid.days)
    origins, points, horizons = [], [], []
    valid_origin = ~np.isnan(grid.state)
    for h in range(1, max_horizon + 1):
        if h >= n_days:
            break
        ok = valid_origin[: n_days - h] & ~np.isnan(grid.reading[h:])
        for k in range(1, h):  # not emptied on the days in between
            ok &= ~grid.emptied[k : n_days - h + k]
        o, p = np.nonzero(ok)
        origins.append(o)
        points.append(p)
        horizons.append(np.full(len(o), h))
    origin = np.concatenate(origins) if origins else np.zeros(0, int)
    point = np.concatenate(points) if points else np.zeros(0, int)
    horizon = np.concatenate(horizons) if horizons else np.zeros(0, int)
    X = _features(grid, origin, point, horizon, static)
    y = grid.reading[origin + horizon, point]
    return X, y, origin + horizon


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class FillLevelRegressor(RegressorMixin, BaseEstimator):
    """Gradient boosting on the increase since the last reading, clipped to 0–100 %.

    Parameters
    ----------
    max_iter : int
        Boosting iterations.
    learning_rate : float
    max_leaf_nodes : int
    random_state : int

    Attributes
    ----------
    model_ : HistGradientBoostingRegressor
        Fitted on ``target - level``.

    Examples
    --------
    >>> X = pd.DataFrame({f: [0.0, 10.0, 20.0, 30.0] for f in FEATURES})
    >>> X["horizon"] = 1.0
    >>> reg = FillLevelRegressor(max_iter=20).fit(X, X["level"] + 10)
    >>> bool(np.all(reg.predict(X) >= X["level"]))
    True
    """

    def __init__(self, max_iter: int = 200, learning_rate: float = 0.08, max_leaf_nodes: int = 31, random_state: int = 0):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y) -> "FillLevelRegressor":
        X = pd.DataFrame(X)[list(FEATURES)]
        target = np.asarray(y, dtype="float64") - X["level"].to_numpy()
        model = HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            categorical_features=[list(FEATURES).index("stream_code")],
            random_state=self.random_state,
        )
        with threadpool_limits(limits=1):  # small data: threads only contend with the app's other work
            self.model_ = model.fit(X, target)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted reading, clipped to 0–100 % as a sensor reads it."""
        return np.clip(self.predict_level(X), 0.0, FULL)

    def predict_level(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted level before clipping: above 100 % means the bin overflows."""
        check_is_fitted(self, "model_")
        X = pd.DataFrame(X)[list(FEATURES)]
        with threadpool_limits(limits=1):
            increase = self.model_.predict(X)
        return np.clip(X["level"].to_numpy() + increase, 0.0, None)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FillEvaluation:
    """Error on the held-out last day of the history.

    Attributes
    ----------
    date : Timestamp
        The held-out day.
    mae_model, mae_naive : float
        Mean absolute error, in points of fill level, of the model and of the
        naive forecast (last reading) one day ahead.
    n_points : int
        Points read on that day (and the day before).
    by_horizon : DataFrame
        ``horizon``, ``n``, ``mae_model``, ``mae_naive`` for every horizon
        ending on the held-out day.
    """

    date: pd.Timestamp
    mae_model: float
    mae_naive: float
    n_points: int
    by_horizon: pd.DataFrame

    @property
    def improvement(self) -> float:
        """Relative error reduction against the naive forecast (0.6 is 60 % less)."""
        return 1 - self.mae_model / self.mae_naive if self.mae_naive else 0.0


@dataclass(frozen=True)
class FillForecast:
    """Predicted fill levels on the collection day.

    Attributes
    ----------
    date : Timestamp
        The collection day predicted.
    frame : DataFrame
        Indexed by point id: ``fill_pred`` (% on the collection day),
        ``next_days`` (days to the next usual collection), ``fill_next_pred``
        (% then, if not emptied today), ``overflow_risk`` (probability of
        reaching 100 % by then), ``last_reading`` and ``last_date``.
    evaluation : FillEvaluation
    """

    date: pd.Timestamp
    frame: pd.DataFrame
    evaluation: FillEvaluation

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def forecast_fill(
    history: pd.DataFrame,
    target_date=None,
    *,
    points: pd.DataFrame | None = None,
    max_horizon: int = 16,
    default_next_days: int = 7,
    random_state: int = 0,
    filename: str | None = None,
) -> FillForecast:
    """Predict each point's fill level on *target_date* and the risk of skipping it.

    Parameters
    ----------
    history : DataFrame
        ``id``, ``date``, ``fill_pct`` and optionally ``emptied`` (bool:
        the bin was emptied after that morning's reading) — the
        :data:`sandbox.data.schemas.collection.HISTORY` columns. Without
        ``emptied``, a fall of more than 15 points means an emptying.
    target_date : date, optional
        The collection day; the day after the last reading by default.
    points : DataFrame, optional
        ``id``, ``stream``, ``container_l`` of the points (used as features).
    max_horizon : int
        Longest forecast horizon learnt, in days.
    default_next_days : int
        Days to the next collection for points whose history shows fewer than two emptyings.
    random_state : int
    filename : str, optional
        Named in error messages.

    Returns
    -------
    FillForecast

    Raises
    ------
    DataError
        Fewer than 7 days of history, or no usable example.
    """
    if history is None or len(history) == 0:
        raise DataError("l'historique des capteurs est vide", filename=filename)
    grid = _grid(history)
    if len(grid.days) < 7:
        raise DataError(
            f"l'historique des capteurs ne couvre que {plural(len(grid.days), 'jour')} : il en faut au moins 7 "
            "pour apprendre le rythme de remplissage",
            filename=filename,
        )
    static = _static(grid, points)
    X, y, target_day = make_examples(grid, static, max_horizon)
    last = len(grid.days) - 1
    train = target_day < last
    test = ~train
    if train.sum() < 50 or test.sum() == 0:
        raise DataError(
            "trop peu de relevés exploitables dans l'historique des capteurs pour apprendre (il faut des relevés "
            "quotidiens consécutifs sans vidage entre eux)",
            filename=filename,
        )
    model = FillLevelRegressor(random_state=random_state).fit(X[train], y[train])
    pred_test = model.predict(X[test])
    residual = y[test] - pred_test
    table = pd.DataFrame(
        {
            "horizon": X.loc[test, "horizon"].astype(int).to_numpy(),
            "err_model": np.abs(residual),
            "err_naive": np.abs(y[test] - X.loc[test, "level"].to_numpy()),
            "residual": residual,
        }
    )
    by_h = table.groupby("horizon").agg(n=("err_model", "size"), mae_model=("err_model", "mean"), mae_naive=("err_naive", "mean")).reset_index()
    one_day = table[table["horizon"] == 1]
    scope = one_day if len(one_day) else table
    evaluation = FillEvaluation(
        date=grid.days[last],
        mae_model=float(scope["err_model"].mean()),
        mae_naive=float(scope["err_naive"].mean()),
        n_points=int(len(scope)),
        by_horizon=by_h,
    )

    final = FillLevelRegressor(random_state=random_state).fit(X, y)
    target = pd.Timestamp(target_date).normalize() if target_date is not None else grid.days[last] + pd.Timedelta(days=1)
    # Origin: each point's last known state.
    known = ~np.isnan(grid.state)
    has_state = known.any(axis=0)
    last_origin = np.where(has_state, len(grid.days) - 1 - np.argmax(known[::-1], axis=0), 0)
    horizon_now = (target - grid.days[0]).days - last_origin
    if (horizon_now < 1).any():
        raise DataError("le jour de collecte doit suivre le dernier relevé de l'historique", filename=filename)
    points_idx = np.arange(len(grid.ids))
    next_days = np.where(np.isnan(grid.gap_days), default_next_days, grid.gap_days).astype(int).clip(1, max_horizon)
    fill_now = final.predict(_features(grid, last_origin, points_idx, horizon_now, static))
    next_features = _features(grid, last_origin, points_idx, horizon_now + next_days, static)
    fill_next = final.predict(next_features)
    risk = _overflow_risk(final.predict_level(next_features), horizon_now + next_days, table)
    frame = pd.DataFrame(
        {
            "fill_pred": np.round(fill_now, 1),
            "next_days": next_days,
            "fill_next_pred": np.round(fill_next, 1),
            "overflow_risk": risk,
            "last_reading": grid.reading[last_origin, points_idx],
            "last_date": grid.days[last_origin],
        },
        index=pd.Index(grid.ids, name="id"),
    )
    frame.loc[~has_state, ["fill_pred", "fill_next_pred", "overflow_risk"]] = np.nan
    return FillForecast(date=target, frame=frame, evaluation=evaluation)


def _overflow_risk(predicted: np.ndarray, horizon: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """P(level ≥ 100 %): the unclipped prediction plus the held-out residuals at similar horizons."""
    risk = np.zeros(len(predicted))
    residuals = {h: table.loc[(table["horizon"] - h).abs() <= 2, "residual"].to_numpy() for h in np.unique(horizon)}
    everything = table["residual"].to_numpy()
    for k, (p, h) in enumerate(zip(predicted, horizon)):
        pool = residuals[h] if len(residuals[h]) >= 30 else everything
        risk[k] = float(np.mean(p + pool >= FULL - 0.5)) if len(pool) else float(p >= FULL - 0.5)
    return np.round(risk, 3)


def describe_evaluation(evaluation: FillEvaluation) -> str:
    """One French sentence: the model's error on the held-out day against the naive forecast."""
    return (
        f"Le {evaluation.date.strftime('%d/%m/%Y')} (jour mis de côté), l'erreur moyenne de la prévision à un jour est de "
        f"{num(evaluation.mae_model, 1)} points de remplissage, contre {num(evaluation.mae_naive, 1)} points pour la "
        f"prévision naïve « le niveau ne bouge pas depuis le dernier relevé » ({plural(evaluation.n_points, 'point')})."
    )
