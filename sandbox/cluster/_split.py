"""One large readings file split by meter into partition files, streamed (pyarrow), meters kept in file order.

Two passes over the file, one record batch at a time: the first reads the
meter column only and learns the meters in order of first appearance with
their number of readings; the meters are then cut into *n* consecutive
ranges of about the same number of readings; the second pass appends each
row to its range's file. A partition file thus holds whole meters, in the
order of the file, so that the partitions analysed one after the other give
the meters in the order one run would. CSV cells are copied as text (the
workers read the partition files with the same reader and checks as one
run); Parquet keeps its types. Each row carries its place in the original
file in one more column, :data:`ROW_COLUMN`, so that a worker names a bad
row by its line in the user's file (:func:`read_part`), as one run does;
blank rows, which one run skips, are left out.

Examples
--------
>>> import argparse, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "r.csv").write_text("compteur;date;volume\\nB;01/03/2025 01:00;1,5\\nA;01/03/2025 01:00;2\\nB;01/03/2025 02:00;0\\n")
>>> args = argparse.Namespace(col=[])
>>> parts = split_by_meter(root / "r.csv", args, root / "parts", 2)
>>> [p.read_text().replace('"', '').splitlines()[1:] for p in parts]  # cells copied as text, then the row
[['B;01/03/2025 01:00;1,5;0', 'B;01/03/2025 02:00;0;2'], ['A;01/03/2025 01:00;2;1']]
>>> read_part(parts[1], args, "r.csv").row.tolist()  # the spreadsheet row in r.csv (header = 1)
[3]
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.data import DataError, complete_mapping, parse_mapping_options
from sandbox.data.read import CSV_EXTENSIONS, NULL_VALUES
from sandbox.data.schemas.water import READINGS
from sandbox.text import num, q

ROW_COLUMN = "__ligne_source__"
"""Column added to the partition files: the row's 0-based index among the data rows of the original file."""

BATCH_BYTES = 64 << 20
"""Bytes of CSV read at once."""

DELIMITERS = (";", ",", "\t", "|")


def can_split(path: Path) -> bool:
    """A CSV or Parquet file (workbooks are read whole)."""
    return path.suffix.lower() in CSV_EXTENSIONS or path.suffix.lower() == ".parquet"


def _encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head[: head.rfind(b"\n") + 1].decode("utf-8")
        return "utf8"
    except UnicodeDecodeError:
        return "cp1252"


class _Csv:
    """The CSV as text columns, batch by batch."""

    blank = NULL_VALUES  # read_table reads these cells as empty

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
        self.path = path
        self.encoding = _encoding(head)
        text = head.decode("utf-16" if self.encoding == "utf-16" else self.encoding, errors="replace").lstrip("\ufeff")
        first = text.splitlines()[0] if text else ""
        self.delimiter = max(DELIMITERS, key=first.count)
        self.columns = next(csv.reader([first], delimiter=self.delimiter))
        lines = text.split("\n")[:-1]
        self.multiline = any(line.count('"') % 2 for line in lines)

    def batches(self, columns: list[str] | None = None):
        import pyarrow.csv as pcsv

        reader = pcsv.open_csv(
            self.path,
            read_options=pcsv.ReadOptions(block_size=BATCH_BYTES, encoding="utf8" if self.encoding == "utf-8-sig" else self.encoding),
            parse_options=pcsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=self.multiline),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in self.columns}, include_columns=columns,
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            yield batch

    def writer(self, path: Path, schema: pa.Schema):
        import pyarrow.csv as pcsv

        return pcsv.CSVWriter(path, schema, write_options=pcsv.WriteOptions(delimiter=self.delimiter, quoting_style="needed"))


class _Parquet:
    blank: list[str] = []

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.file = pq.ParquetFile(path)
        self.columns = self.file.schema_arrow.names

    def batches(self, columns: list[str] | None = None):
        yield from self.file.iter_batches(batch_size=1 << 20, columns=columns)

    def writer(self, path: Path, schema: pa.Schema):
        import pyarrow.parquet as pq

        return pq.ParquetWriter(path, schema)


def _meter_column(columns: list[str], args, filename: str) -> str | None:
    given = {k: v for k, v in parse_mapping_options(getattr(args, "col", None) or []).items() if k in READINGS.names}
    mapping = complete_mapping(columns, READINGS, given)
    column = mapping.get("meter")
    if column is not None and column not in columns:
        raise DataError(f"la colonne {column!r} donnée pour le compteur est absente du fichier", filename=filename)
    return column


