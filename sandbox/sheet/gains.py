"""Yearly gains and the cost of the computation, from a run's figures and the profile's rules.

Each figure ``K`` a demo publishes (:class:`~sandbox.sheet.report.Figure`,
``key="K"``) gives three names to the gain formulas of its workshop profile:
``K`` (the measured value), ``K_baseline`` (today's practice) and ``K_gain``
(the improvement, positive when it is better). A rule may offer several
formulas: the first whose names all exist is used.

Examples
--------
>>> from sandbox.sheet.report import Figure
>>> variables = figure_variables((Figure("Distance", 182.0, "km", baseline=231.0, key="km"),))
>>> variables["km_gain"]
49.0
>>> Frugality(compute_seconds=36.0, power_w=100.0, carbon_g_per_kwh=50.0, runs_per_year=None).energy_wh
1.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.sheet.assumptions import format_number
from sandbox.sheet.report import Figure
from sandbox.text import NBSP, num, q
from sandbox.workshop import formula as _formula
from sandbox.workshop.profiles import GainRule


@dataclass(frozen=True)
class GainResult:
    """One yearly gain, or why it could not be computed.

    Attributes
    ----------
    key, label, unit : str
    value : float or None
        None when the run lacks a figure the rule needs.
    calculation : str
        The formula with its numbers (« (231 − 182) × 260 × 1,2 »), or the reason it is missing.
    decimals : int
    """

    key: str
    label: str
    unit: str
    value: float | None
    calculation: str
    decimals: int = 0

    @property
    def shown(self) -> str:
        """« 15 288 €/an » or « non calculé »."""
        if self.value is None:
            return "non calculé"
        return num(self.value, self.decimals) + (f"{NBSP}{self.unit}" if self.unit else "")


@dataclass(frozen=True)
class Frugality:
    """The measured compute time and the energy estimate with its assumptions."""

    compute_seconds: float
    power_w: float
    carbon_g_per_kwh: float
    runs_per_year: float | None

    @property
    def energy_wh(self) -> float:
        return self.compute_seconds * self.power_w / 3600.0

    @property
    def co2_g(self) -> float:
        return self.energy_wh / 1000.0 * self.carbon_g_per_kwh

    @property
    def yearly_kwh(self) -> float | None:
        return None if self.runs_per_year is None else self.energy_wh * self.runs_per_year / 1000.0

    @property
    def yearly_co2_kg(self) -> float | None:
        return None if self.yearly_kwh is None else self.yearly_kwh * self.carbon_g_per_kwh / 1000.0

    def text(self) -> str:
        """The frugality paragraph, in French."""
        fmt = format_number
        out = (
            f"Temps de calcul mesuré : {fmt(self.compute_seconds)}{NBSP}s sur ce poste. Énergie estimée : "
            f"{fmt(self.energy_wh)}{NBSP}Wh ({fmt(self.compute_seconds)}{NBSP}s × {fmt(self.power_w)}{NBSP}W), "
            f"soit {fmt(self.co2_g)}{NBSP}g{NBSP}CO₂e à {fmt(self.carbon_g_per_kwh)}{NBSP}g{NBSP}CO₂e/kWh."
        )
        if self.runs_per_year is not None:
            out += f" Sur un an ({num(self.runs_per_year)} exécutions) : {_energy(self.yearly_kwh)}, {_mass(self.yearly_co2_kg)}{NBSP}CO₂e."
        out += (
            " L'estimation ne compte que l'électricité du calcul, ni la fabrication du matériel ni l'affichage ; "
            "aucun serveur distant ni service en ligne n'est utilisé."
        )
        return out


def _energy(kwh: float) -> str:
    return f"{format_number(kwh)}{NBSP}kWh" if kwh >= 1 else f"{format_number(kwh * 1000)}{NBSP}Wh"


def _mass(kg: float) -> str:
    return f"{format_number(kg)}{NBSP}kg" if kg >= 1 else f"{format_number(kg * 1000)}{NBSP}g"


def _var(key: str) -> str:
    return re.sub(r"\W+", "_", key.strip().lower())


def figure_variables(figures: tuple[Figure, ...]) -> dict[str, float]:
    """The names a gain formula may use for these figures: ``K``, ``K_baseline``, ``K_gain``."""
    out: dict[str, float] = {}
    for f in figures:
        key = _var(f.key)
        if not key or f.value is None:
            continue
        out[key] = float(f.value)
        if f.baseline is not None:
            out[f"{key}_baseline"] = float(f.baseline)
            out[f"{key}_gain"] = float(f.baseline - f.value) if f.lower_is_better else float(f.value - f.baseline)
    return out


def evaluate_rule(rule: GainRule, variables: dict[str, float], figures: tuple[Figure, ...]) -> GainResult:
    """The gain of one rule: its first formula whose names all exist, shown with its numbers."""
    by_var = {_var(f.key): f for f in figures if f.key}

    def show(name: str) -> str:
        if name.endswith("_gain") and name[:-5] in by_var:
            f = by_var[name[:-5]]
            first, second = (f.baseline, f.value) if f.lower_is_better else (f.value, f.baseline)
            return f"({format_number(first)} − {format_number(second)})"
        return format_number(variables[name])

    def result(value: float | None, calculation: str) -> GainResult:
        return GainResult(rule.key, rule.label, rule.unit, value, calculation, rule.decimals)

    missing: list[str] = []
    for text in rule.formulas:
        tree = _formula.parse(text)
        try:
            value = _formula.evaluate(tree, variables)
        except _formula.FormulaError as exc:
            if exc.missing:
                missing.extend(m for m in exc.missing if m not in missing)
                continue
            return result(None, f"non calculable ({_formula_problem(str(exc))})")
        return result(value, _formula.render(tree, show, format_number))
    if rule.missing:
        return result(None, rule.missing)
    figures_missing = list(dict.fromkeys(re.sub(r"_(gain|baseline)$", "", m) for m in missing))
    listed = " ou ".join(q(m) for m in figures_missing)
    return result(None, f"cette exécution ne mesure pas le chiffre {listed} ou sa référence")


def yearly_runs(formulas: tuple[str, ...], variables: dict[str, float]) -> float | None:
    """How many runs a year (the first formula that evaluates), for the yearly energy; None if none does."""
    for text in formulas:
        try:
            return _formula.evaluate(_formula.parse(text), variables)
        except _formula.FormulaError:
            continue
    return None


def _formula_problem(text: str) -> str:
    return {"division by zero": "division par zéro", "result is not a finite number": "résultat infini"}.get(text, text)
