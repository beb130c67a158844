"""From readings to a regular grid of volumes: index or volume, litres or m³, hourly or daily.

Every meter becomes one row of a ``float32`` matrix of litres per cell
(one hour, or one day when the readings are daily). The date of a reading
marks the **end** of the interval it measures: an index read at 03:00 minus
the index read at 02:00 is the volume of the 02:00 cell. Irregular readings
are spread over the cells they overlap, in proportion to the time; a cell is
known only when readings cover it entirely, so a gap stays a gap (NaN) and
is never turned into a flow.

Problems met on the way (duplicated timestamps, an index going backwards,
a roll-over of the register, impossible flows, readings too sparse) are
collected with the rows they come from, for the quality report.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.models.water._readings import Readings
from sandbox.text import num, plural, q, rows_list
from sandbox.text import typography

HOUR = 3600
DAY = 86400
THREADS = 2  # the reference machine has two cores
MAX_CELLS = 2_000_000_000

# Issue types found while reading (French labels, as shown to the user).
DUPLICATE = "doublon"
CONFLICT = "doublon contradictoire"
DST_MERGED = "changement d'heure"
BACKWARDS = "index en recul"
NEGATIVE = "volume négatif"
ROLLOVER = "passage par zéro du compteur"
IMPOSSIBLE = "débit impossible"
OUT_OF_SEQUENCE = "relevé hors séquence"
TOO_FEW = "trop peu de relevés"
TOO_SPARSE = "relevés trop espacés"


@dataclass(frozen=True)
class Conversion:
    """How the values were read: an index or volumes, in litres or m³.

    Attributes
    ----------
    kind : {"index", "volume"}
    kind_how : {"colonne", "détecté", "choisi"}
        From the mapped column, detected from the values, or chosen by the user.
    unit : {"L", "m3"}
    unit_how : {"détecté", "choisi"}
    """

    kind: str
    kind_how: str
    unit: str
    unit_how: str

    @property
    def factor(self) -> float:
        """Multiplier from the file's unit to litres."""
        return 1000.0 if self.unit == "m3" else 1.0

    def describe(self) -> str:
        """French sentence, e.g. « Index cumulé (détecté), en m³ (détecté) : converti en litres par différence. »"""
        what = "index cumulé" if self.kind == "index" else "volumes par intervalle"
        unit = "m³" if self.unit == "m3" else "litres"
        text = f"Valeurs lues comme {what} ({self.kind_how}), en {unit} ({self.unit_how})"
        if self.kind == "index":
            text += " : volumes obtenus par différence entre relevés successifs"
        return typography(text + ".")


