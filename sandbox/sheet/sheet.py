"""The project sheet (« Fiche projet »): what a demo run measured, its yearly gains, its cost and its risks.

An innovation team takes this sheet to a funding committee. It is built
from four things only: the :class:`~sandbox.sheet.report.RunSummary` a
demo published after a run (figures against the baseline, a description
of the data — never the data itself —, parameters, compute time), the
:class:`UseCase` the app describes the demo with (title, problem, what the
AI does, for whom), the demo's profile (:mod:`sandbox.workshop.profiles`:
AI Act and GDPR analysis, transparency fields, gain rules and default
assumptions with their sources) and the assumptions the user edited.

The sheet becomes a :class:`~sandbox.sheet.document.Document` that
:mod:`~sandbox.sheet.markdown` and :mod:`~sandbox.sheet.pdf` render (a
one-to-two-page PDF with a Unicode font), and a public algorithmic
transparency record in JSON (:mod:`~sandbox.sheet.transparency`).

Examples
--------
>>> from sandbox.sheet.report import DataSummary, Figure, RunSummary
>>> from sandbox.text import plain
>>> run = RunSummary(
...     demo="collection",
...     data=DataSummary("exemple", ("points.csv",), 400, "400 points de collecte"),
...     parameters={"Camions": 4},
...     figures=(Figure("Distance totale", 182.0, "km", baseline=231.0, key="km"),),
...     compute_seconds=2.0,
... )
>>> sheet = build_sheet(run, assumptions={"days_per_year": "250", "cost_per_km": "1,5"}, use_case=UseCase("Collecte"))
>>> gain = sheet.gain("fuel_eur")
>>> gain.value, plain(gain.calculation)
(18375.0, '(231 − 182) × 250 × 1,5')
>>> sheet.ai_act.label
'Risque minimal'
>>> sheet.to_pdf()[:5]
b'%PDF-'
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sandbox import __version__
from sandbox.sheet.assumptions import AssumptionError, check_assumptions, format_number
from sandbox.sheet.compliance import GdprAssessment, ai_act_text, assess_gdpr
from sandbox.sheet.document import Bullets, Document, Heading, Paragraph, Table, bounded
from sandbox.sheet.gains import Frugality, GainResult, evaluate_rule, figure_variables, yearly_runs
from sandbox.sheet.report import RunSummary
from sandbox.sheet.transparency import source_label, transparency_record
from sandbox.text import NBSP, num, pct, plural
from sandbox.workshop.profiles import AiActClass, DemoProfile, load_profile

__all__ = ["AssumptionError", "ProjectSheet", "UseCase", "build_sheet", "check_assumptions", "format_number", "method_summary"]

logger = logging.getLogger("sandbox")

TOOL = f"Bac à sable IA {__version__}"
DISCLAIMER = (
    "Pré-analyse indicative : les chiffres sont mesurés sur les données indiquées, les gains dépendent "
    "d'hypothèses modifiables, et la classification juridique est à confirmer avec votre délégué à la "
    "protection des données (DPO) et votre service juridique."
)
#: Longest organisation name or contact kept on the sheet (characters).
MAX_NAME = 200
#: File names listed on the sheet; the others are counted (« … et 388 autres »).
MAX_FILES_SHOWN = 12


@dataclass(frozen=True)
class UseCase:
    """How the app presents a demo (its entry in ``sandbox.registry``), passed in by the page.

    >>> UseCase("Eau : fuites", problem="Une fuite coûte cher.").ai
    ''
    """

    title: str
    problem: str = ""
    ai: str = ""
    users: str = ""


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


def files_text(files: tuple[str, ...], limit: int = MAX_FILES_SHOWN) -> str:
    """The file names of a run, the first *limit* listed and the rest counted.

    >>> files_text(("a.csv", "b.csv", "c.csv"), limit=2)
    'a.csv, b.csv … et 1 autre'
    """
    if not files:
        return "–"
    shown = ", ".join(bounded(f, 120) for f in files[:limit])
    rest = len(files) - limit
    return shown if rest <= 0 else f"{shown} … et {plural(rest, 'autre')}"


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, int):
        return num(value)
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_value_text(v) for v in value)
    return bounded(value, 200)


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

    # -- content -------------------------------------------------------------------------------

    def data_rows(self) -> tuple[tuple[str, str], ...]:
        """Source, files, volume, period and personal data of the run."""
        d = self.summary.data
        description = bounded(d.description)
        rows = [
            ("Source", source_label(d.source)),
            ("Fichiers", files_text(d.files)),
            ("Volume", f"{plural(d.rows, 'ligne')} — {description}" if description else plural(d.rows, "ligne")),
        ]
        if d.period:
            rows.append(("Période", bounded(d.period)))
        personal = "oui" if self.summary.personal_data else "non"
        if self.gdpr.personal_data and not self.summary.personal_data:
            personal = "non (données synthétiques) ; oui dans l'usage réel"
        if self.summary.special_category:
            personal += ", dont des catégories particulières (santé)"
        rows.append(("Données personnelles", personal + " — aucune ne figure dans cette fiche"))
        return tuple(rows)

    def figure_rows(self) -> tuple[tuple[str, str, str, str], ...]:
        """Each figure: label, value, baseline, relative change with its verdict."""
        rows = []
        for f in self.summary.figures:
            unit = f"{NBSP}{f.unit}" if f.unit else ""
            value = num(f.value, f.decimals) + unit
            base = "–" if f.baseline is None else num(f.baseline, f.decimals) + unit
            change = f.change
            if change is None:
                delta = "–"
            else:
                better = (change < 0) == f.lower_is_better if change != 0 else None
                verdict = "" if better is None else (" (mieux)" if better else " (moins bien)")
                delta = pct(change, signed=True) + verdict
            rows.append((bounded(f.label, 200), value, base, delta))
        return tuple(rows)

    def assumption_rows(self) -> tuple[tuple[str, str, str], ...]:
        """Each assumption: label, value (« (modifiée) » when edited), source."""
        rows = []
        for a in self.profile.assumptions:
            value = format_number(self.assumptions[a.key]) + (f"{NBSP}{a.unit}" if a.unit else "")
            marker = "" if self.assumptions[a.key] == a.default else " (modifiée)"
            rows.append((a.label, value + marker, a.source))
        return tuple(rows)

    def parameters_text(self) -> str:
        params = self.summary.parameters
        if not params:
            return "Paramètres : ceux par défaut."
        return "Paramètres : " + " ; ".join(f"{bounded(k, 120)} = {_value_text(v)}" for k, v in params.items()) + "."

    def transparency_rows(self) -> tuple[tuple[str, str], ...]:
        t = self.profile.transparency
        d = self.summary.data
        return (
            ("Finalité", t.purpose),
            ("Organisme responsable", f"{self.organisation} — contact : {self.contact}"),
            ("Type de décision", t.decision),
            ("Données", f"{bounded(d.description)} ({source_label(d.source)})"),
            ("Méthode", "voir la section 3 ; paramètres et résultats dans le fichier JSON joint"),
            ("Contrôle humain", t.human_oversight),
            ("Comment contester", t.contest),
        )

    def header_line(self) -> str:
        """Who, where and when: « Commune de … · Montreuil · fiche générée le … »."""
        parts = [self.organisation]
        if self.commune:
            parts.append(self.commune)
        parts.append(f"fiche générée le {self.created:%d/%m/%Y à %H:%M} par {TOOL}")
        parts.append(f"exécution du {self.summary.created:%d/%m/%Y à %H:%M}")
        return " · ".join(parts)

    def document(self) -> Document:
        """The sheet's eight sections as blocks, for the Markdown and PDF renderers."""
        blocks: list = [Heading("1. Le cas d'usage"), Paragraph(self.problem, lead="Le problème."), Paragraph(self.ai, lead="Ce que fait l'IA.")]
        if self.users:
            blocks.append(Paragraph(self.users, lead="Pour qui."))
        blocks += [
            Heading("2. Les données utilisées"),
            Table(None, self.data_rows(), (0.22, 0.78)),
            Heading("3. La méthode"),
            Paragraph(self.method),
            Paragraph(self.parameters_text(), small=True),
            Heading("4. Résultats mesurés"),
        ]
        if self.summary.figures:
            blocks.append(Table(("Indicateur", "Résultat", "Référence (actuel)", "Écart"), self.figure_rows(), (0.40, 0.2, 0.2, 0.2)))
        else:
            blocks.append(Paragraph("Cette exécution n'a publié aucun chiffre."))
        head, reason, refs = ai_act_text(self.ai_act)
        blocks += [
            Heading("5. Gains annuels estimés"),
            Table(("Gain", "Par an", "Calcul"), tuple((g.label, g.shown, g.calculation) for g in self.gains), (0.34, 0.18, 0.48)),
            Table(("Hypothèse", "Valeur", "Source"), self.assumption_rows(), (0.3, 0.15, 0.55), small=True, caption="Hypothèses"),
            Heading("6. Coût du calcul (IA frugale)"),
            Paragraph(self.frugality.text()),
            Heading("7. Risques et conformité"),
            Paragraph(reason, lead=head),
            Paragraph(refs, small=True),
            Bullets("RGPD.", tuple(self.gdpr.lines(self.profile.gdpr.special_category))),
            Heading("8. Fiche de transparence algorithmique"),
            Table(None, self.transparency_rows(), (0.22, 0.78), small=True),
            Paragraph("Le fichier JSON téléchargeable à côté de cette fiche reprend ces champs pour la publication.", small=True),
        ]
        return Document(
            title=self.title,
            subtitle=self.header_line(),
            disclaimer=DISCLAIMER,
            blocks=tuple(blocks),
            author=self.organisation,
            footer=f"{TOOL} · Fiche projet · {self.title}",
        )

    # -- renderings ----------------------------------------------------------------------------

    def to_markdown(self) -> str:
        """The sheet as Markdown (GitHub tables), in French, with user text escaped."""
        from sandbox.sheet.markdown import render_markdown

        return render_markdown(self.document())

    def transparency_record(self) -> dict:
        """The public algorithmic transparency record as a JSON-ready dict (French keys and values)."""
        return transparency_record(self, TOOL)

    def to_json(self) -> str:
        """:meth:`transparency_record` as indented UTF-8 JSON text."""
        return json.dumps(self.transparency_record(), ensure_ascii=False, indent=2)

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

        return render_pdf(self.document(), font, creator=TOOL)


