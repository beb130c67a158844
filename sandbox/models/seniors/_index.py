"""Composite needs index of territories, and how stable its top is when the weights move.

The construction follows the usual steps of a composite indicator (OECD/JRC
*Handbook on Constructing Composite Indicators*, 2008): choose indicators
oriented so that a higher value means more need, normalise them, weight and
aggregate them linearly, then test the ranking's sensitivity to the weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.mapping import normalise_name
from sandbox.models.seniors._territories import TerritoryTable, indicator_label
from sandbox.text import num, pct, q

METHODS: dict[str, str] = {
    "zscore": "scores z pondérés",
    "rank": "rangs centiles pondérés",
    "minmax": "min-max pondéré (0 à 100)",
    "pca": "première composante principale (ACP)",
}


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {sorted(METHODS)}")


def parse_weights(text: str | Mapping[str, object] | None, indicators: tuple[str, ...], labels: Mapping[str, str] | None = None) -> dict[str, float]:
    """Read weights given as ``"share_75plus=2,poverty_60plus=1"`` (or a mapping).

    Names may be the indicator's name, its French label or the column of the
    user's file (*labels*: ``{file column: indicator}``); case and accents do
    not matter. Indicators not named keep a weight of 1.

    Raises
    ------
    DataError
        Unknown indicator, value that is not a number, negative weight, or
        weights that sum to zero.

    Examples
    --------
    >>> parse_weights("share_75plus=2, taux de pauvreté des 60 ans et plus=0,5", ("share_75plus", "poverty_60plus", "apa_rate"))
    {'share_75plus': 2.0, 'poverty_60plus': 0.5, 'apa_rate': 1.0}
    """
    weights = {name: 1.0 for name in indicators}
    if text is None or (isinstance(text, str) and not text.strip()):
        return weights
    aliases = {normalise_name(i): i for i in indicators}
    aliases.update({normalise_name(indicator_label(i)): i for i in indicators})
    for column, name in (labels or {}).items():
        if name in indicators and column:
            aliases[normalise_name(column)] = name
    if isinstance(text, str):
        # split on « , » or « ; » only before another NAME= (so « 0,5 » keeps its decimal comma)
        items = [p for p in re.split(r"[;,\n]\s*(?=[^=,;\n]+=)", text.strip()) if p.strip()]
        pairs = []
        for part in items:
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise DataError(
                    f"pondération mal écrite : {q(part.strip())}",
                    hint="Écrivez NOM=POIDS séparés par des virgules, par exemple --weights share_75plus=2,poverty_60plus=1.",
                )
            pairs.append((name.strip(), value.strip()))
    else:
        pairs = [(str(k), v) for k, v in text.items()]
    for name, value in pairs:
        key = aliases.get(normalise_name(name))
        if key is None:
            raise DataError(
                f"indicateur inconnu dans les pondérations : {q(name)}",
                hint="Indicateurs disponibles : " + ", ".join(f"{i} ({indicator_label(i)})" for i in indicators) + ".",
            )
        try:
            weight = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise DataError(f"poids non numérique pour {q(indicator_label(key))} : {q(value)}") from None
        weights[key] = weight
    check_weights(weights)
    return weights


def check_weights(weights: Mapping[str, float]) -> None:
    """Raise a French DataError unless the weights are finite, non-negative and sum to more than zero."""
    bad = [k for k, w in weights.items() if not math.isfinite(w)]
    if bad:
        raise DataError("poids non numérique pour " + ", ".join(q(indicator_label(b)) for b in bad))
    if not weights or abs(sum(weights.values())) < 1e-12:
        raise DataError(
            "la somme des pondérations vaut zéro : l'indice (une moyenne pondérée) ne peut pas être calculé",
            hint="Donnez un poids positif à au moins un indicateur (0 pour en ignorer un).",
        )
    negative = [k for k, w in weights.items() if w < 0]
    if negative:
        raise DataError(
            "poids négatif pour " + ", ".join(q(indicator_label(n)) for n in negative),
            hint="Un poids dit l'importance d'un indicateur (0 pour l'ignorer) ; un indicateur dont une valeur haute signale "
            "moins de besoins doit être inversé (paramètre directions), pas pondéré négativement.",
        )


def _normalise(values: np.ndarray, method: str) -> np.ndarray:
    """Column-wise normalisation of an (n, m) matrix oriented so that higher = more need."""
    if method in ("zscore", "pca"):
        sd = values.std(axis=0)
        return np.where(sd > 0, (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    if method == "rank":
        ranks = pd.DataFrame(values).rank(method="average").to_numpy()
        n = len(values)
        return (ranks - 1.0) / max(n - 1, 1) * 100.0
    lo, hi = values.min(axis=0), values.max(axis=0)
    span = hi - lo
    return np.where(span > 0, (values - lo) / np.where(span > 0, span, 1.0) * 100.0, 0.0)


def _first_component(z: np.ndarray) -> tuple[np.ndarray, float]:
    """Unit loadings of the first principal component (oriented to sum positive) and its explained share."""
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    loadings = vt[0]
    if loadings.sum() < 0:
        loadings = -loadings
    total = float((s**2).sum())
    return loadings, (float(s[0] ** 2) / total if total > 0 else 0.0)


@dataclass(frozen=True)
class NeedsIndex:
    """A composite needs index per territory.

    Attributes
    ----------
    method : str
        ``"zscore"``, ``"rank"``, ``"minmax"`` or ``"pca"``.
    indicators : tuple of str
    weights : mapping
        Weight of each indicator, summing to 1 (for ``"pca"``: the squared
        loadings of the first component, the weights the data imply).
    table : DataFrame
        Indexed by territory: ``code_insee``, ``label``, ``population_60plus``,
        the raw indicators, their normalised values (``norm_<name>``), ``index``
        and ``rank`` (1 = most need; equal indices share a rank).
    loadings : mapping, optional
        First-component loadings (``"pca"`` only; a negative one means the
        indicator runs against the common factor).
    explained_variance : float, optional
        Share of the variance the first component explains (``"pca"`` only).
    warnings : tuple of str
    """

    method: str
    indicators: tuple[str, ...]
    weights: Mapping[str, float]
    table: pd.DataFrame
    loadings: Mapping[str, float] | None = None
    explained_variance: float | None = None
    warnings: tuple[str, ...] = field(default=())

    def top(self, k: int = 10) -> pd.DataFrame:
        """The *k* territories with the highest index."""
        return self.table.sort_values(["rank", "label"]).head(k)

    def contributions(self) -> pd.DataFrame:
        """Each indicator's share of the index: weight × normalised value (columns = indicators)."""
        cols = {i: self.table[f"norm_{i}"] * self.weights[i] for i in self.indicators}
        frame = pd.DataFrame(cols, index=self.table.index)
        if self.method == "pca":
            frame = pd.DataFrame({i: self.table[f"norm_{i}"] * self.loadings[i] for i in self.indicators}, index=self.table.index)
        return frame

    def by_commune(self) -> pd.DataFrame:
        """One row per commune: the index (weighted by people aged 60+ where known) and the best rank of its areas."""
        t = self.table
        weight = t["population_60plus"].where(t["population_60plus"] > 0).fillna(1.0)
        grouped = (
            pd.DataFrame({"code_insee": t["code_insee"], "wi": t["index"] * weight, "w": weight, "rank": t["rank"], "n": 1})
            .groupby("code_insee")
            .agg(wi=("wi", "sum"), w=("w", "sum"), best_rank=("rank", "min"), areas=("n", "sum"))
        )
        grouped["index"] = grouped["wi"] / grouped["w"]
        return grouped[["index", "best_rank", "areas"]]

    def to_frame(self) -> pd.DataFrame:
        """The ranking with French column names, for a CSV export."""
        t = self.table.sort_values(["rank", "label"])
        out = pd.DataFrame(
            {
                "rang": t["rank"].to_numpy(),
                "territoire": t.index.to_numpy(),
                "code_insee": t["code_insee"].to_numpy(),
                "nom": t["label"].to_numpy(),
                "indice": t["index"].round(4).to_numpy(),
            }
        )
        for i in self.indicators:
            out[i] = t[i].to_numpy()
        for i in self.indicators:
            out[f"normalise_{i}"] = t[f"norm_{i}"].round(4).to_numpy()
        out["methode"] = METHODS[self.method]
        return out

    def to_geojson(self, outlines: dict) -> dict:
        """The commune outlines with ``index``, ``rank`` and ``label`` in their properties."""
        communes = self.by_commune()
        features = []
        for feature in outlines.get("features", []):
            code = feature["properties"].get("code_insee")
            props = dict(feature["properties"])
            if code in communes.index:
                props["index"] = round(float(communes.loc[code, "index"]), 4)
                props["rank"] = int(communes.loc[code, "best_rank"])
            else:
                props["index"] = None
                props["rank"] = None
            features.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
        return {"type": "FeatureCollection", "features": features}


