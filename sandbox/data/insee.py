"""Official INSEE files as published: recognise them by their variable names, compute seniors indicators.

Three families are read:

- **Filosofi** (« base communale revenus, pauvreté et niveau de vie »):
  ``CODGEO``, ``MED21``, ``TP6021``, ``TP60AGE521``, ``TP60AGE621``…
- **Recensement, base-cc** (communes): ``CODGEO`` and variables such as
  ``P21_POP75P``, ``P21_POP80P_PSEUL``, ``C21_MENPSEUL``;
- **Recensement, base-ic** (IRIS): the same variables keyed by ``IRIS``.

Any year prefix is accepted (``P19_``, ``P22_``, ``MED20``…). ``s``
(statistical secrecy) and empty cells are missing values, never zeros.

Examples
--------
>>> filo = pd.DataFrame({"CODGEO": ["93066", "93059", "89024"], "MED21": ["16620", "16080", "21000"],
...                      "NBPERSMENFISC21": ["106397", "30999", "30000"],
...                      "TP60AGE521": ["39,0", "38,0", "s"], "TP60AGE621": ["34,0", "35,0", "9"]})
>>> recognise(filo).kind, recognise(filo).year
('filosofi', 2021)
>>> table = insee_indicators([filo])
>>> round(float(table.frame.loc["93066", "poverty_75plus"]), 2), pd.isna(table.frame.loc["89024", "poverty_60_74"])
(34.23, True)
>>> table.sources["poverty_75plus"].year
2021
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.numbers import parse_numbers
from sandbox.data.territories import MERGED, in_scope, resolve_territories
from sandbox.text import plural, q

#: Cells that mean « no value » in INSEE files.
MISSING_MARKS = ("s", "nd", "n.d.", "ns", "-", "")


@dataclass(frozen=True)
class InseeFile:
    """What an INSEE file is: ``kind`` (filosofi, base-cc, base-ic), ``year`` and its key column."""

    kind: str
    year: int
    key: str
    filename: str | None = None

    @property
    def label(self) -> str:
        names = {"filosofi": "Filosofi", "base-cc": "recensement (base communale)", "base-ic": "recensement (base IRIS)"}
        return f"{names[self.kind]} {self.year}"


@dataclass(frozen=True)
class Source:
    """Where an indicator comes from: its meaning, year and formula on the INSEE variables."""

    indicator: str
    meaning: str
    year: int
    formula: str
    file: str

    def sentence(self) -> str:
        """« Taux de pauvreté … (Filosofi 2021 : TP60AGE621) »."""
        return f"{self.meaning} ({self.file} : {self.formula})"


@dataclass(frozen=True)
class InseeIndicators:
    """Indicators computed from official files, one row per territory (index = territory code).

    Attributes
    ----------
    frame : DataFrame
        ``code_insee`` and the indicator columns of the territory schema
        (plus the columns of non-INSEE files joined on the code).
    sources : mapping
        ``{indicator: Source}``.
    files : tuple of InseeFile
    warnings : tuple of str
    """

    frame: pd.DataFrame
    sources: dict[str, Source] = field(default_factory=dict)
    files: tuple[InseeFile, ...] = ()
    warnings: tuple[str, ...] = ()


_YEAR = r"(\d{2})"


def recognise(frame: pd.DataFrame, filename: str | None = None) -> InseeFile | None:
    """The kind and year of an INSEE file from its variable names, or None.

    >>> recognise(pd.DataFrame(columns=["IRIS", "COM", "P20_POP", "P20_POP80P_PSEUL"]))
    InseeFile(kind='base-ic', year=2020, key='IRIS', filename=None)
    >>> recognise(pd.DataFrame(columns=["code", "taux"])) is None
    True
    """
    columns = {str(c).strip().upper(): c for c in frame.columns}
    years: dict[str, list[str]] = {}
    for name in columns:
        for kind, pattern in (
            ("filosofi", rf"(?:MED|TP60|TP60AGE[1-6]|NBMENFISC|NBPERSMENFISC){_YEAR}"),
            ("census", rf"[PC]{_YEAR}_(?:POP|MEN|PMEN|RP)\w*"),
        ):
            match = re.fullmatch(pattern, name)
            if match:
                years.setdefault(kind, []).append(match.group(1))
    if "census" in years:
        year = 2000 + int(max(set(years["census"]), key=years["census"].count))
        if "IRIS" in columns:
            return InseeFile("base-ic", year, columns["IRIS"], filename)
        if "CODGEO" in columns:
            return InseeFile("base-cc", year, columns["CODGEO"], filename)
    if "filosofi" in years and "CODGEO" in columns:
        year = 2000 + int(max(set(years["filosofi"]), key=years["filosofi"].count))
        return InseeFile("filosofi", year, columns["CODGEO"], filename)
    return None


def insee_numbers(values: pd.Series) -> pd.Series:
    """Numbers of an INSEE column: decimal commas read, ``s`` and empty cells missing.

    >>> insee_numbers(pd.Series(["12,5", "s", "", "3"])).tolist()
    [12.5, nan, nan, 3.0]
    """
    if values.dtype == object:
        values = values.map(lambda v: np.nan if isinstance(v, str) and v.strip().lower() in MISSING_MARKS else v)
    numbers, _ = parse_numbers(values)
    return numbers


def _var(frame: pd.DataFrame, name: str) -> pd.Series | None:
    columns = {str(c).strip().upper(): c for c in frame.columns}
    column = columns.get(name.upper())
    return None if column is None else insee_numbers(frame[column])


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)) * 100


def _filosofi(frame: pd.DataFrame, info: InseeFile) -> tuple[pd.DataFrame, dict[str, Source]]:
    yy = f"{info.year % 100:02d}"
    out, sources = {}, {}
    specs = {
        "median_living_std": (f"MED{yy}", "niveau de vie médian (€ par an et par unité de consommation)"),
        "poverty_rate": (f"TP60{yy}", "taux de pauvreté (seuil à 60 % du niveau de vie médian), toute la population"),
        "poverty_60_74": (f"TP60AGE5{yy}", "taux de pauvreté des ménages dont le référent fiscal a 60 à 74 ans"),
        "poverty_75plus": (f"TP60AGE6{yy}", "taux de pauvreté des ménages dont le référent fiscal a 75 ans ou plus"),
    }
    for indicator, (variable, meaning) in specs.items():
        values = _var(frame, variable)
        if values is not None:
            out[indicator] = values
            sources[indicator] = Source(indicator, meaning, info.year, variable, info.label)
    weight = _var(frame, f"NBPERSMENFISC{yy}")
    if weight is not None:
        out["_weight"] = weight
    return pd.DataFrame(out, index=frame.index), sources


def _census(frame: pd.DataFrame, info: InseeFile) -> tuple[pd.DataFrame, dict[str, Source]]:
    p = f"P{info.year % 100:02d}_"
    c = f"C{info.year % 100:02d}_"
    out, sources = {}, {}

    def get(*names: str) -> pd.Series | None:
        parts = [_var(frame, n) for n in names]
        if any(part is None for part in parts):
            return None
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    pop = get(p + "POP")
    pop75 = get(p + "POP75P")
    formula75 = f"{p}POP75P / {p}POP"
    if pop75 is None:
        pop75 = get(p + "POP7589", p + "POP90P")
        formula75 = f"({p}POP7589 + {p}POP90P) / {p}POP"
    if pop is not None and pop75 is not None:
        out["share_75plus"] = _ratio(pop75, pop)
        sources["share_75plus"] = Source("share_75plus", "part des 75 ans et plus dans la population", info.year, formula75, info.label)
    pop60 = get(p + "POP6074", p + "POP75P")
    if pop60 is None:
        pop60 = get(p + "POP6074", p + "POP7589", p + "POP90P")
    if pop60 is not None:
        out["population_60plus"] = pop60
    for indicator, band, meaning in (
        ("alone_65_79", "6579", "part des 65 à 79 ans qui vivent seuls"),
        ("alone_80plus", "80P", "part des 80 ans et plus qui vivent seuls"),
    ):
        alone, everyone = get(f"{p}POP{band}_PSEUL"), get(f"{p}POP{band}")
        if alone is not None and everyone is not None:
            out[indicator] = _ratio(alone, everyone)
            sources[indicator] = Source(indicator, meaning, info.year, f"{p}POP{band}_PSEUL / {p}POP{band}", info.label)
    single, households = get(c + "MENPSEUL"), get(c + "MEN")
    if single is not None and households is not None:
        out["single_households"] = _ratio(single, households)
        sources["single_households"] = Source(
            "single_households", "part des ménages d'une seule personne", info.year, f"{c}MENPSEUL / {c}MEN", info.label
        )
    return pd.DataFrame(out, index=frame.index), sources


def _merge_communes(values: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Combine rows that now describe one commune (a 2025 merger) into one row; keep the first of other duplicates."""
    notes = []
    duplicated = values.index[values.index.duplicated(keep=False)].unique()
    merged_rows = {}
    for key in duplicated:
        if key not in MERGED.values():
            continue
        both = values.loc[[key]]
        weight = both["_weight"] if "_weight" in both else pd.Series(1.0, index=both.index)
        row = {}
        for column in values.columns:
            col = both[column]
            if not pd.api.types.is_numeric_dtype(col):
                row[column] = col.iloc[0]
            elif column in ("population_60plus", "_weight"):
                row[column] = col.sum(min_count=len(col))
            elif col.isna().any() or weight.isna().any():
                row[column] = np.nan
            else:
                row[column] = float((col * weight).sum() / weight.sum())
        merged_rows[key] = row
        old = ", ".join(o for o, n in MERGED.items() if n == key)
        notes.append(
            f"Communes fusionnées au 1er janvier 2025 ({old} dans {key}) : valeurs combinées en moyenne pondérée "
            "par la population (approximation : un niveau de vie médian ou un taux de pauvreté ne s'additionne pas)."
        )
    values = values[~values.index.duplicated(keep="first")].copy()
    for key, row in merged_rows.items():
        for column, value in row.items():
            values.loc[key, column] = value
    return values, notes


