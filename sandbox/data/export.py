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

import codecs
import os
from pathlib import Path

import numpy as np
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
    safe = neutralise(frame)
    fast = None if index else _fast_csv_bytes(safe, decimal, header, prefix=codecs.BOM_UTF8)
    if fast is not None:
        return fast
    text = safe.to_csv(
        sep=SEPARATOR,
        decimal=decimal,
        date_format=date_format,
        index=index,
        header=header,
        lineterminator=LINE_END,
    )
    return text.encode(ENCODING)


#: The characters that make Python's ``csv`` writer (``QUOTE_MINIMAL``, ``"`` doubled, line end ``\r\n``)
#: quote a cell, as an RE2 class for Arrow.
_NEEDS_QUOTES = f'[{SEPARATOR}"\\r\\n]'


def _quoted(text):
    """The cells of *text* (an Arrow ``large_string`` array, no nulls) as the ``csv`` writer of
    :meth:`DataFrame.to_csv` writes them: in double quotes, inner quotes doubled, when they hold one of
    :data:`_NEEDS_QUOTES`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    must = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(must).as_py():
        return text
    mark = pa.scalar('"', type=pa.large_string())
    quoted = pc.binary_join_element_wise(mark, pc.replace_substring(text, '"', '""'), mark, pa.scalar("", type=pa.large_string()))
    return pc.if_else(must, quoted, text)


def _float_cells(values: np.ndarray, decimal: str):
    """The cells of a float column as pandas writes them (Arrow, quoted): NaN empty, else the text of the value.

    pandas writes ``values.astype(str)`` with a decimal point, and ``str(value)``
    of each NumPy scalar, first point replaced by *decimal*, otherwise; both are
    done here once per distinct bit pattern (``-0.0`` and ``0.0`` stay apart),
    then spread by Arrow.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = np.isnan(values)
    distinct, inverse = np.unique(values.view(f"u{values.dtype.itemsize}"), return_inverse=True)
    distinct = distinct.view(values.dtype)
    if decimal == ".":
        words = distinct.astype(str).tolist()
    else:
        words = [str(v).replace(".", decimal, 1) for v in distinct]
    inverse = inverse.reshape(-1)
    inverse[missing] = len(words)  # the empty cell of the missing values
    words = _quoted(pa.array([*words, ""], type=pa.large_string()))
    return pc.take(words, pa.array(inverse))


def _column_cells(column: pd.Series, decimal: str):
    """The cells of one column as :meth:`DataFrame.to_csv` writes them (an Arrow ``large_string`` array,
    quoted), or ``None`` if the column is not a plain number, boolean or text column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = column.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f":
            return _float_cells(column.to_numpy(), decimal)
        if dtype.kind in "iu":  # Arrow writes integers as Python does; nothing to quote
            return pa.array(column.to_numpy()).cast(pa.large_string())
        if dtype.kind == "b":  # "True" / "False" (Arrow would write "true")
            return pa.array(column.to_numpy().astype(str), type=pa.large_string())
        if dtype.kind != "O":
            return None
        values = column.to_numpy()
        # Numbers or other objects in a text column: pandas' own path ("empty": missing values only).
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
    elif isinstance(dtype, pd.StringDtype):
        text = pa.array(column.array)
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        text = text.cast(pa.large_string())
    else:
        return None
    return _quoted(pc.fill_null(text, ""))


def _fast_csv_bytes(frame: pd.DataFrame, decimal: str, header: bool, prefix: bytes = b"") -> bytes | None:
    """*prefix* then the UTF-8 bytes :meth:`DataFrame.to_csv` writes for *frame* (no index), built column
    by column with Arrow; ``None`` when the frame has a column this path does not cover (dates, categories,
    nullable numbers, mixed objects…) or text Arrow cannot hold (lone surrogates): pandas' writer then does it.

    The output is the same, byte for byte (``tests/unit/test_export.py`` compares it with pandas' writer).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n_rows, n_columns = frame.shape
    # One column: the csv writer quotes a lone empty cell; no rows: nothing to gain.
    if n_columns < 2 or n_rows == 0 or isinstance(frame.columns, pd.MultiIndex):
        return None
    if not all(type(c) is str for c in frame.columns):
        return None

    def text(value: str):
        return pa.scalar(value, type=pa.large_string())

    try:
        names = _quoted(pa.array(list(frame.columns), type=pa.large_string())).to_pylist()
        columns = []
        for position in range(n_columns):
            cells = _column_cells(frame.iloc[:, position], decimal)
            if cells is None:
                return None
            columns.append(cells)
        columns[-1] = pc.binary_join_element_wise(columns[-1], text(LINE_END), text(""))
        rows = pc.binary_join_element_wise(*columns, text(SEPARATOR))
    except (pa.ArrowException, UnicodeError):
        return None
    del columns
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + len(rows) + 1]
    body = rows.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    head = (SEPARATOR.join(names) + LINE_END).encode("utf-8") if header else b""
    return b"".join((prefix, head, body))  # one copy of the body


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