@dataclass(frozen=True)
class MeterSeries:
    """Volumes of every meter on a regular grid.

    Attributes
    ----------
    meters : ndarray of str, shape (n_meters,)
    origin : numpy.datetime64
        Start of the first cell (midnight for an hourly grid).
    step : int
        Cell length in seconds (3600 or 86400).
    volume : ndarray of float32, shape (n_meters, n_cells)
        Litres consumed in each cell; NaN where unknown.
    first, last : ndarray of int64
        First and last cell covered by the meter's readings (−1: none).
    n_readings : ndarray of int64
    conversion : Conversion
    issues : DataFrame
        Problems found in the readings (see :mod:`sandbox.models.water.quality`).
    notes : tuple of str
    nominal_step : float
        Typical time between two readings, in seconds.
    """

    meters: np.ndarray
    origin: np.datetime64
    step: int
    volume: np.ndarray
    first: np.ndarray
    last: np.ndarray
    n_readings: np.ndarray
    conversion: Conversion
    issues: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()
    nominal_step: float = float(HOUR)
    filename: str | None = None

    @property
    def hourly(self) -> bool:
        return self.step == HOUR

    @property
    def n_meters(self) -> int:
        return self.volume.shape[0]

    @property
    def n_cells(self) -> int:
        return self.volume.shape[1]

    @property
    def n_days(self) -> int:
        return self.n_cells // 24 if self.hourly else self.n_cells

    @property
    def day_origin(self) -> np.datetime64:
        return self.origin.astype("datetime64[D]")

    def cell_times(self) -> pd.DatetimeIndex:
        """Start of each cell."""
        return pd.DatetimeIndex(self.origin + np.arange(self.n_cells, dtype=np.int64) * np.timedelta64(self.step, "s"))

    def days(self) -> pd.DatetimeIndex:
        """Calendar day of each daily column."""
        return pd.DatetimeIndex(self.day_origin + np.arange(self.n_days, dtype=np.int64) * np.timedelta64(1, "D"))

    def daily(self, volume: np.ndarray | None = None, min_hours: int = 24) -> np.ndarray:
        """Litres per day, shape (n_meters, n_days); NaN when fewer than *min_hours* hours are known."""
        volume = self.volume if volume is None else volume
        if not self.hourly:
            return volume
        out = np.empty((volume.shape[0], self.n_days), dtype=np.float32)

        def one(lo: int, hi: int) -> None:
            cube = volume[lo:hi].reshape(hi - lo, self.n_days, 24)
            known = np.count_nonzero(~np.isnan(cube), axis=2)
            total = np.nansum(cube, axis=2, dtype=np.float64)
            if min_hours < 24:
                total = total * 24.0 / np.maximum(known, 1)
            out[lo:hi] = np.where(known >= min_hours, total, np.nan)

        map_blocks(one, _row_blocks(volume.shape[0], self.n_cells))
        return out

    def meter_position(self, meter: str) -> int:
        where = np.flatnonzero(self.meters == meter)
        if not len(where):
            raise KeyError(meter)
        return int(where[0])

    def meter_frame(self, meter: str) -> pd.DataFrame:
        """One meter's series: ``time`` (cell start) and ``litres``."""
        i = self.meter_position(meter)
        return pd.DataFrame({"time": self.cell_times(), "litres": self.volume[i]})

    def with_volume(self, volume: np.ndarray) -> "MeterSeries":
        return replace(self, volume=volume)


def _row_blocks(n_rows: int, n_cols: int, cells: int = 2_000_000) -> list[tuple[int, int]]:
    size = max(1, cells // max(n_cols, 1))
    return [(lo, min(lo + size, n_rows)) for lo in range(0, n_rows, size)]


@dataclass(frozen=True)
class Grid:
    """The time grid and the reading of the values, settled once for a whole city.

    A city analysed in partitions of meters (``--cluster``) converts every
    partition on this grid, so that each meter gets exactly the cells and
    litres it would get in one run. :func:`grid_of` computes it as
    :func:`build_series` would on all the readings.

    Attributes
    ----------
    origin : int
        Start of the first cell, seconds since 1970.
    n_cells, step : int
    nominal : float
        Typical time between two readings, in seconds.
    conversion : Conversion
    notes : tuple of str
        Remarks about the whole file (spacing, a volume column that is an index).
    """

    origin: int
    n_cells: int
    step: int
    nominal: float
    conversion: Conversion
    notes: tuple[str, ...] = ()


def row_nanmedian(values: np.ndarray) -> np.ndarray:
    """Median of each row, ignoring NaN (NaN for an all-NaN row); a sort instead of ``np.nanmedian``'s row loop.

    >>> row_nanmedian(np.array([[1.0, np.nan, 3.0, 2.0], [np.nan] * 4]))
    array([ 2., nan])
    """
    ordered = np.sort(values, axis=1)  # NaN go last
    count = np.count_nonzero(~np.isnan(values), axis=1)
    lo = np.clip((count - 1) // 2, 0, None)[:, None]
    hi = np.clip(count // 2, 0, values.shape[1] - 1)[:, None]
    med = 0.5 * (np.take_along_axis(ordered, lo, axis=1) + np.take_along_axis(ordered, hi, axis=1))[:, 0]
    return np.where(count > 0, med, np.nan)


def map_blocks(fn, blocks: list) -> list:
    """``[fn(*b) for b in blocks]`` on two threads (NumPy releases the GIL); results in order."""
    if len(blocks) < 2 or THREADS < 2:
        return [fn(*b) for b in blocks]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda b: fn(*b), blocks))


# --- detection --------------------------------------------------------------------------------


def detect_kind(readings: Readings, max_meters: int = 300, *, presorted: bool = False) -> str:
    """``"index"`` if the values look like a cumulative register, else ``"volume"``.

    An index almost never decreases and is large compared with its steps;
    volumes per interval go up and down and are of the size of their steps.

    Examples
    --------
    >>> r = Readings.from_arrays(["A"] * 4, pd.date_range("2025-01-01", periods=4, freq="h"), [812.4, 812.4, 812.5, 812.7])
    >>> detect_kind(r)
    'index'
    """
    r = readings if presorted else readings.sorted()
    head = r.code[: min(len(r), 20_000_000)]
    starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]])
    bounds = np.r_[starts, len(head)]
    votes = []
    for k in range(min(len(starts), max_meters)):
        v = r.value[bounds[k] : bounds[k + 1]]
        if len(v) < 3:
            continue
        d = np.diff(v)
        moving = d[d != 0]
        if not len(moving):
            continue  # a constant value says nothing (a still index or a frozen volume)
        negative = np.mean(moving < 0)
        scale = np.median(np.abs(v)) / max(np.median(np.abs(moving)), 1e-9)
        votes.append(negative < 0.05 and scale > 20)
    if not votes:
        return "volume"
    return "index" if np.mean(votes) > 0.5 else "volume"


