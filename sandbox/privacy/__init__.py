"""Personal data: detect it in a table, pseudonymise it with one keyed format.

- :mod:`sandbox.privacy.detect`: :func:`scan` a table, the value checks
  (:func:`is_phone`, :func:`is_valid_nir`…), :class:`PrivacyReport`;
- :mod:`sandbox.privacy.pseudonym`: the one keyed pseudonym (``ps_`` + 16
  hexadecimal characters of HMAC-SHA-256), :func:`pseudonymise`,
  :class:`Pseudonymiser`, :func:`correspondence_table`;
- :mod:`sandbox.privacy.choices`: the user's choice per flagged column
  (pseudonymise, drop, keep), :func:`apply_choices`.

The pages, the commands and the models all use this package; it never
imports Streamlit and never writes to disk.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"Prénom": ["Marie", "Karim", "Léa"],
...                    "Commune": ["Saint-Denis", "Paris", "Montreuil"],
...                    "Courriel": ["m.d@exemple.fr", "karim@exemple.fr", "lea@exemple.fr"]})
>>> report = scan(df)
>>> [(f.column, f.kind) for f in report.findings]
[('Prénom', 'name'), ('Courriel', 'email')]
>>> out = apply_choices(df, {"Prénom": "pseudonymise", "Courriel": "drop"}, Pseudonymiser(b"0" * 32))
>>> list(out.columns), bool(out["Prénom"].str.startswith("ps_").all())
(['Prénom', 'Commune'], True)
"""

from sandbox.privacy.choices import CHOICE_LABELS, CHOICES, Choice, apply_choices
from sandbox.privacy.detect import (
    KIND_LABELS,
    SAMPLE_SIZE,
    Finding,
    Kind,
    PrivacyReport,
    fold,
    has_email,
    is_phone,
    is_street_address,
    is_valid_nir,
    looks_like_person_name,
    mask,
    nir_key,
    scan,
)
from sandbox.privacy.pseudonym import (
    LENGTH,
    PREFIX,
    Pseudonymiser,
    correspondence_table,
    key_from_secret,
    keyed_hash,
    new_key,
    normalise,
    pseudonym,
    pseudonymise,
)

__all__ = [
    "CHOICES",
    "CHOICE_LABELS",
    "Choice",
    "Finding",
    "KIND_LABELS",
    "Kind",
    "LENGTH",
    "PREFIX",
    "PrivacyReport",
    "Pseudonymiser",
    "SAMPLE_SIZE",
    "apply_choices",
    "correspondence_table",
    "fold",
    "has_email",
    "is_phone",
    "is_street_address",
    "is_valid_nir",
    "key_from_secret",
    "keyed_hash",
    "looks_like_person_name",
    "mask",
    "new_key",
    "nir_key",
    "normalise",
    "pseudonym",
    "pseudonymise",
    "scan",
]
