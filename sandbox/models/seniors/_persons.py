"""The register of people: checks (ages, communes, GIR), missing values reported, features encoded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sandbox.data.errors import DataError
from sandbox.data.schema import spreadsheet_rows
from sandbox.data.schemas.seniors import INCOME_BRACKETS, PERSONS
from sandbox.models.seniors._communes import commune_names, resolve_communes, suggestion
from sandbox.text import num, plural, q, rows_list

MIN_AGE = 60

#: Columns of the register the risk model can use, in the order they are explained.
FEATURES: tuple[str, ...] = (
    "age",
    "lives_alone",
    "gir",
    "recent_hospital",
    "recent_fall",
    "income_bracket",
    "months_no_contact",
    "no_lift",
)
#: Columns never used as features by default: they serve the fairness report only.
PROTECTED: tuple[str, ...] = ("sex", "commune")

BOOLEAN_FEATURES = ("lives_alone", "recent_hospital", "recent_fall", "no_lift")
AGE_BANDS = ("60–74 ans", "75–84 ans", "85 ans et plus")


def age_band(age: pd.Series | np.ndarray) -> pd.Series:
    """« 60–74 ans », « 75–84 ans » or « 85 ans et plus ».

    >>> age_band(pd.Series([64, 75, 84, 85])).tolist()
    ['60–74 ans', '75–84 ans', '75–84 ans', '85 ans et plus']
    """
    values = pd.Series(np.asarray(age, dtype="float64"))
    bands = np.select([values >= 85, values >= 75], [AGE_BANDS[2], AGE_BANDS[1]], AGE_BANDS[0])
    return pd.Series(bands, index=getattr(age, "index", None), dtype="object")


def _label(column: str) -> str:
    return PERSONS[column].label


@dataclass(frozen=True)
class PersonTable:
    """A register checked for the risk model.

    Attributes
    ----------
    frame : DataFrame
        The validated rows kept (people aged 60 or more), with the schema's
        columns plus ``commune_code`` (INSEE code, NaN where unknown),
        ``commune_name`` and ``age_band``. The index is the input's, so
        ``spreadsheet_rows(frame.index)`` names rows as the user sees them.
    features : tuple of str
        Feature columns present in the file (at least ``age``).
    warnings : tuple of str
        French sentences to show: rows left out, values imputed, columns absent.
    missing : mapping
        ``{feature: number of empty cells}`` (imputed by the model's encoder).
    filename : str, optional
    """

    frame: pd.DataFrame
    features: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    missing: Mapping[str, int] = field(default_factory=dict)
    filename: str | None = None

    @property
    def outcome(self) -> pd.Series:
        """The outcome column (boolean, NA where unknown)."""
        return self.frame["outcome"] if "outcome" in self.frame.columns else pd.Series(pd.NA, index=self.frame.index, dtype="boolean")

    @property
    def labelled(self) -> pd.Series:
        """True for the rows whose outcome is known (the rows the model learns from)."""
        return self.outcome.notna().to_numpy(dtype=bool) if len(self.frame) else np.zeros(0, dtype=bool)


def prepare_persons(frame: pd.DataFrame, *, filename: str | None = None, min_age: int = MIN_AGE) -> PersonTable:
    """Check a validated register (schema ``PERSONS``) for the risk model.

    - People younger than *min_age* are left out, with a warning naming the rows.
    - Communes are resolved from name or code; a commune outside the
      métropole is kept (the person is still scored) but reported, and the
      person counts as « commune inconnue » in maps and the fairness report.
    - A GIR outside 1–6 is treated as unknown and reported.
    - Empty cells of the features are counted and reported; the model's
      encoder replaces them (median or most frequent value of the training data).

    Raises
    ------
    DataError
        Nobody aged *min_age* or more.

    Examples
    --------
    >>> df = pd.DataFrame({"person_id": ["a", "b", "c"], "age": [58, 81, 90],
    ...                    "commune": ["Montreuil", "Lyon", None], "lives_alone": [True, None, True]})
    >>> table = prepare_persons(df)
    >>> table.frame["person_id"].tolist(), dict(table.missing)
    (['b', 'c'], {'lives_alone': 1})
    >>> print(table.warnings[0].replace("\\xa0", " ").replace("\\u202f", " "))
    1 personne de moins de 60 ans laissée de côté (ligne 2) : le repérage vise les personnes de 60 ans et plus.
    """
    warnings: list[str] = []
    rows = pd.Series(spreadsheet_rows(frame.index), index=frame.index)
    age = pd.to_numeric(frame["age"], errors="coerce")
    young = age < min_age
    if young.all():
        raise DataError(
            f"aucune personne de {min_age} ans ou plus dans le registre (âge maximal : {num(age.max())} ans)",
            filename=filename,
            column="age",
            rows=rows[young].tolist(),
            hint="Vérifiez que la colonne « âge » contient bien l'âge en années (et non une date ou un code).",
        )
    if young.any():
        count = int(young.sum())
        warnings.append(
            f"{plural(count, 'personne')} de moins de {min_age} ans laissée{'s' if count > 1 else ''} de côté "
            f"(ligne{'s' if count > 1 else ''} {rows_list(rows[young].tolist())}) : le repérage vise les personnes de {min_age} ans et plus."
        )
    data = frame.loc[~young].copy()
    rows = rows[~young]

    if "commune" in data.columns and data["commune"].notna().any():
        codes = resolve_communes(data["commune"])
        unknown = codes.isna() & data["commune"].notna()
        if unknown.any():
            count = int(unknown.sum())
            shown = ", ".join(q(v) + suggestion(v) for v in data.loc[unknown, "commune"].astype(str).unique()[:3])
            warnings.append(
                f"{plural(count, 'personne')} dans une commune hors de la Métropole du Grand Paris ou inconnue : {shown}"
                f" (ligne{'s' if count > 1 else ''} {rows_list(rows[unknown].tolist())}). "
                f"{'Elles restent' if count > 1 else 'Elle reste'} dans la liste mais "
                f"{'comptent' if count > 1 else 'compte'} comme « commune inconnue » sur la carte et dans le bilan d'équité."
            )
        data["commune_code"] = codes.astype("object")
    else:
        data["commune_code"] = pd.Series(np.nan, index=data.index, dtype="object")
    names = commune_names()
    data["commune_name"] = data["commune_code"].map(names).fillna("commune inconnue")
    data["age_band"] = age_band(data["age"])

    if "gir" in data.columns:
        gir = pd.to_numeric(data["gir"], errors="coerce")
        bad = gir.notna() & ~gir.isin([1, 2, 3, 4, 5, 6])
        if bad.any():
            count = int(bad.sum())
            warnings.append(
                f"{plural(count, 'niveau GIR', 'niveaux GIR')} hors de 1 à 6 traité{'s' if count > 1 else ''} comme inconnu{'s' if count > 1 else ''} "
                f"(ligne{'s' if count > 1 else ''} {rows_list(rows[bad].tolist())})."
            )
            data["gir"] = gir.where(~bad).astype("Int64")

    present = tuple(c for c in FEATURES if c in data.columns and data[c].notna().any())
    absent = [c for c in FEATURES if c not in present]
    missing: dict[str, int] = {}
    parts: list[str] = []
    for column in present:
        if column in ("age", "gir"):
            continue
        empty = data[column].isna()
        if empty.any():
            count = int(empty.sum())
            how = "médiane" if column == "months_no_contact" else "valeur la plus fréquente"
            parts.append(
                f"{q(_label(column))} : {num(count)} ({how} ; ligne{'s' if count > 1 else ''} {rows_list(rows[empty].tolist(), limit=3)})"
            )
            missing[column] = count
    if parts:
        total = sum(missing.values())
        warnings.append(
            f"{plural(total, 'valeur manquante remplacée', 'valeurs manquantes remplacées')} (imputation, avec les valeurs "
            f"des données d'apprentissage) — " + " ; ".join(parts) + "."
        )
    if "gir" in present:
        unknown_gir = int(data["gir"].isna().sum())
        if unknown_gir:
            warnings.append(
                f"GIR inconnu pour {plural(unknown_gir, 'personne')} : « inconnu » est traité comme une catégorie à part, "
                "sans imputation (le GIR n'est jamais recalculé ici)."
            )
    if absent:
        warnings.append(
            "Colonne" + ("s" if len(absent) > 1 else "") + " absente" + ("s" if len(absent) > 1 else "") + " du fichier, le modèle s'en passe : "
            + ", ".join(q(_label(a)) for a in absent) + "."
        )
    if "outcome" in data.columns:
        unknown_outcome = int(data["outcome"].isna().sum())
        if 0 < unknown_outcome < len(data):
            warnings.append(
                f"Résultat inconnu pour {plural(unknown_outcome, 'personne')} : "
                f"{'elles ne servent' if unknown_outcome > 1 else 'elle ne sert'} pas à l'apprentissage "
                f"mais {'sont classées' if unknown_outcome > 1 else 'est classée'} dans la liste."
            )
    return PersonTable(data, present, tuple(warnings), missing, filename)


def encoded_names(features: Sequence[str]) -> list[str]:
    names: list[str] = []
    for f in features:
        if f == "gir":
            names += ["gir_1_2", "gir_3_4", "gir_5_6"]
        elif f == "income_bracket":
            names.append("income_below_top")
        elif f == "sex":
            names.append("female")
        else:
            names.append(f)
    return names


class PersonEncoder(TransformerMixin, BaseEstimator):
    """Turn register columns into numbers; fill empty cells with values learnt in ``fit``.

    Booleans become 0/1 (empty: the most frequent value), the income
    bracket the number of brackets below the highest (0 to 3; empty: the
    most frequent), months without contact are capped at 60 (empty: the
    median), a known GIR becomes three indicators (1–2, 3–4, 5–6; unknown =
    none of them). Sex is only used if asked for (``features``).

    Parameters
    ----------
    features : sequence of str, optional
        Register columns to use; default: every column of :data:`FEATURES`
        that has at least one value in the data given to ``fit``.

    Attributes
    ----------
    features_ : tuple of str
    fill_values_ : dict
        The value that replaces an empty cell, per column.
    n_features_out_ : int

    Examples
    --------
    >>> X = pd.DataFrame({"age": [70, 90, 80], "lives_alone": [True, None, True], "gir": [None, 2, 5]})
    >>> enc = PersonEncoder().fit(X)
    >>> enc.get_feature_names_out().tolist()
    ['age', 'lives_alone', 'gir_1_2', 'gir_3_4', 'gir_5_6']
    >>> enc.transform(X)[1].tolist()
    [90.0, 1.0, 1.0, 0.0, 0.0]
    """

    def __init__(self, features: Sequence[str] | None = None):
        self.features = features

    def fit(self, X: pd.DataFrame, y=None) -> "PersonEncoder":
        wanted = tuple(self.features) if self.features is not None else FEATURES
        unknown = [f for f in wanted if f not in FEATURES and f != "sex"]
        if unknown:
            raise ValueError(f"unknown features {unknown}; use columns of {FEATURES} or 'sex'")
        if "age" not in X.columns:
            raise DataError("la colonne « âge » est nécessaire au modèle")
        self.features_ = tuple(f for f in wanted if f in X.columns and X[f].notna().any())
        fills: dict[str, object] = {}
        for f in self.features_:
            column = X[f]
            if f in BOOLEAN_FEATURES:
                fills[f] = bool(column.dropna().astype(bool).mean() >= 0.5)
            elif f == "income_bracket":
                fills[f] = column.dropna().mode().sort_values().iloc[0]
            elif f in ("months_no_contact", "age"):
                fills[f] = float(pd.to_numeric(column, errors="coerce").median())
            elif f == "sex":
                fills[f] = column.dropna().mode().sort_values().iloc[0]
        self.fill_values_ = fills
        self.n_features_out_ = len(encoded_names(self.features_))
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "features_")
        return np.asarray(encoded_names(self.features_), dtype=object)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "features_")
        n = len(X)
        columns: list[np.ndarray] = []
        for f in self.features_:
            raw = X[f] if f in X.columns else pd.Series([None] * n, index=X.index, dtype="object")
            if f == "gir":
                gir = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
                columns += [np.isin(gir, (1, 2)), np.isin(gir, (3, 4)), np.isin(gir, (5, 6))]
            elif f in BOOLEAN_FEATURES:
                filled = raw.astype("object").where(raw.notna(), self.fill_values_[f])
                columns.append(filled.astype(bool).to_numpy())
            elif f == "income_bracket":
                filled = raw.astype("object").where(raw.notna(), self.fill_values_[f])
                rank = filled.map({b: 3 - i for i, b in enumerate(INCOME_BRACKETS)})
                columns.append(rank.fillna(1.0).to_numpy(dtype="float64"))
            elif f == "months_no_contact":
                values = pd.to_numeric(raw, errors="coerce").fillna(self.fill_values_[f]).clip(0, 60)
                columns.append(values.to_numpy(dtype="float64"))
            elif f == "age":
                columns.append(pd.to_numeric(raw, errors="coerce").fillna(self.fill_values_[f]).to_numpy(dtype="float64"))
            elif f == "sex":
                filled = raw.astype("object").where(raw.notna(), self.fill_values_[f])
                columns.append((filled == "F").to_numpy())
        if not columns:
            return np.zeros((n, 0))
        return np.column_stack(columns).astype("float64")


def simple_rule_scores(frame: pd.DataFrame) -> np.ndarray:
    """Priority of today's simple rule: people aged 85+ living alone first, oldest first, then the others by age.

    Without a « lives alone » column the rule is « 85 and over ».

    Examples
    --------
    >>> df = pd.DataFrame({"age": [90, 86, 95, 70], "lives_alone": [False, True, None, True]})
    >>> np.argsort(-simple_rule_scores(df), kind="stable").tolist()
    [1, 2, 0, 3]
    """
    age = pd.to_numeric(frame["age"], errors="coerce").fillna(0).to_numpy(dtype="float64")
    if "lives_alone" in frame.columns and frame["lives_alone"].notna().any():
        alone = frame["lives_alone"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        alone = np.ones(len(frame), dtype=bool)
    return np.where((age >= 85) & alone, 1000.0, 0.0) + age
