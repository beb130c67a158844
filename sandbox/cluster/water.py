"""Water of a whole city on a Dask cluster: partitions of meters, each analysed on a worker.

The readings come as a folder of CSV/Parquet files, each holding whole
meters (an export per meter or per group of meters), or as one large file.
Consecutive files make a partition of about :data:`PARTITION_READINGS`
readings (counted in a Parquet file's metadata, estimated from the size of
the other files); one large file is first split by meter into partition files
(:mod:`sandbox.cluster._split`, streamed: the driver never holds the file);
its rows keep their line numbers in the original file, so that the quality
report names the rows as one run does.
Two passes:

1. each worker reads and validates its partition (the same reader and
   checks as without a cluster) and tells the driver its meters and period,
   then lets it go; a worker reads the first partitions again to settle the
   city's grid and units from the first meters, as one run would;
2. each worker reads its partition again and runs the per-meter steps on it
   (:func:`sandbox.models.water.partition.analyse_partition`); the driver
   gathers the small per-meter results in meter order and runs the profiles,
   the comparison and the messages (:func:`~sandbox.models.water.partition.combine`).

A worker holds one partition at a time, never the city: reading twice
costs less than keeping the city's readings in the cluster's memory between
the passes (87.6 million readings take about 2 GB as compact arrays).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sandbox.cluster import Progress, as_completed
from sandbox.data import DataError
from sandbox.text import q

PARTITION_READINGS = int(float(os.environ.get("BAC_A_SABLE_WATER_PARTITION_READINGS", "5e6")))
"""Readings per partition (``BAC_A_SABLE_WATER_PARTITION_READINGS``, default 5 million).

