"""Leak detection on generated households whose leaks, stuck meters and gaps are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data.generators.water import Rates, simulate
from sandbox.models.water import (
    Readings,
    build_series,
    clean_series,
    detect_leaks,
    quality_report,
    unusual_days,
)
from sandbox.models.water.leaks import METHOD_DAYS

SEED = 4242  # not the seed of the sample data
RATES = Rates(leak=0.25, stuck=0.08, frozen=0.08, gap=0.3, duplicate=0.05, hose=0.05)


def _readings(table) -> Readings:
    df = table.to_pandas()
    return Readings.from_arrays(df["compteur"].astype(str), df["date_heure"], df["volume_litres"])


@pytest.fixture(scope="module")
def generated():
    sim = simulate(160, SEED, start="2025-04-01", days=150, rates=RATES)
    series = build_series(_readings(sim.readings))
    report = quality_report(series)
    clean = clean_series(series, report)
    return sim, series, report, clean, detect_leaks(clean)


def test_every_planted_leak_is_found_within_three_days_of_its_start(generated):
    sim, _, _, _, leaks = generated
    truth = sim.events[sim.events["type"] == "fuite"].set_index("compteur")
    assert len(truth) >= 25
    found = {a.meter: a for a in leaks.alerts}
    missed = sorted(set(truth.index) - set(found))
    assert missed == []
    for meter, event in truth.iterrows():
        alert = found[meter]
        # The estimated start is within a day of the true start, and the alert is raised
        # at most three calendar days after the day the leak started.
        assert abs((alert.start - event["debut"]).total_seconds()) <= 24 * 3600, meter
        assert (alert.detected.normalize() - event["debut"].normalize()).days <= 3, meter
        assert alert.flow_l_h == pytest.approx(event["debit_l_h"], rel=0.25, abs=1.0), meter


def test_no_alert_on_meters_without_a_leak_even_stuck_frozen_or_with_gaps(generated):
    sim, _, _, _, leaks = generated
    ev = sim.events
    leaking = set(ev.loc[ev["type"] == "fuite", "compteur"])
    faulty = set(ev.loc[ev["type"].isin(["compteur bloqué", "valeur figée", "lacune"]), "compteur"]) - leaking
    assert len(faulty) >= 30
    alerted = {a.meter for a in leaks.alerts}
    assert alerted - leaking == set()
    assert alerted & faulty == set()


def test_stuck_and_frozen_meters_and_gaps_are_in_the_quality_report(generated):
    sim, _, report, _, _ = generated
    ev = sim.events
    issues = report.issues
    for kind in ("compteur bloqué", "valeur figée", "lacune"):
        planted = set(ev.loc[ev["type"] == kind, "compteur"])
        reported = set(issues.loc[issues["problème"] == kind, "compteur"])
        assert planted and planted <= reported, kind
    for rec in ev[ev["type"] == "lacune"].itertuples():
        gaps = report.gaps[report.gaps["compteur"] == rec.compteur]
        # The planted gap (rows missing) is found exactly, as a gap.
        assert ((gaps["début"] == rec.debut) & (gaps["fin"] == rec.fin)).any(), rec


def test_stuck_and_frozen_periods_are_set_aside_before_any_analysis(generated):
    sim, series, report, clean, _ = generated
    for rec in sim.events[sim.events["type"] == "valeur figée"].itertuples():
        i = series.meter_position(rec.compteur)
        a = int((rec.debut - pd.Timestamp(series.origin)) / pd.Timedelta(hours=1))
        b = int((rec.fin - pd.Timestamp(series.origin)) / pd.Timedelta(hours=1))
        assert np.isfinite(series.volume[i, a + 2 : b - 2]).all()
        assert np.isnan(clean.volume[i, a + 2 : b - 2]).all()


def test_a_gap_is_never_a_leak_and_does_not_break_one():
    hours = 24 * 20
    times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    hour = np.arange(hours) % 24
    use = np.where((hour == 7) | (hour == 20), 60.0, 0.0)
    leak = np.where(np.arange(hours) >= 24 * 5 + 10, 3.0, 0.0)
    keep = np.ones(hours, dtype=bool)
    keep[24 * 9 : 24 * 12] = False  # three days without readings, in the middle of the leak
    quiet_keep = np.ones(hours, dtype=bool)
    quiet_keep[24 * 3 : 24 * 15] = False  # twelve days without readings, no leak
    r = Readings.from_arrays(
        ["fuite"] * int(keep.sum()) + ["lacune"] * int(quiet_keep.sum()),
        np.r_[times[keep], times[quiet_keep]],
        np.r_[(use + leak)[keep], use[quiet_keep]],
    )
    leaks = detect_leaks(build_series(r, unit="L"))
    assert [a.meter for a in leaks.alerts] == ["fuite"]
    alert = leaks.alerts[0]
    assert alert.start == pd.Timestamp("2025-03-06 10:00") and alert.ongoing
    assert alert.flow_l_h == 3.0


def test_a_pool_filled_over_two_days_is_an_unusual_day_not_a_leak():
    hours = 24 * 40
    times = pd.date_range("2025-05-01 01:00", periods=hours, freq="h")
    rng = np.random.default_rng(1)
    hour = np.arange(hours) % 24
    use = np.where((hour >= 6) & (hour <= 22), rng.integers(0, 30, hours), 0).astype(float)
    use[24 * 20 + 9 : 24 * 20 + 9 + 40] += 1200.0  # 48 m³ in 40 hours
    series = build_series(Readings.from_arrays(["P"] * hours, times, use), unit="L")
    leaks = detect_leaks(series)
    assert len(leaks) == 0
    days = unusual_days(series, leaks=leaks).table
    assert pd.Timestamp("2025-05-21") in set(days["date"])
    assert "remplissage de piscine" in days.loc[days["date"] == pd.Timestamp("2025-05-21"), "raison"].iloc[0]


def test_leak_cost_follows_flow_and_price():
    hours = 24 * 12
    times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    flow = np.full(hours, 5.0)
    leaks = detect_leaks(build_series(Readings.from_arrays(["A"] * hours, times, flow), unit="L"), price_eur_m3=4.0)
    alert = leaks.alerts[0]
    assert alert.litres_per_day == 120.0
    assert alert.m3_per_year == pytest.approx(43.8)
    assert alert.cost_per_year == pytest.approx(175.2)


def test_daily_readings_use_the_never_below_rule():
    sim = simulate(60, SEED + 1, start="2025-01-01", days=240, rates=Rates(leak=0.0, stuck=0, frozen=0, gap=0, duplicate=0, hose=0))
    df = sim.readings.to_pandas()
    df["jour"] = (df["date_heure"] - pd.Timedelta(hours=1)).dt.normalize()
    daily = df.groupby(["compteur", "jour"], observed=True)["volume_litres"].sum().reset_index()
    # Plant a 10 L/h leak (240 L/day) on one meter from day 120.
    meter = daily["compteur"].iloc[0]
    start = pd.Timestamp("2025-05-01")
    daily.loc[(daily["compteur"] == meter) & (daily["jour"] >= start), "volume_litres"] += 240.0
    r = Readings.from_arrays(daily["compteur"].astype(str), daily["jour"] + pd.Timedelta(days=1), daily["volume_litres"])
    series = build_series(r, unit="L")
    assert not series.hourly
    leaks = detect_leaks(series)
    assert leaks.method == METHOD_DAYS
    hits = leaks.for_meter(str(meter))
    assert hits, "the planted leak is found"
    assert abs((hits[0].start - start).days) <= 7
    assert hits[0].litres_per_day == pytest.approx(240, rel=0.5)
