"""The one French CSV writer of the app: what a spreadsheet opens as it is, and cannot run.

Every table the app or the command line writes as CSV goes through
:func:`to_csv_bytes` (or :func:`write_csv`): semicolon-separated, decimal
commas, UTF-8 with a byte-order mark (so Excel and LibreOffice pick the right
encoding), Windows line ends.

Cells come from uploads, so they are untrusted: a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by the
spreadsheet as a formula (« formula injection »: ``=HYPERLINK(…)``,
``=cmd|…``). Such a cell is written with a leading apostrophe, which the
spreadsheet shows as text. Real numbers, negative ones included, are left as
numbers; only text is touched.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"nom": ["=1+1", "Dupont", "-3"], "solde": [-2.5, 10.0, 3.25]})
>>> for line in to_csv_bytes(frame).decode("utf-8-sig").splitlines():
...     print(line)
nom;solde
'=1+1;-2,5
Dupont;10,0
'-3;3,25
>>> to_csv_bytes(frame)[:3] == b"\\xef\\xbb\\xbf"
True
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

SEPARATOR = ";"
DECIMAL = ","
LINE_END = "\r\n"
ENCODING = "utf-8-sig"


def safe_cell(value: object) -> object:
    """Return *value* as a spreadsheet shows it as plain text: a formula-like string gets a leading ``'``.

    Anything that is not a string (numbers, dates, missing values) is returned unchanged.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("@SUM(A1)"), safe_cell("+33 6 12"), safe_cell("\\tx")
    ("'@SUM(A1)", "'+33 6 12", "'\\tx")
    >>> safe_cell("Dupont"), safe_cell(-4), safe_cell(-4.5), safe_cell(None)
    ('Dupont', -4, -4.5, None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _safe_column(column: pd.Series) -> pd.Series:
    """The column with its formula-like text cells neutralised (numeric columns are returned as they are)."""
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    first = column.str[:1] if _has_str_accessor(column) else column.map(lambda v: v[:1] if isinstance(v, str) else None)
    risky = first.isin(FORMULA_TRIGGERS).to_numpy(dtype=bool, na_value=False)
    if not risky.any():
        return column
    column = column.astype(object).copy()
    column[risky] = "'" + column[risky].astype(str)
    return column


def _has_str_accessor(column: pd.Series) -> bool:
    try:
        column.str  # noqa: B018 - raises AttributeError on columns without text
    except AttributeError:
        return False
    return True


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of *frame* whose text cells and column names cannot be read as formulas.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"-x": ["-1", "a"], "n": [-1, 2]})).to_dict("list")
    {"'-x": ["'-1", 'a'], 'n': [-1, 2]}
    """
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _safe_column(out.iloc[:, position]))
    out.columns = [safe_cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv_bytes(
    frame: pd.DataFrame,
    *,
    decimal: str = DECIMAL,
    date_format: str | None = None,
    index: bool = False,
    header: bool = True,
) -> bytes:
    """The table as the bytes of a French CSV file, formulas neutralised.

    Parameters
    ----------
    frame : DataFrame
        The table; text cells may come from an upload.
    decimal : str
        Decimal mark of the floats (a comma by default).
    date_format : str, optional
        ``strftime`` format of the date-time columns (ISO by default).
    index : bool
        Write the index as a first column (not by default).
    header : bool
        Write the column names as a first line.

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark, ``;``-separated, ``\\r\\n`` line ends.

    Examples
    --------
    >>> import pandas as pd
    >>> to_csv_bytes(pd.DataFrame({"a": [1.5]}))
    b'\\xef\\xbb\\xbfa\\r\\n1,5\\r\\n'
    """
    text = neutralise(frame).to_csv(
        sep=SEPARATOR,
        decimal=decimal,
        date_format=date_format,
        index=index,
        header=header,
        lineterminator=LINE_END,
    )
    return text.encode(ENCODING)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, **options) -> Path:
    """Write *frame* to *path* with :func:`to_csv_bytes` (same options); return the path.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_csv(pd.DataFrame({"x": ["@a"]}), pathlib.Path(folder) / "t.csv")
    ...     out.read_bytes()
    b"\\xef\\xbb\\xbfx\\r\\n'@a\\r\\n"
    """
    out = Path(path)
    out.write_bytes(to_csv_bytes(frame, **options))
    return out