Measured here: a worker analysing a partition of 4.4 million hourly readings
(500 meters, Parquet) peaks at about 650 MB, well within the 2 GB default limit.
"""

BYTES_PER_READING = {".parquet": None, ".xlsx": 12, ".ods": 12}
"""Size of one reading in a file, to estimate the readings of a file (CSV: 30 bytes; Parquet: its metadata)."""

PROBE_METERS = 300
PROBE_READINGS = 4_000_000
"""The detection of units and step looks at the first 300 meters and 4 million readings, as one run does."""


def readings_in(path: Path) -> int:
    """Readings of a file: exact for Parquet (its metadata), estimated from the size for the others.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = path.write_bytes(b"x" * 300)
    >>> readings_in(path)
    10
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # not readable as Parquet: the reader on the worker will say why, in French
            return 1
    return max(1, path.stat().st_size // (BYTES_PER_READING.get(suffix) or 30))


def partitions(files: list[Path], size: int | None = None) -> list[list[Path]]:
    """Consecutive files grouped into partitions of about *size* readings (:func:`readings_in`).

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> paths = [root / f"{i}.csv" for i in range(5)]
    >>> for p in paths: _ = p.write_bytes(b"x" * 300)
    >>> [[p.name for p in g] for g in partitions(paths, 25)]
    [['0.csv', '1.csv', '2.csv'], ['3.csv', '4.csv']]
    """
    size = size or PARTITION_READINGS
    groups: list[list[Path]] = []
    current: list[Path] = []
    total = 0
    for path in files:
        current.append(path)
        total += readings_in(path)
        if total >= size:
            groups.append(current)
            current, total = [], 0
    if current:
        groups.append(current)
    return groups


# --- tasks (run in the workers) --------------------------------------------------------------


def _read_partition(paths: list[str], args, source: str | None = None):
    """Readings of a partition's files; *source*: the name of the file they were split from, if any."""
    from sandbox.cluster._split import read_part
    from sandbox.commands.water import read_file
    from sandbox.models.water import ReadingsBuilder

    builder = ReadingsBuilder()
    for path in paths:
        builder.add(read_file(Path(path), args) if source is None else read_part(Path(path), args, source))
    return builder.build()


def _describe(paths: list[str], args, source: str | None = None) -> tuple[list[str], int, int, int]:
    """Meters, number of readings and period of a partition (its readings are let go)."""
    readings = _read_partition(paths, args, source)
    return list(readings.meters), len(readings), int(readings.time.min()), int(readings.time.max())


def _grid(groups: list[list[str]], args, source: str | None, t_min: int, t_max: int, params):
    """The city's grid and units, from the readings of its first partitions."""
    from sandbox.models.water import ReadingsBuilder
    from sandbox.models.water.partition import grid_of

    probe = ReadingsBuilder()
    for paths in groups:
        probe.add(_read_partition(paths, args, source))
    return grid_of(probe.build(), t_min, t_max, kind=params.kind, unit=params.unit, freq=params.freq)


def _analyse(paths: list[str], args, source: str | None, grid, params):
    from sandbox.models.water.partition import analyse_partition

    return analyse_partition(_read_partition(paths, args, source), grid, params)


# --- the run -------------------------------------------------------------------------------------


def analyse_city(client, files: list[Path], args, params, households=None, *, work_dir: Path | None = None):
    """The :class:`~sandbox.models.water.WaterAnalysis` of every file, computed on the cluster's workers.

    One file larger than a partition is first split by meter into partition
    files in a folder of *work_dir* (which the workers must see at the same
    path, like the input), removed at the end.
    """
    import shutil
    import tempfile

    from sandbox.cluster._split import can_split, split_by_meter

    if len(files) == 1 and can_split(files[0]) and readings_in(files[0]) > PARTITION_READINGS:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_parts = max(2 * workers, -(-readings_in(files[0]) // PARTITION_READINGS))
        folder = Path(tempfile.mkdtemp(prefix=".partitions-", dir=work_dir))
        try:
            print(f"Découpage de {files[0].name} par compteur en {n_parts} partitions…", file=sys.stderr)
            groups = [[p] for p in split_by_meter(files[0], args, folder, n_parts)]
            source = files[0].name if groups[0][0] != files[0] else None  # rows named as in the file split
            return _analyse_groups(client, groups, args, params, households, source=source)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return _analyse_groups(client, partitions(files), args, params, households)


def _analyse_groups(client, groups: list[list[Path]], args, params, households, *, source: str | None = None):
    from sandbox.models.water.partition import combine

    names = [[str(p) for p in g] for g in groups]
    described = client.gather(client.map(_describe, names, args=args, source=source, pure=False))
    seen: dict[str, int] = {}
    for k, (meters, _, _, _) in enumerate(described):
        for meter in meters:
            if seen.setdefault(meter, k) != k:
                where = ", ".join(p.name for p in groups[seen[meter]][:2] + groups[k][:2])
                raise DataError(
                    f"le compteur {q(meter)} se trouve dans des fichiers de partitions différentes ({where})",
                    hint="Avec --cluster, chaque compteur doit tenir dans un fichier, ou dans des fichiers voisins "
                    "(triés par nom) : regroupez les relevés par compteur.",
                )
    t_min = min(d[2] for d in described)
    t_max = max(d[3] for d in described)
    n_probe = n_meters = n_readings = 0
    for meters, count, _, _ in described:  # the first partitions, up to what the detection looks at
        n_probe += 1
        n_meters += len(meters)
        n_readings += count
        if n_meters >= PROBE_METERS and n_readings >= PROBE_READINGS:
            break
    grid = client.submit(_grid, names[:n_probe], args, source, t_min, t_max, params, pure=False).result()
    partials = [client.submit(_analyse, paths, args, source, grid, params, pure=False) for paths in names]
    order = {f.key: k for k, f in enumerate(partials)}
    results: list = [None] * len(partials)
    progress = Progress("Partitions", len(partials), unit="partitions par minute")
    for future in as_completed(partials, progress):
        results[order[future.key]] = future.result()
        future.release()
    return combine(results, households, params, grid=grid)