def _daily_litres_guess(inc: np.ndarray, length: np.ndarray, code: np.ndarray) -> float:
    ok = np.isfinite(inc) & (length > 0)
    if not ok.any():
        return np.nan
    frame = pd.DataFrame({"code": code[ok], "inc": inc[ok], "len": length[ok]})
    per = frame.groupby("code").sum()
    per = per[per["len"] >= DAY / 2]
    if per.empty:
        per = frame.groupby("code").sum()
    return float(np.median(per["inc"] / per["len"] * DAY))


def _unit_from_daily(daily: float) -> str:
    """A household uses tens to thousands of litres a day, i.e. less than 5 m³: below 5, it is m³."""
    return "m3" if np.isfinite(daily) and daily < 5.0 else "L"


# --- building the grid ---------------------------------------------------------------------


@dataclass
class _Issues:
    """Issue occurrences collected per block: reading position → type and detail."""

    code: list = field(default_factory=list)
    kind: list = field(default_factory=list)
    time: list = field(default_factory=list)
    row: list = field(default_factory=list)
    detail: list = field(default_factory=list)

    def add(self, kind: str, code: np.ndarray, time: np.ndarray, row: np.ndarray, detail: np.ndarray | list | None = None) -> None:
        if not len(code):
            return
        self.code.append(np.asarray(code, dtype=np.int64))
        self.kind.append(np.full(len(code), kind, dtype=object))
        self.time.append(np.asarray(time, dtype=np.int64))
        self.row.append(np.asarray(row, dtype=np.int64))
        self.detail.append(np.asarray(detail if detail is not None else [""] * len(code), dtype=object))

    def extend(self, other: "_Issues") -> None:
        for name in ("code", "kind", "time", "row", "detail"):
            getattr(self, name).extend(getattr(other, name))

    def frame(self, meters: np.ndarray) -> pd.DataFrame:
        columns = ["compteur", "problème", "nombre", "début", "fin", "lignes", "détail"]
        if not self.code:
            return pd.DataFrame(columns=columns)
        raw = pd.DataFrame(
            {
                "code": np.concatenate(self.code),
                "kind": np.concatenate(self.kind),
                "time": np.concatenate(self.time),
                "row": np.concatenate(self.row),
                "detail": np.concatenate(self.detail),
            }
        ).sort_values(["code", "kind", "row"], kind="stable")
        out = []
        for (code, kind), group in raw.groupby(["code", "kind"], sort=True):
            times = pd.to_datetime(group["time"].to_numpy(), unit="s")
            out.append(
                {
                    "compteur": meters[code],
                    "problème": kind,
                    "nombre": len(group),
                    "début": times.min(),
                    "fin": times.max(),
                    "lignes": rows_list(group["row"].tolist(), 6),
                    "détail": typography(group["detail"].iloc[0]),
                }
            )
        return pd.DataFrame(out, columns=columns)


