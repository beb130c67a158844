"""The one keyed pseudonymisation of the sandbox, with one format.

A pseudonym is ``ps_`` followed by 16 lower-case hexadecimal characters of
HMAC-SHA-256(key, value). Values are compared after Unicode NFKC
normalisation, case folding and removal of spaces (« DUPONT Marie » and
« dupont marie », « R 001 » and « r001 » get the same pseudonym), dates by
their day. The same value gets the same pseudonym for one key, across the
tables of a session or the rows of an export; without the key, nobody can
trace a pseudonym back to its value, even by trying every NIR or phone
number; with a new key, every pseudonym changes. This is pseudonymisation
in the sense of GDPR art. 4(5): the data stay personal data, and the key
(or the correspondence table) must be kept apart from the export.

Used by the upload guard (:class:`Pseudonymiser`), the matching export
and the seniors' visit list (:func:`pseudonymise`,
:func:`correspondence_table`).

Examples
--------
>>> key = b"k" * 32
>>> pseudonymise(["R001", "R002", "R001"], key).tolist() == [pseudonym("R001", key), pseudonym("R002", key), pseudonym("R001", key)]
True
>>> pseudonym("R001", key)[:3], len(pseudonym("R001", key))
('ps_', 19)
>>> correspondence_table(["R001", "R002", "R001"], key)["identifiant"].tolist()
['R001', 'R002']
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from sandbox.privacy._values import as_text

PREFIX = "ps_"
LENGTH = 16  # hexadecimal characters after the prefix: 64 bits
MIN_KEY_BYTES = 16
_SECRET_SALT = b"bac-a-sable-ia/pseudonym/v1"
_SECRET_ROUNDS = 200_000


def new_key() -> bytes:
    """A fresh random 256-bit key (kept in memory by the caller, never written by this package)."""
    return secrets.token_bytes(32)


def key_from_secret(secret: str | bytes) -> bytes:
    """A 256-bit key derived from a pass phrase (PBKDF2-HMAC-SHA-256, fixed salt).

    For a secret a person types or keeps in a file (``match --pseudonymiser``).
    The same secret gives the same key, so pseudonyms can be compared between
    two exports. A short secret can be guessed: prefer :func:`new_key`.

    Raises
    ------
    ValueError
        For an empty secret.

    >>> key_from_secret("phrase secrète") == key_from_secret("phrase secrète".encode())
    True
    >>> len(key_from_secret("x"))
    32
    """
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if not raw.strip():
        raise ValueError("the pseudonymisation secret is empty")
    return hashlib.pbkdf2_hmac("sha256", raw, _SECRET_SALT, _SECRET_ROUNDS)


def keyed_hash(text: str, key: bytes, length: int = LENGTH) -> str:
    """The first *length* hexadecimal characters of HMAC-SHA-256(key, text).

    The one keyed hash behind every pseudonym of the sandbox.

    >>> keyed_hash("R001", b"secret", 8) == keyed_hash("R001", b"secret", 8) != keyed_hash("R002", b"secret", 8)
    True
    """
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def normalise(value: object) -> str | None:
    """The text a pseudonym is computed from (None for an empty cell).

    >>> normalise(" DUPONT  Marie "), normalise(12.0), normalise(pd.Timestamp("2026-03-02 10:00")), normalise(None)
    ('dupontmarie', '12', '2026-03-02', None)
    """
    if isinstance(value, (pd.Timestamp, date)):
        if pd.isna(value):
            return None
        return pd.Timestamp(value).date().isoformat()
    text = as_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\s+", "", text) or None


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes (use new_key() or key_from_secret())")
    return bytes(key)


def pseudonym(value: object, key: bytes) -> str | None:
    """The pseudonym of one value for *key* (None for an empty cell).

    >>> p = pseudonym("Marie Dupont", b"k" * 32)
    >>> p == pseudonym(" marie  DUPONT ", b"k" * 32), p == pseudonym("Marie Dupont", b"j" * 32)
    (True, False)
    """
    text = normalise(value)
    if text is None:
        return None
    return PREFIX + keyed_hash(text, _check_key(key), LENGTH)


class Pseudonymiser:
    """Keyed hashing of values, the key kept private: ``ps_`` + 16 hexadecimal characters.

    Parameters
    ----------
    key : bytes
        At least 16 bytes; use :func:`new_key` (or :func:`key_from_secret`).

    Examples
    --------
    >>> p = Pseudonymiser(b"k" * 32)
    >>> p.pseudonym("Marie Dupont") == p.pseudonym(" marie  DUPONT ") == pseudonym("Marie Dupont", b"k" * 32)
    True
    >>> p.pseudonym("Marie Dupont") == Pseudonymiser(b"j" * 32).pseudonym("Marie Dupont")
    False
    >>> p.transform(pd.Series(["a", None, "a"])).isna().tolist()
    [False, True, False]
    """

    def __init__(self, key: bytes) -> None:
        self.__key = _check_key(key)

    def __repr__(self) -> str:
        return f"Pseudonymiser(fingerprint={self.fingerprint!r})"

    @property
    def fingerprint(self) -> str:
        """A short public digest of the key (to key caches), which reveals nothing of it."""
        return hmac.new(self.__key, b"sandbox-fingerprint", hashlib.sha256).hexdigest()[:12]

    def pseudonym(self, value: object) -> str | None:
        """The pseudonym of one value (None for an empty cell)."""
        return pseudonym(value, self.__key)

    def transform(self, values: pd.Series | Iterable[object]) -> pd.Series | np.ndarray:
        """Pseudonymise a column (each distinct value is hashed once).

        A Series gives a Series with the same index and name; anything else
        an object array.
        """
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        table = np.array([self.pseudonym(u) for u in uniques] + [None], dtype=object)
        out = table[codes]
        if isinstance(values, pd.Series):
            return pd.Series(out, index=values.index, name=values.name, dtype=object)
        return out


def _pseudonymiser(key: bytes | str | Pseudonymiser) -> Pseudonymiser:
    if isinstance(key, Pseudonymiser):
        return key
    if isinstance(key, str):
        return Pseudonymiser(key_from_secret(key))
    return Pseudonymiser(key)


def pseudonymise(values: pd.Series | Iterable[object], key: bytes | str | Pseudonymiser) -> pd.Series | np.ndarray:
    """Replace each value by its pseudonym (see the module's format).

    Parameters
    ----------
    values : Series or iterable
        Identifiers, names, any cells; empty cells stay empty (None).
    key : bytes, str or Pseudonymiser
        A key of at least 16 bytes, a secret phrase (derived with
        :func:`key_from_secret`) or a :class:`Pseudonymiser`.

    Returns
    -------
    Series or ndarray
        A Series (same index and name) for a Series, else an object array.

    Examples
    --------
    >>> out = pseudonymise(pd.Series(["C7", "C7", "C8"], index=[5, 6, 7], name="id"), "clé de test")
    >>> out.index.tolist(), out.name, out.nunique(), out.iloc[0] == out.iloc[1]
    ([5, 6, 7], 'id', 2, True)
    """
    return _pseudonymiser(key).transform(values)


def correspondence_table(values: pd.Series | Iterable[object], key: bytes | str | Pseudonymiser) -> pd.DataFrame:
    """The table to keep apart from an export: one row per distinct value (first-seen order).

    Columns ``pseudonyme`` and ``identifiant``; empty cells are left out.

    >>> correspondence_table(["b", "a", "b", None], b"k" * 32).columns.tolist()
    ['pseudonyme', 'identifiant']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    unique = pd.unique(series.dropna())
    pseudo = _pseudonymiser(key).transform(pd.Series(unique, dtype=object))
    table = pd.DataFrame({"pseudonyme": pseudo.to_numpy(), "identifiant": unique})
    return table.dropna(subset=["pseudonyme"]).reset_index(drop=True)
