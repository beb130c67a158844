"""Sample-data generators, one module per demo.

Each module defines ``generate(out_dir: Path, seed: int) -> list[Path]``,
deterministic for a given seed, and writes its files under *out_dir*
(``sample_data/`` by default). ``python -m sandbox.data.generate`` runs them all.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

Generator = Callable[[Path, int], list[Path]]


def all_generators() -> dict[str, Generator]:
    """``{module name: generate function}`` for every generator module."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "generate"):
            found[info.name] = module.generate
    return found
