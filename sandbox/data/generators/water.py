"""Synthetic smart water meters: households, hourly readings and planted events with their ground truth.

Each household gets a daily rhythm (morning and evening peaks, presence in
the daytime or night work), weekends and public holidays, holidays away,
summer garden watering, and discrete water uses (showers, flushes,
machines) drawn as a compound Poisson process, so that nights are mostly
at zero as on real meters. The meter index is kept in whole litres, so the
hourly volumes are integers, as read remotely.

Planted events, written to ``events.csv`` with their exact start: leaks
(2 to 50 L/h, continuous, some repaired), stuck meters (no consumption
recorded for weeks), frozen values (the same non-zero volume repeated),
gaps (rows missing), duplicated rows, a pool filled, a garden hose left
open. Household *i* of seed *s* is always drawn from the same random
stream, so a large file can be written in chunks and stays identical.

Files written under ``water/`` (``python -m sandbox.data.generate --only water``):

* ``readings.parquet`` – ``compteur``, ``date_heure`` (end of the hour), ``volume_litres``;
* ``households.csv`` – ``compteur``, ``occupants``, ``logement``, ``jardin``, ``piscine``, ``commune``;
* ``events.csv`` – the ground truth of the planted events;
* ``export_releveur.csv`` – six meters over six weeks shaped like a utility export
  (``user key;datetime;meter reading;diff``, French dates, decimal commas, m³).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

START = "2025-01-01"
DAYS = 365
N_HOUSEHOLDS = 500

EVENT_TYPES = {
    "leak": "fuite",
    "stuck": "compteur bloqué",
    "frozen": "valeur figée",
    "gap": "lacune",
    "duplicate": "doublon",
    "pool": "remplissage de piscine",
    "hose": "tuyau d'arrosage oublié",
}

SCHEDULES = ("deux pics", "matin", "soir", "journée", "nuit")
_SCHEDULE_P = (0.38, 0.2, 0.2, 0.17, 0.05)
_OCCUPANTS = (1, 2, 3, 4, 5, 6)
_OCCUPANTS_P = (0.36, 0.31, 0.14, 0.12, 0.05, 0.02)


@dataclass(frozen=True)
class Rates:
    """Share of households that get each planted event."""

    leak: float = 0.08
    stuck: float = 0.02
    frozen: float = 0.02
    gap: float = 0.06
    duplicate: float = 0.01
    hose: float = 0.02


@dataclass
class HouseholdSeries:
    """One simulated household: its description, hourly volumes and planted events."""

    meter: str
    attrs: dict
    volume: np.ndarray  # float32 litres per hour (index kept in whole litres), NaN where the row is missing
    events: list[dict]
    duplicates: np.ndarray  # hour positions whose row is written twice


# --- calendar ------------------------------------------------------------------------------


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def french_public_holidays(year: int) -> set[dt.date]:
    """The eleven public holidays of metropolitan France."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]
    return {dt.date(year, m, d) for m, d in fixed} | set(moving)


@dataclass(frozen=True)
class Calendar:
    start: np.datetime64
    days: int
    day_of_year: np.ndarray  # per day
    month: np.ndarray
    rest_day: np.ndarray  # weekend or public holiday
    dry: np.ndarray  # weather: no rain (garden watering)

    @property
    def hours(self) -> int:
        return self.days * 24


def make_calendar(start: str, days: int, seed: int) -> Calendar:
    start64 = np.datetime64(start, "D")
    dates = pd.date_range(str(start64), periods=days, freq="D")
    holidays = set()
    for year in range(dates[0].year, dates[-1].year + 1):
        holidays |= french_public_holidays(year)
    rest = np.array([d.weekday() >= 5 or d.date() in holidays for d in dates])
    rng = np.random.default_rng([seed, 1_000_000_000])
    # Dry spells: a two-state Markov chain, drier in summer.
    dry = np.empty(days, dtype=bool)
    state = True
    for i, month in enumerate(dates.month):
        p_stay = 0.8 if month in (6, 7, 8) else 0.6
        state = state if rng.random() < p_stay else not state
        dry[i] = state
    return Calendar(start64, days, dates.day_of_year.to_numpy(), dates.month.to_numpy(), rest, dry)


# --- one household ---------------------------------------------------------------------------


