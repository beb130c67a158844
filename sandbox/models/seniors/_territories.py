"""Territory table: communes resolved, indicators chosen, missing values imputed and reported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.schema import spreadsheet_rows
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.models.seniors._communes import commune_names, resolve_communes, suggestion
from sandbox.text import num, plural, q, rows_list

#: Indicators of the territory schema, all « higher means more need ».
INDICATORS: tuple[str, ...] = (
    "share_75plus",
    "alone_60plus",
    "poverty_60plus",
    "no_car_60plus",
    "no_lift_60plus",
    "gp_distance_km",
    "apa_rate",
)

MIN_TERRITORIES = 5


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
        Indexed by territory key (the zone if given, else the INSEE code), with
        ``code_insee``, ``label``, ``population_60plus`` and one column per indicator.
    indicators : tuple of str
        The indicators present (at least two).
    warnings : tuple of str
        French sentences: rows dropped, values imputed, columns left out.
    imputed : mapping
        ``{indicator: number of values imputed}``.
    """

    frame: pd.DataFrame
    indicators: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    imputed: Mapping[str, int] = field(default_factory=dict)


def prepare_territories(
    frame: pd.DataFrame,
    *,
    filename: str | None = None,
    indicators: Sequence[str] | None = None,
) -> TerritoryTable:
    """Check a validated territory table (schema ``TERRITORIES``) for the needs index.

    Communes are resolved from their INSEE code, IRIS code or name; rows
    outside the métropole are left out with a warning naming them. Missing
    indicator values are replaced by the indicator's median and reported.

    Parameters
    ----------
    frame : DataFrame
        ``validate(df, TERRITORIES).frame`` (or any frame with those column names).
    filename : str, optional
        Named in messages.
    indicators : sequence of str, optional
        Indicator columns to use (default: those of :data:`INDICATORS` present).

    Returns
    -------
    TerritoryTable

    Raises
    ------
    DataError
        No row in the métropole, duplicated communes without a zone column,
        fewer than two usable indicators or fewer than five territories.

    Examples
    --------
    >>> df = pd.DataFrame({"code_insee": ["93066", "75056", "92012", "94081", "93048", "69123"],
    ...                    "share_75plus": [6.0, 9.5, 10.1, 7.2, 6.8, 8.0],
    ...                    "poverty_60plus": [18.0, None, 7.5, 12.0, 16.0, 11.0]})
    >>> table = prepare_territories(df)
    >>> table.indicators, len(table.frame), table.imputed
    (('share_75plus', 'poverty_60plus'), 5, {'poverty_60plus': 1})
    """
    warnings: list[str] = []
    rows = pd.Series(spreadsheet_rows(frame.index), index=frame.index)
    raw = frame["code_insee"]
    codes = resolve_communes(raw)
    unknown = codes.isna() & raw.notna()
    if unknown.any():
        shown = ", ".join(q(v) + suggestion(v) for v in raw[unknown].astype(str).unique()[:3])
        warnings.append(
            f"{plural(int(unknown.sum()), 'territoire')} hors de la Métropole du Grand Paris ou introuvable{'s' if unknown.sum() > 1 else ''}, "
            f"laissé{'s' if unknown.sum() > 1 else ''} de côté : {shown} "
            f"(ligne{'s' if unknown.sum() > 1 else ''} {rows_list(rows[unknown].tolist())})."
        )
    keep = codes.notna()
    if not keep.any():
        raise DataError(
            "aucune commune de la Métropole du Grand Paris n'a été reconnue",
            filename=filename,
            column="code_insee",
            rows=rows[unknown].tolist(),
            hint="Indiquez le code INSEE (5 chiffres), le code IRIS (9 chiffres) ou le nom exact de chaque commune.",
        )
    data = frame.loc[keep].copy()
    data["code_insee"] = codes[keep].astype(str)
    raw_text = raw[keep].astype(str).str.strip()
    # IRIS codes (9 digits) and Paris's arrondissements (75101–75120) are areas within a commune
    iris = raw_text.str.fullmatch(r"\d{9}|751(?:0[1-9]|1\d|20)").fillna(False).astype(bool)
    zone = data["zone"] if "zone" in data.columns else pd.Series(np.nan, index=data.index)
    zone = zone.astype("object").where(zone.notna(), None)
    key = zone.where(zone.notna(), raw_text.where(iris, data["code_insee"])).astype(str)
    fine = zone.notna() | iris
    duplicated = key.duplicated(keep=False)
    if duplicated.any():
        names = commune_names()
        shown = ", ".join(q(names.get(c, c)) for c in data.loc[duplicated, "code_insee"].unique()[:3])
        raise DataError(
            f"plusieurs lignes décrivent le même territoire : {shown}",
            filename=filename,
            rows=rows[key.index[duplicated]].tolist(),
            hint="Ajoutez une colonne « zone » (quartier, code IRIS) pour distinguer les lignes d'une même commune, ou retirez les doublons.",
        )
    names = commune_names()
    label = data["name"] if "name" in data.columns else pd.Series(np.nan, index=data.index)
    label = label.astype("object").where(label.notna(), data["code_insee"].map(names)).astype(str)
    label = label.where(~fine, label + " – " + key)

    wanted = tuple(indicators) if indicators is not None else INDICATORS
    missing_cols = [c for c in wanted if c not in data.columns]
    if indicators is not None and missing_cols:
        raise DataError(
            "indicateur" + ("s" if len(missing_cols) > 1 else "") + " absent" + ("s" if len(missing_cols) > 1 else "")
            + " du tableau : " + ", ".join(q(c) for c in missing_cols),
            filename=filename,
        )
    used: list[str] = []
    imputed: dict[str, int] = {}
    out = pd.DataFrame(index=pd.Index(key.to_numpy(), name="territoire"))
    out["code_insee"] = data["code_insee"].to_numpy()
    out["label"] = label.astype(str).to_numpy()
    pop = data["population_60plus"] if "population_60plus" in data.columns else pd.Series(np.nan, index=data.index)
    out["population_60plus"] = pd.to_numeric(pop, errors="coerce").to_numpy(dtype="float64")
    for name in wanted:
        if name not in data.columns:
            continue
        values = pd.to_numeric(data[name], errors="coerce").astype("float64")
        empty = values.isna()
        if empty.all():
            continue
        if empty.any():
            median = float(values.median())
            unit = indicator_unit(name)
            warnings.append(
                f"Valeurs manquantes pour {q(indicator_label(name))} : {plural(int(empty.sum()), 'territoire')} "
                f"(ligne{'s' if empty.sum() > 1 else ''} {rows_list(rows[empty.index[empty]].tolist())}), "
                f"remplacée{'s' if empty.sum() > 1 else ''} par la médiane ({num(median, 2)}{chr(160) + unit if unit else ''})."
            )
            imputed[name] = int(empty.sum())
            values = values.fillna(median)
        out[name] = values.to_numpy()
        used.append(name)
    if len(used) < 2:
        raise DataError(
            f"il faut au moins deux indicateurs pour composer un indice ; trouvé{'s' if len(used) > 1 else ''} : "
            + (", ".join(q(indicator_label(u)) for u in used) or "aucun"),
            filename=filename,
            hint="Indicateurs reconnus : " + ", ".join(q(indicator_label(i)) for i in INDICATORS) + ".",
        )
    if len(out) < MIN_TERRITORIES:
        raise DataError(
            f"seulement {plural(len(out), 'territoire')} dans la métropole : il en faut au moins {MIN_TERRITORIES} pour comparer",
            filename=filename,
        )
    return TerritoryTable(out, tuple(used), tuple(warnings), imputed)
