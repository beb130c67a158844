"""Unusual days: far from the household's own habits, with the reason in words.

Robust statistics, meter by meter: for each day, the volume of the day,
the volume at night (00:00–05:00) and the peak hourly flow are compared
with the household's own median and median absolute deviation (MAD),
separately for working days and weekends. A day is unusual when one of
them is several robust deviations above the habit **and** the excess is
large enough to matter; the reason names the figure that stands out. Days
with no water at all (holidays away) are not anomalies, and days inside a
leak alert are already explained by it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.water._series import MeterSeries, _row_blocks, map_blocks, row_nanmedian
from sandbox.models.water.leaks import LeakReport
from sandbox.text import num
from sandbox.text import typography

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Feature: (French label, absolute floor of the deviation, minimum excess to matter, unit)
FEATURES = {
    "total": ("volume du jour", 30.0, 200.0, "L"),
    "night": ("volume de nuit (0 h – 5 h)", 10.0, 100.0, "L"),
    "peak": ("débit de pointe", 20.0, 200.0, "L/h"),
}


@dataclass(frozen=True)
class UnusualDays:
    """The unusual days of every meter.

    Attributes
    ----------
    table : DataFrame
        ``compteur``, ``date``, ``critère``, ``valeur``, ``habitude``, ``écart`` (robust
        deviations), ``raison`` (French sentence).
    threshold : float
    """

    table: pd.DataFrame
    threshold: float

    def __len__(self) -> int:
        return len(self.table)

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def for_meter(self, meter: str) -> pd.DataFrame:
        return self.table[self.table["compteur"] == meter]


def _robust(x: np.ndarray, mask: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-row median and scale (1.4826·MAD, at least 15 % of the median and *floor*) over ``mask``."""
    values = np.where(mask, x, np.nan)
    med = row_nanmedian(values)
    mad = row_nanmedian(np.abs(values - med[:, None]))
    scale = np.maximum(np.maximum(1.4826 * mad, 0.15 * np.abs(med)), floor)
    return med, scale


def unusual_days(
    series: MeterSeries,
    *,
    leaks: LeakReport | None = None,
    threshold: float = 5.0,
    min_days: int = 14,
) -> UnusualDays:
    """Days far above the household's habits, with the reason.

    Parameters
    ----------
    series : MeterSeries
        Clean series (stuck and frozen periods set aside).
    leaks : LeakReport, optional
        Days inside a leak alert are left out (the alert explains them).
    threshold : float
        Robust deviations (scaled MAD) above the median that make a day unusual.
    min_days : int
        A meter needs this many known days with some consumption to have habits.

    Returns
    -------
    UnusualDays

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> rng = np.random.default_rng(0)
    >>> hours = 24 * 30
    >>> use = rng.poisson(1.0, hours) * 10.0 * (np.arange(hours) % 24 >= 6)
    >>> use[24 * 20 + 10 : 24 * 20 + 14] += 900.0  # a pool filled on day 20
    >>> times = pd.date_range("2025-05-01 01:00", periods=hours, freq="h")
    >>> found = unusual_days(build_series(Readings.from_arrays(["A"] * hours, times, use), unit="L"))
    >>> found.table[["date", "critère"]].astype(str).values.tolist()
    [['2025-05-21', 'volume du jour']]
    """
    days = series.days()
    n_meters, n_days = series.n_meters, series.n_days
    rest = np.asarray(days.day_of_week >= 5)
    excluded = np.zeros((n_meters, n_days), dtype=bool)
    if leaks is not None:
        for alert in leaks.alerts:
            m = series.meter_position(alert.meter)
            a = max(0, (alert.start.normalize() - days[0]).days)
            b = (alert.last_seen.normalize() - days[0]).days + 2 if not alert.ongoing else n_days
            excluded[m, a:b] = True

    def scan(lo: int, hi: int) -> list:
        rows = []
        feats = _features(series, lo, hi)
        total = feats["total"]
        present = np.isfinite(total) & (total > 0) & ~excluded[lo:hi]
        enough = present.sum(axis=1) >= min_days
        best_z = np.full(total.shape, -np.inf)
        best_f = np.full(total.shape, "", dtype=object)
        habit = np.full(total.shape, np.nan)
        for name in FEATURES:
            if name not in feats:
                continue
            values = feats[name]
            label, floor, min_excess, _ = FEATURES[name]
            z = np.full(total.shape, -np.inf)
            med_all = np.full(total.shape, np.nan)
            for kind in (False, True):  # working days, then weekends
                cols = rest == kind
                if not cols.any():
                    continue
                med, scale = _robust(values[:, cols], present[:, cols], floor)
                with np.errstate(invalid="ignore"):
                    zz = (values[:, cols] - med[:, None]) / scale[:, None]
                ok = present[:, cols] & (values[:, cols] - med[:, None] >= min_excess)
                z[:, cols] = np.where(ok, zz, -np.inf)
                med_all[:, cols] = med[:, None]
            better = z > best_z
            best_z = np.where(better, z, best_z)
            best_f = np.where(better, name, best_f)
            habit = np.where(better, med_all, habit)
        hit = (best_z >= threshold) & enough[:, None]
        for r, d in zip(*np.nonzero(hit)):
            name = best_f[r, d]
            value = float(feats[name][r, d])
            usual = float(habit[r, d])
            rows.append(
                {
                    "compteur": series.meters[lo + r],
                    "date": days[d],
                    "critère": FEATURES[name][0],
                    "valeur": round(value, 1),
                    "habitude": round(usual, 1),
                    "écart": round(float(best_z[r, d]), 1),
                    "raison": typography(_reason(name, value, usual, days[d], feats.get("peak_hour"), r, d)),
                }
            )
        return rows

    rows = [row for part in map_blocks(scan, _row_blocks(n_meters, series.n_cells)) for row in part]
    table = pd.DataFrame(rows, columns=["compteur", "date", "critère", "valeur", "habitude", "écart", "raison"])
    return UnusualDays(table, threshold)


