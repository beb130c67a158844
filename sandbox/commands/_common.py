"""What every subcommand that reads a table shares: the same options, the same data layer."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.data import Schema, Validated, parse_mapping_options, read_table, validate


def add_table_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--col EXPECTED=ACTUAL`` (repeatable), ``--sheet`` and ``--max-rows``."""
    group = parser.add_argument_group("lecture des tableaux")
    group.add_argument(
        "--col",
        action="append",
        default=[],
        metavar="ATTENDUE=COLONNE",
        help=(
            "colonne du fichier qui tient lieu d'une colonne attendue, par exemple "
            "--col volume=diff (répétable ; ATTENDUE= seul : colonne absente). "
            "Par défaut, la correspondance est devinée d'après les noms."
        ),
    )
    group.add_argument("--sheet", default=None, help="feuille du classeur (XLSX/ODS) ; la première par défaut")
    group.add_argument(
        "--max-rows", type=int, default=None, metavar="N", help="refuser les tableaux de plus de N lignes (pas de limite par défaut)"
    )


def read_validated(
    path: Path | str,
    schema: Schema,
    args: argparse.Namespace,
    *,
    mapping: dict[str, str | None] | None = None,
    errors: str = "raise",
    quiet: bool = False,
) -> Validated:
    """Read *path* with ``read_table`` and check it with ``validate``, the mapping from ``--col``.

    Warnings are printed to standard error (unless *quiet*).
    """
    df = read_table(Path(path), sheet=args.sheet, max_rows=args.max_rows)
    given = parse_mapping_options(args.col) if mapping is None else mapping
    known = {k: v for k, v in given.items() if k in schema.names}
    result = validate(df, schema, known, errors=errors)
    if not quiet:
        for warning in result.warnings:
            print(f"Attention : {warning}", file=sys.stderr)
    return result


def output_dir(path: Path | str) -> Path:
    """Create the output folder if needed and return it."""
    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    return out