def ranges(counts: np.ndarray, n: int) -> np.ndarray:
    """Partition of each meter (in order): *n* consecutive ranges of about the same number of readings.

    >>> ranges(np.array([5, 5, 5, 5]), 2).tolist()
    [0, 0, 1, 1]
    >>> ranges(np.array([10, 1, 1, 1, 1]), 3).tolist()
    [0, 1, 1, 1, 1]
    """
    n = max(1, min(n, len(counts)))
    before = np.cumsum(counts) - counts  # readings of the meters before each one
    part = np.floor(before * n / max(1, counts.sum())).astype(int)
    return np.unique(np.minimum(part, n - 1), return_inverse=True)[1].ravel()  # no empty range


def split_by_meter(path: Path, args, out_dir: Path, n: int) -> list[Path]:
    """Split *path* by meter into at most *n* files in *out_dir*; return them in meter order."""
    source = _Csv(path) if path.suffix.lower() in CSV_EXTENSIONS else _Parquet(path)
    if ROW_COLUMN in source.columns:
        raise DataError(f"la colonne {q(ROW_COLUMN)} est réservée au découpage du fichier", filename=path.name,
                        hint="Renommez-la avant de lancer le calcul sur le cluster.")
    meter = _meter_column(list(source.columns), args, path.name)
    if meter is None:  # one meter in the file: nothing to split
        return [path]
    order: dict[str, int] = {}
    counts: list[int] = []
    for batch in source.batches([meter]):
        values = batch.column(0).cast(pa.string())
        uniques = pc.value_counts(values)  # in order of first appearance
        for value, count in zip(uniques.field("values").to_pylist(), uniques.field("counts").to_pylist()):
            k = order.setdefault(value, len(order))
            if k == len(counts):
                counts.append(0)
            counts[k] += count
    if not order:
        raise DataError("le tableau ne contient aucune ligne de données", filename=path.name)
    max_rows = getattr(args, "max_rows", None)
    if max_rows is not None and sum(counts) > max_rows:  # the whole file is checked, as one run does
        raise DataError(f"le tableau compte {num(sum(counts))} lignes, au-delà de la limite de {num(max_rows)}",
                        filename=path.name, hint="Augmentez --max-rows ou découpez le fichier.")
    part_of = ranges(np.asarray(counts), n)
    known = pa.array(list(order), type=pa.string())
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".csv" if isinstance(source, _Csv) else ".parquet"
    paths = [out_dir / f"{k:05d}{suffix}" for k in range(int(part_of.max()) + 1)]
    writers: dict[int, object] = {}
    first = 0  # index of the batch's first row among the data rows of the file
    try:
        for batch in source.batches():
            table = pa.Table.from_batches([batch])
            rows = np.arange(first, first + len(table), dtype=np.int64)
            first += len(table)
            keep = ~_blank(table, source.blank)
            table = table.append_column(ROW_COLUMN, pa.array(rows))
            position = pc.index_in(table.column(meter).cast(pa.string()), value_set=known).to_numpy(zero_copy_only=False)
            parts = part_of[position.astype(int)]
            for k in np.unique(parts[keep]):
                rows_k = table.filter(pa.array((parts == k) & keep))
                if k not in writers:
                    writers[k] = source.writer(paths[k], rows_k.schema)
                writers[k].write_table(rows_k)
    finally:
        for writer in writers.values():
            writer.close()
    return [p for k, p in enumerate(paths) if k in writers]


def _blank(table: pa.Table, nulls: list[str]) -> np.ndarray:
    """Rows whose cells are all empty (``read_table`` drops them, keeping the numbering of the others)."""
    blank = np.ones(len(table), dtype=bool)
    for column in table.columns:
        empty = pc.is_null(column)
        if nulls:
            empty = pc.or_(empty, pc.is_in(column.cast(pa.string()), value_set=pa.array(nulls)))
        blank &= empty.to_numpy(zero_copy_only=False)
        if not blank.any():
            break
    return blank


def read_part(path: Path, args, filename: str):
    """The :class:`~sandbox.models.water.Readings` of one partition file, rows named as in *filename*.

    The same reader and checks as one run (``read_table``, ``validate``
    with the ``--col`` mapping, rows dropped with a note), on the rows of
    the partition indexed by their place in the original file.
    """
    import pandas as pd

    from sandbox.data import read_table, validate
    from sandbox.models.water import Readings

    df = read_table(Path(path), max_rows=None)
    index = pd.Index(df.pop(ROW_COLUMN).to_numpy(dtype=np.int64))
    df.index = index
    given = {k: v for k, v in parse_mapping_options(getattr(args, "col", None) or []).items() if k in READINGS.names}
    validated = validate(df, READINGS, given, filename=filename, errors="drop")
    del df
    return Readings.from_validated(validated, input_index=index)
