"""How a cell becomes the text the detectors and the pseudonyms read (private to the package)."""

from __future__ import annotations

import numpy as np


def as_text(value: object) -> str | None:
    """The cell as stripped text; None for an empty or missing cell; ``3.0`` → ``"3"``.

    >>> as_text(" Marie "), as_text(3.0), as_text(float("nan")), as_text("  ")
    ('Marie', '3', None, None)
    """
    if value is None:
        return None
    if isinstance(value, float):
        if not np.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (np.floating,)):
        return as_text(float(value))
    text = str(value).strip()
    return text or None
