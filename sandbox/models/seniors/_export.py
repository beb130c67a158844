"""Pseudonymised exports: the sandbox's one keyed pseudonym instead of the identity, no exact age, the correspondence kept apart."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sandbox.data.export import to_csv_bytes
from sandbox.privacy import new_key, pseudonymise
from sandbox.models.seniors._persons import age_band

#: Shown above every list and written in every exported row.
DECISION_SUPPORT_LABEL = (
    "Aide à la décision : liste proposée par un modèle statistique, à vérifier et à valider par un agent ; "
    "aucune décision ne doit reposer sur ce seul score."
)
EXPORT_LABEL = "proposition à valider par un agent"

_EXACT_AGE = re.compile(r"\b(\d{2,3})(?:\s|\u00a0|\u202f)ans\b(?! et plus)")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a CSV for French spreadsheets (the sandbox's one writer: formula-like cells neutralised).

    >>> csv_bytes(pd.DataFrame({"nom": ["=1+1"], "x": [-2.5]})).decode("utf-8-sig").splitlines()[1]
    "'=1+1;-2,5"
    """
    return to_csv_bytes(frame)


def bands_instead_of_ages(text: object) -> object:
    """Replace an exact age (« 104 ans ») by its band in a sentence.

    >>> bands_instead_of_ages("hospitalisation récente (+9 pts), 104 ans (+5 pts), 85 ans et plus")
    'hospitalisation récente (+9 pts), 85 ans et plus (+5 pts), 85 ans et plus'
    """
    if not isinstance(text, str):
        return text
    return _EXACT_AGE.sub(lambda m: age_band(pd.Series([int(m.group(1))])).iat[0], text)


def pseudonymised_export(visits: pd.DataFrame, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a visit list into a shareable export and a correspondence table to keep apart.

    Parameters
    ----------
    visits : DataFrame
        ``VisitPlan.to_frame()``: must have ``identifiant``; ``nom``,
        ``prénom`` and ``âge`` are removed (the age band stays), and exact
        ages in the factors' text become bands.
    key : bytes
        At least 16 bytes (:func:`sandbox.privacy.new_key`).

    Returns
    -------
    export : DataFrame
        ``pseudonyme`` first, no name, no identifier, no exact age, and the
        decision-support label on every row.
    correspondence : DataFrame
        ``pseudonyme`` → ``identifiant`` (to keep inside the CCAS, apart from the export).

    Examples
    --------
    >>> visits = pd.DataFrame({"identifiant": ["R1"], "nom": ["Dupont"], "âge": [104], "tranche d'âge": ["85 ans et plus"],
    ...                        "facteurs principaux": ["104 ans (+5 pts)"]})
    >>> export, keys = pseudonymised_export(visits, b"k" * 32)
    >>> list(export.columns), export["facteurs principaux"].iat[0], keys["identifiant"].tolist()
    (['pseudonyme', "tranche d'âge", 'facteurs principaux', 'nature'], '85 ans et plus (+5 pts)', ['R1'])
    """
    pseudonyms = np.asarray(pseudonymise(visits["identifiant"].to_numpy(dtype=object), key), dtype=object)
    export = visits.drop(columns=[c for c in ("identifiant", "nom", "prénom", "âge") if c in visits.columns]).copy()
    for column in export.columns:
        if export[column].dtype == object or pd.api.types.is_string_dtype(export[column]):
            export[column] = export[column].map(bands_instead_of_ages)
    export.insert(0, "pseudonyme", pseudonyms)
    export["nature"] = EXPORT_LABEL
    correspondence = pd.DataFrame({"pseudonyme": pseudonyms, "identifiant": visits["identifiant"].to_numpy()})
    return export, correspondence


__all__ = ["DECISION_SUPPORT_LABEL", "EXPORT_LABEL", "csv_bytes", "new_key", "pseudonymise", "pseudonymised_export"]
