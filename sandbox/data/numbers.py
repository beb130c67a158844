"""Numbers written the French way (``3,5``, ``1 234,50``) or the English way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# RE2 patterns (Arrow's regex engine): vectorised, no per-cell Python.
_SPACES = ("\u0020", "\u00a0", "\u202f", "\u2009")
_SPACE_GROUPS = r"^[+-]?\d{1,3}(?:[ \x{a0}\x{202f}\x{2009}]\d{3})+(?:,\d*)?$"
_DECIMAL_COMMA = r"^[+-]?(?:\d+,\d*|,\d+)$"
_DOT_GROUPS_DECIMAL_COMMA = r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$"
_COMMA_GROUPS_DECIMAL_DOT = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$"
_SIMPLE = r"^[+-]?\d+(?:[.,]\d+)?$"
_PLAIN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def _where(mask: pa.Array, then: pa.Array, otherwise: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), then, otherwise)


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
    index = values.index
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numbers = values.astype("float64")
        finite = np.isfinite(numbers.to_numpy())
        return numbers.where(finite), pd.Series(values.notna().to_numpy() & ~finite, index=index)
    if values.dtype == object:
        values = values.map(lambda v: v if isinstance(v, str) or pd.isna(v) else str(v))
    text = pc.utf8_trim_whitespace(pa.array(values, type=pa.string(), from_pandas=True))
    text = pc.replace_substring(text, "\u2212", "-")
    text = _where(pc.equal(text, ""), pa.nulls(len(text), pa.string()), text)
    present = pc.is_valid(text)

    # Fast path, the usual case: every cell is ``123``, ``3,5`` or ``3.5``.
    simple = pc.match_substring_regex(text, _SIMPLE)
    if pc.all(pc.or_kleene(simple, pc.invert(present))).as_py() is not False:
        parsed = pc.cast(pc.replace_substring(text, ",", "."), pa.float64())
        numbers = parsed.to_numpy(zero_copy_only=False).astype("float64")
        return pd.Series(numbers, index=index), pd.Series(False, index=index)

    grouped = pc.match_substring_regex(text, _SPACE_GROUPS)
    no_spaces = text
    for space in _SPACES:
        no_spaces = pc.replace_substring(no_spaces, space, "")
    text = _where(grouped, no_spaces, text)

    comma = pc.match_substring_regex(text, _DECIMAL_COMMA)
    text = _where(comma, pc.replace_substring(text, ",", "."), text)
    dot_groups = pc.match_substring_regex(text, _DOT_GROUPS_DECIMAL_COMMA)
    text = _where(dot_groups, pc.replace_substring(pc.replace_substring(text, ".", ""), ",", "."), text)
    comma_groups = pc.match_substring_regex(text, _COMMA_GROUPS_DECIMAL_DOT)
    text = _where(comma_groups, pc.replace_substring(text, ",", ""), text)

    valid = pc.fill_null(pc.match_substring_regex(text, _PLAIN), False)
    parsed = pc.cast(_where(valid, text, pa.nulls(len(text), pa.string())), pa.float64())
    numbers = parsed.to_numpy(zero_copy_only=False).astype("float64")
    finite = np.isfinite(numbers)  # 1e999 overflows to inf: not a usable number
    invalid = present.to_numpy(zero_copy_only=False) & ~finite
    return pd.Series(np.where(finite, numbers, np.nan), index=index), pd.Series(invalid, index=index)


def looks_numeric(values: pd.Series) -> bool:
    """True if every non-empty cell of a text column is a number."""
    if values.notna().sum() == 0:
        return False
    _, invalid = parse_numbers(values)
    return not bool(invalid.any())
