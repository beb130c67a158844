"""Subcommands of ``python -m sandbox``: one module per command, each with ``register(subparsers)``."""
