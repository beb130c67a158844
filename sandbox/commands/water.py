"""``python -m sandbox water READINGS.csv [--households H.csv] [--out DIR]``: quality, leaks, messages.

Reads meter readings (volumes or a cumulative index, hourly or daily) the
way the app does, runs the same analysis, writes ``alerts.csv``,
``messages.csv`` and the quality report (``quality.csv``,
``quality_meters.csv``, ``quality.txt``), plus the unusual days and the
profiles, and prints a summary. Large CSV files are read in blocks through
the same reader and validation as small ones, so that a year of hourly
readings of thousands of meters fits in memory.
"""

from __future__ import annotations

import argparse
import sys
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path


from sandbox.cluster import add_cluster_option
from sandbox.commands._common import add_table_options, output_dir, read_validated
from sandbox.data import DataError, complete_mapping, parse_mapping_options, read_table, validate
from sandbox.data.export import write_csv
from sandbox.data.read import CSV_EXTENSIONS, EXTENSIONS
from sandbox.data.schemas.water import HOUSEHOLDS, READINGS
from sandbox.models.water import Readings, ReadingsBuilder, WaterParams, analyse
from sandbox.text import num, plain, plural

BLOCK_BYTES = 96 << 20
"""CSV files larger than this are read in blocks of about this size."""

WORKERS = 2
"""Processes reading blocks at the same time (one per core of the reference machine)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "water",
        help="relevés de compteurs d'eau : qualité, fuites, profils, comparaison et messages",
        description=(
            "Analyse des relevés de compteurs d'eau communicants : contrôle de la qualité des données, "
            "détection des fuites (débit nocturne continu), journées inhabituelles, profils, comparaison "
            "avec des foyers semblables et messages personnalisés (courrier et SMS)."
        ),
        epilog=(
            "Exemple : python -m sandbox water export.csv --col meter='user key' --col volume=diff --out resultats/. "
            "Les colonnes attendues des relevés sont meter (compteur), datetime (date et heure), volume "
            "(volume consommé) ou index (index cumulé) ; celles des logements (--hcol) : meter, occupants, "
            "housing, garden, pool, commune."
        ),
    )
    parser.add_argument("readings", metavar="RELEVES", help="relevés : CSV, XLSX, ODS ou Parquet, ou un dossier de tels fichiers")
    parser.add_argument("--households", metavar="LOGEMENTS", help="description des logements (facultatif)")
    parser.add_argument("--out", default="resultats_eau", metavar="DOSSIER", help="dossier des résultats (défaut : %(default)s)")
    add_table_options(parser)
    parser.add_argument(
        "--hcol", action="append", default=[], metavar="ATTENDUE=COLONNE",
        help="correspondance des colonnes du fichier des logements (comme --col)",
    )
    d = WaterParams()
    g = parser.add_argument_group("analyse")
    g.add_argument("--kind", choices=("auto", "index", "volume"), default=d.kind, help="valeurs : index cumulé ou volumes (défaut : détecté)")
    g.add_argument("--unit", choices=("auto", "L", "m3"), default=d.unit, help="unité des valeurs (défaut : détectée)")
    g.add_argument("--freq", choices=("auto", "hourly", "daily"), default=d.freq, help="analyse horaire ou journalière (défaut : selon les relevés)")
    g.add_argument("--price", type=float, default=d.price_eur_m3, metavar="EUR_M3", help="prix de l'eau en €/m³ TTC (défaut : %(default)s, SEDIF 2023)")
    g.add_argument("--night", default=f"{d.night_start}-{d.night_end}", metavar="H1-H2", help="fenêtre de nuit (défaut : %(default)s)")
    g.add_argument("--nights", type=int, default=d.nights, help="nuits de suite avec débit continu pour une alerte (défaut : %(default)s)")
    g.add_argument("--min-flow", type=float, default=d.min_flow_l_h, metavar="L_H", help="débit de fuite minimal en L/h (défaut : %(default)s)")
    g.add_argument("--min-leak-day", type=float, default=d.min_leak_l_day, metavar="L_J", help="relevés journaliers : seuil X de la règle « jamais sous X L/jour » (défaut : %(default)s)")
    g.add_argument("--stuck-days", type=float, default=d.stuck_days, help="jours sans consommation pour un compteur bloqué (défaut : %(default)s)")
    g.add_argument("--segments", type=int, default=d.n_segments, help="nombre de profils (défaut : %(default)s)")
    g.add_argument("--min-peers", type=int, default=d.min_peers, help="foyers semblables nécessaires pour comparer (défaut : %(default)s)")
    g.add_argument("--period-days", type=int, default=d.period_days, help="période de comparaison, en jours (défaut : %(default)s)")
    g.add_argument("--seed", type=int, default=d.seed, help="graine aléatoire des profils (défaut : %(default)s)")
    add_cluster_option(parser)
    parser.set_defaults(func=run)


def _params(args: argparse.Namespace) -> WaterParams:
    try:
        start, end = (int(x) for x in args.night.split("-"))
    except ValueError:
        raise DataError(f"option --night mal écrite : {args.night!r}", hint="Écrivez par exemple --night 1-5.") from None
    return WaterParams(
        kind=args.kind, unit=args.unit, freq=args.freq, price_eur_m3=args.price, night_start=start, night_end=end,
        nights=args.nights, min_flow_l_h=args.min_flow, min_leak_l_day=args.min_leak_day, stuck_days=args.stuck_days,
        n_segments=args.segments, min_peers=args.min_peers, period_days=args.period_days, seed=args.seed,
    )


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    params = _params(args)
    path = Path(args.readings)
    households = None
    if args.households:
        households = read_validated(args.households, HOUSEHOLDS, args, mapping=parse_mapping_options(args.hcol), errors="drop").frame
    if args.cluster:  # the same analysis, partitions of meters on the workers of a Dask cluster
        from sandbox.cluster import connect
        from sandbox.cluster.water import analyse_city

        files = reading_files(path)
        out = output_dir(args.out)  # one large file is split by meter in a folder there, seen by the workers
        with connect(args.cluster, memory_limit=args.cluster_memory) as client:
            result = analyse_city(client, files, args, params, households, work_dir=out)
        read_seconds = 0.0
    else:
        readings = read_readings(path, args)
        read_seconds = time.perf_counter() - start
        result = analyse(readings, households, params)
        del readings
    out = output_dir(args.out)
    written = write_outputs(result, out)
    for line in result.summary():
        print(plain(line))
    print("Indicateurs (campagne sur tous les foyers analysés, effet par défaut) :")
    for line in figure_lines(result.figures()):
        print(f"- {line}")
    print(f"Fichiers écrits dans {out} : {', '.join(p.name for p in written)}.")
    print(f"Durée : lecture {read_seconds:.1f} s, analyse {sum(result.seconds.values()):.1f} s, "
          f"total {time.perf_counter() - start:.1f} s.")
    return 0


# --- reading -------------------------------------------------------------------------------


def reading_files(path: Path) -> list[Path]:
    """The readings files: *path* itself, or the tables of a folder tree (sorted by path)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
        if not files:
            raise DataError("le dossier ne contient aucun fichier de relevés (CSV, XLSX, ODS, Parquet)", filename=str(path))
        return files
    if not path.is_file():
        raise DataError("le fichier est introuvable", filename=str(path))
    return [path]