def build_sheet(
    summary: RunSummary,
    *,
    use_case: UseCase | None = None,
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
    use_case : UseCase, optional
        The demo's title, problem, AI and users as the app presents them
        (default: the demo key as title, the rest empty).
    assumptions : mapping, optional
        Edited assumptions (``{key: number or French text}``); the others keep their default.
    organisation, contact : str, optional
        The responsible body and its contact (« à compléter » by default);
        cut to :data:`MAX_NAME` characters on one line.
    commune : str, optional
        Name of the commune chosen in the sidebar.
    profile : DemoProfile, optional
        Default: the demo's profile file.

    Raises
    ------
    AssumptionError
        If an assumption is empty, not a number, negative or out of range (French messages).
    sandbox.workshop.profiles.ProfileError
        If the demo has no profile.
    """
    profile = profile or load_profile(summary.demo)
    use_case = use_case or UseCase(summary.demo)
    values = check_assumptions(profile, assumptions)
    variables = {
        "rows": float(summary.data.rows),
        "compute_seconds": float(summary.compute_seconds),
        **figure_variables(summary.figures),
        **values,
    }
    gains = tuple(evaluate_rule(rule, variables, summary.figures) for rule in profile.gains)
    runs = yearly_runs(profile.yearly_runs, variables)
    frugality = Frugality(max(0.0, float(summary.compute_seconds)), values["power_w"], values["carbon_g_per_kwh"], runs)
    gdpr = assess_gdpr(summary, profile)
    method, _origin = method_summary(summary.demo, profile)
    return ProjectSheet(
        summary=summary,
        profile=profile,
        title=use_case.title,
        problem=use_case.problem,
        ai=use_case.ai,
        users=use_case.users,
        method=method,
        assumptions=values,
        gains=gains,
        frugality=frugality,
        ai_act=profile.ai_act_for(gdpr.personal_data),
        gdpr=gdpr,
        organisation=bounded(organisation or "", MAX_NAME) or "Organisme responsable à compléter",
        contact=bounded(contact or "", MAX_NAME) or "à compléter",
        commune=commune,
        created=(created or datetime.now()).replace(microsecond=0),
    )
