"""Profiles: households grouped by the shape of their typical day, each group named in words.

Each household's typical day is the average share of its daily water used
at each hour (24 numbers, on days with some consumption), plus how much
more it uses in summer (garden watering). K-means groups similar days;
each group is then named after what stands out in its average curve — a
morning peak, an evening peak, both, presence in the daytime, night uses,
summer watering — so that a tip can fit it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

from sandbox.models.water._series import MeterSeries, _row_blocks, map_blocks

NIGHT = [23, 0, 1, 2, 3, 4]
MORNING = [5, 6, 7, 8, 9]
DAYTIME = [10, 11, 12, 13, 14, 15, 16]
EVENING = [17, 18, 19, 20, 21, 22]
SUMMER_MONTHS = (6, 7, 8)

UNCLASSIFIED = "non classé"


def _share(p: np.ndarray, hours: list[int]) -> np.ndarray:
    return p[..., hours].sum(axis=-1)


# Name → (score of a centroid, gate the centroid must pass)
ARCHETYPES = {
    "Pic du matin": (lambda p, s: _share(p, MORNING) - _share(p, EVENING), lambda p, s: _share(p, MORNING) > _share(p, EVENING)),
    "Pic du soir": (lambda p, s: _share(p, EVENING) - _share(p, MORNING), lambda p, s: _share(p, EVENING) > _share(p, MORNING)),
    "Deux pics, matin et soir": (
        lambda p, s: np.minimum(_share(p, MORNING), _share(p, EVENING)) - _share(p, DAYTIME),
        lambda p, s: np.ones(len(p), dtype=bool),
    ),
    "Présence en journée": (lambda p, s: _share(p, DAYTIME), lambda p, s: _share(p, DAYTIME) > 0.25),
    "Usages de nuit": (lambda p, s: _share(p, NIGHT), lambda p, s: _share(p, NIGHT) > 0.12),
    "Arrosage l'été": (lambda p, s: np.log(s), lambda p, s: s > 1.25),
}


class ProfileSegmenter:
    """Group households by the shape of their typical day and name each group.

    Follows the scikit-learn estimator convention: parameters in
    ``__init__``, :meth:`fit` returns ``self``, learned attributes end in ``_``.

    Parameters
    ----------
    n_segments : int
        Number of groups (at most 6, one per name).
    seed : int
        Seed of the k-means initialisation.
    min_days : int
        Days with some consumption a household needs to be classified.
    summer_weight : float
        Weight of the summer/rest-of-year ratio against the 24 hourly shares.
    max_fit : int
        K-means learns on at most this many households (a seeded sample), then classifies all.

    Attributes
    ----------
    meters_ : ndarray of str
    labels_ : ndarray of int
        Segment of each meter, −1 if not classified.
    names_ : list of str
        Name of each segment.
    profiles_ : ndarray, shape (n_segments, 24)
        Average share of the day's water at each hour.
    summer_ratio_ : ndarray, shape (n_segments,)
    sizes_ : ndarray of int

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> hours = 24 * 30
    >>> h = np.arange(hours) % 24
    >>> early = np.where((h >= 6) & (h <= 8), 40.0, 0.0) + np.where(h == 20, 5.0, 0.0)
    >>> late = np.where((h >= 19) & (h <= 21), 40.0, 0.0) + np.where(h == 7, 5.0, 0.0)
    >>> times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    >>> meters = [f"M{i}" for i in range(40)]
    >>> r = Readings.from_arrays(np.repeat(meters, hours), np.tile(times, 40),
    ...                          np.concatenate([early if i < 20 else late for i in range(40)]))
    >>> seg = ProfileSegmenter(n_segments=2).fit(build_series(r, unit="L"))
    >>> sorted(seg.names_)
    ['Pic du matin', 'Pic du soir']
    """

    def __init__(self, n_segments: int = 5, seed: int = 42, min_days: int = 14, summer_weight: float = 3.0,
                 max_fit: int = 4000):
        self.n_segments = n_segments
        self.seed = seed
        self.min_days = min_days
        self.summer_weight = summer_weight
        self.max_fit = max_fit

    def fit(self, series: MeterSeries, y=None, *, exclude: dict[str, list[tuple]] | None = None) -> "ProfileSegmenter":
        """Learn the segments.

        Parameters
        ----------
        series : MeterSeries
        y : ignored
        exclude : dict, optional
            ``{meter: [(start, end), …]}`` periods left out of the typical day
            (leaks: they are not a habit).
        """
        shares, summer, eligible = profile_features(series, self.min_days, exclude)
        return self.fit_features(series.meters, shares, summer, eligible, hourly=series.hourly)

    def fit_features(self, meters: np.ndarray, shares: np.ndarray, summer: np.ndarray, eligible: np.ndarray, *,
                     hourly: bool = True) -> "ProfileSegmenter":
        """Learn the segments from :func:`profile_features` (gathered from partitions of a city)."""
        self.meters_ = np.asarray(meters, dtype=object)
        self.labels_ = np.full(len(self.meters_), -1, dtype=np.int64)
        self.features_ = shares
        # A handful of households makes no groups: about fifteen per segment at least.
        k = int(min(max(1, self.n_segments), len(ARCHETYPES), max(1, int(eligible.sum()) // 15)))
        if not eligible.any():
            k = 0
        if k == 0 or not hourly:
            self.names_, self.profiles_ = [], np.zeros((0, 24))
            self.summer_ratio_, self.sizes_ = np.zeros(0), np.zeros(0, dtype=np.int64)
            return self
        X = np.column_stack([shares[eligible], np.log(summer[eligible])])
        mean, std = X.mean(axis=0), X.std(axis=0)
        Z = (X - mean) / np.where(std > 0, std, 1.0)
        Z[:, -1] *= self.summer_weight
        if k == 1:
            labels = np.zeros(len(Z), dtype=np.int64)
        else:
            # Fitted on at most a few thousand households (seeded sample), then applied to all.
            rng = np.random.default_rng(self.seed)
            fit_on = Z if len(Z) <= self.max_fit else Z[np.sort(rng.choice(len(Z), self.max_fit, replace=False))]
            model = KMeans(n_clusters=k, n_init=4, random_state=self.seed).fit(fit_on)
            labels = model.predict(Z)
        self.labels_[eligible] = labels
        present = np.unique(labels)
        profiles = np.array([shares[eligible][labels == c].mean(axis=0) for c in present])
        ratio = np.array([float(np.exp(np.log(summer[eligible][labels == c]).mean())) for c in present])
        remap = np.full(k, -1)
        remap[present] = np.arange(len(present))
        self.labels_[eligible] = remap[labels]
        self.profiles_ = profiles
        self.summer_ratio_ = ratio
        self.sizes_ = np.bincount(self.labels_[self.labels_ >= 0], minlength=len(present))
        self.names_ = _name_segments(profiles, ratio)
        return self

    def segment_of(self, meter: str) -> str | None:
        """Name of the meter's segment, or None if it was not classified."""
        if getattr(self, "_lookup", None) is None:
            self._lookup = {str(m): i for i, m in enumerate(self.meters_)}
        i = self._lookup.get(str(meter))
        if i is None or self.labels_[i] < 0:
            return None
        return self.names_[self.labels_[i]]

    def to_frame(self) -> pd.DataFrame:
        """``compteur``, ``segment`` (« non classé » without enough data)."""
        names = np.array(self.names_ + [UNCLASSIFIED], dtype=object)
        return pd.DataFrame({"compteur": self.meters_, "segment": names[self.labels_]})

    def profiles_frame(self) -> pd.DataFrame:
        """Long table for a chart: ``segment``, ``heure``, ``part`` (share of the day), ``foyers``."""
        rows = []
        for c, name in enumerate(self.names_):
            for hour in range(24):
                rows.append({"segment": name, "heure": hour, "part": float(self.profiles_[c, hour]), "foyers": int(self.sizes_[c])})
        return pd.DataFrame(rows, columns=["segment", "heure", "part", "foyers"])


