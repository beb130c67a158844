"""A city in partitions of meters: each partition analysed apart, the results gathered as one run.

Every step of the analysis but three works meter by meter: conversion,
quality, leaks, unusual days, the features of the typical day and the
average consumption. :func:`analyse_partition` runs them on the readings of
some meters (on a worker: its memory holds its partition, not the city),
on the city's :class:`~sandbox.models.water._series.Grid`. :func:`combine`
gathers the partitions in meter order and runs the three steps that need
every household (the profiles, the comparison with similar households, the
messages) on small per-meter tables. The result is the
:class:`~sandbox.models.water.analysis.WaterAnalysis` one run would give,
without the volumes (``series`` is None).

Examples
--------
>>> times = pd.date_range("2025-03-01 01:00", periods=24 * 30, freq="h")
>>> k = np.arange(len(times))
>>> a = Readings.from_arrays(["A"] * len(times), times, 2.0 + k % 3)
>>> b = Readings.from_arrays(["B"] * len(times), times, 5.0 + k % 2)
>>> grid = grid_of(a, int(a.time.min()), int(a.time.max()), unit="L")
>>> whole = combine([analyse_partition(a, grid), analyse_partition(b, grid)], grid=grid)
>>> list(whole.meters), len(whole.leaks), whole.hourly
(['A', 'B'], 2, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.water._readings import Readings
from sandbox.models.water._series import Grid, build_series, grid_of
from sandbox.models.water.analysis import WaterAnalysis, WaterParams, households_note
from sandbox.models.water.anomalies import UnusualDays, unusual_days
from sandbox.models.water.leaks import LeakReport, detect_leaks
from sandbox.models.water.messages import compose_messages
from sandbox.models.water.peers import compare_usage, consumption
from sandbox.models.water.quality import FROZEN, STATUS_UNUSABLE, QualityReport, clean_series, quality_report
from sandbox.models.water.segments import ProfileSegmenter, profile_features
from sandbox.text import typography

__all__ = ["Partial", "analyse_partition", "combine", "grid_of"]


@dataclass(frozen=True)
class Partial:
    """What one partition of meters found: per-meter results only (no volumes)."""

    meters: np.ndarray
    quality: QualityReport
    leaks: LeakReport
    unusual: UnusualDays
    shares: np.ndarray
    summer: np.ndarray
    eligible: np.ndarray
    usage: pd.DataFrame
    n_readings: int
    reading_notes: tuple[str, ...]
    days: pd.DatetimeIndex


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack per-partition tables; empty ones are left out so that the column types stay those of one run."""
    full = [f for f in frames if len(f)]
    return pd.concat(full or frames[:1], ignore_index=True)


def leak_periods(leaks: LeakReport) -> dict[str, list[tuple]]:
    """``{meter: [(start, end), …]}`` of the alerts (left out of the typical day)."""
    periods: dict[str, list[tuple]] = {}
    for alert in leaks.alerts:
        end = alert.end if alert.end is not None else alert.last_seen + pd.Timedelta(days=1)
        periods.setdefault(alert.meter, []).append((alert.start, end))
    return periods


def analyse_partition(readings: Readings, grid: Grid, params: WaterParams = WaterParams()) -> Partial:
    """The per-meter steps of :func:`~sandbox.models.water.analyse` on some meters of a city."""
    raw = build_series(readings, max_flow_l_h=params.max_flow_l_h, grid=grid)
    quality = quality_report(raw, stuck_days=params.stuck_days, frozen_hours=params.frozen_hours)
    series = clean_series(raw, quality)
    del raw
    leaks = detect_leaks(
        series,
        night=(params.night_start, params.night_end),
        nights=params.nights,
        min_flow_l_h=params.min_flow_l_h,
        price_eur_m3=params.price_eur_m3,
        min_leak_l_day=params.min_leak_l_day,
    )
    unusual = unusual_days(series, leaks=leaks, threshold=params.unusual_threshold)
    segmenter = ProfileSegmenter(n_segments=params.n_segments, seed=params.seed)
    shares, summer, eligible = profile_features(series, segmenter.min_days, leak_periods(leaks))
    return Partial(
        meters=np.asarray(series.meters, dtype=object),
        quality=quality,
        leaks=leaks,
        unusual=unusual,
        shares=shares,
        summer=summer,
        eligible=eligible,
        usage=consumption(series, params.period_days),
        n_readings=len(readings),
        reading_notes=tuple(readings.notes),
        days=series.days(),
    )


def combine(
    partials: list[Partial],
    households: pd.DataFrame | None = None,
    params: WaterParams = WaterParams(),
    *,
    grid: Grid,
) -> WaterAnalysis:
    """Gather partitions (in meter order) into the analysis of the whole city."""
    if not partials:
        raise ValueError("no partition to combine")
    meters = np.concatenate([p.meters for p in partials])
    days = partials[0].days
    first = partials[0]
    conversion = first.quality.conversion
    notes = [typography(n) for p in partials for n in p.reading_notes]
    notes += [typography(n) for n in grid.notes]
    issues = _concat([p.quality.issues for p in partials])
    if not issues.empty:
        issues = issues.sort_values(["compteur", "début"], kind="stable", ignore_index=True)
    set_aside = _concat([p.quality.set_aside for p in partials])
    set_aside = set_aside.sort_values("problème", key=lambda s: s == FROZEN, kind="stable", ignore_index=True)
    quality = QualityReport(
        issues=issues,
        meters=_concat([p.quality.meters for p in partials]),
        gaps=_concat([p.quality.gaps for p in partials]),
        set_aside=set_aside,
        notes=(*notes, conversion.describe()),
        conversion=conversion,
    )
    leaks = LeakReport(
        alerts=tuple(a for p in partials for a in p.leaks.alerts),
        method=first.leaks.method,
        price_eur_m3=first.leaks.price_eur_m3,
        night_min=np.concatenate([p.leaks.night_min for p in partials]),
        meters=meters,
        days=first.leaks.days,
        parameters=first.leaks.parameters,
    )
    unusual = UnusualDays(_concat([p.unusual.table for p in partials]), first.unusual.threshold)
    segments = ProfileSegmenter(n_segments=params.n_segments, seed=params.seed).fit_features(
        meters,
        np.concatenate([p.shares for p in partials]),
        np.concatenate([p.summer for p in partials]),
        np.concatenate([p.eligible for p in partials]),
        hourly=grid.step == 3600,
    )
    usage = _concat([p.usage for p in partials])
    start = days[max(0, len(days) - params.period_days)]
    end = days[-1] + pd.Timedelta(days=1)
    peers = compare_usage(usage, households, period=(start, end), min_peers=params.min_peers)
    analysed = quality.meters.loc[quality.meters["état"] != STATUS_UNUSABLE, "compteur"].to_numpy()
    messages = compose_messages(
        analysed, peers=peers, leaks=leaks, segments=segments, price_eur_m3=params.price_eur_m3, sender=params.sender
    )
    return WaterAnalysis(
        series=None,
        quality=quality,
        leaks=leaks,
        unusual=unusual,
        segments=segments,
        peers=peers,
        messages=messages,
        usage=usage,
        params=params,
        n_readings=sum(p.n_readings for p in partials),
        households_note=households_note(meters, households),
        span=(days[0], end),
    )