def read_readings(path: Path, args: argparse.Namespace) -> Readings:
    """Readings from a file or a folder, through ``read_table`` and ``validate`` (in blocks for a large CSV)."""
    files = reading_files(path)
    if len(files) == 1:
        readings = _read_one(files[0], args)
    else:
        builder = ReadingsBuilder()
        for file in files:  # in path order: the meters keep the order of the files
            builder.add(read_file(file, args))
        readings = builder.build()
    _print_notes(readings.notes)
    return readings


def _read_one(path: Path, args: argparse.Namespace) -> Readings:
    if path.suffix.lower() in CSV_EXTENSIONS and path.stat().st_size > BLOCK_BYTES and _splittable(path):
        return _read_in_blocks(path, args)
    return read_file(path, args)


def read_file(path: Path, args: argparse.Namespace) -> Readings:
    """Readings of one file, read whole (a worker of a cluster reads its partition's files this way)."""
    validated = read_validated(path, READINGS, args, errors="drop", quiet=True)
    return Readings.from_validated(validated)


def _print_notes(notes) -> None:
    for note in list(notes)[:8]:
        print(f"Attention : {plain(note)}", file=sys.stderr)
    if len(notes) > 8:
        print(f"Attention : {plural(len(notes) - 8, 'autre avertissement', 'autres avertissements')}.", file=sys.stderr)


