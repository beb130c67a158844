"""Readings to litres on a grid: index or volumes, litres or m³, roll-over, duplicates, irregular and daily readings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sandbox.data import read_table, validate
from sandbox.data.schemas.water import READINGS
from sandbox.models.water import Readings, build_series, detect_kind, quality_report
from sandbox.text import plain

HOURS = pd.date_range("2025-03-01 01:00", periods=24 * 10, freq="h")  # reading times = end of each hour


def _flow(n: int, seed: int = 0) -> np.ndarray:
    """Whole litres per hour, with quiet nights."""
    rng = np.random.default_rng(seed)
    hour = np.arange(n) % 24
    return np.where((hour >= 6) & (hour <= 22), rng.integers(0, 40, n), 0).astype(float)


def test_index_in_litres_becomes_the_hourly_volumes():
    litres = _flow(len(HOURS))
    index = 120_000 + np.cumsum(litres)
    series = build_series(Readings.from_arrays(["A"] * len(HOURS), HOURS, index, source="index"))
    assert series.conversion.kind == "index" and series.conversion.unit == "L"
    assert series.step == 3600 and series.origin == np.datetime64("2025-03-01T00:00:00")
    got = series.volume[0]
    # The first reading has no previous one: its hour is unknown; every other hour is exact.
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1 : len(HOURS)], litres[1:])


def test_index_in_m3_is_detected_and_converted_to_litres():
    litres = _flow(len(HOURS), seed=1)
    index_m3 = np.round(812.431 + np.cumsum(litres) / 1000, 3)
    series = build_series(Readings.from_arrays(["A"] * len(HOURS), HOURS, index_m3, source="index"))
    assert series.conversion.unit == "m3" and series.conversion.unit_how == "détecté"
    np.testing.assert_allclose(series.volume[0][1 : len(HOURS)], litres[1:], atol=1e-3)


def test_roll_over_of_the_register_is_corrected_not_reported_as_a_step_back():
    litres = _flow(len(HOURS), seed=2)
    index_m3 = np.round(np.mod(99_999.2 + np.cumsum(litres) / 1000, 100_000.0), 3)
    assert (np.diff(index_m3) < 0).sum() == 1  # the register passes 99 999,999 once
    series = build_series(Readings.from_arrays(["A"] * len(HOURS), HOURS, index_m3, source="index"))
    np.testing.assert_allclose(series.volume[0][1 : len(HOURS)], litres[1:], atol=1e-3)
    issues = series.issues
    assert issues["problème"].tolist() == ["passage par zéro du compteur"]
    assert "corrigé" in issues["détail"].iloc[0]


def test_an_index_going_backwards_is_reported_with_its_rows_and_the_interval_set_aside():
    litres = _flow(len(HOURS), seed=3)
    index = 5000 + np.cumsum(litres)
    index[100:] -= 3000  # meter replaced or typing error: the index drops
    r = Readings.from_arrays(["A"] * len(HOURS) + ["B"] * len(HOURS), list(HOURS) * 2, np.r_[index, 9000 + np.cumsum(litres)], source="index")
    series = build_series(r)
    report = quality_report(series)
    back = report.issues[report.issues["problème"] == "index en recul"]
    assert back["compteur"].tolist() == ["A"]
    assert back["lignes"].iloc[0] == "102"  # reading 100 of the table is on spreadsheet row 102
    assert "ligne 101" in plain(back["détail"].iloc[0])
    assert np.isnan(series.volume[0][100])  # the interval across the drop is unknown…
    np.testing.assert_array_equal(series.volume[0][101:240], litres[101:240])  # …the following ones are fine
    np.testing.assert_array_equal(series.volume[1][1:240], litres[1:240])  # and meter B is untouched


def test_a_volume_column_that_holds_an_index_is_detected():
    litres = _flow(len(HOURS), seed=4)
    as_volume = Readings.from_arrays(["A"] * len(HOURS), HOURS, 4000 + np.cumsum(litres))
    assert detect_kind(as_volume) == "index"
    assert detect_kind(Readings.from_arrays(["A"] * len(HOURS), HOURS, litres)) == "volume"
    series = build_series(as_volume)
    assert series.conversion.kind == "index" and series.conversion.kind_how == "détecté"
    assert any("index cumulé" in n for n in series.notes)


def test_irregular_readings_are_spread_over_the_hours_they_cover_and_keep_the_total():
    rng = np.random.default_rng(5)
    # About hourly, at odd minutes: 00:07, 01:03, 01:58…
    times = pd.Timestamp("2025-03-01 00:07") + pd.to_timedelta(np.arange(200) * 3600 + rng.integers(-300, 300, 200), unit="s")
    index = 1000 + np.cumsum(rng.integers(0, 30, 200)).astype(float)
    series = build_series(Readings.from_arrays(["A"] * 200, times, index, source="index"), unit="L")
    assert series.step == 3600
    known = series.volume[0][~np.isnan(series.volume[0])]
    # Whole hours between the first and last reading are known; their sum is the index difference over them.
    assert len(known) >= 196
    assert known.sum() == pytest.approx(index[-1] - index[0], rel=0.02)


def test_daily_readings_give_a_daily_grid():
    days = pd.date_range("2025-03-02", periods=60, freq="D")  # index read at midnight
    litres = np.random.default_rng(6).integers(150, 400, 60).astype(float)
    series = build_series(Readings.from_arrays(["A"] * 60, days, 300 + np.cumsum(litres) / 1000, source="index"))
    assert series.step == 86400 and not series.hourly
    assert series.conversion.unit == "m3"
    np.testing.assert_allclose(series.volume[0][1:60], litres[1:], atol=1e-6)


def test_duplicated_timestamps_identical_are_dropped_conflicting_are_reported():
    litres = _flow(48, seed=7)
    times = list(pd.date_range("2025-03-01 01:00", periods=48, freq="h"))
    meters = ["A"] * 48
    values = list(litres)
    # Row duplicated as is, and a conflicting second value at another hour.
    times += [times[10], times[20]]
    meters += ["A", "A"]
    values += [litres[10], litres[20] + 7]
    frame = pd.DataFrame({"compteur": meters, "date": times, "volume": values})
    series = build_series(Readings.from_validated(validate(frame, READINGS)))
    kinds = dict(zip(series.issues["problème"], series.issues["lignes"]))
    assert kinds == {"doublon": "50", "doublon contradictoire": "51"}
    np.testing.assert_array_equal(series.volume[0][:48], litres)  # the first value is kept


def test_the_repeated_autumn_hour_is_summed_for_volumes():
    times = list(pd.date_range("2025-10-25 01:00", periods=72, freq="h"))  # local time, 02:00 on 26/10 comes twice
    values = [10.0 if t.hour in (8, 20) else 0.0 for t in times]
    repeated = times.index(pd.Timestamp("2025-10-26 02:00"))
    times.insert(repeated + 1, times[repeated])
    values.insert(repeated + 1, 5.0)
    series = build_series(Readings.from_arrays(["A"] * len(times), times, values), unit="L")
    assert series.issues["problème"].tolist() == ["changement d'heure"]
    assert np.nansum(series.volume[0]) == sum(values)


def test_utility_export_with_french_dates_and_decimal_commas_loads_through_the_mapping():
    text = (
        "user key;datetime;meter reading;diff\n"
        "40213870;01/03/2025 01:00:00;812,431;\n"
        "40213870;01/03/2025 02:00:00;812,440;0,009\n"
        "40213870;01/03/2025 03:00:00;812,452;0,012\n"
    )
    df = read_table(text.encode("cp1252"), "export.csv")
    v = validate(df, READINGS, {"meter": "user key", "volume": "diff"})
    assert v.mapping == {"meter": "user key", "datetime": "datetime", "volume": "diff", "index": "meter reading"}
    series = build_series(Readings.from_validated(v), min_days=0)
    assert series.conversion.kind == "index" and series.conversion.unit == "m3"
    assert np.nansum(series.volume[0]) == pytest.approx(21.0)
