"""One large readings file split by meter into partition files, streamed (pyarrow), meters kept in file order.

Two passes over the file, one record batch at a time: the first reads the
meter column only and learns the meters in order of first appearance with
their number of readings; the meters are then cut into *n* consecutive
ranges of about the same number of readings; the second pass appends each
row to its range's file. A partition file thus holds whole meters, in the
order of the file, so that the partitions analysed one after the other give
the meters in the order one run would. CSV cells are copied as text (the
workers read the partition files with the same reader and checks as one
run); Parquet keeps its types.

Examples
--------
>>> import argparse, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "r.csv").write_text("compteur;date;volume\\nB;01/03/2025 01:00;1,5\\nA;01/03/2025 01:00;2\\nB;01/03/2025 02:00;0\\n")
>>> args = argparse.Namespace(col=[])
>>> parts = split_by_meter(root / "r.csv", args, root / "parts", 2)
>>> [p.read_text().replace('"', '').splitlines()[1:] for p in parts]  # cells copied as quoted text
[['B;01/03/2025 01:00;1,5', 'B;01/03/2025 02:00;0'], ['A;01/03/2025 01:00;2']]
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sandbox.data import DataError, complete_mapping, parse_mapping_options
from sandbox.data.read import CSV_EXTENSIONS
from sandbox.data.schemas.water import READINGS

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
    part_of = ranges(np.asarray(counts), n)
    known = pa.array(list(order), type=pa.string())
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".csv" if isinstance(source, _Csv) else ".parquet"
    paths = [out_dir / f"{k:05d}{suffix}" for k in range(int(part_of.max()) + 1)]
    writers: dict[int, object] = {}
    try:
        for batch in source.batches():
            table = pa.Table.from_batches([batch])
            position = pc.index_in(table.column(meter).cast(pa.string()), value_set=known).to_numpy(zero_copy_only=False)
            parts = part_of[position.astype(int)]
            for k in np.unique(parts):
                rows = table.filter(pa.array(parts == k))
                if k not in writers:
                    writers[k] = source.writer(paths[k], rows.schema)
                writers[k].write_table(rows)
    finally:
        for writer in writers.values():
            writer.close()
    return [p for k, p in enumerate(paths) if k in writers]
