"""Command line: the same models as the app, in batch, without the interface.

``python -m sandbox --help`` lists the subcommands. Each demo adds its own
in a module of ``sandbox/commands/`` that defines ``register(subparsers)``.
A :class:`~sandbox.data.DataError` prints its French message and the
command exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from sandbox import __version__, commands
from sandbox.data.errors import DataError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description=(
            "Bac à sable IA en ligne de commande : les mêmes modèles que l'application, "
            "sur vos fichiers, sans interface. Vos données restent sur votre poste."
        ),
        epilog="Aide d'une commande : python -m sandbox COMMANDE --help",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE", title="commandes")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
