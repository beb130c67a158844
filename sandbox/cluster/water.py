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
   checks as without a cluster) and tells the driver its meters and period;
   the driver settles the city's grid and units from the first meters (the
   readings of the first partition come with its description), as one run
   would;
2. each worker runs the per-meter steps on its partition
   (:func:`sandbox.models.water.partition.analyse_partition`); the driver
   gathers the small per-meter results in meter order and runs the profiles,
   the comparison and the messages (:func:`~sandbox.models.water.partition.combine`).

Between the passes the workers keep the readings of their partitions only
when the whole city takes a small share of their memory
(:func:`keep_in_memory`); otherwise each pass reads the partition again, and
a worker holds one partition at a time, never the city (87.6 million
readings take about 2 GB as compact arrays). A folder's files make at least
two partitions per worker, so that both stay busy.
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

BYTES_PER_KEPT_READING = 32
"""Memory of one reading held by a worker (meter code, time, value, row: 24 bytes, and some room)."""

KEEP_SHARE = float(os.environ.get("BAC_A_SABLE_WATER_KEEP_SHARE", "0.25"))
"""Share of the workers' memory the city's readings may take to be kept between the passes
(``BAC_A_SABLE_WATER_KEEP_SHARE``, default 0.25; 0: always read again)."""

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


def _readings(part, args, source: str | None):
    """A partition's readings: read from its files (a list of paths), or already read (held by the worker)."""
    return _read_partition(part, args, source) if isinstance(part, list) else part


def _describe(part, args, source: str | None = None, probe: bool = False) -> tuple:
    """Meters, number of readings and period of a partition, and its readings if *probe* (the first one)."""
    readings = _readings(part, args, source)
    return (list(readings.meters), len(readings), int(readings.time.min()), int(readings.time.max()),
            readings if probe else None)


def _grid(parts: list, args, source: str | None, t_min: int, t_max: int, params):
    """The city's grid and units, from the readings of its first partitions."""
    from sandbox.models.water import ReadingsBuilder
    from sandbox.models.water.partition import grid_of

    probe = ReadingsBuilder()
    for part in parts:
        probe.add(_readings(part, args, source))
    return grid_of(probe.build(), t_min, t_max, kind=params.kind, unit=params.unit, freq=params.freq)


def _analyse(part, args, source: str | None, grid, params):
    from sandbox.models.water.partition import analyse_partition

    return analyse_partition(_readings(part, args, source), grid, params)


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
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return _analyse_groups(client, balanced(files, workers), args, params, households)


def keep_in_memory(readings: int, memory_limits: list[int]) -> bool:
    """Whether the workers keep their partitions' readings between the two passes, or read them again.

    Kept when the city's readings (about :data:`BYTES_PER_KEPT_READING` each)
    take at most :data:`KEEP_SHARE` of the workers' memory; a worker without
    a limit reads again.

    >>> keep_in_memory(8_760_000, [2 << 30, 2 << 30])
    True
    >>> keep_in_memory(87_600_000, [2 << 30, 2 << 30])
    False
    """
    return bool(memory_limits) and all(memory_limits) and readings * BYTES_PER_KEPT_READING <= KEEP_SHARE * sum(memory_limits)


def balanced(files: list[Path], workers: int) -> list[list[Path]]:
    """Partitions of at most :data:`PARTITION_READINGS`, and at least two per worker when there are files enough."""
    total = sum(readings_in(p) for p in files)
    return partitions(files, max(1, min(PARTITION_READINGS, -(-total // (2 * max(1, workers))))))


def _analyse_groups(client, groups: list[list[Path]], args, params, households, *, source: str | None = None):
    from sandbox.models.water.partition import combine

    names = [[str(p) for p in g] for g in groups]
    limits = [int(w.get("memory_limit") or 0) for w in client.scheduler_info().get("workers", {}).values()]
    if keep_in_memory(sum(readings_in(p) for g in groups for p in g), limits):
        parts = [client.submit(_read_partition, paths, args, source, pure=False) for paths in names]
        how = "gardées dans la mémoire des workers entre les deux passes"
    else:  # read in each pass: a worker holds one partition at a time
        parts = names
        how = "relues à chaque passe (la ville ne tient pas dans le quart de la mémoire des workers)"
    print(f"{len(names)} partitions de compteurs, {how}.", file=sys.stderr)
    described = client.gather([client.submit(_describe, part, args, source, k == 0, pure=False)
                               for k, part in enumerate(parts)])
    seen: dict[str, int] = {}
    for k, (meters, _, _, _, _) in enumerate(described):
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
    for meters, count, _, _, _ in described:  # the first partitions, up to what the detection looks at
        n_probe += 1
        n_meters += len(meters)
        n_readings += count
        if n_meters >= PROBE_METERS and n_readings >= PROBE_READINGS:
            break
    if n_probe == 1:  # the first partition is enough: its readings came with its description
        grid = _grid([described[0][4]], args, source, t_min, t_max, params)
    else:
        grid = client.submit(_grid, parts[:n_probe], args, source, t_min, t_max, params, pure=False).result()
    del described
    partials = [client.submit(_analyse, part, args, source, grid, params, pure=False) for part in parts]
    del parts  # kept readings are freed on their worker once analysed
    order = {f.key: k for k, f in enumerate(partials)}
    results: list = [None] * len(partials)
    progress = Progress("Partitions", len(partials), unit="partitions par minute")
    for future in as_completed(partials, progress):
        results[order[future.key]] = future.result()
        future.release()
    return combine(results, households, params, grid=grid)
