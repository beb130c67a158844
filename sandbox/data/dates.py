"""Dates and times written the French way (``25/12/2024 08:30:00``) or in ISO 8601."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Tried in this order; the format that reads most of a sample is tried first.
FORMATS: tuple[str, ...] = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d/%m/%y %H:%M",
    "%d/%m/%y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "ISO8601",
)

# Labels the user recognises, for messages about mixed formats.
FORMAT_LABELS = {
    "%d/%m/%Y %H:%M:%S": "JJ/MM/AAAA hh:mm:ss",
    "%d/%m/%Y %H:%M": "JJ/MM/AAAA hh:mm",
    "%d/%m/%Y": "JJ/MM/AAAA",
    "%d/%m/%y %H:%M": "JJ/MM/AA hh:mm",
    "%d/%m/%y": "JJ/MM/AA",
    "%d-%m-%Y %H:%M:%S": "JJ-MM-AAAA hh:mm:ss",
    "%d-%m-%Y %H:%M": "JJ-MM-AAAA hh:mm",
    "%d-%m-%Y": "JJ-MM-AAAA",
    "%d.%m.%Y %H:%M": "JJ.MM.AAAA hh:mm",
    "%d.%m.%Y": "JJ.MM.AAAA",
    "%Y/%m/%d %H:%M:%S": "AAAA/MM/JJ hh:mm:ss",
    "%Y/%m/%d": "AAAA/MM/JJ",
    "ISO8601": "ISO 8601 (AAAA-MM-JJ…)",
    "excel": "numéro de série Excel",
    "native": "date du tableur",
}

TIMEZONE = "Europe/Paris"
_SAMPLE = 500


class ParsedDates(NamedTuple):
    """Result of :func:`parse_datetimes`."""

    values: pd.Series  # datetime64[ns], naive local time (Europe/Paris)
    invalid: pd.Series  # bool: a non-empty cell that is not a date
    formats: tuple[str, ...]  # the formats found, most frequent first


# pandas' nanosecond timestamps run from 1677-09-21 to 2262-04-11: whole days inside that range.
_MIN = pd.Timestamp("1677-09-22")
_MAX = pd.Timestamp("2262-04-10")
_EXCEL_MAX = (_MAX - pd.Timestamp("1899-12-30")).days


def _within_range(parsed: pd.Series) -> pd.Series:
    """Datetimes of any unit as ``datetime64[ns]``; those out of pandas' range become NaT.

    >>> _within_range(pd.Series(pd.to_datetime(["9999-12-31", "2024-01-02"]).as_unit("s"))).tolist()
    [NaT, Timestamp('2024-01-02 00:00:00')]
    """
    if parsed.dtype != "datetime64[ns]":
        values = parsed.to_numpy()
        inside = (values >= _MIN.to_datetime64()) & (values <= _MAX.to_datetime64())
        parsed = pd.Series(values, index=parsed.index).where(inside)
    return parsed.astype("datetime64[ns]")


def _to_local_naive(parsed: pd.Series) -> pd.Series:
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    return _within_range(parsed)


def _parse(text: pd.Series, fmt: str) -> pd.Series:
    if fmt == "ISO8601":
        has_offset = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        if has_offset.any():
            with_tz = pd.to_datetime(text[has_offset], format="ISO8601", errors="coerce", utc=True)
            out[has_offset] = _to_local_naive(with_tz)
        if (~has_offset).any():
            out[~has_offset] = _to_local_naive(
                pd.to_datetime(text[~has_offset], format="ISO8601", errors="coerce")
            )
        return out
    return _parse_strict(text, fmt)


_FIELDS = {"%d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%Y": r"\d{4}", "%y": r"\d{2}", "%H": r"\d{1,2}", "%M": r"\d{1,2}", "%S": r"\d{1,2}"}


def _fields_pattern(fmt: str) -> str:
    """RE2 pattern capturing the day and month of a strptime format."""
    pattern, i = "^", 0
    while i < len(fmt):
        if fmt[i] == "%" and fmt[i : i + 2] in _FIELDS:
            pattern += _FIELDS[fmt[i : i + 2]]
            i += 2
        else:
            pattern += "\\" + fmt[i] if not fmt[i].isalnum() else fmt[i]
            i += 1
    return pattern + "$"


def _parse_strict(text: pd.Series, fmt: str) -> pd.Series:
    """Parse with Arrow's fast strptime, then let pandas judge what Arrow bent.

    Arrow reads « 31/02/2024 » as 2 March: a value is kept only if its day
    and month are the ones written; pandas (strict) re-reads the others.
    """
    array = pa.array(text, type=pa.string(), from_pandas=True)
    fast = pc.strptime(array, format=fmt, unit="s", error_is_null=True)
    written = pc.extract_regex(array, _fields_pattern(fmt))
    same = pc.and_(
        pc.equal(pc.cast(pc.struct_field(written, "d"), pa.int64()), pc.day(fast)),
        pc.equal(pc.cast(pc.struct_field(written, "m"), pa.int64()), pc.month(fast)),
    )
    # The pattern also checks the width of the year: Arrow reads « 26 » for %Y as the year 26.
    same = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    fast = pc.if_else(pc.is_valid(written), fast, pa.scalar(None, fast.type))
    out = _within_range(pd.Series(fast.to_numpy(zero_copy_only=False), index=text.index))
    recheck = ~pd.Series(same, index=text.index) & text.notna()
    if recheck.any():
        again = pd.to_datetime(text[recheck], format=fmt, errors="coerce")
        out[recheck] = _within_range(again) if again.dtype.kind == "M" else pd.NaT
    return out


def parse_datetimes(values: pd.Series) -> ParsedDates:
    """Convert a column to timestamps, reading French and ISO formats.

    Day comes before month (``03/04/2024`` is 3 April). ISO timestamps
    with an offset are converted to Paris local time. Spreadsheet dates
    and Excel serial numbers are accepted as they are.

    Examples
    --------
    >>> parsed = parse_datetimes(pd.Series(["25/12/2024 08:30:00", "2024-12-26", "demain"]))
    >>> [str(v) for v in parsed.values], parsed.invalid.tolist()
    (['2024-12-25 08:30:00', '2024-12-26 00:00:00', 'NaT'], [False, False, True])
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        local = _to_local_naive(values)
        return ParsedDates(local, values.notna() & local.isna(), ("native",))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        serial = values.astype("float64")
        plausible = serial.between(1, _EXCEL_MAX)  # 1900-01-01 … pandas' last day
        out = pd.to_datetime(serial.where(plausible), unit="D", origin="1899-12-30", errors="coerce")
        out = _within_range(out)
        invalid = values.notna() & out.isna()
        return ParsedDates(out, invalid, ("excel",))

    text = values.astype("str").where(values.notna()).str.strip()
    text = text.where(text != "")
    present = text.notna()
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    counts: dict[str, int] = {}

    sample = text[present].head(_SAMPLE)
    scores = {fmt: int(_parse(sample, fmt).notna().sum()) for fmt in FORMATS} if len(sample) else {}
    ordered = sorted(FORMATS, key=lambda f: -scores.get(f, 0))
    remaining = present.copy()
    for fmt in ordered:
        if not remaining.any():
            break
        parsed = _parse(text[remaining], fmt)
        ok = parsed.notna()
        if ok.any():
            out[ok[ok].index] = parsed[ok]
            counts[fmt] = int(ok.sum())
            remaining[ok[ok].index] = False
    formats = tuple(sorted(counts, key=lambda f: -counts[f]))
    return ParsedDates(out, remaining, formats)


def describe_formats(formats: tuple[str, ...]) -> str:
    """French list of the formats found, e.g. ``JJ/MM/AAAA hh:mm, ISO 8601 (AAAA-MM-JJ…)``."""
    return ", ".join(FORMAT_LABELS.get(f, f) for f in formats)
