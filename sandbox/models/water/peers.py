"""Peer comparison: each household against similar homes, as home water reports do.

Similar homes share the number of occupants (1, 2, 3, 4, 5 or more) and the
type of housing (flat or house). When a group is too small, the comparison
falls back on the number of occupants alone; with fewer peers than the
minimum, or without a description of the homes, there is no comparison at
all (a comparison with dissimilar homes would mislead). The figures are the
average of the group and the level of its 20 % most efficient homes (the
20th percentile), over the last days of the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.models.water._series import MeterSeries
from sandbox.text import num
from sandbox.text import typography

EFFICIENT = "parmi les plus économes"
BELOW = "sous la moyenne"
ABOVE = "au-dessus de la moyenne"


def occupants_label(n: int | None) -> str:
    if n is None or pd.isna(n):
        return ""
    n = int(n)
    if n <= 1:
        return "d'une personne"
    if n >= 5:
        return "de 5 personnes ou plus"
    return f"de {n} personnes"


def _bucket(n) -> float:
    return np.nan if pd.isna(n) else float(min(max(int(n), 1), 5))


@dataclass(frozen=True)
class PeerComparison:
    """Each household's consumption against similar households.

    Attributes
    ----------
    table : DataFrame
        One row per meter: ``compteur``, ``litres_jour`` (average over the period),
        ``jours`` (known days), ``groupe`` (French description of the peers),
        ``pairs`` (number of peers), ``moyenne`` and ``econome`` (20th percentile)
        of the group in litres per day, ``rang`` (share of peers using less),
        ``position``, ``comparable`` (bool) and ``raison`` when not comparable.
    period : (Timestamp, Timestamp)
    min_peers : int
    """

    table: pd.DataFrame
    period: tuple[pd.Timestamp, pd.Timestamp]
    min_peers: int
    groups: dict = field(default_factory=dict)  # group id → consumption (L/day) of its households, sorted

    def to_frame(self) -> pd.DataFrame:
        return self.table.drop(columns=["groupe_id"], errors="ignore")

    @property
    def period_days(self) -> int:
        return int((self.period[1] - self.period[0]).days)

    def row(self, meter: str) -> dict | None:
        hit = self.table[self.table["compteur"] == meter]
        return None if hit.empty else hit.iloc[0].to_dict()

    def peers_of(self, meter: str) -> np.ndarray:
        """Consumption (L/day) of the meter's comparison group, for a chart."""
        row = self.row(meter)
        if row is None or not row["comparable"]:
            return np.zeros(0)
        return np.asarray(self.groups.get(row.get("groupe_id", ""), np.zeros(0)), dtype=float)