def _matrix(data: TerritoryTable | pd.DataFrame, directions: Mapping[str, int] | None) -> tuple[pd.DataFrame, tuple[str, ...], np.ndarray]:
    if isinstance(data, TerritoryTable):
        frame, indicators = data.frame, data.indicators
        if directions is None:
            directions = data.directions
    else:
        frame = data
        indicators = tuple(c for c in data.columns if c not in ("code_insee", "label", "population_60plus") and pd.api.types.is_numeric_dtype(data[c]))
        frame = frame.copy()
        if "code_insee" not in frame.columns:
            frame["code_insee"] = frame.index.astype(str)
        if "label" not in frame.columns:
            frame["label"] = frame.index.astype(str)
        if "population_60plus" not in frame.columns:
            frame["population_60plus"] = np.nan
    values = frame[list(indicators)].to_numpy(dtype="float64")
    if np.isnan(values).any():
        raise DataError("valeurs manquantes dans les indicateurs : préparez le tableau avec prepare_territories")
    signs = np.array([float((directions or {}).get(i, 1)) for i in indicators])
    if not np.isin(signs, (-1.0, 1.0)).all():
        raise ValueError("directions must be +1 or -1")
    return frame, indicators, values * signs


def needs_index(
    data: TerritoryTable | pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    method: str = "zscore",
    directions: Mapping[str, int] | None = None,
) -> NeedsIndex:
    """Composite needs index: normalise the indicators, weight them, add them up.

    Parameters
    ----------
    data : TerritoryTable or DataFrame
        From :func:`prepare_territories`, or a frame indexed by territory whose
        numeric columns are the indicators.
    weights : mapping, optional
        ``{indicator: weight ≥ 0}``; absent indicators weigh 1, a weight of 0
        leaves the indicator out. Ignored by ``"pca"``, whose weights come
        from the data.
    method : {"zscore", "rank", "minmax", "pca"}
        - ``"zscore"``: weighted mean of z-scores (mean 0, standard
          deviation 1, population formula) — in standard deviations.
        - ``"rank"``: weighted mean of percentile ranks (0 = lowest,
          100 = highest; ties share the average rank) — robust to outliers.
        - ``"minmax"``: weighted mean of (x − min) / (max − min) × 100.
        - ``"pca"``: score on the first principal component of the
          z-scores (loadings oriented to sum positive).
    directions : mapping, optional
        ``{indicator: -1}`` for an indicator where a higher value means *less*
        need (e.g. doctors per inhabitant).

    Returns
    -------
    NeedsIndex

    Raises
    ------
    DataError
        Unknown indicator, negative weights, or weights summing to zero.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [30.0, 10.0, 20.0]}, index=["X", "Y", "Z"])
    >>> result = needs_index(df, {"a": 3, "b": 1})
    >>> result.table["index"].round(4).tolist()  # (3 × z_a + z_b) / 4
    [-0.6124, -0.3062, 0.9186]
    >>> result.table["rank"].tolist()
    [3, 2, 1]
    """
    _check_method(method)
    frame, indicators, values = _matrix(data, directions)
    weights = dict(weights or {})
    unknown = [k for k in weights if k not in indicators]
    if unknown:
        raise DataError(
            "indicateur inconnu dans les pondérations : " + ", ".join(q(u) for u in unknown),
            hint="Indicateurs disponibles : " + ", ".join(q(i) for i in indicators) + ".",
        )
    full = {i: float(weights.get(i, 1.0)) for i in indicators}
    warnings: list[str] = []
    normalised = _normalise(values, method)
    constant = [i for i, sd in zip(indicators, values.std(axis=0)) if sd == 0]
    if constant:
        warnings.append(
            "Indicateur identique pour tous les territoires, sans effet sur l'indice : "
            + ", ".join(q(indicator_label(c)) for c in constant) + "."
        )
    loadings = explained = None
    if method == "pca":
        vector, explained = _first_component(normalised)
        index = normalised @ vector
        loadings = dict(zip(indicators, vector.round(12).tolist()))
        squared = vector**2
        used = {i: float(w) for i, w in zip(indicators, squared / squared.sum())}
        negative = [i for i, v in loadings.items() if v < -0.05]
        if negative:
            warnings.append(
                "Dans l'ACP, " + ", ".join(q(indicator_label(n)) for n in negative)
                + (" vont" if len(negative) > 1 else " va") + " à contre-sens des autres indicateurs : "
                + ("ils font" if len(negative) > 1 else "il fait") + " baisser l'indice."
            )
        if explained < 0.4:
            warnings.append(
                f"La première composante ne résume que {pct(explained, 0)} de la variance : "
                "les indicateurs décrivent des besoins différents ; préférez une pondération explicite."
            )
    else:
        check_weights(full)
        w = np.array([full[i] for i in indicators])
        index = normalised @ w / w.sum()
        used = {i: full[i] / w.sum() for i in indicators}
    table = frame[[c for c in ("code_insee", "label", "kind", "mapped", "population_60plus", "imputed") if c in frame.columns]].copy()
    for j, i in enumerate(indicators):
        table[i] = frame[i].to_numpy(dtype="float64")
    for j, i in enumerate(indicators):
        table[f"norm_{i}"] = normalised[:, j]
    table["index"] = np.round(index, 12)
    table["rank"] = table["index"].rank(method="min", ascending=False).astype("int64")
    return NeedsIndex(method, indicators, used, table, loadings, explained, tuple(warnings))


