"""The user's choice for each flagged column: pseudonymise, drop or keep.

Examples
--------
>>> import pandas as pd
>>> from sandbox.privacy.pseudonym import Pseudonymiser
>>> df = pd.DataFrame({"Prénom": ["Marie", "Karim"], "Courriel": ["m@x.fr", "k@x.fr"], "n": [1, 2]})
>>> out = apply_choices(df, {"Prénom": "pseudonymise", "Courriel": "drop"}, Pseudonymiser(b"0" * 32))
>>> list(out.columns), bool(out["Prénom"].str.startswith("ps_").all()), out.attrs["privacy"]["dropped"]
(['Prénom', 'n'], True, ['Courriel'])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from sandbox.privacy.pseudonym import Pseudonymiser

Choice = Literal["pseudonymise", "drop", "keep"]
CHOICES: tuple[str, ...] = ("pseudonymise", "drop", "keep")

CHOICE_LABELS: dict[str, str] = {
    "pseudonymise": "Pseudonymiser",
    "drop": "Supprimer la colonne",
    "keep": "Conserver telle quelle",
}


def apply_choices(
    df: pd.DataFrame, choices: Mapping[str, str], pseudonymiser: Pseudonymiser | None = None
) -> pd.DataFrame:
    """Apply the user's choice for each flagged column: pseudonymise, drop or keep.

    Returns a new frame (the input is not modified) with the same index and
    ``attrs``; ``attrs["privacy"]`` records which columns were pseudonymised
    and dropped (names only).

    Raises
    ------
    ValueError
        For an unknown choice, or pseudonymisation asked without a pseudonymiser.
    """
    out = df.copy()
    pseudonymised, dropped = [], []
    for column, choice in choices.items():
        if choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r} for column {column!r}")
        if column not in out.columns or choice == "keep":
            continue
        if choice == "drop":
            out = out.drop(columns=[column])
            dropped.append(column)
        else:
            if pseudonymiser is None:
                raise ValueError("pseudonymisation needs a Pseudonymiser")
            out[column] = pseudonymiser.transform(out[column])
            pseudonymised.append(column)
    out.attrs = dict(df.attrs)
    out.attrs["privacy"] = {"pseudonymised": pseudonymised, "dropped": dropped}
    return out