def _features(series: MeterSeries, lo: int, hi: int) -> dict[str, np.ndarray]:
    if not series.hourly:
        return {"total": series.volume[lo:hi].astype(np.float64)}
    cube = series.volume[lo:hi].reshape(hi - lo, series.n_days, 24)
    complete = ~np.isnan(cube).any(axis=2)
    total = np.where(complete, np.nansum(cube, axis=2, dtype=np.float64), np.nan)
    night = np.where(complete, np.nansum(cube[:, :, 0:5], axis=2, dtype=np.float64), np.nan)
    filled = np.where(np.isnan(cube), -1.0, cube)
    peak = np.where(complete, filled.max(axis=2), np.nan)
    peak_hour = filled.argmax(axis=2)
    return {"total": total, "night": night, "peak": peak, "peak_hour": peak_hour}


def _litres(x: float) -> str:
    return "presque rien" if x < 1 else f"{num(x)} litre{'s' if x >= 2 else ''}"


def _reason(name, value, usual, day, peak_hour, r, d) -> str:
    weekday = WEEKDAYS_FR[day.day_of_week]
    kind = "un week-end" if day.day_of_week >= 5 else "un jour de semaine"
    if name == "total":
        ratio = value / usual if usual > 0 else np.inf
        times = f"{num(ratio, 1)} fois" if np.isfinite(ratio) else "bien"
        return (
            f"{num(value)} litres consommés ce {weekday}, {times} plus qu'{kind} habituel "
            f"({num(usual)} litres) : remplissage de piscine, arrosage, fuite ponctuelle ?"
        )
    if name == "night":
        return (
            f"{num(value)} litres consommés la nuit (entre 0 h et 5 h) contre {_litres(usual)} "
            f"d'habitude : un appareil ou un robinet resté ouvert ?"
        )
    hour = int(peak_hour[r, d]) if peak_hour is not None else 0
    return (
        f"débit de {num(value)} litres par heure à {hour} h, contre {num(usual)} litres par heure "
        f"au plus fort d'{kind} habituel : un usage inhabituel ce jour-là"
    )
