"""Checks of a routing problem before any search: shapes, demands, reach. French DataErrors naming the points."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sandbox.data.errors import DataError
from sandbox.text import num, plural, q

# Larger than any real quantity of waste or distance: beyond it, a number is a typing error (1e308…).
MAX_MAGNITUDE = 1e9


def names_text(indices: Sequence[int], names: Sequence[str] | None, limit: int = 5) -> str:
    """« « A », « B », … (12 en tout) » for the first *limit* indices (their names, or the indices).

    >>> from sandbox.text import plain
    >>> plain(names_text([0, 2], ["a", "b", "c"])), names_text([0, 1, 2], None, limit=2)
    ('« a », « c »', '0, 1, … (3 en tout)')
    """
    shown = [q(names[i]) if names is not None else str(i) for i in list(indices)[:limit]]
    text = ", ".join(shown)
    if len(indices) > limit:
        text += f", … ({num(len(indices))} en tout)"
    return text


def rows_of(indices: Sequence[int], rows: Sequence[int] | None) -> list[int]:
    """The spreadsheet rows of *indices* (empty without *rows*)."""
    return [int(rows[i]) for i in indices] if rows is not None else []


def square(matrix, size: int, what: str, filename: str | None) -> np.ndarray:
    """*matrix* as a float array of shape (size, size) with finite non-negative values, else DataError."""
    array = np.asarray(matrix, dtype="float64")
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] != size:
        shape = " × ".join(num(s) for s in array.shape) if array.ndim else "un seul nombre"
        raise DataError(
            f"la matrice {what} a la forme {shape} ; il en faut une de {num(size)} × {num(size)} "
            f"(une ligne et une colonne par lieu : dépôt, exutoire éventuel et points, dans le même ordre)",
            filename=filename,
            hint="Vérifiez que la matrice couvre exactement les mêmes lieux que la liste des points.",
        )
    bad = ~np.isfinite(array) | (array < 0) | (array > MAX_MAGNITUDE)
    if bad.any():
        cells = np.argwhere(bad)[:3]
        where = ", ".join(f"({i + 1}, {j + 1})" for i, j in cells)
        raise DataError(
            f"la matrice {what} contient {plural(int(bad.sum()), 'valeur vide, négative, démesurée ou non numérique', 'valeurs vides, négatives, démesurées ou non numériques')}, "
            f"par exemple en (ligne, colonne) {where}",
            filename=filename,
            hint=f"Chaque case doit être un nombre positif ou nul, inférieur à {num(MAX_MAGNITUDE)}.",
        )
    return array


def check_fleet(capacity: float, n_vehicles: int) -> None:
    """A positive, finite capacity and at least one truck."""
    if not (np.isfinite(capacity) and 0 < capacity <= MAX_MAGNITUDE):
        raise DataError(f"la capacité d'un camion doit être un nombre strictement positif, au plus {num(MAX_MAGNITUDE)}")
    if int(n_vehicles) < 1:
        raise DataError("il faut au moins un camion")


def check_demands(demand: np.ndarray, points: list[int], capacity: float, names, rows, filename) -> None:
    """Every demand finite, non-negative, and within one truck."""
    bad = [i for i in points if not np.isfinite(demand[i]) or demand[i] < 0]
    if bad:
        raise DataError(
            f"volume à collecter vide ou négatif pour {plural(len(bad), 'point')} : {names_text(bad, names)}",
            filename=filename, rows=rows_of(bad, rows), hint="Indiquez un volume positif ou nul.",
        )
    too_big = [i for i in points if demand[i] > capacity * (1 + 1e-9)]
    if too_big:
        worst = max(demand[i] for i in too_big)
        one = len(too_big) == 1
        raise DataError(
            (f"1 point dépasse à lui seul la capacité d'un camion ({num(capacity)}) : {names_text(too_big, names)}, avec {num(worst)}"
             if one else
             f"{plural(len(too_big), 'point')} dépassent chacun la capacité d'un camion ({num(capacity)}) : "
             f"{names_text(too_big, names)}, jusqu'à {num(worst)}"),
            filename=filename, rows=rows_of(too_big, rows),
            hint="Augmentez la capacité des camions, ou scindez ce point en plusieurs passages.",
        )


def check_reach(points, dur, service, windows, depot, end, route_limit, names, rows, filename) -> None:
    """Points that no truck can serve on its own: out of their window, or beyond the shift."""
    arrive = dur[depot, points]
    late = windows[points, 1]
    early = windows[points, 0]
    begin = np.where(np.isfinite(early), np.maximum(arrive, early), arrive)
    bad_window = [p for p, b, l in zip(points, begin, late) if np.isfinite(l) and b > l]
    if bad_window:
        one = len(bad_window) == 1
        raise DataError(
            f"{plural(len(bad_window), 'point')} impossible{'' if one else 's'} à atteindre dans {'son' if one else 'leur'} "
            f"créneau horaire, même en y allant directement depuis le dépôt au début du service : {names_text(bad_window, names)}",
            filename=filename, rows=rows_of(bad_window, rows),
            hint="Élargissez ces créneaux ou avancez le début du service.",
        )
    if math.isfinite(route_limit):
        alone = begin + service[points] + dur[points, end]  # route_limit already leaves room to unload and go home
        too_far = [p for p, a in zip(points, alone) if a > route_limit]
        if too_far:
            one = len(too_far) == 1
            raise DataError(
                f"{plural(len(too_far), 'point')} trop loin{'' if one else 's'} pour la durée de service, même "
                f"{'servi seul' if one else 'servis seuls'} : {names_text(too_far, names)}",
                filename=filename, rows=rows_of(too_far, rows),
                hint="Allongez la durée de service ou vérifiez les coordonnées de ces points.",
            )
