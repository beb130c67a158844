"""Pseudonymised exports: a keyed hash instead of the identity, and the correspondence kept apart."""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd

from sandbox.privacy import keyed_hash

#: Shown above every list and written in every exported row.
DECISION_SUPPORT_LABEL = (
    "Aide à la décision : liste proposée par un modèle statistique, à vérifier et à valider par un agent ; "
    "aucune décision ne doit reposer sur ce seul score."
)
EXPORT_LABEL = "proposition à valider par un agent"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a CSV for French spreadsheets: ``;`` separator, decimal comma, UTF-8 with BOM."""
    return frame.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n").encode("utf-8-sig")


def new_key() -> bytes:
    """A fresh secret key (32 random bytes) for :func:`pseudonymise`; keep it with the correspondence table."""
    return secrets.token_bytes(32)


def pseudonymise(ids, key: bytes, *, prefix: str = "P-", length: int = 12) -> np.ndarray:
    """Replace identifiers by keyed hashes (HMAC-SHA256), stable for a given key.

    Without the key, a pseudonym cannot be traced back to the identifier, even
    by trying every plausible identifier; with it (kept by the CCAS, apart
    from the export) the link can be restored. This is pseudonymisation in
    the sense of GDPR art. 4(5): the data stay personal data.

    Examples
    --------
    >>> a = pseudonymise(["R001", "R002"], b"secret")
    >>> b = pseudonymise(["R001"], b"secret")
    >>> a[0] == b[0], a[0] != a[1], len(a[0])
    (True, True, 14)
    """
    if not key:
        raise ValueError("a non-empty key is required")
    out = [
        prefix + keyed_hash(str(i), key, length).upper()
        for i in np.asarray(ids, dtype=object)
    ]
    return np.asarray(out, dtype=object)


def pseudonymised_export(visits: pd.DataFrame, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a visit list into a shareable export and a correspondence table to keep apart.

    Parameters
    ----------
    visits : DataFrame
        ``VisitPlan.to_frame()``: must have ``identifiant``; ``nom``,
        ``prénom`` and ``âge`` are removed (age becomes the age band).
    key : bytes

    Returns
    -------
    export : DataFrame
        ``pseudonyme`` first, no name, no identifier, no exact age, and the
        decision-support label on every row.
    correspondence : DataFrame
        ``pseudonyme`` → ``identifiant`` (to keep inside the CCAS).
    """
    pseudonyms = pseudonymise(visits["identifiant"], key)
    export = visits.drop(columns=[c for c in ("identifiant", "nom", "prénom", "âge") if c in visits.columns]).copy()
    export.insert(0, "pseudonyme", pseudonyms)
    export["nature"] = EXPORT_LABEL
    correspondence = pd.DataFrame({"pseudonyme": pseudonyms, "identifiant": visits["identifiant"].to_numpy()})
    return export, correspondence