@dataclass(frozen=True)
class IndexRobustness:
    """How the top of the ranking holds when the weights move.

    Attributes
    ----------
    top : int
        Size of the top studied (10 by default).
    draws : int
    spread : float
        Each weight was multiplied by a factor drawn uniformly in
        [1 − spread, 1 + spread] (for ``"pca"``: the territories were
        resampled with replacement and the component recomputed).
    mean_overlap : float
        Average share of the base top that stays in the top (1 = always the same).
    table : DataFrame
        Per territory: ``label``, ``base_rank``, ``top_frequency`` (share of
        draws where it is in the top), ``rank_p05``, ``rank_median``, ``rank_p95``.
    """

    top: int
    draws: int
    spread: float
    method: str
    mean_overlap: float
    table: pd.DataFrame

    @property
    def stable(self) -> list[str]:
        """Territories in the top in at least 90 % of the draws."""
        return self.table.index[self.table["top_frequency"] >= 0.9].tolist()

    def summary_fr(self) -> str:
        """One French sentence for the page or the command line."""
        shift = (
            f"les pondérations varient de ±{pct(self.spread, 0)}" if self.method != "pca" else "on rééchantillonne les territoires"
        )
        return (
            f"Quand {shift} ({num(self.draws)} tirages), {pct(self.mean_overlap, 0)} du top {self.top} reste en moyenne "
            f"dans le top {self.top} ; {len(self.stable)} territoire{'s' if len(self.stable) > 1 else ''} "
            f"y figure{'nt' if len(self.stable) > 1 else ''} dans au moins 90\u00a0% des tirages."
        )

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        return pd.DataFrame(
            {
                "territoire": t.index,
                "nom": t["label"].to_numpy(),
                "rang_de_base": t["base_rank"].to_numpy(),
                "frequence_top": t["top_frequency"].round(4).to_numpy(),
                "rang_p05": t["rank_p05"].to_numpy(),
                "rang_median": t["rank_median"].to_numpy(),
                "rang_p95": t["rank_p95"].to_numpy(),
            }
        )


