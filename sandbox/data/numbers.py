"""Numbers written the French way (``3,5``, ``1 234,50``) or the English way."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A space of any kind between digit groups: normal, no-break, narrow no-break, thin.
_GROUP_SPACE = r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(?:\D|$))"
_PLAIN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_DECIMAL_COMMA = r"^[+-]?(?:\d+,?\d*|,\d+)$"
_DOT_GROUPS_DECIMAL_COMMA = r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
_COMMA_GROUPS_DECIMAL_DOT = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$"


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Convert a column to floats, reading French and English number formats.

    Accepts decimal commas (``3,5``), spaces between thousands (``1 234``,
    with normal, no-break or narrow no-break spaces), ``1.234,5`` and
    ``1,234.5``. A lone ``1,234`` is read as the French 1.234.

    Returns
    -------
    numbers : Series of float64
        NaN where the cell was empty or not a number.
    invalid : Series of bool
        True where the cell held something that is not a number.

    Examples
    --------
    >>> numbers, invalid = parse_numbers(pd.Series(["3,5", "1 234", "abc", None]))
    >>> numbers.tolist()[:2], invalid.tolist()
    ([3.5, 1234.0], [False, False, True, False])
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64"), pd.Series(False, index=values.index)
    text = values.astype("str").where(values.notna()).str.strip()
    text = text.where(text != "")
    present = text.notna()
    text = text.str.replace("\u2212", "-", regex=False).str.replace(_GROUP_SPACE, "", regex=True)

    cleaned = text.copy()
    decimal_comma = text.str.match(_DECIMAL_COMMA, na=False) & ~text.str.match(_PLAIN, na=False)
    cleaned[decimal_comma] = text[decimal_comma].str.replace(",", ".", regex=False)
    dot_groups = text.str.match(_DOT_GROUPS_DECIMAL_COMMA, na=False)
    cleaned[dot_groups] = text[dot_groups].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    comma_groups = text.str.match(_COMMA_GROUPS_DECIMAL_DOT, na=False)
    cleaned[comma_groups] = text[comma_groups].str.replace(",", "", regex=False)

    numbers = pd.to_numeric(cleaned.where(present), errors="coerce").astype("float64")
    finite = pd.Series(np.isfinite(numbers.to_numpy()), index=numbers.index)
    invalid = present & ~finite
    numbers = numbers.where(finite)
    return numbers, invalid


def looks_numeric(values: pd.Series) -> bool:
    """True if every non-empty cell of a text column is a number."""
    if values.notna().sum() == 0:
        return False
    _, invalid = parse_numbers(values)
    return not bool(invalid.any())
