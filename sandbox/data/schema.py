"""Schemas: the columns a demo expects, declared once, and ``validate``.

A :class:`Schema` lists the required and optional columns of a dataset with
their type, unit and range. :func:`validate` maps the user's columns onto it,
converts every column to its type and returns a typed frame plus the
warnings the user should read. Problems that make the data unusable raise
:class:`~sandbox.data.errors.DataError` with a French message.

The frame returned keeps the index of the table it was given, so
``row + 2`` is the row the user sees in a spreadsheet (header = row 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from sandbox.data.dates import describe_formats, parse_datetimes
from sandbox.data.errors import DataError
from sandbox.data.numbers import parse_numbers
from sandbox.text import num, plural, q, rows_list, strip_accents

Kind = Literal["number", "integer", "text", "id", "category", "datetime", "date", "latitude", "longitude", "boolean"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

KIND_LABELS = {
    "number": "nombre",
    "integer": "nombre entier",
    "text": "texte",
    "id": "identifiant",
    "category": "catégorie",
    "datetime": "date et heure",
    "date": "date",
    "latitude": "latitude (degrés WGS 84)",
    "longitude": "longitude (degrés WGS 84)",
    "boolean": "oui/non",
}

_TRUE = {"1", "oui", "o", "vrai", "yes", "y", "true", "x", "t"}
_FALSE = {"0", "non", "n", "faux", "no", "false", "f"}


def _fold(text: object) -> str:
    return strip_accents(str(text).strip().lower())


@dataclass(frozen=True)
class Column:
    """One expected column.

    Parameters
    ----------
    name : str
        The name the models use (English, snake_case).
    kind : str
        One of ``number``, ``integer``, ``text``, ``id``, ``category``,
        ``datetime``, ``date``, ``latitude``, ``longitude``, ``boolean``.
    label : str
        French label shown to the user.
    required : bool
        A required column must be mapped; rows where it is empty are dropped.
    unit : str, optional
        Unit shown next to the label (``m³``, ``km``…).
    min, max : float, optional
        Allowed range (inclusive) for numbers and coordinates.
    synonyms : tuple of str
        Other header names that mean this column (used by the suggestion).
    choices : tuple of str, optional
        Allowed values of a category (compared without case and accents).
    aliases : mapping, optional
        Other spellings of a category value: ``{"OM": "ordures ménagères"}``.
    default : object, optional
        Value of an optional column that the file does not have.
    description : str
        French sentence shown as help in the mapping widget.
    """

    name: str
    kind: Kind
    label: str = ""
    required: bool = True
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    default: object = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; use one of {KINDS}")
        if not self.label:
            object.__setattr__(self, "label", self.name)

    @property
    def display(self) -> str:
        """Label with its unit, e.g. ``volume (L)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Schema:
    """The columns of one dataset.

    Parameters
    ----------
    name : str
        French name of the dataset (« points de collecte »), used in messages.
    columns : tuple of Column
    unique : tuple of str
        Columns whose values must not repeat (an identifier).
    description : str
        One French sentence for the data section of a page.
    """

    name: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate column names in schema {self.name!r}")
        unknown = set(self.unique) - set(names)
        if unknown:
            raise ValueError(f"unique columns {unknown} are not in schema {self.name!r}")

    def __getitem__(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Validated:
    """A validated table: typed columns named as in the schema, and warnings.

    Attributes
    ----------
    frame : DataFrame
        One column per schema column, typed; the index is the input's.
    warnings : tuple of str
        French sentences the user should read (rows ignored, formats mixed…).
    mapping : dict
        ``{expected: actual or None}`` as applied.
    filename : str or None
    input_rows : int
        Number of data rows before validation.
    source_columns : tuple of str
        The column names of the user's table, as read (mapped or not).
    """

    frame: pd.DataFrame
    warnings: tuple[str, ...]
    mapping: Mapping[str, str | None]
    filename: str | None = None
    input_rows: int = 0
    source_columns: tuple[str, ...] = ()

    @property
    def dropped_rows(self) -> int:
        return self.input_rows - len(self.frame)


def spreadsheet_rows(index: pd.Index) -> np.ndarray:
    """Row numbers as a spreadsheet shows them (header = 1) for a table's index."""
    if pd.api.types.is_integer_dtype(index):
        return np.asarray(index, dtype="int64") + 2
    return np.arange(len(index), dtype="int64") + 2


def _examples(raw: pd.Series, mask: pd.Series, limit: int = 3) -> str:
    values = raw[mask].astype("str").head(limit).tolist()
    return ", ".join(q(v if len(v) <= 40 else v[:37] + "…") for v in values)


Reason = tuple[str, str]  # what is wrong with one value, with many values


def _convert(raw: pd.Series, col: Column) -> tuple[pd.Series, pd.Series, Reason, str | None]:
    """Convert one column; return (values, invalid mask, reason, note)."""
    note = None
    kind = col.kind
    if kind in ("number", "integer", "latitude", "longitude"):
        values, invalid = parse_numbers(raw)
        why = ("non numérique", "non numériques")
        if kind == "integer":
            fractional = values.notna() & (values != np.round(values))
            if fractional.any() and not invalid.any():
                invalid = fractional
                why = ("non entière", "non entières")
            values = values.where(~invalid).round().astype("Int64")
        return values, invalid, why, note
    if kind in ("datetime", "date"):
        parsed = parse_datetimes(raw)
        values = parsed.values.dt.normalize() if kind == "date" else parsed.values
        if len(parsed.formats) > 1:
            note = f"Formats de date mélangés dans la colonne {q(raw.name)} : {describe_formats(parsed.formats)}."
        return values, parsed.invalid, ("illisible comme date", "illisibles comme dates"), note
    if kind == "boolean":
        folded = raw.map(_fold, na_action="ignore")
        values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        values[folded.isin(_TRUE)] = True
        values[folded.isin(_FALSE)] = False
        invalid = raw.notna() & folded.ne("") & values.isna()
        return values, invalid, ("autre que oui/non", "autres que oui/non"), note

    if pd.api.types.is_float_dtype(raw) and (raw.dropna() % 1 == 0).all():
        raw = raw.astype("Int64")  # 75056.0 from a spreadsheet is the code "75056"
    text = raw.astype("str").where(raw.notna()).str.strip()
    text = text.where(text != "")
    if kind == "category" and col.choices:
        canonical = {_fold(c): c for c in col.choices}
        canonical.update({_fold(a): c for a, c in col.aliases.items()})
        folded = text.map(_fold, na_action="ignore")
        values = folded.map(canonical)
        invalid = text.notna() & values.isna()
        return values.astype("str").where(values.notna()), invalid, ("inconnue", "inconnues"), note
    return text, pd.Series(False, index=raw.index), ("", ""), note


def _range_problem(values: pd.Series, col: Column) -> tuple[pd.Series, Reason]:
    lo = col.min if col.min is not None else (-90 if col.kind == "latitude" else -180 if col.kind == "longitude" else None)
    hi = col.max if col.max is not None else (90 if col.kind == "latitude" else 180 if col.kind == "longitude" else None)
    if lo is None and hi is None:
        return pd.Series(False, index=values.index), ("", "")
    numeric = values.astype("float64")
    bad = pd.Series(False, index=values.index)
    if lo is not None:
        bad |= numeric < lo
    if hi is not None:
        bad |= numeric > hi
    unit = f"\u00a0{col.unit}" if col.unit else ""
    if lo is not None and hi is not None:
        span = f"entre {num(lo, 6).rstrip('0').rstrip(',')} et {num(hi, 6).rstrip('0').rstrip(',')}{unit}"
    elif lo is not None:
        span = f"au moins {num(lo, 6).rstrip('0').rstrip(',')}{unit}"
    else:
        span = f"au plus {num(hi, 6).rstrip('0').rstrip(',')}{unit}"
    why = f"hors de la plage attendue ({span})"
    return bad.fillna(False), (why, why)


def _hint(col: Column, raw: pd.Series, values: pd.Series) -> str:
    if col.kind in ("datetime", "date"):
        return (
            "Formats acceptés : JJ/MM/AAAA hh:mm:ss, JJ/MM/AAAA, JJ/MM/AA ou AAAA-MM-JJ hh:mm:ss (ISO 8601), "
            "pour des dates entre 1678 et 2261 (une date comme le 31/12/9999 est refusée)."
        )
    if col.kind == "category" and col.choices:
        return "Valeurs attendues : " + ", ".join(q(c) for c in col.choices) + "."
    if col.kind in ("latitude", "longitude") and values.abs().gt(1000).mean() > 0.5:
        return (
            "Ces valeurs ressemblent à des coordonnées projetées (Lambert 93, en mètres) : "
            "convertissez-les en degrés WGS 84 (latitude vers 48,8 et longitude vers 2,3 à Paris)."
        )
    if col.kind in ("number", "integer", "latitude", "longitude"):
        return "Corrigez ces cellules (chiffres seulement, virgule ou point décimal) ou retirez ces lignes."
    return "Corrigez ces cellules ou retirez ces lignes."


def validate(
    df: pd.DataFrame,
    schema: Schema,
    mapping: Mapping[str, str | None] | None = None,
    *,
    filename: str | None = None,
    errors: Literal["raise", "drop"] = "raise",
) -> Validated:
    """Check a table against a schema and return it typed.

    Parameters
    ----------
    df : DataFrame
        As returned by :func:`sandbox.data.read_table`.
    schema : Schema
    mapping : dict, optional
        ``{expected: actual}``; ``None`` as a value means the optional
        column is absent. Columns not given are suggested automatically.
    filename : str, optional
        Named in messages (defaults to ``df.attrs["filename"]``).
    errors : {"raise", "drop"}
        What to do with a value of the wrong type or out of range: raise a
        DataError naming the rows, or drop the rows and say so in a warning.
        Rows with an empty required cell are always dropped with a warning.

    Returns
    -------
    Validated

    Raises
    ------
    DataError
        Missing required column, empty table, bad values (``errors="raise"``),
        duplicate identifiers, or no usable row left.

    Examples
    --------
    >>> df = pd.DataFrame({"Lat": ["48,85", "", "48,9"], "Lon": [2.35, 2.3, 2.4]})
    >>> schema = Schema("points", (Column("latitude", "latitude"), Column("longitude", "longitude")))
    >>> result = validate(df, schema)
    >>> result.frame["latitude"].tolist()
    [48.85, 48.9]
    >>> print(result.warnings[0].replace("\xa0", " "))
    1 ligne ignorée : valeur manquante dans « latitude » (ligne 3).
    """
    from sandbox.data.mapping import complete_mapping

    if errors not in ("raise", "drop"):
        raise ValueError("errors must be 'raise' or 'drop'")
    filename = filename or df.attrs.get("filename")
    mapping = complete_mapping(df.columns, schema, mapping)
    available = ", ".join(q(c) for c in df.columns)

    for expected, actual in mapping.items():
        if expected not in schema.names:
            raise DataError(
                f"la colonne attendue {q(expected)} n'existe pas pour les {schema.name}",
                filename=filename,
                hint="Colonnes attendues : " + ", ".join(q(n) for n in schema.names) + ".",
            )
        if actual is not None and actual not in df.columns:
            raise DataError(
                f"la colonne {q(actual)} indiquée pour {q(schema[expected].label)} n'existe pas dans le fichier",
                filename=filename,
                hint=f"Colonnes du fichier : {available}.",
            )
    missing = [c for c in schema.required if mapping[c.name] is None]
    if missing:
        names = ", ".join(f"{q(c.display)}" for c in missing)
        label = "colonne obligatoire introuvable" if len(missing) == 1 else "colonnes obligatoires introuvables"
        raise DataError(
            f"{label} pour les {schema.name} : {names}",
            filename=filename,
            hint=(
                f"Colonnes du fichier : {available}. Renommez la colonne dans le fichier ou indiquez-la "
                "dans la correspondance des colonnes (option --col ATTENDUE=COLONNE en ligne de commande)."
            ),
        )
    if len(df) == 0:
        raise DataError("le tableau ne contient aucune ligne de données", filename=filename)

    rows = pd.Series(spreadsheet_rows(df.index), index=df.index)
    drop = pd.Series(False, index=df.index)
    warnings: list[str] = list(df.attrs.get("warnings", ()))
    out: dict[str, pd.Series] = {}

    def reject(mask: pd.Series, raw: pd.Series, col: Column, actual: str, why: Reason, hint: str) -> None:
        nonlocal drop
        count = int(mask.sum())
        bad_rows = rows[mask].tolist()
        if errors == "raise":
            raise DataError(
                f"{plural(count, 'valeur')} {why[count > 1]} : {_examples(raw, mask)}",
                filename=filename,
                column=actual,
                rows=bad_rows,
                hint=hint,
            )
        drop |= mask
        warnings.append(_dropped(count, f"valeur {why[0]} dans {q(col.label)}", bad_rows))

    for col in schema.columns:
        actual = mapping[col.name]
        if actual is None:
            out[col.name] = _absent(col, df.index)
            continue
        raw = df[actual]
        if isinstance(raw, pd.DataFrame):  # duplicated header
            raw = raw.iloc[:, 0]
        values, invalid, why, note = _convert(raw, col)
        if note:
            warnings.append(note)
        if invalid.any():
            reject(invalid, raw, col, actual, why, _hint(col, raw, values))
            values = values.where(~invalid)
        if col.kind in ("number", "integer", "latitude", "longitude"):
            out_of_range, why = _range_problem(values, col)
            out_of_range &= ~drop
            if out_of_range.any():
                reject(out_of_range, raw, col, actual, why, _hint(col, raw, values.astype("float64")))
        if col.required:
            empty = values.isna() & ~drop
            if empty.any():
                warnings.append(_dropped(int(empty.sum()), f"valeur manquante dans {q(col.label)}", rows[empty].tolist()))
                drop |= empty
        out[col.name] = values

    frame = pd.DataFrame(out, index=df.index)
    for name in schema.unique:
        col = schema[name]
        kept = frame.loc[~drop, name]
        dup_index = kept.index[kept.notna() & kept.duplicated(keep=False)]
        if len(dup_index):
            actual = mapping[name] or name
            ids = ", ".join(q(v) for v in kept[dup_index].astype("str").unique()[:3])
            if errors == "raise":
                raise DataError(
                    f"identifiants en double : {ids}",
                    filename=filename,
                    column=actual,
                    rows=rows[dup_index].tolist(),
                    hint="Chaque ligne doit avoir son propre identifiant : corrigez ou retirez les doublons.",
                )
            later = kept.index[kept.notna() & kept.duplicated(keep="first")]
            drop[later] = True
            warnings.append(_dropped(len(later), f"{q(col.label)} en double ({ids})", rows[later].tolist()))
    if drop.any():
        frame = frame[~drop]
    if frame.empty:
        raise DataError(
            f"aucune ligne exploitable pour les {schema.name}",
            filename=filename,
            hint=" ".join(warnings[-3:]),
        )
    return Validated(frame, tuple(warnings), dict(mapping), filename, len(df), tuple(str(c) for c in df.columns))


def _dropped(count: int, why: str, lines: list[int]) -> str:
    """« 3 lignes ignorées : valeur manquante dans « latitude » (lignes 14, 27, 90). »"""
    word = "ignorée" if count < 2 else "ignorées"
    where = f"ligne {lines[0]}" if count == 1 else f"lignes {rows_list(lines)}"
    return f"{plural(count, 'ligne')} {word} : {why} ({where})."


def _absent(col: Column, index: pd.Index) -> pd.Series:
    dtype = {
        "number": "float64",
        "latitude": "float64",
        "longitude": "float64",
        "integer": "Int64",
        "boolean": "boolean",
        "datetime": "datetime64[ns]",
        "date": "datetime64[ns]",
    }.get(col.kind, "str")
    if col.default is not None:
        return pd.Series(col.default, index=index).astype(dtype)
    if dtype == "str":
        return pd.Series(np.nan, index=index, dtype="str")
    return pd.Series(pd.NA if dtype in ("Int64", "boolean") else np.nan, index=index).astype(dtype)
