"""Column mapping: which column of the user's file holds each expected column.

The suggestion ignores case, accents, spaces and punctuation, knows common
synonyms (lat/latitude, conso/consommation…) and falls back on fuzzy
matching. The user confirms it in the shared widget (``sandbox.ui``) or
overrides it on the command line (``--col EXPECTED=ACTUAL``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from rapidfuzz import fuzz

from sandbox.text import strip_accents


class ExpectedColumn(Protocol):
    """What the mapping reads of an expected column (``sandbox.data.Column`` has it)."""

    name: str
    label: str
    synonyms: tuple[str, ...]


def _expected(schema: object) -> tuple[ExpectedColumn, ...]:
    """The expected columns: a schema's ``columns``, or the columns themselves (no import of ``schema``)."""
    return tuple(getattr(schema, "columns", schema))

# Words that mean the same thing in the column headers of French exports.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "latitude": ("lat", "y", "coord y", "gps lat", "wgs84 lat"),
    "longitude": ("lon", "lng", "long", "x", "coord x", "gps lon", "wgs84 lon"),
    "consommation": ("conso", "consumption", "volume consomme"),
    "volume": ("vol", "conso", "consommation", "diff", "volume l", "litres"),
    "identifiant": ("id", "identifier", "code", "numero", "num", "no", "ref", "reference"),
    "commune": ("ville", "city", "nom commune", "libelle commune", "localite"),
    "code insee": ("insee", "code commune", "cog", "code geo", "codgeo", "depcom"),
    "date": ("jour", "day", "horodatage", "datetime", "timestamp", "date heure", "date releve"),
    "population": ("pop", "habitants", "nb habitants", "pmun"),
    "capacite": ("capacity", "cap"),
    "age": ("age ans", "annees"),
    "sexe": ("genre", "sex", "gender"),
}


def normalise_name(name: object) -> str:
    """Lower-case, accent-free, single-spaced version of a column name.

    >>> normalise_name("  Consommation_(m³) ")
    'consommation m3'
    """
    text = strip_accents(str(name)).lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def _candidates(expected: str, synonyms: Iterable[str]) -> set[str]:
    names = {normalise_name(expected), *(normalise_name(s) for s in synonyms)}
    for word in list(names):
        names.update(normalise_name(s) for s in SYNONYMS.get(word, ()))
    return {n for n in names if n}


def _score(actual: str, candidates: set[str]) -> float:
    """100 for an exact match, then containment, then fuzzy similarity."""
    if actual in candidates:
        return 100.0
    best = 0.0
    words = set(actual.split())
    for cand in candidates:
        if len(cand) >= 3 and (cand in words or set(cand.split()) <= words):
            best = max(best, 90.0)
        elif len(cand) >= 4 and len(actual) >= 4:
            best = max(best, fuzz.ratio(actual, cand) * 0.9)
    return best


def suggest_mapping(
    columns: Iterable[object], schema: Iterable[ExpectedColumn] | object, threshold: float = 80.0
) -> dict[str, str | None]:
    """Suggest, for each column of *schema*, the user's column that holds it.

    Parameters
    ----------
    columns : iterable of str
        The column names of the user's table.
    schema : Schema or iterable of Column
        The expected columns (a schema, or its ``columns``).
    threshold : float
        Minimum score (0-100) to suggest a column; exact and synonym
        matches score 100, a header containing the name 90.

    Returns
    -------
    dict
        ``{expected: actual or None}``; each actual column is used once.

    Examples
    --------
    >>> from sandbox.data.schema import Column, Schema
    >>> schema = Schema("points", (Column("latitude", "latitude"), Column("longitude", "longitude")))
    >>> suggest_mapping(["Lat", "LNG", "nom"], schema)
    {'latitude': 'Lat', 'longitude': 'LNG'}
    >>> suggest_mapping(["Lat"], schema.columns)
    {'latitude': 'Lat', 'longitude': None}
    """
    expected = _expected(schema)
    actual_names = [str(c) for c in columns]
    normalised = {a: normalise_name(a) for a in actual_names}
    pairs = []
    for col in expected:
        cands = _candidates(col.name, (*col.synonyms, col.label))
        for actual in actual_names:
            score = _score(normalised[actual], cands)
            if score >= threshold:
                pairs.append((score, col.name, actual))
    mapping: dict[str, str | None] = {c.name: None for c in expected}
    used: set[str] = set()
    for score, expected, actual in sorted(pairs, key=lambda p: -p[0]):
        if mapping[expected] is None and actual not in used:
            mapping[expected] = actual
            used.add(actual)
    return mapping


def complete_mapping(
    columns: Iterable[object], schema: Iterable[ExpectedColumn] | object, mapping: Mapping[str, str | None] | None = None
) -> dict[str, str | None]:
    """The user's mapping where given (``None`` meaning "absent"), the suggestion elsewhere.

    *schema* is a schema or its columns, as for :func:`suggest_mapping`.
    """
    expected = _expected(schema)
    columns = [str(c) for c in columns]
    given = dict(mapping or {})
    taken = {v for v in given.values() if v}
    remaining = [c for c in columns if c not in taken]
    suggested = suggest_mapping(remaining, expected)
    return {c.name: given[c.name] if c.name in given else suggested[c.name] for c in expected}


def parse_mapping_options(options: Iterable[str]) -> dict[str, str | None]:
    """Read ``EXPECTED=ACTUAL`` command-line options into a mapping.

    ``EXPECTED=`` (nothing after the sign) says the column is absent.

    >>> parse_mapping_options(["meter=user key", "volume=diff"])
    {'meter': 'user key', 'volume': 'diff'}
    """
    from sandbox.data.errors import DataError

    mapping: dict[str, str | None] = {}
    for option in options:
        expected, sep, actual = option.partition("=")
        if not sep or not expected.strip():
            raise DataError(
                f"option --col mal écrite : « {option} »",
                hint="Écrivez --col COLONNE_ATTENDUE=COLONNE_DU_FICHIER, par exemple --col volume=diff.",
            )
        mapping[expected.strip()] = actual.strip() or None
    return mapping
