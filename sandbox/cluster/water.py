"""Water of a whole city on a Dask cluster: partitions of meters, each analysed on a worker.

The readings come as a folder of CSV/Parquet files, each holding whole
meters (an export per meter or per group of meters), or as one large file.
Consecutive files make a partition of about :data:`PARTITION_BYTES`; one
large file is first split by meter into partition files
(:mod:`sandbox.cluster._split`, streamed: the driver never holds the file);
its rows keep their line numbers in the original file, so that the quality
report names the rows as one run does.
Two passes:

1. each worker reads and validates its partition (the same reader and
   checks as without a cluster) and keeps it in memory; the driver learns
   the meters and the period of each, and settles the city's grid and units
   from the first meters, as one run would;
2. each worker runs the per-meter steps on its partition
   (:func:`sandbox.models.water.partition.analyse_partition`); the driver
   gathers the small per-meter results in meter order and runs the profiles,
   the comparison and the messages (:func:`~sandbox.models.water.partition.combine`).

A worker holds one partition, never the city.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sandbox.cluster import Progress, as_completed
from sandbox.data import DataError
from sandbox.text import q

PARTITION_BYTES = int(float(os.environ.get("BAC_A_SABLE_WATER_PARTITION_MB", "64")) * (1 << 20))
"""Bytes of files per partition (``BAC_A_SABLE_WATER_PARTITION_MB``, default 64)."""

PROBE_METERS = 300
PROBE_READINGS = 4_000_000
"""The detection of units and step looks at the first 300 meters and 4 million readings, as one run does."""


def partitions(files: list[Path], size: int | None = None) -> list[list[Path]]:
    """Consecutive files grouped into partitions of about *size* bytes.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> paths = [root / f"{i}.csv" for i in range(5)]
    >>> for p in paths: _ = p.write_bytes(b"x" * 10)
    >>> [[p.name for p in g] for g in partitions(paths, 25)]
    [['0.csv', '1.csv', '2.csv'], ['3.csv', '4.csv']]
    """
    size = size or PARTITION_BYTES
    groups: list[list[Path]] = []
    current: list[Path] = []
    total = 0
    for path in files:
        current.append(path)
        total += path.stat().st_size
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


def _describe(readings) -> tuple[list[str], int, int, int]:
    return list(readings.meters), len(readings), int(readings.time.min()), int(readings.time.max())


def _analyse(readings, grid, params):
    from sandbox.models.water.partition import analyse_partition

    return analyse_partition(readings, grid, params)


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

    if len(files) == 1 and files[0].stat().st_size > PARTITION_BYTES and can_split(files[0]):
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n_parts = max(2 * workers, -(-files[0].stat().st_size // PARTITION_BYTES))
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
    from sandbox.models.water import ReadingsBuilder
    from sandbox.models.water.partition import combine, grid_of

    readings = [client.submit(_read_partition, [str(p) for p in g], args, source, pure=False) for g in groups]
    described = client.gather(client.map(_describe, readings, pure=False))
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
    probe = ReadingsBuilder()
    n_meters = n_readings = 0
    for future, (meters, count, _, _) in zip(readings, described):
        probe.add(future.result())
        n_meters += len(meters)
        n_readings += count
        if n_meters >= PROBE_METERS and n_readings >= PROBE_READINGS:
            break
    grid = grid_of(probe.build(), t_min, t_max, kind=params.kind, unit=params.unit, freq=params.freq)
    del probe
    partials = [client.submit(_analyse, r, grid, params, pure=False) for r in readings]
    del readings  # each partition's readings are freed on its worker once analysed
    order = {f.key: k for k, f in enumerate(partials)}
    results: list = [None] * len(partials)
    progress = Progress("Partitions", len(partials), unit="partitions par minute")
    for future in as_completed(partials, progress):
        results[order[future.key]] = future.result()
        future.release()
    return combine(results, households, params, grid=grid)