def _ranks(indices: np.ndarray) -> np.ndarray:
    """Rank (1 = highest) of each row, per column, ties broken by position."""
    order = np.argsort(-indices, axis=0, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(indices.shape[0])[:, None]
    np.put_along_axis(ranks, order, rows + 1, axis=0)
    return ranks


def index_robustness(
    data: TerritoryTable | pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    *,
    method: str = "zscore",
    top: int = 10,
    draws: int = 500,
    spread: float = 0.5,
    seed: int = 0,
    directions: Mapping[str, int] | None = None,
) -> IndexRobustness:
    """Uncertainty analysis of the ranking: redo the index with perturbed weights.

    Each draw multiplies every weight by an independent factor uniform in
    [1 − *spread*, 1 + *spread*] and recomputes the ranking; for
    ``method="pca"`` (weights learnt from the data) each draw recomputes the
    first component on a bootstrap sample of territories instead.

    Examples
    --------
    >>> df = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0)[::-1] ** 0.5}, index=[f"T{i}" for i in range(20)])
    >>> r = index_robustness(df, {"a": 1, "b": 1}, top=5, draws=200, seed=1)
    >>> 0 < r.mean_overlap <= 1
    True
    """
    _check_method(method)
    if not 0 <= spread < 1:
        raise ValueError("spread must be in [0, 1)")
    base = needs_index(data, weights, method=method, directions=directions)
    frame, indicators, values = _matrix(data, directions)
    n = len(frame)
    top = max(1, min(top, n - 1))
    rng = np.random.default_rng(seed)
    normalised = _normalise(values, method)
    if method == "pca":
        samples = []
        for _ in range(draws):
            pick = rng.integers(0, n, n)
            sub = values[pick]
            sd = sub.std(axis=0)
            sd = np.where(sd > 0, sd, 1.0)
            z_sub = (sub - sub.mean(axis=0)) / sd
            vector, _ = _first_component(z_sub)
            z_all = (values - sub.mean(axis=0)) / sd
            samples.append(z_all @ vector)
        indices = np.column_stack(samples)
    else:
        w = np.array([base.weights[i] for i in indicators])
        factors = rng.uniform(1 - spread, 1 + spread, size=(draws, len(indicators)))
        drawn = w * factors
        indices = normalised @ (drawn / drawn.sum(axis=1, keepdims=True)).T
    ranks = _ranks(indices)
    in_top = ranks <= top
    base_rank = base.table["rank"].to_numpy()
    base_top = np.argsort(-base.table["index"].to_numpy(), kind="stable")[:top]
    overlap = in_top[base_top].sum(axis=0) / top
    table = pd.DataFrame(
        {
            "label": frame["label"].to_numpy(),
            "base_rank": base_rank,
            "top_frequency": in_top.mean(axis=1),
            "rank_p05": np.percentile(ranks, 5, axis=1).round().astype("int64"),
            "rank_median": np.median(ranks, axis=1).round().astype("int64"),
            "rank_p95": np.percentile(ranks, 95, axis=1).round().astype("int64"),
        },
        index=frame.index,
    ).sort_values(["base_rank", "label"])
    return IndexRobustness(top, draws, spread, method, float(overlap.mean()), table)
