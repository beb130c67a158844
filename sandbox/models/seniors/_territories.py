"""Territory table: communes resolved, indicators chosen, missing values imputed and reported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.schema import spreadsheet_rows
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.data.territories import kind_label, resolve_territories, territory_name
from sandbox.models.seniors._communes import suggestion
from sandbox.text import num, plural, q, rows_list

#: Indicators of the territory schema. All are optional; those in :data:`DIRECTIONS` mean less need when higher.
INDICATORS: tuple[str, ...] = (
    "share_75plus",
    "alone_60plus",
    "alone_65_79",
    "alone_80plus",
    "single_households",
    "poverty_60plus",
    "poverty_60_74",
    "poverty_75plus",
    "poverty_rate",
    "median_living_std",
    "no_car_60plus",
    "no_lift_60plus",
    "gp_distance_km",
    "gp_access",
    "apa_rate",
)
#: Indicators where a higher value means *less* need (reversed in the index).
DIRECTIONS: dict[str, int] = {"median_living_std": -1, "gp_access": -1}
#: The column of an observed need, used to learn weights.
OUTCOME = "outcome"

MIN_TERRITORIES = 5
#: An indicator missing for more than this share of territories is left out rather than imputed.
MAX_MISSING = 0.5


def indicator_label(name: str) -> str:
    """French label of an indicator (its schema label, or the name itself)."""
    try:
        return TERRITORIES[name].label
    except KeyError:
        return name


def indicator_unit(name: str) -> str:
    try:
        return TERRITORIES[name].unit or ""
    except KeyError:
        return ""


@dataclass(frozen=True)
class TerritoryTable:
    """Territories ready for the needs index.

    Attributes
    ----------
    frame : DataFrame
        Indexed by territory key (the zone if given, else the territory's
        code, or its name for a named territory), with ``code_insee`` (the
        commune for communes, arrondissements and IRIS, else the territory's
        code), ``label``, ``kind``, ``mapped`` (on the offline map of the
        métropole), ``population_60plus``, one column per indicator,
        ``imputed`` (the indicators filled in for that row, « » if none) and
        ``outcome`` when an observed need is given.
    indicators : tuple of str
        The indicators present (at least two).
    warnings : tuple of str
        French sentences: rows dropped, values imputed, columns left out.
    imputed : mapping
        ``{indicator: number of values imputed}``.
    directions : mapping
        ``{indicator: -1}`` for indicators where a higher value means less need.
    sources : mapping
        ``{indicator: sentence}``: meaning, source and year, when known.
    """

    frame: pd.DataFrame
    indicators: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    imputed: Mapping[str, int] = field(default_factory=dict)
    directions: Mapping[str, int] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_outcome(self) -> bool:
        return OUTCOME in self.frame.columns and bool(self.frame[OUTCOME].notna().any())

    @property
    def unmapped(self) -> int:
        """Number of territories ranked without a map (outside the métropole, or not a commune)."""
        return int((~self.frame["mapped"]).sum())

    def without(self, indicator: str) -> TerritoryTable:
        """The same table with *indicator* taken as the observed need (and left out of the index)."""
        if indicator not in self.indicators:
            raise KeyError(indicator)
        frame = self.frame.copy()
        frame[OUTCOME] = frame[indicator]
        if self.imputed.get(indicator):  # an imputed value is not an observation
            flagged = frame["imputed"].str.contains(indicator, regex=False)
            frame.loc[flagged, OUTCOME] = np.nan
        rest = tuple(i for i in self.indicators if i != indicator)
        return TerritoryTable(frame, rest, self.warnings, {k: v for k, v in self.imputed.items() if k != indicator},
                              {k: v for k, v in self.directions.items() if k != indicator}, self.sources)


def prepare_territories(
    frame: pd.DataFrame,
    *,
    filename: str | None = None,
    indicators: Sequence[str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> TerritoryTable:
    """Check a validated territory table (schema ``TERRITORIES``) for the needs index.

    Territories of any kind are recognised from their code or name (see
    :mod:`sandbox.data.territories`): communes of all France, arrondissements,
    IRIS, départements, EPCI/EPT, or a named area. Those of the métropole are
    ``mapped``; the others are ranked without a map. Rows whose code matches
    no pattern are left out with a warning naming them. Missing indicator
    values are replaced by the indicator's median, reported, and flagged per
    territory in ``imputed``.

    Parameters
    ----------
    frame : DataFrame
        ``validate(df, TERRITORIES).frame`` (or any frame with those column names).
    filename : str, optional
        Named in messages.
    indicators : sequence of str, optional
        Indicator columns to use (default: those of :data:`INDICATORS` present).
    sources : mapping, optional
        ``{indicator: sentence}`` (meaning, source, year), kept for the page and the CLI.

    Returns
    -------
    TerritoryTable

    Raises
    ------
    DataError
        No territory recognised, duplicated territories without a zone column,
        fewer than two usable indicators or fewer than five territories.

    Examples
    --------
    >>> df = pd.DataFrame({"code_insee": ["93066", "75056", "92012", "94081", "93048", "69123"],
    ...                    "share_75plus": [6.0, 9.5, 10.1, 7.2, 6.8, 8.0],
    ...                    "poverty_60plus": [18.0, None, 7.5, 12.0, 16.0, 11.0]})
    >>> table = prepare_territories(df)
    >>> table.indicators, len(table.frame), table.imputed
    (('share_75plus', 'poverty_60plus'), 6, {'poverty_60plus': 1})
    >>> table.frame.loc["69123", "label"], bool(table.frame.loc["69123", "mapped"]), table.frame.loc["75056", "imputed"]
    ('Lyon', False, 'poverty_60plus')
    """
    warnings: list[str] = []
    rows = pd.Series(spreadsheet_rows(frame.index), index=frame.index)
    raw = frame["code_insee"]
    territories = resolve_territories(raw)
    unknown = territories["kind"] == "unknown"
    if unknown.any():
        n = int(unknown.sum())
        shown = ", ".join(q(v) for v in raw[unknown].astype(str).unique()[:3])
        warnings.append(
            f"{plural(n, 'ligne')} sans territoire reconnu, laissée{'s' if n > 1 else ''} de côté : {shown} "
            f"(ligne{'s' if n > 1 else ''} {rows_list(rows[unknown].tolist())}). Codes reconnus : commune (5 caractères, "
            "2A/2B pour la Corse, 97x outre-mer), arrondissement, IRIS (9), département, EPCI (SIREN), ou un nom."
        )
    keep = ~unknown
    if not keep.any():
        raise DataError(
            "aucun territoire n'a été reconnu",
            filename=filename,
            column="code_insee",
            rows=rows[unknown].tolist(),
            hint="Indiquez un code INSEE de commune (5 caractères), un code IRIS (9 chiffres), un code de département, "
            "un SIREN d'EPCI ou le nom du territoire.",
        )
    named = keep & (territories["kind"] == "named")
    near = [v for v in raw[named].astype(str).unique() if suggestion(v)]
    if near:
        warnings.append(
            "Territoire" + ("s" if len(near) > 1 else "") + " classé" + ("s" if len(near) > 1 else "")
            + " sous le nom donné, sans carte : " + ", ".join(q(v) + suggestion(v) for v in near[:3]) + "."
        )
    data = frame.loc[keep].copy()
    kinds = territories.loc[keep]
    commune = kinds["commune"].where(kinds["commune"].notna(), kinds["key"]).astype(str)
    zone = data["zone"] if "zone" in data.columns else pd.Series(np.nan, index=data.index)
    zone = zone.astype("object").where(zone.notna(), None)
    key = zone.where(zone.notna(), kinds["key"]).astype(str)
    fine = zone.notna() | kinds["kind"].isin(["iris", "arrondissement"])
    duplicated = key.duplicated(keep=False)
    if duplicated.any():
        shown = ", ".join(q(territory_name(k, c, m)) for k, c, m in kinds.loc[duplicated, ["kind", "key", "commune"]].drop_duplicates().to_numpy()[:3])
        raise DataError(
            f"plusieurs lignes décrivent le même territoire : {shown}",
            filename=filename,
            rows=rows[key.index[duplicated]].tolist(),
            hint="Ajoutez une colonne « zone » (quartier, code IRIS) pour distinguer les lignes d'une même commune, ou retirez les doublons.",
        )
    level_kinds = kinds["kind"].replace({"arrondissement": "commune", "iris": "commune", "named": "commune"})
    if level_kinds.nunique() > 1:
        counts = kinds["kind"].value_counts()
        warnings.append(
            "Le tableau mélange des niveaux de territoire ("
            + ", ".join(f"{plural(int(c), kind_label(k))}" for k, c in counts.items())
            + ") : un classement n'a de sens qu'entre territoires comparables."
        )
    default_names = pd.Series([territory_name(k, c, m) for k, c, m in kinds[["kind", "key", "commune"]].to_numpy()], index=data.index)
    label = data["name"] if "name" in data.columns else pd.Series(np.nan, index=data.index)
    label = label.astype("object").where(label.notna(), default_names).astype(str)
    if "name" in data.columns:
        label = label.where(~(fine & zone.notna()), label + " – " + key)
    else:
        label = label.where(~(zone.notna()), label + " – " + key)

    wanted = tuple(indicators) if indicators is not None else INDICATORS
    missing_cols = [c for c in wanted if c not in data.columns]
    if indicators is not None and missing_cols:
        raise DataError(
            "indicateur" + ("s" if len(missing_cols) > 1 else "") + " absent" + ("s" if len(missing_cols) > 1 else "")
            + " du tableau : " + ", ".join(q(c) for c in missing_cols),
            filename=filename,
        )
    used: list[str] = []
    imputed: dict[str, int] = {}
    flags = pd.Series("", index=data.index)
    out = pd.DataFrame(index=pd.Index(key.to_numpy(), name="territoire"))
    out["code_insee"] = commune.to_numpy()
    out["label"] = label.to_numpy()
    out["kind"] = kinds["kind"].to_numpy()
    out["mapped"] = (kinds["in_mgp"] & kinds["kind"].isin(["commune", "arrondissement", "iris"])).to_numpy()
    pop = data["population_60plus"] if "population_60plus" in data.columns else pd.Series(np.nan, index=data.index)
    out["population_60plus"] = pd.to_numeric(pop, errors="coerce").to_numpy(dtype="float64")
    for name in wanted:
        if name not in data.columns:
            continue
        values = pd.to_numeric(data[name], errors="coerce").astype("float64")
        empty = values.isna()
        if empty.all():
            continue
        if empty.mean() > MAX_MISSING:
            warnings.append(
                f"{q(indicator_label(name))} laissé de côté : valeur manquante ou secrète pour {plural(int(empty.sum()), 'territoire')} "
                f"sur {num(len(values))} (plus de la moitié ; au-delà, une médiane imputée ne dirait plus rien)."
            )
            continue
        if empty.any():
            median = float(values.median())
            unit = indicator_unit(name)
            warnings.append(
                f"Valeurs manquantes pour {q(indicator_label(name))} : {plural(int(empty.sum()), 'territoire')} "
                f"(ligne{'s' if empty.sum() > 1 else ''} {rows_list(rows[empty.index[empty]].tolist())}), "
                f"remplacée{'s' if empty.sum() > 1 else ''} par la médiane ({num(median, 2)}{chr(160) + unit if unit else ''}) ; "
                "ces territoires sont signalés dans le classement."
            )
            imputed[name] = int(empty.sum())
            flags = flags.where(~empty, flags + np.where(flags == "", "", ", ") + name)
            values = values.fillna(median)
        out[name] = values.to_numpy()
        used.append(name)
    out["imputed"] = flags.to_numpy()
    if OUTCOME in data.columns:
        out[OUTCOME] = pd.to_numeric(data[OUTCOME], errors="coerce").astype("float64").to_numpy()
    if len(used) < 2:
        raise DataError(
            f"il faut au moins deux indicateurs pour composer un indice ; trouvé{'s' if len(used) > 1 else ''} : "
            + (", ".join(q(indicator_label(u)) for u in used) or "aucun"),
            filename=filename,
            hint="Indicateurs reconnus : " + ", ".join(q(indicator_label(i)) for i in INDICATORS) + ".",
        )
    if len(out) < MIN_TERRITORIES:
        raise DataError(
            f"seulement {plural(len(out), 'territoire')} reconnu{'s' if len(out) > 1 else ''} : il en faut au moins {MIN_TERRITORIES} pour comparer",
            filename=filename,
        )
    directions = {i: d for i, d in DIRECTIONS.items() if i in used}
    return TerritoryTable(out, tuple(used), tuple(warnings), imputed, directions, dict(sources or {}))
