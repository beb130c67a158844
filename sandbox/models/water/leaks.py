"""Leak detection: a flow that never stops, night after night.

Hourly data. A household asleep uses no water for hours: between 01:00
and 05:00 most hours read zero. A leak after the meter (a toilet that
runs, a dripping tap, a pipe) adds a small flow to **every** hour. A night
is a *leak night* when every known hour of the night window is at least the
minimum flow; an alert needs several leak nights in a row **and** a
continuous flow between them (no hour below the minimum flow from one night
to the next). Unknown hours (gaps, stuck or frozen periods set aside by the
quality report) neither count for a leak nor break it: a gap is never a leak.

Daily data. Without hours there are no nights: the rule becomes « never
below X L/day »: the household's lowest day of the week stays at least X
litres above its usual lowest day (previous eight weeks), three weeks in a
row — slower, and only for larger leaks.

Each alert gives its estimated start (the hour after the last hour with no
flow), the date it would be raised, the flow, the litres lost per day and
the cost per year at the chosen price.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.models.water._series import HOUR, MeterSeries, _row_blocks, map_blocks, row_nanmedian
from sandbox.models.water.prices import DEFAULT_PRICE_EUR_M3


@dataclass(frozen=True)
class LeakAlert:
    """One probable leak on one meter.

    Attributes
    ----------
    meter : str
    start : Timestamp
        Estimated start of the continuous flow.
    first_night : Timestamp
        Date of the first leak night (hourly data) or of the first day of the window (daily data).
    detected : Timestamp
        When the alert is raised: the end of the last night (or day) needed.
    last_seen : Timestamp
        Date of the last leak night (or day) seen.
    ongoing : bool
        The flow was still there at the end of the meter's data.
    nights : int
        Leak nights (or days) counted.
    flow_l_h : float
        Estimated leak flow (median of the night minima), litres per hour.
    litres_per_day, m3_per_year, cost_per_year : float
        What the leak costs if nothing is done (price per m³ of the analysis).
    """

    meter: str
    start: pd.Timestamp
    first_night: pd.Timestamp
    detected: pd.Timestamp
    last_seen: pd.Timestamp
    ongoing: bool
    nights: int
    flow_l_h: float
    litres_per_day: float
    m3_per_year: float
    cost_per_year: float

    @property
    def end(self) -> pd.Timestamp | None:
        """Day after the last leak night, or None if the leak is still there."""
        return None if self.ongoing else self.last_seen + pd.Timedelta(days=1)


ALERT_COLUMNS = {
    "meter": "compteur",
    "start": "début estimé",
    "first_night": "première nuit",
    "detected": "alerte le",
    "last_seen": "dernière nuit",
    "ongoing": "en cours",
    "nights": "nuits",
    "flow_l_h": "débit (L/h)",
    "litres_per_day": "litres perdus par jour",
    "m3_per_year": "m³ par an",
    "cost_per_year": "coût par an (€)",
}


METHOD_NIGHTS = "nights"
"""Hourly data: continuous flow through several nights."""
METHOD_DAYS = "days"
"""Daily data: never below X litres a day for weeks."""
METHOD_LABELS = {METHOD_NIGHTS: "nuits", METHOD_DAYS: "jours"}
"""French names of the two rules."""


@dataclass(frozen=True)
class LeakReport:
    """All leak alerts of a run, and the nightly figures behind them.

    Attributes
    ----------
    alerts : tuple of LeakAlert
    method : {METHOD_NIGHTS, METHOD_DAYS}
        Night-flow rule (hourly data) or « never below X L/day » rule (daily data).
    price_eur_m3 : float
    night_min : ndarray of float32, shape (n_meters, n_days)
        Hourly data: minimum flow of each night (L/h), NaN if unknown.
        Daily data: the 7-day floor of daily volumes (L/day).
    meters : ndarray of str
    days : DatetimeIndex
    parameters : dict
    """

    alerts: tuple[LeakAlert, ...]
    method: str
    price_eur_m3: float
    night_min: np.ndarray
    meters: np.ndarray
    days: pd.DatetimeIndex
    parameters: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.alerts)

    def to_frame(self) -> pd.DataFrame:
        """One row per alert, French column names (the ``alerts.csv`` export)."""
        rows = [{ALERT_COLUMNS[k]: getattr(a, k) for k in ALERT_COLUMNS} for a in self.alerts]
        frame = pd.DataFrame(rows, columns=list(ALERT_COLUMNS.values()))
        for col in ("débit (L/h)", "litres perdus par jour", "m³ par an", "coût par an (€)"):
            frame[col] = frame[col].astype(float).round(1)
        return frame

    def for_meter(self, meter: str) -> list[LeakAlert]:
        return [a for a in self.alerts if a.meter == meter]

    def meters_with_alert(self) -> list[str]:
        return sorted({a.meter for a in self.alerts})

    def ongoing(self) -> list[LeakAlert]:
        return [a for a in self.alerts if a.ongoing]

    @property
    def m3_per_year(self) -> float:
        """Water lost per year by the leaks still running at the end of the data."""
        return float(sum(a.m3_per_year for a in self.alerts if a.ongoing))

    @property
    def cost_per_year(self) -> float:
        return float(sum(a.cost_per_year for a in self.alerts if a.ongoing))


def detect_leaks(
    series: MeterSeries,
    *,
    night: tuple[int, int] = (1, 5),
    nights: int = 3,
    min_flow_l_h: float = 1.0,
    price_eur_m3: float = DEFAULT_PRICE_EUR_M3,
    min_leak_l_day: float = 100.0,
    window_days: int = 7,
) -> LeakReport:
    """Find continuous flows that suggest a leak after the meter.

    Parameters
    ----------
    series : MeterSeries
        Volumes on the grid, with stuck and frozen periods set aside
        (:func:`~sandbox.models.water.clean_series`).
    night : (int, int)
        Night window, start and end hour (01:00–05:00 by default).
    nights : int
        Leak nights in a row needed for an alert.
    min_flow_l_h : float
        Smallest flow taken for a leak (litres per hour); the meter's
        resolution (1 L) sets the floor.
    price_eur_m3 : float
        Price of water, sanitation and taxes included, for the cost per year.
    min_leak_l_day : float
        Daily data only: X of the « never below X L/day » rule — how far the
        lowest day of the week must stay above the household's usual lowest
        day (the median of its weekly floors over the previous eight weeks),
        three weeks in a row. Daily data see only leaks of a few L/h or more,
        and later.
    window_days : int
        Daily data only: days over which the floor (lowest day) is taken.

    Returns
    -------
    LeakReport

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> hours = 24 * 20
    >>> times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    >>> use = np.tile(np.r_[np.zeros(6), np.full(3, 40.0), np.zeros(9), np.full(4, 30.0), np.zeros(2)], 20)
    >>> leak = np.where(np.arange(hours) >= 24 * 10 + 14, 6.0, 0.0)  # 6 L/h from day 10, 14:00
    >>> series = build_series(Readings.from_arrays(["A"] * hours, times, use + leak), unit="L")
    >>> report = detect_leaks(series)
    >>> alert = report.alerts[0]
    >>> str(alert.start), alert.flow_l_h, str(alert.detected.date())
    ('2025-03-11 14:00:00', 6.0, '2025-03-14')
    """
    if series.hourly:
        return _hourly(series, night, nights, min_flow_l_h, price_eur_m3)
    return _daily(series, min_leak_l_day, window_days, price_eur_m3)


def _costs(flow_l_h: float, price: float) -> tuple[float, float, float]:
    per_day = flow_l_h * 24.0
    per_year = per_day * 365.0 / 1000.0
    return per_day, per_year, per_year * price


def _hourly(series, night, nights, min_flow, price) -> LeakReport:
    n0, n1 = int(night[0]), int(night[1])
    if not 0 <= n0 < n1 <= 24:
        raise ValueError("night must be (start hour, end hour) with 0 <= start < end <= 24")
    need = max(1, int(np.ceil(0.75 * (n1 - n0))))
    n_meters, n_days = series.n_meters, series.n_days
    night_min = np.full((n_meters, n_days), np.nan, dtype=np.float32)

    def scan(lo: int, hi: int) -> list:
        cube = series.volume[lo:hi].reshape(hi - lo, n_days, 24)
        win = cube[:, :, n0:n1]
        known = np.count_nonzero(~np.isnan(win), axis=2)
        low = np.where(np.isnan(win), np.inf, win).min(axis=2)
        has_low = low < min_flow
        state = np.where(has_low, 0, np.where(known >= need, 1, -1)).astype(np.int8)
        night_min[lo:hi] = np.where(known > 0, low, np.nan)
        # Between two nights (end of night d-1 to start of night d): no hour below the minimum flow.
        # NaN compares False: unknown hours do not break the flow.
        between = np.ones((hi - lo, n_days), dtype=bool)
        if n_days > 1:
            gap_hours = 24 - (n1 - n0)
            shifted = series.volume[lo:hi, n1 : n1 + (n_days - 1) * 24].reshape(hi - lo, n_days - 1, 24)
            between[:, 1:] = ~np.any(shifted[:, :, :gap_hours] < min_flow, axis=2)
        return _track_runs(state, between, nights, lo)

    runs = [run for part in map_blocks(scan, _row_blocks(n_meters, series.n_cells)) for run in part]
    alerts = []
    day0 = series.day_origin
    for m, first_d, last_d, count, det_d, ongoing in runs:
        # The leak flow: median of the night hours of the leak nights (the household is asleep).
        hours = series.volume[m, first_d * 24 : (last_d + 1) * 24].reshape(-1, 24)[:, n0:n1]
        leak_nights = night_min[m, first_d : last_d + 1] >= min_flow
        values = hours[leak_nights].ravel()
        values = values[np.isfinite(values)]
        flow = float(np.median(values)) if len(values) else float(min_flow)
        start_cell = _start_cell(series.volume[m], first_d * 24 + n0, min_flow)
        per_day, per_year, cost = _costs(flow, price)
        alerts.append(
            LeakAlert(
                meter=str(series.meters[m]),
                start=pd.Timestamp(series.origin + np.timedelta64(int(start_cell) * HOUR, "s")),
                first_night=pd.Timestamp(day0 + np.timedelta64(int(first_d), "D")),
                detected=pd.Timestamp(day0 + np.timedelta64(int(det_d), "D")) + pd.Timedelta(hours=n1),
                last_seen=pd.Timestamp(day0 + np.timedelta64(int(last_d), "D")),
                ongoing=bool(ongoing),
                nights=int(count),
                flow_l_h=round(flow, 2),
                litres_per_day=per_day,
                m3_per_year=per_year,
                cost_per_year=cost,
            )
        )
    alerts.sort(key=lambda a: (a.meter, a.start))
    return LeakReport(
        alerts=tuple(alerts),
        method=METHOD_NIGHTS,
        price_eur_m3=price,
        night_min=night_min,
        meters=series.meters,
        days=series.days(),
        parameters={"night": (n0, n1), "nights": nights, "min_flow_l_h": min_flow},
    )


def _track_runs(state: np.ndarray, between: np.ndarray, nights: int, offset: int) -> list[tuple]:
    """Runs of leak nights joined by a continuous flow; (meter, first, last, count, detection day, ongoing)."""
    n_rows, n_days = state.shape
    run_len = np.zeros(n_rows, dtype=np.int64)
    run_first = np.zeros(n_rows, dtype=np.int64)
    run_last = np.zeros(n_rows, dtype=np.int64)
    run_det = np.full(n_rows, -1, dtype=np.int64)
    out = []

    def close(mask):
        for r in np.flatnonzero(mask & (run_len >= nights)):
            out.append((r + offset, int(run_first[r]), int(run_last[r]), int(run_len[r]), int(run_det[r]), False))
        run_len[mask] = 0
        run_det[mask] = -1

    for d in range(n_days):
        s = state[:, d]
        leak = s == 1
        bridge = between[:, d]
        broken = (run_len > 0) & ((s == 0) | ~bridge)
        close(broken)
        start = leak & (run_len == 0)
        run_first[start] = d
        run_len[leak] += 1
        run_last[leak] = d
        reached = leak & (run_len == nights)
        run_det[reached] = d
    for r in np.flatnonzero(run_len >= nights):
        out.append((r + offset, int(run_first[r]), int(run_last[r]), int(run_len[r]), int(run_det[r]), True))
    return out


def _start_cell(volume: np.ndarray, night_cell: int, min_flow: float, look_back: int = 72) -> int:
    """The hour after the last hour below the minimum flow before the first leak night."""
    lo = max(0, night_cell - look_back)
    seg = volume[lo:night_cell]
    below = np.flatnonzero(seg < min_flow)
    if len(below):
        return lo + int(below[-1]) + 1
    known = np.flatnonzero(~np.isnan(seg))
    return lo + int(known[0]) if len(known) else night_cell


def _daily(series, min_leak, window, price, reference_weeks: int = 8, persist_days: int = 21) -> LeakReport:
    """« Never below X L/day »: the lowest day of each week stays X litres above the household's usual lowest day.

    For each day, the *floor* is the smallest daily volume of the last
    *window* days; the reference is the median of the floors one, two… up to
    *reference_weeks* weeks earlier. A leak adds the same litres to every day,
    so the floor rises by its volume: when it stays at least X above the
    reference for *persist_days* days in a row, an alert is raised.
    """

    daily = series.volume  # litres per day
    n_meters, n_days = daily.shape
    w = max(2, int(window))
    floor = np.full((n_meters, n_days), np.nan, dtype=np.float32)
    if n_days >= w:
        view = np.lib.stride_tricks.sliding_window_view(daily, w, axis=1)  # (m, n_days - w + 1, w)
        known = np.count_nonzero(~np.isnan(view), axis=2)
        lows = np.where(np.isnan(view), np.inf, view).min(axis=2)
        floor[:, w - 1 :] = np.where(known >= w - 2, lows, np.nan)
    first = w - 1 + w * reference_weeks
    state = np.full((n_meters, n_days), -1, dtype=np.int8)
    excess = np.full((n_meters, n_days), np.nan, dtype=np.float32)
    if n_days > first:
        days = np.arange(first, n_days)
        past = np.stack([floor[:, days - w * k] for k in range(1, reference_weeks + 1)], axis=2)  # (m, d, weeks)
        ref = row_nanmedian(past.reshape(-1, reference_weeks)).reshape(n_meters, len(days))
        f = floor[:, first:]
        ok = np.isfinite(f) & np.isfinite(ref)
        state[:, first:] = np.where(ok, (f >= ref + min_leak).astype(np.int8), -1)
        excess[:, first:] = np.where(ok, f - ref, np.nan)
    runs = _track_runs(state, np.ones_like(state, dtype=bool), persist_days, 0)
    alerts = []
    day0 = series.day_origin
    for m, first_d, last_d, count, det_d, ongoing in runs:
        ex = excess[m, first_d : last_d + 1]
        ex = ex[np.isfinite(ex) & (ex > 0)]
        per_day = float(np.median(ex)) if len(ex) else float(min_leak)
        flow = per_day / 24.0
        _, per_year, cost = _costs(flow, price)
        start_day = max(0, first_d - (w - 1))
        alerts.append(
            LeakAlert(
                meter=str(series.meters[m]),
                start=pd.Timestamp(day0 + np.timedelta64(int(start_day), "D")),
                first_night=pd.Timestamp(day0 + np.timedelta64(int(start_day), "D")),
                detected=pd.Timestamp(day0 + np.timedelta64(int(det_d) + 1, "D")),
                last_seen=pd.Timestamp(day0 + np.timedelta64(int(last_d), "D")),
                ongoing=bool(ongoing),
                nights=int(count + w - 1),
                flow_l_h=round(flow, 2),
                litres_per_day=per_day,
                m3_per_year=per_year,
                cost_per_year=cost,
            )
        )
    alerts.sort(key=lambda a: (a.meter, a.start))
    return LeakReport(
        alerts=tuple(alerts),
        method=METHOD_DAYS,
        price_eur_m3=price,
        night_min=floor,
        meters=series.meters,
        days=series.days(),
        parameters={"min_leak_l_day": min_leak, "window_days": w, "reference_weeks": reference_weeks,
                    "persist_days": persist_days},
    )
