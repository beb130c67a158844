"""``python -m sandbox check FILE --schema NAME``: read and validate a table, report what was found."""

from __future__ import annotations

import argparse

from sandbox.commands._common import add_table_options, read_validated
from sandbox.data.schemas import all_schemas
from sandbox.text import num, plural, q


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="vérifier qu'un tableau est lisible et conforme à un jeu de données attendu",
        description=(
            "Lit le fichier comme le fait l'application (encodage, séparateur, virgules décimales), "
            "associe ses colonnes aux colonnes attendues et signale les lignes à corriger."
        ),
    )
    parser.add_argument("file", metavar="FICHIER", help="tableau CSV, XLSX, ODS ou Parquet")
    parser.add_argument("--schema", required=True, choices=sorted(all_schemas()), help="jeu de données attendu")
    add_table_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    schema = all_schemas()[args.schema]
    result = read_validated(args.file, schema, args)
    print(f"{schema.name} : {plural(len(result.frame), 'ligne valide', 'lignes valides')} sur {num(result.input_rows)}")
    for expected, actual in result.mapping.items():
        shown = q(actual) if actual else "(absente)"
        print(f"  {schema[expected].display:<40} ← {shown}")
    return 0
