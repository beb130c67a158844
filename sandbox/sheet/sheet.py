"""The project sheet (« Fiche projet »): what a demo run measured, its yearly gains, its cost and its risks.

An innovation team takes this sheet to a funding committee. It is built
from three things only: the :class:`~sandbox.sheet.report.RunSummary` a
demo published after a run (figures against the baseline, a description
of the data — never the data itself —, parameters, compute time), the
demo's profile (:mod:`sandbox.workshop.profiles`: AI Act and GDPR
analysis, transparency fields, gain rules and default assumptions with
their sources) and the assumptions the user edited. It renders to
Markdown, to a one-to-two-page PDF (fpdf2, with a Unicode font so that
accents, « », œ and narrow no-break spaces come out right) and to a public
algorithmic transparency record in JSON.

Examples
--------
>>> from sandbox.sheet.report import DataSummary, Figure, RunSummary
>>> run = RunSummary(
...     demo="collection",
...     data=DataSummary("exemple", ("points.csv",), 400, "400 points de collecte"),
...     parameters={"Camions": 4},
...     figures=(Figure("Distance totale", 182.0, "km", baseline=231.0, key="km"),),
...     compute_seconds=2.0,
... )
>>> sheet = build_sheet(run, assumptions={"days_per_year": "250", "cost_per_km": "1,5"})
>>> gain = sheet.gain("fuel_eur")
>>> gain.value, plain(gain.calculation)
(18375.0, '(231 − 182) × 250 × 1,5')
>>> sheet.ai_act.label
'Risque minimal'
>>> pdf = sheet.to_pdf()
>>> pdf[:5]
b'%PDF-'
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from sandbox import __version__, registry
from sandbox.data.numbers import parse_numbers
from sandbox.sheet import formula as _formula
from sandbox.workshop.profiles import AiActClass, DemoProfile, GainRule, load_profile
from sandbox.sheet.report import Figure, RunSummary
from sandbox.text import NBSP, num, pct, plain, plural, q

logger = logging.getLogger("sandbox")

SOURCE_LABELS = {"exemple": "données d'exemple (synthétiques, aucune personne réelle)", "fichier": "fichier de la collectivité"}
TOOL = f"Bac à sable IA {__version__}"
DISCLAIMER = (
    "Pré-analyse indicative : les chiffres sont mesurés sur les données indiquées, les gains dépendent "
    "d'hypothèses modifiables, et la classification juridique est à confirmer avec votre délégué à la "
    "protection des données (DPO) et votre service juridique."
)


# --- assumptions -------------------------------------------------------------------------------


class AssumptionError(ValueError):
    """Edited assumptions that are not usable; ``messages`` holds one French sentence per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _fmt(value: float) -> str:
    """A number for people: no useless decimals, three significant digits for small ones."""
    if value == round(value):
        return num(value, 0)
    if abs(value) >= 1:
        text = num(value, 2)
    else:
        decimals = min(6, max(2, 2 - int(f"{abs(value):e}".split("e")[1])))
        text = num(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def format_number(value: float) -> str:
    """French number without useless decimals (what the page pre-fills assumption boxes with).

    >>> format_number(1.20), format_number(1000), format_number(0.000416)
    ('1,2', '1\u202f000', '0,000416')
    """
    return _fmt(value)


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
        if isinstance(raw, bool):
            raw = str(raw)
        if isinstance(raw, (int, float)):
            number = float(raw)
            bad = number != number or number in (float("inf"), float("-inf"))
        else:
            text = str(raw).strip()
            if not text:
                problems.append(f"{name} : la valeur est vide. Écrivez un nombre (valeur par défaut : {_fmt(a.default)}).")
                continue
            parsed, invalid = parse_numbers(pd.Series([text.replace("−", "-")], dtype="object"))
            bad = bool(invalid.iloc[0]) or pd.isna(parsed.iloc[0])
            number = float(parsed.iloc[0]) if not bad else float("nan")
            if bad:
                shown = text if len(text) <= 30 else text[:29] + "…"
                problems.append(f"{name} : {q(shown)} n'est pas un nombre. Écrivez un nombre, par exemple {_fmt(a.default)}.")
                continue
        if bad:
            problems.append(f"{name} : la valeur n'est pas un nombre fini. Écrivez un nombre, par exemple {_fmt(a.default)}.")
            continue
        unit_text = f"{NBSP}{a.unit}" if a.unit else ""
        if a.min is not None and number < a.min:
            if number < 0 and a.min >= 0:
                problems.append(f"{name} : une valeur négative ({_fmt(number)}) n'a pas de sens ici. Écrivez un nombre positif ou nul.")
            else:
                problems.append(f"{name} : {_fmt(number)} est trop petit ; le minimum est {_fmt(a.min)}{unit_text}.")
            continue
        if a.max is not None and number > a.max:
            problems.append(f"{name} : {_fmt(number)} est trop grand ; le maximum est {_fmt(a.max)}{unit_text}.")
            continue
        out[a.key] = number
    if problems:
        raise AssumptionError(problems)
    return out


# --- results of the sheet ----------------------------------------------------------------------


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
        out = (
            f"Temps de calcul mesuré : {_fmt(self.compute_seconds)}{NBSP}s sur ce poste. Énergie estimée : "
            f"{_fmt(self.energy_wh)}{NBSP}Wh ({_fmt(self.compute_seconds)}{NBSP}s × {_fmt(self.power_w)}{NBSP}W), "
            f"soit {_fmt(self.co2_g)}{NBSP}g{NBSP}CO₂e à {_fmt(self.carbon_g_per_kwh)}{NBSP}g{NBSP}CO₂e/kWh."
        )
        if self.runs_per_year is not None:
            out += f" Sur un an ({num(self.runs_per_year)} exécutions) : {_energy(self.yearly_kwh)}, {_mass(self.yearly_co2_kg)}{NBSP}CO₂e."
        out += (
            " L'estimation ne compte que l'électricité du calcul, ni la fabrication du matériel ni l'affichage ; "
            "aucun serveur distant ni service en ligne n'est utilisé."
        )
        return out


def _energy(kwh: float) -> str:
    return f"{_fmt(kwh)}{NBSP}kWh" if kwh >= 1 else f"{_fmt(kwh * 1000)}{NBSP}Wh"


def _mass(kg: float) -> str:
    return f"{_fmt(kg)}{NBSP}kg" if kg >= 1 else f"{_fmt(kg * 1000)}{NBSP}g"


@dataclass(frozen=True)
class GdprAssessment:
    """The GDPR part of the sheet for this run."""

    personal_data: bool
    special_category: bool
    dpia: str
    reason: str
    what: str
    legal_basis: str
    synthetic_note: str = ""
    run_personal_data: bool | None = None

    @property
    def personal_text(self) -> str:
        """« oui », « non », or « oui dans l'usage réel (…) » for a run on synthetic data."""
        if self.personal_data and self.run_personal_data is False:
            return "oui dans l'usage réel (cette exécution : données d'exemple synthétiques)"
        return "oui" if self.personal_data else "non"

    @property
    def dpia_label(self) -> str:
        return {"oui": "Oui", "à évaluer": "À évaluer avec le DPO", "non": "Non"}[self.dpia]


def _variables(figures: tuple[Figure, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in figures:
        key = re.sub(r"\W+", "_", f.key.strip().lower())
        if not key or f.value is None:
            continue
        out[key] = float(f.value)
        if f.baseline is not None:
            out[f"{key}_baseline"] = float(f.baseline)
            out[f"{key}_gain"] = float(f.baseline - f.value) if f.lower_is_better else float(f.value - f.baseline)
    return out


def _figure_by_var(figures: tuple[Figure, ...]) -> dict[str, Figure]:
    return {re.sub(r"\W+", "_", f.key.strip().lower()): f for f in figures if f.key}


def _evaluate_rule(rule: GainRule, variables: dict[str, float], figures: tuple[Figure, ...]) -> tuple[float | None, str]:
    by_var = _figure_by_var(figures)

    def show(name: str) -> str:
        if name.endswith("_gain") and name[:-5] in by_var:
            f = by_var[name[:-5]]
            first, second = (f.baseline, f.value) if f.lower_is_better else (f.value, f.baseline)
            return f"({_fmt(first)} − {_fmt(second)})"
        return _fmt(variables[name])

    missing: list[str] = []
    for formula in rule.formulas:
        tree = _formula.parse(formula)
        try:
            value = _formula.evaluate(tree, variables)
        except _formula.FormulaError as exc:
            if exc.missing:
                missing.extend(m for m in exc.missing if m not in missing)
                continue
            return None, f"non calculable ({_formula_problem(str(exc))})"
        return value, _formula.render(tree, show, _fmt)
    if rule.missing:
        return None, rule.missing
    figures_missing = list(dict.fromkeys(re.sub(r"_(gain|baseline)$", "", m) for m in missing))
    listed = " ou ".join(q(m) for m in figures_missing)
    return None, f"cette exécution ne mesure pas le chiffre {listed} ou sa référence"


def _formula_problem(text: str) -> str:
    return {"division by zero": "division par zéro", "result is not a finite number": "résultat infini"}.get(text, text)


def method_summary(demo: str, profile: DemoProfile | None = None) -> tuple[str, str]:
    """The method in plain French: the model module's ``METHOD_SUMMARY_FR`` if it has one, else the profile's.

    Returns ``(text, origin)`` where origin is the module name or ``"profil"``.
    """
    profile = profile or load_profile(demo)
    for name in profile.method_modules:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        except Exception:  # a broken model module must not break the sheet
            logger.exception("importing %s for the project sheet failed", name)
            continue
        text = getattr(module, "METHOD_SUMMARY_FR", None)
        if isinstance(text, str) and text.strip():
            return " ".join(text.split()), name
    return profile.method_fallback, "profil"


# --- the sheet ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSheet:
    """A project sheet, ready to render (build it with :func:`build_sheet`)."""

    summary: RunSummary
    profile: DemoProfile
    title: str
    problem: str
    ai: str
    users: str
    method: str
    assumptions: Mapping[str, float]
    gains: tuple[GainResult, ...]
    frugality: Frugality
    ai_act: AiActClass
    gdpr: GdprAssessment
    organisation: str
    contact: str
    commune: str | None
    created: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))

    @property
    def demo(self) -> str:
        return self.summary.demo

    def gain(self, key: str) -> GainResult | None:
        """The gain with this key, if any."""
        return next((g for g in self.gains if g.key == key), None)

    # -- content, shared by Markdown and PDF --------------------------------------------------

    def _data_rows(self) -> list[tuple[str, str]]:
        d = self.summary.data
        rows = [
            ("Source", SOURCE_LABELS.get(d.source, d.source)),
            ("Fichiers", ", ".join(d.files) if d.files else "–"),
            ("Volume", f"{plural(d.rows, 'ligne')} — {d.description}" if d.description else plural(d.rows, "ligne")),
        ]
        if d.period:
            rows.append(("Période", d.period))
        personal = "oui" if self.summary.personal_data else "non"
        if self.gdpr.personal_data and not self.summary.personal_data:
            personal = "non (données synthétiques) ; oui dans l'usage réel"
        if self.summary.special_category:
            personal += ", dont des catégories particulières (santé)"
        rows.append(("Données personnelles", personal + " — aucune ne figure dans cette fiche"))
        return rows

    def _figure_rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for f in self.summary.figures:
            unit = f.unit
            value = num(f.value, f.decimals) + (f"{NBSP}{unit}" if unit else "")
            base = "–" if f.baseline is None else num(f.baseline, f.decimals) + (f"{NBSP}{unit}" if unit else "")
            change = f.change
            if change is None:
                delta = "–"
            else:
                better = (change < 0) == f.lower_is_better if change != 0 else None
                verdict = "" if better is None else (" (mieux)" if better else " (moins bien)")
                delta = pct(change, signed=True) + verdict
            rows.append((f.label, value, base, delta))
        return rows

    def _assumption_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for a in self.profile.assumptions:
            value = _fmt(self.assumptions[a.key]) + (f"{NBSP}{a.unit}" if a.unit else "")
            marker = "" if self.assumptions[a.key] == a.default else " (modifiée)"
            rows.append((a.label, value + marker, a.source))
        return rows

    def _parameters(self) -> str:
        params = self.summary.parameters
        if not params:
            return "Paramètres : ceux par défaut."
        return "Paramètres : " + " ; ".join(f"{k} = {_value_text(v)}" for k, v in params.items()) + "."

    def _ai_act_text(self) -> list[str]:
        a = self.ai_act
        scope = f" ({a.scope})" if a.scope else ""
        return [
            f"Pré-classification AI Act : {a.label}{scope}.",
            a.reason,
            f"Références : {a.reference}. Obligations : {a.obligations[:1].lower() + a.obligations[1:]}",
        ]

    def _gdpr_text(self) -> list[str]:
        g = self.gdpr
        lines = [
            f"Données personnelles : {g.personal_text}. {g.what}",
            f"Catégories particulières (art. 9) : {'oui' if g.special_category else 'non'}. {self.profile.gdpr.special_category}",
            f"Analyse d'impact (AIPD) nécessaire : {g.dpia_label}. {g.reason}",
            f"Base légale envisagée : {g.legal_basis}",
        ]
        if g.synthetic_note:
            lines.append(g.synthetic_note)
        return lines

    def _transparency_rows(self) -> list[tuple[str, str]]:
        t = self.profile.transparency
        return [
            ("Finalité", t.purpose),
            ("Organisme responsable", f"{self.organisation} — contact : {self.contact}"),
            ("Type de décision", t.decision),
            ("Données", f"{self.summary.data.description} ({SOURCE_LABELS.get(self.summary.data.source, self.summary.data.source)})"),
            ("Méthode", "voir la section 3 ; paramètres et résultats dans le fichier JSON joint"),
            ("Contrôle humain", t.human_oversight),
            ("Comment contester", t.contest),
        ]

    def _header_line(self) -> str:
        parts = [self.organisation]
        if self.commune:
            parts.append(self.commune)
        parts.append(f"fiche générée le {self.created:%d/%m/%Y à %H:%M} par {TOOL}")
        parts.append(f"exécution du {self.summary.created:%d/%m/%Y à %H:%M}")
        return " · ".join(parts)

    # -- Markdown ------------------------------------------------------------------------------

    def to_markdown(self) -> str:
        """The sheet as Markdown (GitHub tables), in French."""
        md: list[str] = [f"# Fiche projet — {self.title}", "", f"*{self._header_line()}*", "", f"> {DISCLAIMER}", ""]
        md += ["## 1. Le cas d'usage", "", f"**Le problème.** {self.problem}", "", f"**Ce que fait l'IA.** {self.ai}", ""]
        if self.users:
            md += [f"**Pour qui.** {self.users}", ""]
        md += ["## 2. Les données utilisées", "", _md_table(("", ""), self._data_rows(), kv=True), ""]
        md += ["## 3. La méthode", "", self.method, "", self._parameters(), ""]
        md += ["## 4. Résultats mesurés", ""]
        if self.summary.figures:
            md += [_md_table(("Indicateur", "Résultat", "Référence (actuel)", "Écart"), self._figure_rows()), ""]
        else:
            md += ["Cette exécution n'a publié aucun chiffre.", ""]
        md += ["## 5. Gains annuels estimés", ""]
        md += [_md_table(("Gain", "Par an", "Calcul"), [(g.label, g.shown, g.calculation) for g in self.gains]), ""]
        md += ["**Hypothèses**", "", _md_table(("Hypothèse", "Valeur", "Source"), self._assumption_rows()), ""]
        md += ["## 6. Coût du calcul (IA frugale)", "", self.frugality.text(), ""]
        head, reason, refs = self._ai_act_text()
        md += ["## 7. Risques et conformité", "", f"**{head}** {reason}", "", refs, ""]
        md += ["**RGPD.**", ""] + [f"- {line}" for line in self._gdpr_text()] + [""]
        md += ["## 8. Fiche de transparence algorithmique", "", _md_table(("", ""), self._transparency_rows(), kv=True), ""]
        return "\n".join(md)

    # -- transparency record -------------------------------------------------------------------

    def transparency_record(self) -> dict:
        """The public algorithmic transparency record as a JSON-ready dict (French keys and values)."""
        d = self.summary.data
        t = self.profile.transparency
        return {
            "format": "bac-a-sable-ia/fiche-transparence-algorithmique",
            "version": 1,
            "langue": "fr",
            "nom": self.title,
            "finalite": t.purpose,
            "organisme_responsable": {"nom": self.organisation, "contact": self.contact, "commune": self.commune},
            "type_de_decision": t.decision,
            "controle_humain": t.human_oversight,
            "comment_contester": t.contest,
            "donnees": {
                "description": d.description,
                "source": SOURCE_LABELS.get(d.source, d.source),
                "fichiers": list(d.files),
                "lignes": d.rows,
                "periode": d.period,
                "donnees_personnelles": self.gdpr.personal_data,
                "categories_particulieres": self.summary.special_category,
                "execution_sur_donnees_synthetiques": self.summary.data.source == "exemple",
            },
            "methode": {
                "description": self.method,
                "parametres": {str(k): _json_value(v) for k, v in self.summary.parameters.items()},
            },
            "performance": [
                {
                    "cle": f.key,
                    "indicateur": f.label,
                    "valeur": f.value,
                    "unite": f.unit,
                    "reference": f.baseline,
                    "ecart_relatif": None if f.change is None else round(f.change, 4),
                    "plus_bas_est_mieux": f.lower_is_better,
                }
                for f in self.summary.figures
            ],
            "risques": {
                "ai_act": {
                    "classe": self.ai_act.label,
                    "niveau": self.ai_act.level,
                    "perimetre": self.ai_act.scope or None,
                    "motif": self.ai_act.reason,
                    "references": self.ai_act.reference,
                    "obligations": self.ai_act.obligations,
                },
                "rgpd": {
                    "donnees_personnelles": self.gdpr.personal_data,
                    "categories_particulieres": self.gdpr.special_category,
                    "aipd": self.gdpr.dpia,
                    "motif_aipd": self.gdpr.reason,
                    "base_legale": self.gdpr.legal_basis,
                },
            },
            "calcul": {
                "secondes": round(self.frugality.compute_seconds, 3),
                "energie_wh": round(self.frugality.energy_wh, 6),
                "hypothese_puissance_w": self.frugality.power_w,
                "hypothese_carbone_g_par_kwh": self.frugality.carbon_g_per_kwh,
            },
            "date_execution": self.summary.created.isoformat(),
            "date_fiche": self.created.isoformat(),
            "outil": TOOL,
        }

    def to_json(self) -> str:
        """:meth:`transparency_record` as indented UTF-8 JSON text."""
        return json.dumps(self.transparency_record(), ensure_ascii=False, indent=2)

    # -- PDF -------------------------------------------------------------------------------------

    def to_pdf(self, font: tuple[str, str] | None = None) -> bytes:
        """The sheet as a PDF (A4, one to two pages).

        Parameters
        ----------
        font : (regular, bold) paths of TrueType fonts, optional
            Default: ``$SANDBOX_PDF_FONT`` (a regular TTF path), then DejaVu
            Sans, then Liberation Sans; without any, the PDF falls back to
            Helvetica and writes characters it lacks in plain Latin (« oe »
            for « œ »). See :mod:`sandbox.sheet.pdf`.
        """
        from sandbox.sheet.pdf import render_pdf

        return render_pdf(self, font)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, int):
        return num(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_value_text(v) for v in value)
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(header: tuple[str, ...], rows: list[tuple[str, ...]], *, kv: bool = False) -> str:
    if kv:
        lines = ["| | |", "|---|---|"]
        lines += [f"| **{_md_cell(r[0])}** | {_md_cell(r[1])} |" for r in rows]
        return "\n".join(lines)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