def _last_sunday(year: int, month: int) -> pd.Timestamp:
    end = pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)
    return end - pd.Timedelta(days=(end.weekday() + 1) % 7)


def _is_dst_fallback(times: np.ndarray) -> np.ndarray:
    """Readings labelled in the repeated hour of the last Sunday of October (02:00–03:00, local time)."""
    if not len(times):
        return np.zeros(0, dtype=bool)
    ts = pd.to_datetime(times, unit="s")
    out = np.zeros(len(ts), dtype=bool)
    for year in np.unique(ts.year):
        day = _last_sunday(int(year), 10)
        out |= (ts >= day + pd.Timedelta(hours=2)) & (ts <= day + pd.Timedelta(hours=3))
    return out


def _fmt(value: float) -> str:
    """A reading as written in the file: up to three decimals, French style."""
    if not np.isfinite(value):
        return "–"
    text = num(value, 3)
    return text.rstrip("0").rstrip(",") if "," in text else text


def grid_of(readings: Readings, t_min: int, t_max: int, *, kind: str = "auto", unit: str = "auto", freq: str = "auto") -> Grid:
    """The grid and conversion :func:`build_series` would choose for all the readings of a city.

    *readings* are those of its first meters (at least the first 300 and the
    first 4 million readings, in file order: what the detection looks at);
    *t_min* and *t_max* span the whole city, in seconds.

    Examples
    --------
    >>> times = pd.date_range("2025-03-01 01:00", periods=72, freq="h")
    >>> r = Readings.from_arrays(["A"] * 72, times, 1000.0 + np.arange(72) * 2.0)
    >>> g = grid_of(r, int(r.time.min()), int(r.time.max()) + 86400)
    >>> g.step, g.n_cells, g.conversion.kind, g.conversion.unit
    (3600, 96, 'index', 'L')
    """
    r = readings.sorted()
    starts = np.flatnonzero(np.r_[True, r.code[1:] != r.code[:-1]])
    bounds = np.r_[starts, len(r)]
    return _grid(r, t_min, t_max, kind, unit, freq, starts, bounds)


