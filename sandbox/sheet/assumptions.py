"""The yearly-gain assumptions a user edits on the « Fiche projet » page: read French numbers, check ranges.

Examples
--------
>>> from sandbox.workshop.profiles import load_profile
>>> check_assumptions(load_profile("collection"), {"cost_per_km": "1 234,5"})["cost_per_km"]
1234.5
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from sandbox.data.numbers import parse_numbers
from sandbox.text import NBSP, num, q
from sandbox.workshop.profiles import DemoProfile


class AssumptionError(ValueError):
    """Edited assumptions that are not usable; ``messages`` holds one French sentence per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def format_number(value: float) -> str:
    """French number without useless decimals, three significant digits for small ones.

    This is what the page pre-fills assumption boxes with, and how the sheet
    writes every assumption and calculation.

    >>> format_number(1.20), format_number(1000), format_number(0.000416), format_number(-2.5)
    ('1,2', '1\u202f000', '0,000416', '−2,5')
    """
    if value == round(value):
        return num(value, 0)
    if abs(value) >= 1:
        text = num(value, 2)
    else:
        decimals = min(6, max(2, 2 - int(f"{abs(value):e}".split("e")[1])))
        text = num(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def check_assumptions(profile: DemoProfile, values: Mapping[str, object] | None = None) -> dict[str, float]:
    """Read the user's assumptions (numbers or French text such as « 1 234,5 ») and check them.

    Missing keys take their default. Returns ``{key: float}`` for every
    assumption of *profile*.

    Raises
    ------
    AssumptionError
        With one French message per value that is empty, not a number,
        negative or out of range.

    Examples
    --------
    >>> from sandbox.text import plain
    >>> from sandbox.workshop.profiles import load_profile
    >>> profile = load_profile("collection")
    >>> check_assumptions(profile, {"cost_per_km": "1,5"})["cost_per_km"]
    1.5
    >>> try:
    ...     check_assumptions(profile, {"cost_per_km": "-2", "days_per_year": "beaucoup"})
    ... except AssumptionError as exc:
    ...     print(plain(exc.messages[0]))
    Hypothèse « Jours de collecte par an pour ces tournées » : « beaucoup » n'est pas un nombre. Écrivez un nombre, par exemple 260.
    """
    values = dict(values or {})
    out: dict[str, float] = {}
    problems: list[str] = []
    for a in profile.assumptions:
        raw = values.get(a.key, a.default)
        name = f"Hypothèse {q(a.label)}"
        example = format_number(a.default)
        if isinstance(raw, bool):
            raw = str(raw)
        if isinstance(raw, (int, float)):
            number = float(raw)
            bad = number != number or number in (float("inf"), float("-inf"))
        else:
            text = str(raw).strip()
            if not text:
                problems.append(f"{name} : la valeur est vide. Écrivez un nombre (valeur par défaut : {example}).")
                continue
            parsed, invalid = parse_numbers(pd.Series([text.replace("−", "-")], dtype="object"))
            bad = bool(invalid.iloc[0]) or pd.isna(parsed.iloc[0])
            number = float(parsed.iloc[0]) if not bad else float("nan")
            if bad:
                shown = text if len(text) <= 30 else text[:29] + "…"
                problems.append(f"{name} : {q(shown)} n'est pas un nombre. Écrivez un nombre, par exemple {example}.")
                continue
        if bad:
            problems.append(f"{name} : la valeur n'est pas un nombre fini. Écrivez un nombre, par exemple {example}.")
            continue
        unit_text = f"{NBSP}{a.unit}" if a.unit else ""
        if a.min is not None and number < a.min:
            if number < 0 and a.min >= 0:
                problems.append(f"{name} : une valeur négative ({format_number(number)}) n'a pas de sens ici. Écrivez un nombre positif ou nul.")
            else:
                problems.append(f"{name} : {format_number(number)} est trop petit ; le minimum est {format_number(a.min)}{unit_text}.")
            continue
        if a.max is not None and number > a.max:
            problems.append(f"{name} : {format_number(number)} est trop grand ; le maximum est {format_number(a.max)}{unit_text}.")
            continue
        out[a.key] = number
    if problems:
        raise AssumptionError(problems)
    return out