# --- building ------------------------------------------------------------------------------------


def build_sheet(
    summary: RunSummary,
    *,
    assumptions: Mapping[str, object] | None = None,
    organisation: str | None = None,
    contact: str | None = None,
    commune: str | None = None,
    profile: DemoProfile | None = None,
    created: datetime | None = None,
) -> ProjectSheet:
    """Build the project sheet of a run.

    Parameters
    ----------
    summary : RunSummary
        What the demo published after its run.
    assumptions : mapping, optional
        Edited assumptions (``{key: number or French text}``); the others keep their default.
    organisation, contact : str, optional
        The responsible body and its contact (« à compléter » by default).
    commune : str, optional
        Name of the commune chosen in the sidebar.
    profile : DemoProfile, optional
        Default: the demo's profile file.

    Raises
    ------
    AssumptionError
        If an assumption is empty, not a number, negative or out of range (French messages).
    KeyError
        If the demo is unknown.
    """
    profile = profile or load_profile(summary.demo)
    values = check_assumptions(profile, assumptions)
    demo = registry.demo(summary.demo)
    variables = {
        "rows": float(summary.data.rows),
        "compute_seconds": float(summary.compute_seconds),
        **_variables(summary.figures),
        **values,
    }

    gains = []
    for rule in profile.gains:
        value, calculation = _evaluate_rule(rule, variables, summary.figures)
        gains.append(GainResult(rule.key, rule.label, rule.unit, value, calculation, rule.decimals))

    runs = None
    for formula in profile.yearly_runs:
        try:
            runs = _formula.evaluate(_formula.parse(formula), variables)
            break
        except _formula.FormulaError:
            continue
    frugality = Frugality(max(0.0, float(summary.compute_seconds)), values["power_w"], values["carbon_g_per_kwh"], runs)

    g = profile.gdpr
    synthetic_run = summary.data.source == "exemple"
    # A run on synthetic samples may say « no personal data » truthfully; the sheet is about the real use.
    personal = summary.personal_data or (synthetic_run and g.personal_in_real_use)
    if summary.special_category:
        dpia = "oui"
        reason = g.dpia_reason if g.dpia == "oui" else "Catégories particulières de données (RGPD, art. 9 et 35). " + g.dpia_reason
    elif personal:
        dpia, reason = g.dpia, g.dpia_reason
    else:
        dpia, reason = "non", g.no_personal_data or "Aucune donnée personnelle n'est traitée."
    synthetic = ""
    if synthetic_run:
        synthetic = (
            "Cette exécution porte sur des données d'exemple synthétiques : aucune personne réelle. "
            "L'analyse ci-dessus vaut pour l'usage réel, sur les données de la collectivité."
        )
    gdpr = GdprAssessment(
        personal_data=personal,
        run_personal_data=summary.personal_data,
        special_category=summary.special_category,
        dpia=dpia,
        reason=reason,
        what=g.personal_data,
        legal_basis=g.legal_basis,
        synthetic_note=synthetic,
    )
    method, _origin = method_summary(summary.demo, profile)
    return ProjectSheet(
        summary=summary,
        profile=profile,
        title=demo.title,
        problem=demo.problem,
        ai=demo.ai,
        users=demo.users,
        method=method,
        assumptions=values,
        gains=tuple(gains),
        frugality=frugality,
        ai_act=profile.ai_act_for(personal),
        gdpr=gdpr,
        organisation=(organisation or "").strip() or "Organisme responsable à compléter",
        contact=(contact or "").strip() or "à compléter",
        commune=commune,
        created=(created or datetime.now()).replace(microsecond=0),
    )
