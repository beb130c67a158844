"""Data quality first, reported apart: gaps, stuck or frozen meters, steps back, duplicates, roll-overs.

The report combines what was found while reading (duplicated timestamps,
an index going backwards, a roll-over of the register, impossible flows,
meters with too few readings) with what the regular grid shows: **gaps**
(hours with no reading: never a leak), **stuck** meters (no consumption at
all for weeks: a blocked meter or an empty home) and **frozen** values (the
same non-zero volume repeated hour after hour: a transmission fault). The
periods of stuck and frozen meters are set aside (:func:`clean_series`) so
that no later analysis reads them as consumption or as a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.models.water._series import (
    BACKWARDS,
    CONFLICT,
    DAY,
    DUPLICATE,
    HOUR,
    IMPOSSIBLE,
    NEGATIVE,
    OUT_OF_SEQUENCE,
    ROLLOVER,
    TOO_FEW,
    TOO_SPARSE,
    Conversion,
    MeterSeries,
    _last_sunday,
    _row_blocks,
    map_blocks,
)
from sandbox.text import num, plural
from sandbox.text import typography

GAP = "lacune"
STUCK = "compteur bloqué"
FROZEN = "valeur figée"
DST_GAP = "heure d'été"

# Problems that make a meter « à vérifier » (the others are informative).
SERIOUS = {STUCK, FROZEN, BACKWARDS, NEGATIVE, CONFLICT, IMPOSSIBLE, OUT_OF_SEQUENCE}
UNUSABLE = {TOO_FEW, TOO_SPARSE}

STATUS_OK = "correct"
STATUS_CHECK = "à vérifier"
STATUS_UNUSABLE = "non analysable"


@dataclass(frozen=True)
class QualityReport:
    """What is wrong with the readings, meter by meter, kept apart from the analyses.

    Attributes
    ----------
    issues : DataFrame
        One row per meter and problem: ``compteur``, ``problème``, ``nombre``,
        ``début``, ``fin``, ``lignes`` (spreadsheet rows), ``détail`` (French).
    meters : DataFrame
        One row per meter: readings, period, coverage, counts of each problem, ``état``.
    gaps : DataFrame
        Every gap: ``compteur``, ``début``, ``fin``, ``heures``.
    set_aside : DataFrame
        Periods excluded from the analyses (stuck and frozen): ``compteur``, ``problème``, ``début``, ``fin``.
    notes : tuple of str
        File-level remarks (rows ignored, formats, conversion).
    conversion : Conversion
    """

    issues: pd.DataFrame
    meters: pd.DataFrame
    gaps: pd.DataFrame
    set_aside: pd.DataFrame
    notes: tuple[str, ...]
    conversion: Conversion
    _runs: tuple = field(default=(), repr=False)  # (positions, first cell, last cell) excluded

    def to_frame(self) -> pd.DataFrame:
        """The issues, one row per meter and problem (the ``quality.csv`` export)."""
        return self.issues

    def counts(self) -> pd.Series:
        """Number of meters concerned by each problem."""
        if self.issues.empty:
            return pd.Series(dtype="int64")
        return self.issues.groupby("problème")["compteur"].nunique().sort_values(ascending=False)

    def status(self, meter: str) -> str:
        row = self.meters.loc[self.meters["compteur"] == meter, "état"]
        return str(row.iloc[0]) if len(row) else STATUS_UNUSABLE

    def usable(self) -> np.ndarray:
        """Boolean per meter (series order): can be analysed."""
        return (self.meters["état"] != STATUS_UNUSABLE).to_numpy()

    def for_meter(self, meter: str) -> pd.DataFrame:
        return self.issues[self.issues["compteur"] == meter]

    def summary(self) -> list[str]:
        """French sentences summing up the report."""
        n = len(self.meters)
        by_status = self.meters["état"].value_counts()
        lines = [
            f"{plural(n, 'compteur')} : {num(by_status.get(STATUS_OK, 0))} sans problème, "
            f"{num(by_status.get(STATUS_CHECK, 0))} à vérifier, {num(by_status.get(STATUS_UNUSABLE, 0))} non analysable"
            f"{'s' if by_status.get(STATUS_UNUSABLE, 0) > 1 else ''}.",
            self.conversion.describe(),
        ]
        for problem, count in self.counts().items():
            lines.append(f"{problem} : {plural(int(count), 'compteur')}.")
        return [typography(line) for line in lines]

    def to_text(self) -> str:
        """A plain French report (the ``quality.txt`` export)."""
        parts = ["Rapport de qualité des relevés", "", *self.summary()]
        if self.notes:
            parts += ["", "Lecture du fichier :", *[f"- {n}" for n in self.notes]]
        if not self.issues.empty:
            parts += ["", "Problèmes par compteur (les 200 premiers) :"]
            for rec in self.issues.head(200).itertuples(index=False):
                when = f" du {rec.début:%d/%m/%Y %H:%M} au {rec.fin:%d/%m/%Y %H:%M}" if pd.notna(rec.début) else ""
                rows = f" ({'lignes' if ',' in rec.lignes else 'ligne'} {rec.lignes})" if rec.lignes else ""
                parts.append(f"- {rec.compteur} : {rec.problème} ×{rec.nombre}{when}{rows}. {rec.détail}")
        return "\n".join(parts) + "\n"


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along each row: (row, start column, length)."""
    rows, cols = mask.shape
    padded = np.zeros((rows, cols + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    r, s = np.nonzero(d == 1)
    _, e = np.nonzero(d == -1)
    return r, s, e - s


def quality_report(
    series: MeterSeries,
    *,
    stuck_days: float = 30.0,
    frozen_hours: float = 24.0,
    min_coverage: float = 0.9,
) -> QualityReport:
    """Check the readings on the grid and gather every problem, meter by meter.

    Parameters
    ----------
    series : MeterSeries
        From :func:`~sandbox.models.water.build_series`.
    stuck_days : float
        No consumption at all for this long: a stuck meter (or an empty home).
        Holidays away last less; a stuck meter is set aside for the analyses.
    frozen_hours : float
        The same non-zero volume repeated this long: a frozen value, set aside.
    min_coverage : float
        Below this share of known hours over its period, a meter is « à vérifier ».

    Returns
    -------
    QualityReport

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> times = pd.date_range("2025-03-01 01:00", periods=24 * 40, freq="h")
    >>> k = np.arange(24 * 40)
    >>> vol = np.where(k < 24 * 5, 3.0 + k % 3, 0.0)  # then nothing for 35 days
    >>> report = quality_report(build_series(Readings.from_arrays(["A"] * len(times), times, vol), unit="L"))
    >>> report.issues["problème"].tolist()
    ['compteur bloqué']
    """
    step = series.step
    per_day = DAY // step
    stuck_cells = max(2, int(round(stuck_days * per_day)))
    frozen_cells = max(3, int(round(frozen_hours * HOUR / step))) if step == HOUR else max(3, int(round(frozen_hours / 24)) or 3)
    volume = series.volume
    n_meters, n_cells = volume.shape
    first, last = series.first, series.last
    cols = np.arange(n_cells)

    known = np.zeros(n_meters, dtype=np.int64)

    def scan(lo: int, hi: int) -> tuple:
        block = volume[lo:hi]
        inside = (cols[None, :] >= first[lo:hi, None]) & (cols[None, :] <= last[lo:hi, None])
        nan = np.isnan(block)
        known[lo:hi] = np.count_nonzero(inside & ~nan, axis=1)
        r, s, n = _runs(nan & inside)
        gap = (r + lo, s, n)
        r, s, n = _runs(block == 0)
        keep = n >= stuck_cells
        stuck = (r[keep] + lo, s[keep], n[keep])
        same = np.zeros_like(nan)
        same[:, 1:] = (block[:, 1:] == block[:, :-1]) & (block[:, 1:] > 0)
        r, s, n = _runs(same)
        keep = n + 1 >= frozen_cells
        return gap, stuck, (r[keep] + lo, s[keep] - 1, n[keep] + 1)

    found = map_blocks(scan, _row_blocks(n_meters, n_cells))
    gap_rows = [f[0] for f in found]
    stuck_rows = [f[1] for f in found]
    frozen_rows = [f[2] for f in found]

    def cat(parts):
        return tuple(np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype=np.int64) for i in range(3))

    gaps, stuck, frozen = cat(gap_rows), cat(stuck_rows), cat(frozen_rows)
    # A meter that starts late or stops early, compared with the others: a gap at the edge of the file.
    covered = first >= 0
    if covered.any():
        edge = max(1, per_day)
        lead = first - first[covered].min()
        tail = last[covered].max() - last
        m_lead = np.flatnonzero(covered & (lead >= edge))
        m_tail = np.flatnonzero(covered & (tail >= edge))
        gaps = (
            np.concatenate([gaps[0], m_lead, m_tail]),
            np.concatenate([gaps[1], first[m_lead] - lead[m_lead], last[m_tail] + 1]),
            np.concatenate([gaps[2], lead[m_lead], tail[m_tail]]),
        )
    origin = series.origin
    step_td = np.timedelta64(step, "s")

    def when(cell):
        return pd.to_datetime(origin + np.asarray(cell, dtype=np.int64) * step_td)

    # Gaps: the spring change to summer time leaves one hour out; it is normal.
    g_meter, g_start, g_len = gaps
    g_begin, g_end = when(g_start), when(g_start + g_len)
    dst = np.zeros(len(g_meter), dtype=bool)
    if step == HOUR and len(g_meter):
        for year in np.unique(g_begin.year):
            day = _last_sunday(int(year), 3)
            dst |= (g_len <= 2) & (g_begin >= day + pd.Timedelta(hours=1)) & (g_begin <= day + pd.Timedelta(hours=3))
    unit_hours = step / HOUR
    gap_frame = pd.DataFrame(
        {
            "compteur": series.meters[g_meter] if len(g_meter) else np.array([], dtype=object),
            "début": g_begin,
            "fin": g_end,
            "heures": g_len * unit_hours,
            "changement d'heure": dst,
        }
    )

    issues = [series.issues] if not series.issues.empty else []
    grid_issues = []
    real = ~dst
    if real.any():
        g = pd.DataFrame({"m": g_meter[real], "len": g_len[real], "b": g_begin[real], "e": g_end[real]})
        agg = g.groupby("m").agg(nombre=("len", "size"), total=("len", "sum"), longest=("len", "max"), b=("b", "min"), e=("e", "max"))
        for m, rec in agg.iterrows():
            grid_issues.append({
                "compteur": series.meters[m],
                "problème": GAP,
                "nombre": int(rec.nombre),
                "début": rec.b,
                "fin": rec.e,
                "lignes": "",
                "détail": typography(f"{_span(rec.total * unit_hours)} sans relevé en tout, la plus longue lacune dure "
                             f"{_span(rec.longest * unit_hours)} : ces heures ne sont ni comptées ni prises pour une fuite"),
            })
    set_aside = []
    for label, (mm, ss, nn), what in (
        (STUCK, stuck, "aucune consommation enregistrée pendant {d} : compteur bloqué ou logement vide ; période écartée"),
        (FROZEN, frozen, "le même volume ({v} L) répété pendant {d} : valeur figée ; période écartée"),
    ):
        for m, s, n in zip(mm, ss, nn):
            value = float(volume[m, s]) if label == FROZEN else 0.0
            b, e = when(s), when(s + n)
            grid_issues.append({
                "compteur": series.meters[m],
                "problème": label,
                "nombre": 1,
                "début": b,
                "fin": e,
                "lignes": "",
                "détail": typography(what.format(d=_span(n * unit_hours), v=num(value))),
            })
            set_aside.append({"compteur": series.meters[m], "problème": label, "début": b, "fin": e})
    if grid_issues:
        issues.append(pd.DataFrame(grid_issues))
    columns = ["compteur", "problème", "nombre", "début", "fin", "lignes", "détail"]
    issue_frame = (
        pd.concat(issues, ignore_index=True)[columns] if issues else pd.DataFrame(columns=columns)
    )
    if not issue_frame.empty:
        issue_frame = issue_frame.sort_values(["compteur", "début"], kind="stable", ignore_index=True)

    meters = _meter_table(series, issue_frame, known, gaps, stuck, frozen, real, min_coverage)
    runs = (
        np.concatenate([stuck[0], frozen[0]]),
        np.concatenate([stuck[1], frozen[1]]),
        np.concatenate([stuck[1] + stuck[2], frozen[1] + frozen[2]]),
    )
    return QualityReport(
        issues=issue_frame,
        meters=meters,
        gaps=gap_frame,
        set_aside=pd.DataFrame(set_aside, columns=["compteur", "problème", "début", "fin"]),
        notes=tuple(series.notes) + (series.conversion.describe(),),
        conversion=series.conversion,
        _runs=runs,
    )


def _span(hours: float) -> str:
    if hours >= 48:
        return plural(int(round(hours / 24)), "jour")
    return f"{num(hours)}\u00a0h"


def _meter_table(series, issues, known, gaps, stuck, frozen, real_gap, min_coverage) -> pd.DataFrame:
    n = series.n_meters
    step_h = series.step / HOUR
    span = np.where(series.first >= 0, series.last - series.first + 1, 0)
    coverage = np.where(span > 0, known / np.maximum(span, 1), 0.0)
    counts = {}
    if not issues.empty:
        table = issues.pivot_table(index="compteur", columns="problème", values="nombre", aggfunc="sum", fill_value=0)
        counts = {c: table[c].reindex(series.meters, fill_value=0).to_numpy() for c in table.columns}
    zeros = np.zeros(n, dtype=np.int64)
    gap_hours = np.bincount(gaps[0][real_gap], weights=gaps[2][real_gap], minlength=n) * step_h
    stuck_days = np.bincount(stuck[0], weights=stuck[2], minlength=n) * step_h / 24
    frozen_hours = np.bincount(frozen[0], weights=frozen[2], minlength=n) * step_h
    origin, td = series.origin, np.timedelta64(series.step, "s")
    first_t = pd.to_datetime(np.where(series.first >= 0, origin + series.first * td, np.datetime64("NaT")))
    last_t = pd.to_datetime(np.where(series.last >= 0, origin + (series.last + 1) * td, np.datetime64("NaT")))
    unusable = series.first < 0
    for problem in UNUSABLE:
        unusable |= counts.get(problem, zeros) > 0
    serious = np.zeros(n, dtype=bool)
    for problem in SERIOUS:
        serious |= counts.get(problem, zeros) > 0
    serious |= coverage < min_coverage
    status = np.where(unusable, STATUS_UNUSABLE, np.where(serious, STATUS_CHECK, STATUS_OK))
    return pd.DataFrame(
        {
            "compteur": series.meters,
            "relevés": series.n_readings,
            "début": first_t,
            "fin": last_t,
            "couverture": np.round(coverage, 4),
            "lacunes": counts.get(GAP, zeros),
            "heures manquantes": np.round(gap_hours, 1),
            "jours bloqués": np.round(stuck_days, 1),
            "heures figées": np.round(frozen_hours, 1),
            "index en recul": counts.get(BACKWARDS, zeros) + counts.get(NEGATIVE, zeros),
            "passages par zéro": counts.get(ROLLOVER, zeros),
            "doublons": counts.get(DUPLICATE, zeros) + counts.get(CONFLICT, zeros),
            "état": status,
        }
    )


def clean_series(series: MeterSeries, report: QualityReport) -> MeterSeries:
    """The series with stuck and frozen periods, and unusable meters, set to NaN (unknown).

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> times = pd.date_range("2025-03-01 01:00", periods=24 * 40, freq="h")
    >>> vol = np.where(np.arange(24 * 40) < 24 * 5, 3.0, 0.0)
    >>> s = build_series(Readings.from_arrays(["A"] * len(times), times, vol), unit="L")
    >>> clean = clean_series(s, quality_report(s))
    >>> int(np.isnan(clean.volume).sum()) >= 24 * 30
    True
    """
    volume = series.volume.copy()
    positions, starts, ends = report._runs
    for m, s, e in zip(positions, starts, ends):
        volume[m, s:e] = np.nan
    volume[~report.usable()] = np.nan
    return series.with_volume(volume)
