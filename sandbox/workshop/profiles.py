"""What the workshop mode and the project sheet know about each demo, read from ``sandbox/workshop/<key>.toml``.

One TOML file per demo holds, in French:

- ``[workshop]``: the facilitator notes — what to show first, two or three
  questions for the room, a common misconception and how the demo answers
  it, one or two hands-on exercises;
- ``[ai_act]``: the EU AI Act pre-classification with its reason (and
  ``[ai_act.without_personal_data]`` when a mode without personal data is
  classed differently);
- ``[gdpr]``: what personal data the use case involves (and whether its
  real use processes personal data even when a run on synthetic samples
  does not: ``personal_data_in_real_use``), special categories, whether a
  DPIA is needed and why;
- ``[transparency]``: the fields of a public algorithmic transparency record;
- ``[[assumptions]]`` and ``[[gains]]``: the default yearly-gain assumptions
  (with their sources) and the rules that turn a run's figures into yearly
  gains (:mod:`sandbox.workshop.formula`: arithmetic only);
- ``[frugality]``: how many runs a year the energy estimate counts.

Trainers can edit these files without touching code; :func:`load_profile`
checks them (every formula parses and names only known values).

Examples
--------
>>> profile = load_profile("collection")
>>> profile.ai_act.label
'Risque minimal'
>>> profile.assumption("days_per_year").default
260.0
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sandbox import PACKAGE_DIR
from sandbox.workshop import formula as _formula
from sandbox.text import typography

PROFILE_DIR = PACKAGE_DIR / "workshop"

AI_ACT_LEVELS = {
    "minimal": "Risque minimal",
    "limited": "Risque limité (obligations de transparence)",
    "high": "Haut risque",
    "prohibited": "Pratique interdite",
}
DPIA_VALUES = ("oui", "à évaluer", "non")


def french(text: str) -> str:
    """Collapse the spaces of a (multi-line) TOML string and apply French typography.

    >>> french("Un « test »   : oui ?")
    'Un «\\xa0test\\xa0»\\xa0: oui\\u202f?'
    """
    text = " ".join(str(text).split())
    text = re.sub(r"«\s*", "«\u00a0", text)
    text = re.sub(r"\s*»", "\u00a0»", text)
    return typography(text)


@dataclass(frozen=True)
class Assumption:
    """An editable assumption of the yearly gains.

    Attributes
    ----------
    key : str
        Name used in gain formulas.
    label : str
        French label on the page and in the sheet.
    unit : str
    default : float
    source : str
        Where the default comes from (or what to replace it with).
    min, max : float or None
        Allowed range; assumptions are never negative unless *min* says so.
    """

    key: str
    label: str
    unit: str
    default: float
    source: str
    min: float | None = 0.0
    max: float | None = None


@dataclass(frozen=True)
class GainRule:
    """How one yearly gain is computed from a run's figures and the assumptions.

    Attributes
    ----------
    key : str
    label : str
    unit : str
        « €/an », « km/an »…
    formulas : tuple of str
        Tried in order; the first whose values all exist is used. Names:
        assumption keys, and for each figure ``K`` of the run ``K``
        (value), ``K_baseline`` and ``K_gain`` (improvement on the baseline,
        positive when better); ``rows`` (rows of data the run used) and
        ``compute_seconds``.
    decimals : int
    missing : str
        What to say when the run lacks the figures (« mesuré en mode personnes seulement »).
    """

    key: str
    label: str
    unit: str
    formulas: tuple[str, ...]
    decimals: int = 0
    missing: str = ""


@dataclass(frozen=True)
class FacilitatorNotes:
    """The workshop panel of a demo page."""

    show_first: str
    questions: tuple[str, ...]
    misconception: str
    answer: str
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class AiActClass:
    """An EU AI Act pre-classification."""

    level: str
    reason: str
    reference: str
    obligations: str
    scope: str = ""

    @property
    def label(self) -> str:
        """« Haut risque », « Risque minimal »…"""
        return AI_ACT_LEVELS[self.level]


@dataclass(frozen=True)
class GdprNote:
    """What the GDPR asks of this use case."""

    personal_data: str
    special_category: str
    dpia: str
    dpia_reason: str
    legal_basis: str
    no_personal_data: str = ""
    personal_in_real_use: bool = False


@dataclass(frozen=True)
class TransparencyFields:
    """Defaults of the public algorithmic transparency record."""

    purpose: str
    decision: str
    human_oversight: str
    contest: str


@dataclass(frozen=True)
class DemoProfile:
    """Everything the workshop mode and the project sheet know about one demo."""

    demo: str
    method_modules: tuple[str, ...]
    method_fallback: str
    workshop: FacilitatorNotes
    ai_act: AiActClass
    ai_act_without_personal_data: AiActClass | None
    gdpr: GdprNote
    transparency: TransparencyFields
    assumptions: tuple[Assumption, ...]
    gains: tuple[GainRule, ...]
    yearly_runs: tuple[str, ...]

    def assumption(self, key: str) -> Assumption:
        """The assumption with this key."""
        for a in self.assumptions:
            if a.key == key:
                return a
        raise KeyError(key)

    def defaults(self) -> dict[str, float]:
        """``{key: default}`` of every assumption."""
        return {a.key: a.default for a in self.assumptions}

    def ai_act_for(self, personal_data: bool) -> AiActClass:
        """The classification that applies to a run with or without personal data."""
        if not personal_data and self.ai_act_without_personal_data is not None:
            return self.ai_act_without_personal_data
        return self.ai_act


# Assumptions every sheet has: the energy estimate of the run (frugal AI).
COMMON_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "power_w",
        "Puissance de l'ordinateur pendant le calcul",
        "W",
        30.0,
        "Ordre de grandeur d'un ordinateur portable dont le processeur travaille à plein ; "
        "mesurez-la avec un wattmètre pour un chiffre exact.",
        min=1.0,
        max=5000.0,
    ),
    Assumption(
        "carbon_g_per_kwh",
        "Contenu carbone de l'électricité",
        "g CO₂e/kWh",
        60.0,
        "ADEME, Base Empreinte, « Électricité – mix moyen de consommation », France continentale : "
        "de 55 à 73 g CO₂e/kWh selon l'année (2021–2022) ; 60 retenus.",
        max=2000.0,
    ),
)


class ProfileError(ValueError):
    """A profile file that is missing or malformed (a bug in the repository, not in user data)."""


def _text(table: dict, key: str, where: str, *, required: bool = True) -> str:
    value = table.get(key, "")
    if required and not str(value).strip():
        raise ProfileError(f"{where}: missing {key!r}")
    return french(value) if value else ""


def _texts(table: dict, key: str, where: str, lo: int, hi: int) -> tuple[str, ...]:
    values = table.get(key, [])
    if not isinstance(values, list) or not lo <= len(values) <= hi:
        raise ProfileError(f"{where}: {key!r} must be a list of {lo} to {hi} texts")
    return tuple(french(v) for v in values)


def _ai_act(table: dict, where: str) -> AiActClass:
    level = table.get("level")
    if level not in AI_ACT_LEVELS:
        raise ProfileError(f"{where}: level must be one of {sorted(AI_ACT_LEVELS)}")
    return AiActClass(
        level=level,
        reason=_text(table, "reason", where),
        reference=_text(table, "reference", where),
        obligations=_text(table, "obligations", where),
        scope=_text(table, "scope", where, required=False),
    )


def parse_profile(demo: str, data: dict) -> DemoProfile:
    """Build and check a profile from the parsed TOML *data*."""
    where = f"profile {demo!r}"
    try:
        workshop = data["workshop"]
        ai = data["ai_act"]
        gdpr = data["gdpr"]
        transparency = data["transparency"]
    except KeyError as exc:
        raise ProfileError(f"{where}: missing section [{exc.args[0]}]") from None

    assumptions = list(COMMON_ASSUMPTIONS)
    own_keys = set()
    for item in data.get("assumptions", []):
        key = str(item.get("key", ""))
        if not key.isidentifier() or key in own_keys:
            raise ProfileError(f"{where}: bad or duplicated assumption key {key!r}")
        own_keys.add(key)
        try:
            default = float(item["default"])
        except (KeyError, TypeError, ValueError):
            raise ProfileError(f"{where}: assumption {key!r} needs a numeric default") from None
        lo = item.get("min", 0.0)
        hi = item.get("max")
        assumption = Assumption(
            key=key,
            label=_text(item, "label", f"{where}, {key}"),
            unit=str(item.get("unit", "")),
            default=default,
            source=_text(item, "source", f"{where}, {key}"),
            min=None if lo is None else float(lo),
            max=None if hi is None else float(hi),
        )
        if (assumption.min is not None and default < assumption.min) or (assumption.max is not None and default > assumption.max):
            raise ProfileError(f"{where}: default of {key!r} out of its range")
        assumptions = [a for a in assumptions if a.key != key] + [assumption]
    known = {a.key for a in assumptions}

    gains = []
    for item in data.get("gains", []):
        key = str(item.get("key", ""))
        formulas = item.get("formula")
        formulas = [formulas] if isinstance(formulas, str) else list(formulas or [])
        if not formulas:
            raise ProfileError(f"{where}: gain {key!r} has no formula")
        for formula in formulas:
            try:
                tree = _formula.parse(formula)
            except _formula.FormulaError as exc:
                raise ProfileError(f"{where}: gain {key!r}: {exc}") from None
            for name in _formula.names(tree) - known:
                if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    raise ProfileError(f"{where}: gain {key!r} uses unknown name {name!r}")
        gains.append(
            GainRule(
                key=key,
                label=_text(item, "label", f"{where}, gain {key}"),
                unit=str(item.get("unit", "")),
                formulas=tuple(formulas),
                decimals=int(item.get("decimals", 0)),
                missing=_text(item, "missing", where, required=False),
            )
        )

    frugality = data.get("frugality", {})
    yearly = frugality.get("yearly_runs", ["runs_per_year"])
    yearly = [yearly] if isinstance(yearly, str) else list(yearly)
    for formula in yearly:
        try:
            _formula.parse(formula)
        except _formula.FormulaError as exc:
            raise ProfileError(f"{where}: frugality: {exc}") from None

    modules = data.get("method_module", [])
    modules = [modules] if isinstance(modules, str) else list(modules)
    dpia = gdpr.get("dpia")
    if dpia not in DPIA_VALUES:
        raise ProfileError(f"{where}: gdpr.dpia must be one of {DPIA_VALUES}")
    without = ai.get("without_personal_data")
    return DemoProfile(
        demo=demo,
        method_modules=tuple(str(m) for m in modules),
        method_fallback=_text(data, "method_fallback", where),
        workshop=FacilitatorNotes(
            show_first=_text(workshop, "show_first", where),
            questions=_texts(workshop, "questions", where, 2, 3),
            misconception=_text(workshop, "misconception", where),
            answer=_text(workshop, "answer", where),
            exercises=_texts(workshop, "exercises", where, 1, 2),
        ),
        ai_act=_ai_act(ai, f"{where}, ai_act"),
        ai_act_without_personal_data=_ai_act(without, f"{where}, ai_act.without_personal_data") if without else None,
        gdpr=GdprNote(
            personal_data=_text(gdpr, "personal_data", where),
            special_category=_text(gdpr, "special_category", where),
            dpia=dpia,
            dpia_reason=_text(gdpr, "dpia_reason", where),
            legal_basis=_text(gdpr, "legal_basis", where),
            no_personal_data=_text(gdpr, "no_personal_data", where, required=False),
            personal_in_real_use=bool(gdpr.get("personal_data_in_real_use", False)),
        ),
        transparency=TransparencyFields(
            purpose=_text(transparency, "purpose", where),
            decision=_text(transparency, "decision", where),
            human_oversight=_text(transparency, "human_oversight", where),
            contest=_text(transparency, "contest", where),
        ),
        assumptions=tuple(assumptions),
        gains=tuple(gains),
        yearly_runs=tuple(yearly),
    )


def profile_path(demo: str) -> Path:
    """The TOML file of *demo*."""
    return PROFILE_DIR / f"{demo}.toml"


@lru_cache(maxsize=16)
def load_profile(demo: str) -> DemoProfile:
    """The checked profile of *demo* (cached).

    Raises
    ------
    ProfileError
        If the file is missing or malformed.
    """
    path = profile_path(demo)
    if not re.fullmatch(r"[a-z0-9_-]+", demo) or not path.is_file():
        raise ProfileError(f"no profile for demo {demo!r} ({path})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path.name}: {exc}") from None
    return parse_profile(demo, data)


def available_profiles() -> list[str]:
    """The demos that have a profile file."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))