def _bump(hours: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = np.abs(hours - centre)
    d = np.minimum(d, 24 - d)
    return np.exp(-0.5 * (d / width) ** 2)


def _shapes(schedule: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Share of the day's water used at each hour, on work days and rest days."""
    h = np.arange(24) + 0.5
    morning = rng.normal(7.2, 0.6)
    evening = rng.normal(20.0, 0.8)
    daytime = ((h >= 10) & (h <= 17)).astype(float)
    night = ((h >= 0) & (h < 5.5)).astype(float)
    weights = {
        "deux pics": (1.0, 1.0, 0.12, 0.0),
        "matin": (1.8, 0.55, 0.1, 0.0),
        "soir": (0.5, 1.8, 0.1, 0.0),
        "journée": (0.7, 0.8, 0.55, 0.0),
        "nuit": (0.0, 0.0, 0.0, 0.0),
    }[schedule]
    if schedule == "nuit":  # night work: awake in the afternoon and at night, asleep in the morning
        work = 1.0 * _bump(h, rng.normal(14.5, 0.7), 1.2) + 1.0 * _bump(h, 23.0, 1.4) + 0.35 * night
        rest = 0.9 * _bump(h, 11.0, 1.5) + 1.0 * _bump(h, 20.0, 1.6) + 0.2 * daytime
    else:
        a_m, a_e, a_d, _ = weights
        work = a_m * _bump(h, morning, 0.9) + a_e * _bump(h, evening, 1.5) + a_d * daytime
        rest = 0.8 * a_m * _bump(h, morning + 1.6, 1.2) + a_e * _bump(h, evening, 1.5) + (a_d + 0.25) * daytime
    floor = 0.006 * (h >= 6)  # small daytime uses between the peaks
    work, rest = work + floor + 0.002, rest + floor + 0.002
    return work / work.sum(), rest / rest.sum()


def _away_days(rng: np.random.Generator, cal: Calendar) -> np.ndarray:
    away = np.zeros(cal.days, dtype=bool)
    if rng.random() < 0.7:  # summer holidays
        length = int(rng.integers(7, 22))
        first = 186 + int(rng.integers(0, 50))  # early July to late August
        _mark(away, cal, first, length)
    if rng.random() < 0.35:  # winter break
        length = int(rng.integers(4, 10))
        first = int(rng.choice([40, 352])) + int(rng.integers(-4, 5))
        _mark(away, cal, first, length)
    return away


def _mark(mask: np.ndarray, cal: Calendar, first_doy: int, length: int) -> None:
    where = np.flatnonzero((cal.day_of_year >= first_doy) & (cal.day_of_year < first_doy + length))
    mask[where] = True


def simulate_household(
    i: int,
    seed: int,
    cal: Calendar,
    *,
    rates: Rates = Rates(),
    communes: tuple[np.ndarray, np.ndarray] | None = None,
    prefix: str = "C",
    force: dict | None = None,
) -> HouseholdSeries:
    """Simulate household *i* (its own random stream: ``default_rng([seed, i])``).

    *force* plants given events instead of random ones, e.g.
    ``{"leak": (day, hour, flow_l_h)}``, ``{"gap": [(hour, length)]}``, ``{"none": True}``.
    """
    rng = np.random.default_rng([seed, i])
    force = force or {}
    meter = f"{prefix}{100001 + i}"
    occupants = int(rng.choice(_OCCUPANTS, p=_OCCUPANTS_P))
    house = rng.random() < 0.22
    garden = bool(rng.random() < (0.85 if house else 0.03))
    pool = bool(house and rng.random() < 0.08)
    schedule = str(rng.choice(SCHEDULES, p=_SCHEDULE_P))
    if communes is not None:
        names, weights = communes
        commune = str(rng.choice(names, p=weights))
    else:
        commune = ""
    per_capita = float(np.exp(rng.normal(np.log(112.0), 0.28)))
    daily_mean = per_capita * occupants**0.85 * (1.1 if house else 1.0)
    work_shape, rest_shape = _shapes(schedule, rng)

    days, hours = cal.days, cal.hours
    season = 1 + 0.07 * np.cos(2 * np.pi * (cal.day_of_year - 200) / 365.25)
    daily = daily_mean * season * np.where(cal.rest_day, 1.12, 1.0) * np.exp(rng.normal(0, 0.22, days))
    away = _away_days(rng, cal)
    daily[away] = 0.0
    shape = np.where(cal.rest_day[:, None], rest_shape[None, :], work_shape[None, :])  # (days, 24)
    lam = (daily[:, None] * shape).ravel()
    uses = rng.poisson(lam / 10.0)
    true = rng.gamma(np.maximum(2.0 * uses, 1e-12), 5.0) * (uses > 0)

    events: list[dict] = []
    t0 = cal.start.astype("datetime64[h]")

    def stamp(hour: int) -> np.datetime64:
        return t0 + np.timedelta64(int(hour), "h")

    # Summer garden watering (not a planted event: part of ordinary life).
    if garden:
        p_water = rng.uniform(0.3, 0.7)
        when = int(rng.choice([20, 21, 6], p=[0.45, 0.4, 0.15]))
        amount = rng.uniform(120, 450) * (1.0 if house else 0.4)
        watering_days = np.flatnonzero(
            (cal.month >= 5) & (cal.month <= 9) & cal.dry & ~away & (rng.random(days) < p_water)
        )
        for d in watering_days:
            vol = amount * rng.uniform(0.7, 1.3)
            true[d * 24 + when] += 0.6 * vol
            true[min(d * 24 + when + 1, hours - 1)] += 0.4 * vol

    def window(first_day: int, last_day: int) -> int:
        """A day drawn in [first_day, last_day), kept inside the period."""
        first_day = min(max(first_day, 0), days - 1)
        return int(rng.integers(first_day, max(first_day + 1, min(last_day, days))))

    # Leak: continuous flow from a known hour, some repaired later.
    leak = force.get("leak")
    if leak is None and not force.get("none") and rng.random() < rates.leak:
        leak = (window(20, days - 8), int(rng.integers(0, 24)), float(np.exp(rng.uniform(np.log(2), np.log(50)))))
    if leak is not None:
        day, hour, flow = leak
        begin = day * 24 + hour
        end = hours
        if "leak" not in force and rng.random() < 0.45:
            end = min(hours, begin + int(rng.integers(7, 90)) * 24)
        true[begin:end] += flow * np.exp(rng.normal(0, 0.12, max(0, end - begin)))
        events.append(_event(meter, "leak", stamp(begin), stamp(end) if end < hours else None, flow=flow))

    # One-off peaks: a pool filled, a hose left open.
    if pool and not force.get("none"):
        begin = window(135, 180) * 24 + int(rng.integers(8, 12))
        length = int(rng.integers(18, 40))
        rate = rng.uniform(900, 1400)
        true[begin:begin + length] += rate
        events.append(_event(meter, "pool", stamp(begin), stamp(begin + length), volume=rate * length))
    if not force.get("none") and rng.random() < rates.hose:
        begin = window(120, 270) * 24 + int(rng.integers(9, 20))
        length = int(rng.integers(2, 7))
        rate = rng.uniform(500, 1000)
        true[begin:begin + length] += rate
        events.append(_event(meter, "hose", stamp(begin), stamp(begin + length), volume=rate * length))

    # The meter keeps its index in whole litres: hourly volumes are integers.
    index = np.floor(np.cumsum(true))
    volume = np.diff(index, prepend=0.0)

    # Recording faults, on meters without a leak (the ground truth stays unambiguous).
    if leak is None and not force.get("none"):
        if rng.random() < rates.stuck:
            begin = window(30, days - 40) * 24 + int(rng.integers(0, 24))
            end = hours if rng.random() < 0.4 else min(hours, begin + int(rng.integers(30, 120)) * 24)
            volume[begin:end] = 0.0
            events.append(_event(meter, "stuck", stamp(begin), stamp(end) if end < hours else None))
        elif rng.random() < rates.frozen:
            begin = window(20, days - 10) * 24 + int(rng.integers(0, 24))
            end = min(hours, begin + int(rng.integers(2, 9)) * 24)
            value = max(1.0, float(np.median(volume[volume > 0])) if (volume > 0).any() else 5.0)
            volume[begin:end] = value
            events.append(_event(meter, "frozen", stamp(begin), stamp(end), volume=value))

    volume = volume.astype(np.float32)
    gaps = force.get("gap")
    if gaps is None and not force.get("none") and rng.random() < rates.gap:
        gaps = []
        for _ in range(int(rng.integers(1, 3))):
            kind = rng.random()
            length = int(rng.integers(2, 13)) if kind < 0.5 else int(rng.integers(24, 73)) if kind < 0.85 else int(rng.integers(120, 361))
            gaps.append((window(2, days - 2) * 24 + int(rng.integers(0, 24)), length))
    for begin, length in gaps or ():
        end = min(hours, begin + length)
        volume[begin:end] = np.nan
        events.append(_event(meter, "gap", stamp(begin), stamp(end)))

    duplicates = np.empty(0, dtype=np.int64)
    if not force.get("none") and rng.random() < rates.duplicate:
        duplicates = np.sort(rng.choice(hours, size=int(rng.integers(3, 11)), replace=False))
        duplicates = duplicates[~np.isnan(volume[duplicates])]
        for h in duplicates:
            events.append(_event(meter, "duplicate", stamp(h), stamp(h + 1)))

    attrs = {
        "compteur": meter,
        "occupants": occupants,
        "logement": "maison" if house else "appartement",
        "jardin": "oui" if garden else "non",
        "piscine": "oui" if pool else "non",
        "commune": commune,
        "profil": schedule,
    }
    return HouseholdSeries(meter, attrs, volume, events, duplicates)


def _event(meter: str, kind: str, begin: np.datetime64, end: np.datetime64 | None, *, flow: float | None = None,
           volume: float | None = None) -> dict:
    return {
        "compteur": meter,
        "type": EVENT_TYPES[kind],
        "debut": pd.Timestamp(begin),
        "fin": pd.Timestamp(end) if end is not None else pd.NaT,
        "debit_l_h": round(flow, 2) if flow is not None else np.nan,
        "volume_l": round(volume, 1) if volume is not None else np.nan,
    }


# --- many households, in long format -------------------------------------------------------------------


def _commune_weights() -> tuple[np.ndarray, np.ndarray]:
    from sandbox.data.communes import load_communes

    communes = load_communes().reset_index(drop=True).sort_values("code_insee")
    weights = communes["population"].to_numpy(dtype=float)
    return communes["nom"].to_numpy(dtype=object), weights / weights.sum()


@dataclass(frozen=True)
class Chunk:
    """A block of simulated households in long format."""

    readings: pa.Table  # compteur (string), date_heure (timestamp[s], end of the hour), volume_litres (float32)
    households: pd.DataFrame
    events: pd.DataFrame


def iter_chunks(
    n_households: int,
    seed: int,
    *,
    start: str = START,
    days: int = DAYS,
    chunk_size: int = 500,
    rates: Rates = Rates(),
    prefix: str = "C",
) -> Iterator[Chunk]:
    """Simulate *n_households* in blocks; identical output whatever *chunk_size*."""
    cal = make_calendar(start, days, seed)
    communes = _commune_weights()
    ends = cal.start.astype("datetime64[s]") + (np.arange(cal.hours, dtype=np.int64) + 1) * np.timedelta64(3600, "s")
    for first in range(0, n_households, chunk_size):
        block = [
            simulate_household(i, seed, cal, rates=rates, communes=communes, prefix=prefix)
            for i in range(first, min(first + chunk_size, n_households))
        ]
        yield Chunk(_long(block, ends), _households_frame(block), _events_frame(block))


def _long(block: list[HouseholdSeries], ends: np.ndarray) -> pa.Table:
    hours = len(ends)
    volume = np.stack([h.volume for h in block])  # (n, hours)
    present = ~np.isnan(volume)
    repeat = present.astype(np.int64)
    for k, h in enumerate(block):
        repeat[k, h.duplicates] += 1
    counts = repeat.ravel()
    code = np.repeat(np.repeat(np.arange(len(block), dtype=np.int32), hours), counts)
    when = np.repeat(np.tile(ends, len(block)), counts)
    vol = np.repeat(volume.ravel(), counts)
    meters = pa.array([h.meter for h in block], type=pa.string())
    return pa.table(
        {
            "compteur": pa.DictionaryArray.from_arrays(pa.array(code), meters),
            "date_heure": pa.array(when, type=pa.timestamp("s")),
            "volume_litres": pa.array(vol, type=pa.float32()),
        }
    )


def _households_frame(block: list[HouseholdSeries]) -> pd.DataFrame:
    return pd.DataFrame([h.attrs for h in block]).drop(columns=["profil"])


def _events_frame(block: list[HouseholdSeries]) -> pd.DataFrame:
    columns = ["compteur", "type", "debut", "fin", "debit_l_h", "volume_l"]
    rows = [e for h in block for e in h.events]
    return pd.DataFrame(rows, columns=columns)


def simulate(n_households: int, seed: int, **options) -> Chunk:
    """All households in one block (tests and small benchmarks)."""
    chunks = list(iter_chunks(n_households, seed, **options))
    return Chunk(
        pa.concat_tables([c.readings.cast(chunks[0].readings.schema) for c in chunks]).combine_chunks()
        if len(chunks) > 1
        else chunks[0].readings,
        pd.concat([c.households for c in chunks], ignore_index=True),
        pd.concat([c.events for c in chunks], ignore_index=True),
    )


# --- files -----------------------------------------------------------------------------------------


def write_readings_parquet(table: pa.Table, path: Path) -> None:
    """Compact, deterministic Parquet: dictionary-encoded meters, delta-encoded timestamps, zstd."""
    table = table.combine_chunks()
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=9,
        use_dictionary=["compteur", "volume_litres"],
        column_encoding={"date_heure": "DELTA_BINARY_PACKED"},
        row_group_size=1 << 21,
        write_statistics=False,
        store_schema=False,
    )


def _french_number(values: pd.Series, decimals: int) -> pd.Series:
    text = values.map(lambda v: "" if pd.isna(v) else f"{v:.{decimals}f}")
    return text.str.replace(".", ",", regex=False)


def utility_export(seed: int) -> pd.DataFrame:
    """Six meters over six weeks, shaped like a remote-reading export (index and difference in m³).

    Meter 2 starts leaking on day 16 at 15:00 (6 L/h), meter 4's five-digit index rolls over
    at 99 999 m³, meter 5 has a two-day gap.
    """
    cal = make_calendar("2025-03-01", 42, seed)
    plans = [
        {"none": True},
        {"none": True, "leak": (15, 15, 6.0)},
        {"none": True},
        {"none": True},
        {"none": True},
        {"none": True},
    ]
    starts = [812.431, 1530.902, 327.118, 99_998.740, 2210.050, 64.987]
    frames = []
    ends = pd.date_range("2025-03-01 01:00", periods=cal.hours, freq="h")
    for k, (plan, start_m3) in enumerate(zip(plans, starts)):
        hh = simulate_household(k, seed, cal, force=plan, prefix="")
        key = 40_213_870 + 7919 * k
        volume_m3 = hh.volume.astype(np.float64) / 1000.0
        index = np.round(start_m3 + np.cumsum(volume_m3), 3)
        if start_m3 > 99_000:  # five-digit register: rolls over to 0
            index = np.round(np.mod(index, 100_000.0), 3)
        keep = np.ones(len(index), dtype=bool)
        if k == 4:  # two days without transmission: the index keeps counting meanwhile
            keep[20 * 24 + 7 : 20 * 24 + 57] = False
        index = index[keep]
        when = ends[keep]
        diff = np.round(np.diff(index, prepend=np.nan), 3)
        frames.append(
            pd.DataFrame(
                {
                    "user key": key,
                    "datetime": when.strftime("%d/%m/%Y %H:%M:%S"),
                    "meter reading": _french_number(pd.Series(index), 3).to_numpy(),
                    "diff": _french_number(pd.Series(diff), 3).to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def generate(out_dir: Path, seed: int) -> list[Path]:
    """Write the water samples under ``out_dir/water`` (deterministic for a seed)."""
    folder = Path(out_dir) / "water"
    folder.mkdir(parents=True, exist_ok=True)
    sim = simulate(N_HOUSEHOLDS, seed)
    readings = folder / "readings.parquet"
    write_readings_parquet(sim.readings, readings)
    households = folder / "households.csv"
    sim.households.to_csv(households, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    events = folder / "events.csv"
    ev = sim.events.copy()
    for col in ("debut", "fin"):
        ev[col] = ev[col].dt.strftime("%Y-%m-%d %H:%M:%S")
    ev.to_csv(events, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    export = folder / "export_releveur.csv"
    utility_export(seed).to_csv(export, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return [readings, households, events, export]