def _grid(r: Readings, t_min: int, t_max: int, kind: str, unit: str, freq: str, starts: np.ndarray, bounds: np.ndarray) -> Grid:
    notes: list[str] = []

    # Typical time between readings (a sample is enough).
    stride = max(1, len(r) // 2_000_000)
    head = min(len(r), 4_000_000)
    gaps = np.diff(r.time[:head])
    steps = gaps[(np.diff(r.code[:head]) == 0) & (gaps > 0)]
    nominal = float(np.median(steps)) if len(steps) else float(DAY)
    step = HOUR if (freq == "hourly" or (freq == "auto" and nominal <= 1.5 * HOUR)) else DAY
    max_interval = 1.5 * step
    if freq == "hourly" and nominal > 1.5 * HOUR:
        notes.append(
            f"Les relevés sont espacés d'environ {_duration(nominal)} : l'analyse horaire demandée "
            "laisse beaucoup d'heures inconnues. Choisissez l'analyse journalière."
        )

    # What the values are.
    if kind != "auto":
        conv_kind, kind_how = kind, "choisi"
    elif r.source == "index":
        conv_kind, kind_how = "index", "colonne"
    else:
        conv_kind, kind_how = detect_kind(r, presorted=True), "détecté"
        if conv_kind == "index":
            notes.append("La colonne des volumes contient en fait un index cumulé : elle est convertie en volumes.")

    # Grid origin and size.
    lead = int(min(nominal, max_interval))
    if step == HOUR:
        origin = ((t_min - lead) // DAY) * DAY
        n_cells = -(-(t_max - origin) // DAY) * 24
    else:
        offset = int(round(float(np.median(r.time[::stride] % DAY)) / HOUR)) * HOUR
        origin = ((t_min - lead - offset) // DAY) * DAY + offset
        n_cells = -(-(t_max - origin) // DAY)
    n_cells = max(int(n_cells), 1 if step == DAY else 24)

    # Unit: from a first block of meters.
    if unit != "auto":
        conv_unit, unit_how = unit, "choisi"
    else:
        probe_end = int(bounds[min(len(starts), 300)])
        inc, length, ctr = _increments(r, 0, probe_end, conv_kind, nominal, 1.0, None)
        conv_unit, unit_how = _unit_from_daily(_daily_litres_guess(inc, length, ctr[0])), "détecté"
        del inc, length, ctr
    conversion = Conversion(conv_kind, kind_how, conv_unit, unit_how)
    return Grid(int(origin), int(n_cells), int(step), float(nominal), conversion, tuple(notes))


def build_series(
    readings: Readings,
    *,
    kind: str = "auto",
    unit: str = "auto",
    freq: str = "auto",
    max_flow_l_h: float = 5000.0,
    min_days: float = 2.0,
    block_readings: int = 500_000,
    grid: Grid | None = None,
) -> MeterSeries:
    """Convert readings to litres on a regular grid, collecting the reading problems.

    Parameters
    ----------
    readings : Readings
    kind : {"auto", "index", "volume"}
        What the values are. ``"auto"``: the index column if one was mapped,
        otherwise detected from the values (:func:`detect_kind`).
    unit : {"auto", "L", "m3"}
        ``"auto"``: m³ if a typical meter uses less than 5 units a day.
    freq : {"auto", "hourly", "daily"}
        Grid step; ``"auto"``: hourly when readings are at most 90 minutes apart.
    max_flow_l_h : float
        Above this flow a step is impossible for a household (a meter
        replaced, a transmission error): it is set aside and reported.
    min_days : float
        A meter needs readings covering at least this many days to be analysed.
    grid : Grid, optional
        The grid and conversion of the whole city (:func:`grid_of`), for a
        partition of its meters; *kind*, *unit* and *freq* are then ignored.

    Returns
    -------
    MeterSeries

    Examples
    --------
    >>> times = pd.date_range("2025-03-01 01:00", periods=72, freq="h")
    >>> index = 1000.0 + np.arange(72) * 2.0  # a 2 L/h continuous flow, index in litres
    >>> s = build_series(Readings.from_arrays(["A"] * 72, times, index * 1000), unit="L")
    >>> s.conversion.kind, s.step, float(np.nanmax(s.volume))
    ('index', 3600, 2000.0)
    """
    if kind not in ("auto", "index", "volume") or unit not in ("auto", "L", "m3") or freq not in ("auto", "hourly", "daily"):
        raise ValueError("kind, unit or freq not understood")
    if len(readings) == 0:
        raise DataError("aucun relevé exploitable", filename=readings.filename)
    issues = _Issues()
    notes = list(readings.notes)

    # Readings out of time order within their meter, in file order.
    if not readings.is_sorted():
        back = readings.out_of_sequence()
        if len(back) and len(back) <= 0.05 * len(readings):
            issues.add(
                OUT_OF_SEQUENCE,
                readings.code[back],
                readings.time[back],
                readings.row[back],
                ["date antérieure à celle de la ligne précédente du même compteur (format de date mélangé ?)"] * len(back),
            )
        elif len(back):
            notes.append("Les relevés ne sont pas rangés par date dans le fichier : ils ont été triés.")
        r = readings.sorted()
    else:
        r = readings

    if readings.single_meter:
        times = np.sort(r.time)
        dup = np.count_nonzero(times[1:] == times[:-1])
        if dup > max(2, 0.01 * len(times)):
            raise DataError(
                f"le fichier n'a pas de colonne « compteur » mais {plural(dup, 'date revient', 'dates reviennent')} "
                "plusieurs fois : il contient sans doute plusieurs compteurs",
                filename=readings.filename,
                hint="Indiquez la colonne qui identifie le compteur dans la correspondance des colonnes "
                "(en ligne de commande : --col meter=COLONNE).",
            )
        notes.append(f"Pas de colonne « compteur » : le fichier est lu comme les relevés d'un seul compteur ({q(r.meters[0])}).")

    n_meters = r.n_meters
    starts = np.flatnonzero(np.r_[True, r.code[1:] != r.code[:-1]])
    bounds = np.r_[starts, len(r)]
    if grid is None:
        grid = _grid(r, int(r.time.min()), int(r.time.max()), kind, unit, freq, starts, bounds)
    notes += grid.notes
    origin, n_cells, step, nominal, conversion = grid.origin, grid.n_cells, grid.step, grid.nominal, grid.conversion
    conv_kind = conversion.kind
    max_interval = 1.5 * step
    if n_meters * n_cells > MAX_CELLS:
        raise DataError(
            f"{plural(n_meters, 'compteur')} sur {plural(n_cells, 'pas de temps', 'pas de temps')} : "
            "c'est au-delà de ce que cette machine peut analyser d'un coup",
            filename=readings.filename,
            hint="Découpez le fichier par période (une année au plus en horaire) ou par groupe de compteurs, "
            "ou analysez-le sur un cluster (--cluster, voir docs/cluster.md).",
        )

    volume = np.full((n_meters, n_cells), np.nan, dtype=np.float32)
    first = np.full(n_meters, -1, dtype=np.int64)
    last = np.full(n_meters, -1, dtype=np.int64)
    n_readings = np.bincount(r.code, minlength=n_meters).astype(np.int64)

    # Blocks of whole meters, filled by two threads (NumPy releases the GIL; rows do not overlap).
    spans = []
    k = 0
    while k < len(starts):
        k_end = int(np.searchsorted(bounds, bounds[k] + block_readings, side="right")) - 1
        k_end = min(max(k_end, k + 1), len(starts))
        spans.append((int(bounds[k]), int(bounds[k_end])))
        k = k_end
    block_issues = [_Issues() for _ in spans]

    def fill(i: int) -> None:
        s0, s1 = spans[i]
        _fill_block(r, s0, s1, conv_kind, conversion.factor, nominal, step, max_interval, origin, n_cells,
                    max_flow_l_h, volume, first, last, block_issues[i])

    if len(spans) > 1:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(fill, range(len(spans))))
    elif spans:
        fill(0)
    for found in block_issues:
        issues.extend(found)

    # Meters that cannot be analysed.
    span_days = np.where(first >= 0, (last - first + 1) * step / DAY, 0.0)
    for m in np.flatnonzero(span_days < min_days):
        lo, hi = _meter_bounds(r, m)
        rows = r.row[lo:hi]
        if n_readings[m] >= 2 and first[m] < 0:
            spacing = float(np.median(np.diff(r.time[lo:hi]))) if hi - lo > 1 else 0.0
            detail = (
                f"{plural(int(n_readings[m]), 'relevé')} espacés d'environ {_duration(spacing)} : trop espacés pour "
                f"une analyse {'horaire' if step == HOUR else 'journalière'}"
            )
            issues.add(TOO_SPARSE, [m], [r.time[lo]], [rows[0]], [detail])
        else:
            detail = (
                f"{plural(int(n_readings[m]), 'relevé')} seulement (lignes {rows_list(rows.tolist(), 5)}) : "
                f"il en faut sur au moins {num(min_days)} jours pour l'analyser"
            )
            issues.add(TOO_FEW, [m], [r.time[lo]], [rows[0]], [detail])
        volume[m] = np.nan
        first[m] = last[m] = -1

    notes = [typography(n) for n in notes]
    return MeterSeries(
        meters=np.asarray(r.meters, dtype=object),
        origin=np.datetime64(origin, "s"),
        step=step,
        volume=volume,
        first=first,
        last=last,
        n_readings=n_readings,
        conversion=conversion,
        issues=issues.frame(r.meters),
        notes=tuple(notes),
        nominal_step=nominal,
        filename=readings.filename,
    )


def _meter_bounds(r: Readings, m: int) -> tuple[int, int]:
    lo = int(np.searchsorted(r.code, m, side="left"))
    hi = int(np.searchsorted(r.code, m, side="right"))
    return lo, hi


def _duration(seconds: float) -> str:
    if seconds >= 1.5 * DAY:
        return plural(int(round(seconds / DAY)), "jour")
    if seconds >= 1.5 * HOUR:
        return f"{num(seconds / HOUR)}\u00a0h"
    return f"{num(seconds / 60)}\u00a0min"


def _increments(
    r: Readings, s0: int, s1: int, kind: str, nominal: float, factor: float, issues: _Issues | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Litres and interval length (s) of each reading of ``r[s0:s1]`` (whole meters); end times."""
    code = r.code[s0:s1]
    time = r.time[s0:s1]
    value = r.value[s0:s1]
    row = r.row[s0:s1]
    n = len(code)
    same, dt = _same_and_step(code, time)

    # Duplicated timestamps.
    drop = np.zeros(n, dtype=bool)
    dup = np.flatnonzero(same & (dt == 0))
    value = value.copy() if len(dup) else value
    if len(dup):
        equal = value[dup] == value[dup - 1]
        dst = ~equal & _is_dst_fallback(time[dup])
        conflict = ~equal & ~dst
        if issues is not None:
            issues.add(DUPLICATE, code[dup[equal]], time[dup[equal]], row[dup[equal]],
                       ["même date et même valeur : une seule ligne gardée"] * int(equal.sum()))
            issues.add(DST_MERGED, code[dup[dst]], time[dup[dst]], row[dup[dst]],
                       ["heure répétée au passage à l'heure d'hiver : les deux relevés sont gardés"] * int(dst.sum()))
            details = [
                f"valeurs {_fmt(a)} et {_fmt(b)} à la même date : la première est gardée"
                for a, b in zip(value[dup[conflict] - 1], value[dup[conflict]])
            ]
            issues.add(CONFLICT, code[dup[conflict]], time[dup[conflict]], row[dup[conflict]], details)
        if kind == "volume":
            np.add.at(value, dup[dst] - 1, value[dup[dst]])
            drop[dup] = True
        else:
            drop[dup[equal | conflict]] = True
            drop[dup[dst] - 1] = True  # the later reading of the repeated hour carries the index
    if drop.any():
        keep = ~drop
        code, time, value, row = code[keep], time[keep], value[keep], row[keep]
        n = len(code)
        same, dt = _same_and_step(code, time)

    if kind == "index":
        inc = np.full(n, np.nan)
        inc[1:] = value[1:] - value[:-1]
        inc[~same] = np.nan
        neg = np.flatnonzero(inc < 0)
        if len(neg):
            inc = _negative_index_steps(inc, value, code, time, row, same, neg, issues)
        length = np.where(same, dt, 0).astype(np.int64)
    else:
        inc = value
        neg = np.flatnonzero(inc < 0)
        if len(neg):
            if issues is not None:
                issues.add(NEGATIVE, code[neg], time[neg], row[neg], [f"volume de {_fmt(v)} : ignoré" for v in value[neg]])
            inc = inc.copy()
            inc[neg] = np.nan
        # A volume covers the time since the previous reading, at most the usual step (after a gap: its own step).
        length = np.minimum(dt, np.int64(nominal))
        length[~same] = np.int64(nominal)

    if factor != 1.0:
        inc = inc * factor
    return inc, length, (code, time, row)


def _same_and_step(code: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each reading has the same meter as the previous one, and the seconds since it."""
    n = len(code)
    same = np.empty(n, dtype=bool)
    dt = np.empty(n, dtype=np.int64)
    if n:
        same[0] = False
        dt[0] = 0
        np.equal(code[1:], code[:-1], out=same[1:])
        np.subtract(time[1:], time[:-1], out=dt[1:])
    return same, dt


def _negative_index_steps(inc, value, code, time, row, same, neg, issues):
    """Roll-overs of the register are corrected; other backward steps are set aside and reported."""
    prev = value[neg - 1]
    cur = value[neg]
    with np.errstate(divide="ignore", invalid="ignore"):
        capacity = 10.0 ** np.ceil(np.log10(np.maximum(prev, 1e-9) * (1 + 1e-12)))
    wrapped = cur + capacity - prev
    rollover = (prev >= 0.9 * capacity) & (cur <= 0.1 * capacity) & (wrapped >= 0) & (wrapped <= 0.01 * capacity)
    # Tiny steps back (water flowing back, rounding): no consumption, not a fault.
    positive = inc[np.isfinite(inc) & (inc > 0)]
    resolution = float(np.min(positive)) if len(positive) else 0.0
    tiny = ~rollover & (np.abs(inc[neg]) <= resolution + 1e-12)
    backwards = ~rollover & ~tiny
    inc[neg[rollover]] = wrapped[rollover]
    inc[neg[tiny]] = 0.0
    inc[neg[backwards]] = np.nan
    if issues is not None:
        issues.add(ROLLOVER, code[neg[rollover]], time[neg[rollover]], row[neg[rollover]],
                   [f"de {_fmt(a)} à {_fmt(b)} : le compteur est repassé par zéro (corrigé)"
                    for a, b in zip(prev[rollover], cur[rollover])])
        bad = neg[backwards]
        issues.add(BACKWARDS, code[bad], time[bad], row[bad],
                   [f"l'index passe de {_fmt(a)} (ligne {ra}) à {_fmt(b)} : intervalle ignoré"
                    for a, b, ra in zip(prev[backwards], cur[backwards], row[bad - 1])])
    return inc


def _fill_block(r, s0, s1, kind, factor, nominal, step, max_interval, origin, n_cells, max_flow_l_h,
                volume, first, last, issues) -> None:
    inc, length, (code, end, row) = _increments(r, s0, s1, kind, nominal, factor, issues)
    valid = np.isfinite(inc)
    valid &= length > 0
    valid &= length <= max_interval
    # Impossible flows (a meter replaced, a transmission error): checked where the volume could be one.
    shortest = int(length[valid].min()) if valid.any() else 0
    suspect = np.flatnonzero(valid & (inc > max_flow_l_h * shortest / HOUR))
    if len(suspect):
        bad = suspect[inc[suspect] * HOUR > max_flow_l_h * length[suspect]]
        if len(bad):
            issues.add(IMPOSSIBLE, code[bad], end[bad], row[bad],
                       [f"{num(v)} L en {_duration(float(s))} : écarté" for v, s in zip(inc[bad], length[bad])])
            valid[bad] = False
    if not valid.any():
        return
    if not valid.all():
        code, end, length, inc = code[valid], end[valid], length[valid], inc[valid]
    rel = end - origin  # seconds from the grid origin to the end of each interval
    # First and last covered cell of each meter (readings are sorted by meter and time).
    change = np.flatnonzero(code[1:] != code[:-1])
    first_pos = np.r_[0, change + 1]
    last_pos = np.r_[change, len(code) - 1]
    first[code[first_pos]] = (rel[first_pos] - length[first_pos]) // step
    last[code[last_pos]] = (rel[last_pos] - 1) // step
    if bool((length == step).all()):
        cells = rel // step if step != HOUR else (rel / step).astype(np.int64)
        if bool((cells * step == rel).all()):  # one reading per cell, exactly: direct placement
            flat = code.astype(np.int64) * n_cells + (cells - 1)
            volume.reshape(-1)[flat] = inc.astype(np.float32)
            return
    end = rel.astype(np.float64)
    start = end - length
    c0 = (start / step).astype(np.int64)  # start >= 0: truncation is the floor
    c1 = ((end - 1) / step).astype(np.int64)
    m_lo = int(code[0])
    m_hi = int(code[-1]) + 1
    code = code.astype(np.int64)
    width = n_cells
    size = (m_hi - m_lo) * width
    flat = (code - m_lo) * width + c0
    single = c0 == c1
    total = np.zeros(size)
    cover = np.zeros(size)
    if single.any():
        total += np.bincount(flat[single], weights=inc[single], minlength=size)
        cover += np.bincount(flat[single], weights=(end - start)[single], minlength=size)
    if not single.all():
        multi = np.flatnonzero(~single)
        pieces = (c1[multi] - c0[multi] + 1).astype(np.int64)
        idx = np.repeat(multi, pieces)
        offset = np.arange(len(idx)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        cell = c0[idx] + offset
        lo = np.maximum(start[idx], cell * step)
        hi = np.minimum(end[idx], (cell + 1) * step)
        overlap = hi - lo
        share = overlap / (end[idx] - start[idx])
        where = (code[idx] - m_lo) * width + cell
        total += np.bincount(where, weights=inc[idx] * share, minlength=size)
        cover += np.bincount(where, weights=overlap, minlength=size)
    known = cover >= step - 1
    block = np.where(known, total, np.nan).astype(np.float32).reshape(m_hi - m_lo, width)
    volume[m_lo:m_hi] = block
