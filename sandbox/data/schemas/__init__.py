"""Every dataset's schema, declared once, one module per demo.

A module here defines ``Schema`` objects at module level; :func:`all_schemas`
finds them, so the command line (``python -m sandbox check``) and the tests
know every dataset without a list to maintain.
"""

from __future__ import annotations

import importlib
import pkgutil

from sandbox.data.schema import Schema


def all_schemas() -> dict[str, Schema]:
    """``{"module.VARIABLE": schema}`` for every schema declared in this package."""
    found: dict[str, Schema] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for attr, value in vars(module).items():
            if isinstance(value, Schema):
                found[f"{info.name}.{attr}"] = value
    return found