def profile_features(series: MeterSeries, min_days: int = 14, exclude: dict[str, list[tuple]] | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per meter: share of each hour in its typical day, summer ratio, and whether it has enough days.

    Row by row: a city's partitions give, stacked, what the whole city gives.
    *exclude* is ``{meter: [(start, end), …]}`` (leaks are not a habit).
    """
    cells = {}
    for meter, periods in (exclude or {}).items():
        where = np.flatnonzero(series.meters == meter)
        if len(where):
            cells[int(where[0])] = [
                (int((pd.Timestamp(a) - pd.Timestamp(series.origin)) / pd.Timedelta(seconds=series.step)),
                 int((pd.Timestamp(b) - pd.Timestamp(series.origin)) / pd.Timedelta(seconds=series.step)))
                for a, b in periods
            ]
    return _features(series, min_days, cells)


def _features(series: MeterSeries, min_days: int, exclude: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = series.n_meters
    shares = np.full((n, 24), np.nan)
    summer = np.ones(n)
    eligible = np.zeros(n, dtype=bool)
    if not series.hourly:
        return shares, summer, eligible
    months = series.days().month.to_numpy()
    in_summer = np.isin(months, SUMMER_MONTHS)

    def one(lo: int, hi: int) -> None:
        block = series.volume[lo:hi].astype(np.float64)
        for m, periods in (exclude or {}).items():
            if lo <= m < hi:
                for a, b in periods:
                    block[m - lo, max(0, a) : max(0, b)] = np.nan
        cube = block.reshape(hi - lo, series.n_days, 24)
        complete = ~np.isnan(cube).any(axis=2)
        total = np.where(complete, cube.sum(axis=2), 0.0)
        present = complete & (total > 0)
        count = present.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            day_share = np.where(present[:, :, None], cube / np.where(total > 0, total, 1.0)[:, :, None], 0.0)
            shares[lo:hi] = day_share.sum(axis=1) / np.maximum(count, 1)[:, None]
            # High percentiles, not means: watering days count, a pool filled once does not make a gardener.
            warm = present & in_summer[None, :]
            cold = present & ~in_summer[None, :]
            warm_med = _row_nanpercentile(np.where(warm, total, np.nan), 80)
            cold_med = _row_nanpercentile(np.where(cold, total, np.nan), 80)
            ok = (warm.sum(axis=1) >= 7) & (cold.sum(axis=1) >= 7) & (cold_med > 0)
            ratio = np.where(ok, warm_med / np.where(ok, cold_med, 1.0), 1.0)
        summer[lo:hi] = np.clip(ratio, 0.5, 3.0)
        eligible[lo:hi] = count >= min_days

    map_blocks(one, _row_blocks(n, series.n_cells))
    return shares, summer, eligible


def _row_nanpercentile(values: np.ndarray, q: float) -> np.ndarray:
    """Percentile of each row ignoring NaN (nearest rank below), by one sort."""
    ordered = np.sort(values, axis=1)
    count = np.count_nonzero(~np.isnan(values), axis=1)
    rank = np.clip(np.floor((count - 1) * q / 100).astype(np.int64), 0, max(values.shape[1] - 1, 0))
    out = np.take_along_axis(ordered, rank[:, None], axis=1)[:, 0] if values.shape[1] else np.full(len(values), np.nan)
    return np.where(count > 0, out, np.nan)


def _name_segments(profiles: np.ndarray, ratio: np.ndarray) -> list[str]:
    """Give each centroid the name that fits it best, each name used once."""
    k = len(profiles)
    names = list(ARCHETYPES)
    scores = np.zeros((k, len(names)))
    for j, (score, gate) in enumerate(ARCHETYPES.values()):
        raw = score(profiles, ratio)
        spread = raw.std() if k > 1 else 1.0
        z = (raw - raw.mean()) / (spread if spread > 0 else 1.0)
        z = z + 10 * raw  # absolute level counts too (tie-breaker for one segment)
        scores[:, j] = np.where(gate(profiles, ratio), z, z - 100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows, cols = linear_sum_assignment(-scores)
    out = [""] * k
    for r, c in zip(rows, cols):
        out[r] = names[c]
    return out
