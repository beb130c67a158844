"""Sample data: the synthetic files in ``sample_data/``, made by ``sandbox.data.generate``."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sandbox import REPO_DIR
from sandbox.data.errors import DataError
from sandbox.data.read import EXTENSIONS, read_table


def sample_dir() -> Path:
    """The sample-data folder (``$SANDBOX_SAMPLE_DIR`` or ``sample_data/`` of the repo)."""
    return Path(os.environ.get("SANDBOX_SAMPLE_DIR", REPO_DIR / "sample_data"))


def sample_path(name: str) -> Path:
    """Path of a sample file, by its name with or without extension (``"water/readings"``).

    Raises DataError if no such sample exists (regenerate with ``make sample-data``).
    """
    base = sample_dir()
    direct = base / name
    if direct.is_file():
        return direct
    for ext in EXTENSIONS:
        candidate = base / f"{name}{ext}"
        if candidate.is_file():
            return candidate
    raise DataError(
        f"les données d'exemple {name!r} sont introuvables dans {base}",
        hint="Régénérez-les avec « make sample-data ».",
    )


def load_sample(name: str, **read_options) -> pd.DataFrame:
    """Read a sample table with :func:`~sandbox.data.read_table` (no row limit).

    Examples
    --------
    >>> communes = load_sample("communes_mgp")
    >>> len(communes)
    130
    """
    read_options.setdefault("max_rows", None)
    path = sample_path(name)
    return read_table(path, path.name, **read_options)