def consumption(series: MeterSeries, period_days: int | None = None, min_known: float = 0.5) -> pd.DataFrame:
    """Average litres per day of each meter, over the last *period_days* (all days if None).

    Also the averages of the first and second halves of the whole series
    (to judge how stable a household is, for the campaign simulator).

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> times = pd.date_range("2025-03-01 01:00", periods=24 * 30, freq="h")
    >>> series = build_series(Readings.from_arrays(["A"] * len(times), times, np.full(len(times), 10.0)), unit="L")
    >>> consumption(series, period_days=7)[["compteur", "litres_jour", "jours"]].values.tolist()
    [['A', 240.0, 7]]
    """
    daily = series.daily()
    n_days = daily.shape[1]
    lo = max(0, n_days - int(period_days)) if period_days else 0
    window = daily[:, lo:]
    known = np.count_nonzero(~np.isnan(window), axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.where(known >= max(1, min_known * window.shape[1]), np.nansum(window, axis=1) / np.maximum(known, 1), np.nan)
        half = n_days // 2
        first = daily[:, :half]
        second = daily[:, half:]
        k1 = np.count_nonzero(~np.isnan(first), axis=1)
        k2 = np.count_nonzero(~np.isnan(second), axis=1)
        m1 = np.where(k1 >= 14, np.nansum(first, axis=1) / np.maximum(k1, 1), np.nan)
        m2 = np.where(k2 >= 14, np.nansum(second, axis=1) / np.maximum(k2, 1), np.nan)
        all_known = np.count_nonzero(~np.isnan(daily), axis=1)
        year = np.where(all_known >= 14, np.nansum(daily, axis=1) / np.maximum(all_known, 1), np.nan)
    return pd.DataFrame(
        {
            "compteur": series.meters,
            "litres_jour": mean,
            "jours": known,
            "litres_jour_annee": year,
            "premiere_moitie": m1,
            "seconde_moitie": m2,
        }
    )


def compare_peers(
    series: MeterSeries,
    households: pd.DataFrame | None = None,
    *,
    min_peers: int = 20,
    period_days: int = 90,
) -> PeerComparison:
    """Compare each household with similar ones (occupants, housing type).

    Parameters
    ----------
    series : MeterSeries
        Clean series.
    households : DataFrame, optional
        Validated ``HOUSEHOLDS`` table (``meter``, ``occupants``, ``housing``…).
        Without it there is no comparison.
    min_peers : int
        Fewer similar households than this: no comparison for this household.
    period_days : int
        The comparison covers the last days of the data.

    Returns
    -------
    PeerComparison

    Examples
    --------
    >>> from sandbox.models.water import Readings, build_series
    >>> hours = 24 * 20
    >>> times = pd.date_range("2025-03-01 01:00", periods=hours, freq="h")
    >>> meters = [f"M{i}" for i in range(12)]
    >>> litres = np.concatenate([5.0 + i + np.arange(hours) % 2 for i in range(12)])  # 5.5 to 16.5 L/h
    >>> series = build_series(Readings.from_arrays(np.repeat(meters, hours), np.tile(times, 12), litres), unit="L")
    >>> homes = pd.DataFrame({"meter": meters, "occupants": [2] * 12, "housing": ["maison"] * 12})
    >>> peers = compare_peers(series, homes, min_peers=10)
    >>> row = peers.row("M0")
    >>> row["position"], round(row["moyenne"])
    ('parmi les plus économes', 264)
    >>> compare_peers(series, homes, min_peers=20).row("M0")["comparable"]
    False
    """
    days = series.days()
    start = days[max(0, len(days) - period_days)] if len(days) else pd.NaT
    end = days[-1] + pd.Timedelta(days=1) if len(days) else pd.NaT
    return compare_usage(consumption(series, period_days), households, period=(start, end), min_peers=min_peers)


def compare_usage(
    table: pd.DataFrame,
    households: pd.DataFrame | None = None,
    *,
    period: tuple[pd.Timestamp, pd.Timestamp],
    min_peers: int = 20,
) -> PeerComparison:
    """:func:`compare_peers` from the :func:`consumption` table (gathered from partitions of a city)."""
    table = table.copy()
    start, end = period
    n = len(table)
    table["groupe"] = ""
    table["pairs"] = 0
    table["moyenne"] = np.nan
    table["econome"] = np.nan
    table["rang"] = np.nan
    table["position"] = ""
    table["comparable"] = False
    table["raison"] = ""
    table["groupe_id"] = ""
    if households is None or households.empty:
        table["raison"] = typography("pas de description des logements : pas de comparaison")
        return PeerComparison(table, (start, end), min_peers)

    homes = households.drop_duplicates("meter").set_index("meter")
    meters = pd.Index(table["compteur"].astype("str"))
    occ = homes["occupants"].reindex(meters) if "occupants" in homes else pd.Series(np.nan, index=meters)
    housing = homes["housing"].reindex(meters) if "housing" in homes else pd.Series(np.nan, index=meters)
    bucket = np.array([_bucket(v) for v in occ.to_numpy(dtype=object)], dtype=float)
    housing = housing.astype("object").where(housing.notna(), None).to_numpy(dtype=object)
    known_home = meters.isin(homes.index)
    value = table["litres_jour"].to_numpy()
    usable = np.isfinite(value)

    levels = [
        ("occ+housing", lambda i: (bucket[i], housing[i]) if np.isfinite(bucket[i]) and housing[i] else None,
         lambda key: f"foyers {occupants_label(key[0])} en {housing_label(key[1])}"),
        ("occ", lambda i: (bucket[i],) if np.isfinite(bucket[i]) else None, lambda key: f"foyers {occupants_label(key[0])}"),
        ("housing", lambda i: (housing[i],) if housing[i] and not np.isfinite(bucket[i]) else None,
         lambda key: f"foyers en {housing_label(key[0])}"),
    ]
    groups: dict[tuple, dict] = {}
    keys_by_level = []
    for name, key_of, _ in levels:
        keys = [key_of(i) if known_home[i] else None for i in range(n)]
        keys_by_level.append(keys)
        members: dict = {}
        for i, key in enumerate(keys):
            if key is not None and usable[i]:
                members.setdefault(key, []).append(i)
        for key, idx in members.items():
            vals = value[idx]
            groups[(name, key)] = {"n": len(idx), "mean": float(vals.mean()), "p20": float(np.percentile(vals, 20)), "values": np.sort(vals)}

    group_col, peers_col = np.full(n, "", dtype=object), np.zeros(n, dtype=np.int64)
    group_id = np.full(n, "", dtype=object)
    mean_col, p20_col, rank_col = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    pos_col, comp_col = np.full(n, "", dtype=object), np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    for i in range(n):
        if not known_home[i]:
            why[i] = "logement non décrit : pas de comparaison"
            continue
        if not usable[i]:
            why[i] = "pas assez de relevés sur la période : pas de comparaison"
            continue
        best_peers = 0
        for (name, _, label_of), keys in zip(levels, keys_by_level):
            key = keys[i]
            if key is None:
                continue
            g = groups.get((name, key))
            peers = (g["n"] - 1) if g else 0
            best_peers = max(best_peers, peers)
            if peers >= min_peers:
                group_col[i] = label_of(key)
                group_id[i] = f"{name}:{key}"
                peers_col[i] = peers
                mean_col[i] = g["mean"]
                p20_col[i] = g["p20"]
                rank_col[i] = float(np.searchsorted(g["values"], value[i], side="left")) / max(g["n"] - 1, 1)
                pos_col[i] = EFFICIENT if value[i] <= g["p20"] else BELOW if value[i] < g["mean"] else ABOVE
                comp_col[i] = True
                break
        else:
            why[i] = (
                f"seulement {num(best_peers)} foyer{'s' if best_peers > 1 else ''} semblable{'s' if best_peers > 1 else ''} "
                f"(il en faut {num(min_peers)}) : pas de comparaison"
            )
    table["groupe"], table["pairs"], table["moyenne"], table["econome"] = group_col, peers_col, mean_col, p20_col
    table["rang"], table["position"], table["comparable"] = rank_col, pos_col, comp_col.astype(bool)
    table["raison"] = [typography(w) if w else "" for w in why]
    table["groupe_id"] = group_id
    used = set(group_id) - {""}
    members = {f"{name}:{key}": g["values"] for (name, key), g in groups.items() if f"{name}:{key}" in used}
    return PeerComparison(table, (start, end), min_peers, members)


def housing_label(value: str) -> str:
    return {"appartement": "appartement", "maison": "maison"}.get(str(value), str(value))