def insee_indicators(
    frames: Sequence[pd.DataFrame],
    *,
    scope: str | Sequence[str] | None = None,
    filenames: Sequence[str | None] | None = None,
) -> InseeIndicators:
    """Indicators from one or more INSEE files (and other tables), joined on the territory code.

    Parameters
    ----------
    frames : sequence of DataFrame
        As read by :func:`sandbox.data.read_table`. INSEE files are recognised
        by their variable names; any other table must have a territory code
        column (``code_insee``, ``CODGEO``, ``code``…) and its other columns are
        joined as they are (e.g. an observed need).
    scope : str or sequence, optional
        Which territories to keep (see :func:`sandbox.data.territories.in_scope`):
        ``"mgp"``, a département, a list of codes; default everything.
    filenames : sequence of str, optional
        Named in messages.

    Raises
    ------
    DataError
        A table without a territory code, or no territory left in the scope.
    """
    filenames = list(filenames or [None] * len(frames))
    parts: list[pd.DataFrame] = []
    sources: dict[str, Source] = {}
    files: list[InseeFile] = []
    warnings: list[str] = []
    for frame, filename in zip(frames, filenames, strict=True):
        info = recognise(frame, filename)
        if info is None:
            key = _code_column(frame, filename)
            values = frame.drop(columns=[key]).copy()
            for column in values.columns:
                if values[column].dtype == object:
                    parsed = insee_numbers(values[column])
                    if parsed.notna().sum() >= max(1, 0.5 * values[column].notna().sum()):
                        values[column] = parsed
            codes = frame[key]
        else:
            files.append(info)
            values, found = (_filosofi if info.kind == "filosofi" else _census)(frame, info)
            sources.update(found)
            codes = frame[info.key]
        territories = resolve_territories(codes, header=str(codes.name))
        keep = in_scope(territories, scope) & (territories["kind"] != "unknown")
        if scope is not None and str(scope).strip().lower() in ("mgp", "metropole"):
            # In the métropole: communes (Paris rather than its arrondissements when both are there).
            has_paris = (territories["key"] == "75056").any()
            keep &= ~((territories["kind"] == "arrondissement") & has_paris)
        values = values.loc[keep].copy()
        values.index = pd.Index(territories.loc[keep, "key"].to_numpy(), name="code")
        values, notes = _merge_communes(values)
        warnings.extend(notes)
        parts.append(values.drop(columns=[c for c in values.columns if c == "_weight"]))
    joined = parts[0]
    for part in parts[1:]:
        overlap = [c for c in part.columns if c in joined.columns]
        joined = joined.join(part.drop(columns=overlap), how="outer")
    if joined.empty:
        raise DataError(
            "aucun territoire du périmètre choisi dans " + (", ".join(q(f) for f in filenames if f) or "les fichiers"),
            hint="Vérifiez le périmètre (métropole, code de département, liste de codes) et la colonne des codes.",
        )
    if len(parts) > 1:
        incomplete = joined.isna().all(axis=1).sum()
        if incomplete:
            warnings.append(f"{plural(int(incomplete), 'territoire')} sans aucune valeur après la jointure des fichiers.")
    joined.insert(0, "code_insee", joined.index.astype(str))
    return InseeIndicators(joined, sources, tuple(files), tuple(warnings))


def _code_column(frame: pd.DataFrame, filename: str | None) -> str:
    from sandbox.data.mapping import normalise_name

    names = {normalise_name(c): c for c in frame.columns}
    for candidate in ("code insee", "codgeo", "code commune", "code", "depcom", "com", "iris", "code iris", "dep",
                      "departement", "code departement", "epci", "siren", "territoire", "commune", "code geo"):
        if candidate in names:
            return names[candidate]
    raise DataError(
        "pas de colonne de codes de territoire",
        filename=filename,
        hint="Nommez-la « code_insee » ou « CODGEO » (communes), « IRIS », « DEP » ou « EPCI ».",
    )