def _splittable(path: Path) -> bool:
    """A CSV can be cut at line ends unless it is UTF-16 or a quoted field holds a line break.

    Quotes are fine as long as every line of the first megabyte has an even
    number of them (a field cut by a line break leaves an odd number).
    """
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    lines = head.split(b"\n")[:-1]
    return all(line.count(b'"') % 2 == 0 for line in lines)


@dataclass(frozen=True)
class _Block:
    start: int  # byte offset of the block's first line
    end: int  # byte offset after its last line
    before: int  # data lines before it in the file


def _plan(path: Path, size: int) -> tuple[bytes, list[_Block]]:
    """The header line and blocks of about *size* bytes of whole lines, with their first row number."""
    blocks = []
    with open(path, "rb") as fh:
        header = fh.readline()
        start, before = fh.tell(), 0
        while True:
            chunk = fh.read(size)
            if not chunk:
                break
            if not chunk.endswith(b"\n"):
                chunk += fh.readline()
            end = start + len(chunk)
            if chunk.strip():
                blocks.append(_Block(start, end, before))
            before += chunk.count(b"\n")
            start = end
    return header, blocks


def _read_block(path: str, header: bytes, block: _Block, mapping: dict) -> Readings:
    """Read, map and validate one block (in a worker process): the same reader and checks as a whole file."""
    with open(path, "rb") as fh:
        fh.seek(block.start)
        data = header + fh.read(block.end - block.start)
    df = read_table(data, Path(path).name, max_rows=None)
    df.index = df.index + block.before  # rows are numbered as in the whole file
    del data
    validated = validate(df, READINGS, mapping, filename=Path(path).name, errors="drop")
    del df
    return Readings.from_validated(validated, first_index=block.before)


def _read_in_blocks(path: Path, args: argparse.Namespace) -> Readings:
    """Blocks read by two worker processes (the validation holds the GIL), joined in file order."""
    given = {k: v for k, v in parse_mapping_options(args.col).items() if k in READINGS.names}
    header, blocks = _plan(path, BLOCK_BYTES)
    if not blocks:
        raise DataError("le tableau ne contient aucune ligne de données", filename=path.name)
    # The column mapping depends on the header only: settle it once, from the first lines.
    with open(path, "rb") as fh:
        head = fh.read(min(1 << 20, blocks[0].end))
    sample = read_table(head[: head.rfind(b"\n") + 1], path.name, max_rows=None)
    mapping = complete_mapping(sample.columns, READINGS, given)
    builder = ReadingsBuilder()
    workers = 1 if len(blocks) == 1 else WORKERS
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = [pool.submit(_read_block, str(path), header, b, mapping) for b in blocks[: 2 * workers]]
        queued = len(pending)
        done = 0
        while pending:
            block = pending.pop(0).result()  # in file order
            if queued < len(blocks):
                pending.append(pool.submit(_read_block, str(path), header, blocks[queued], mapping))
                queued += 1
            done += len(block)
            if args.max_rows is not None and done > args.max_rows:
                raise DataError(
                    f"le tableau compte plus de {num(args.max_rows)} lignes",
                    filename=path.name,
                    hint="Augmentez --max-rows ou découpez le fichier.",
                )
            builder.add(block)
            del block
    return builder.build()


# --- writing -------------------------------------------------------------------------------


def write_outputs(result, out: Path) -> list[Path]:
    """Write every export of an analysis (``WaterAnalysis.exports``) into *out*; return the paths.

    The app's French CSV writer (``sandbox.data.export``: formulas neutralised), times as dd/mm/yyyy hh:mm.
    """
    written = [write_csv(frame, out / name, date_format="%d/%m/%Y %H:%M") for name, frame in result.exports().items()]
    text = out / "quality.txt"
    text.write_text(plain(result.quality.to_text()), encoding="utf-8")
    written.insert(4, text)
    return written


def figure_lines(figures) -> list[str]:
    """« Label : value unit (référence : baseline) » for each figure of the run."""
    lines = []
    for f in figures:
        line = f"{f.label} : {num(f.value, f.decimals)}{' ' + f.unit if f.unit else ''}"
        if f.baseline is not None:
            line += f" (référence : {num(f.baseline, f.decimals)}{' ' + f.unit if f.unit else ''})"
        lines.append(plain(line))
    return lines
