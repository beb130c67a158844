"""Resolve commune names or codes to the métropole's INSEE codes, with a suggestion for typos."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process

from sandbox.data.communes import find_commune, load_communes
from sandbox.data.mapping import normalise_name
from sandbox.text import q


def resolve_communes(values: pd.Series) -> pd.Series:
    """INSEE code of each value (name, 5-digit code or 9-digit IRIS code), NaN where unknown.

    Examples
    --------
    >>> resolve_communes(pd.Series(["Saint-Denis", "751010101", "Lyon"])).tolist()
    ['93066', '75056', nan]
    """
    communes = load_communes()
    arrondissements = {f"751{i:02d}" for i in range(1, 21)}

    def one(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
            return np.nan
        text = str(value).strip()
        if text.isdigit() and len(text) == 9:  # IRIS code: commune = first 5 digits
            text = text[:5]
        if text in arrondissements:  # Paris's arrondissements belong to the commune of Paris
            return "75056"
        code = find_commune(text)
        return code if code in communes.index else np.nan

    unique = pd.unique(values.astype("object"))
    lookup = {v: one(v) for v in unique}
    return values.astype("object").map(lookup)


def suggestion(value: object) -> str:
    """« (vouliez-vous dire « Montreuil » ?) » for a near miss, else an empty string."""
    names = load_communes()["nom"].tolist()
    found = process.extractOne(normalise_name(value), [normalise_name(n) for n in names], score_cutoff=80)
    if not found:
        return ""
    return f" (vouliez-vous dire {q(names[found[2]])}\u202f?)"


def commune_names() -> dict[str, str]:
    """``{code_insee: name}`` for the 130 communes."""
    communes = load_communes()
    return dict(zip(communes["code_insee"], communes["nom"]))
