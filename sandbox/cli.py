"""Command line: the same models as the app, in batch, without the interface.

``python -m sandbox --help`` lists the subcommands. Each demo adds its own
in a module of ``sandbox/commands/`` that defines ``register(subparsers)``.
A :class:`~sandbox.data.DataError` prints its French message and the
command exits with status 2, without a traceback.

Start-up stays quick: the command modules import their models (scikit-learn,
PyVRP, OpenCV…), so only the module of the command being run is imported.
The others are listed from their source (the name and help of each
``add_parser("name", help="…")`` call, read without running it); a module
whose calls are not plain literals is imported as before.

Examples
--------
>>> parser = build_parser(["--help"])  # lists every command, imports none
>>> {"check", "routes", "match", "target"} <= set(parser._subparsers._group_actions[0].choices)
True
"""

from __future__ import annotations

import argparse
import ast
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from sandbox import __version__, commands


def declared_commands(path: Path) -> list[tuple[str, str | None]] | None:
    """The ``(name, help)`` of each command a module's ``register(subparsers)`` adds, read from its source.

    Only the ``subparsers.add_parser(…)`` calls count (a command's own sub-subcommands do not).
    None when there is no ``register`` or a name or help is not a plain string (the module
    is then imported to know it).

    Examples
    --------
    >>> from sandbox import PACKAGE_DIR
    >>> declared_commands(PACKAGE_DIR / "commands" / "check.py")[0][0]
    'check'
    """
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None
    register = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "register"), None)
    if register is None or not register.args.args:
        return None
    top = register.args.args[0].arg  # ``register(subparsers)``: only its own add_parser calls are top-level commands
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(register):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_parser"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == top
        ):
            continue
        if not node.args or not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            return None
        keywords = {k.arg: k.value for k in node.keywords}
        if "aliases" in keywords or None in keywords:  # aliases or **options: let the module register itself
            return None
        help_node = keywords.get("help")
        if help_node is not None and not (isinstance(help_node, ast.Constant) and isinstance(help_node.value, str)):
            return None
        found.append((node.args[0].value, help_node.value if help_node is not None else None))
    return found or None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with every subcommand.

    With *argv*, only the module of the command named in it is imported (the
    others are listed by name and help); without, every module is imported.
    """
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
    # The top-level options take no value: the first word that is not an option names the command.
    wanted = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        declared = None
        if wanted is not None:
            declared = declared_commands(Path(commands.__path__[0]) / f"{info.name}.py")
        if declared is None or wanted in {name for name, _ in declared}:
            module = importlib.import_module(f"{commands.__name__}.{info.name}")
            module.register(subparsers)
        else:
            for name, help_text in declared:
                subparsers.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from sandbox.data.errors import DataError  # after parsing: ``--help`` does not load pandas

    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
