"""The risk part of the sheet: the GDPR assessment of a run and the AI Act text, from the demo's profile.

A run on synthetic samples may truthfully process no personal data; the
sheet is about the real use, so the profile's « personal data in real use »
still counts.

Examples
--------
>>> from sandbox.sheet.report import DataSummary, RunSummary
>>> from sandbox.workshop.profiles import load_profile
>>> run = RunSummary("seniors", DataSummary("exemple", (), 10, "registre"), {}, (), 1.0, special_category=True)
>>> assess_gdpr(run, load_profile("seniors")).dpia
'oui'
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.sheet.report import RunSummary
from sandbox.workshop.profiles import AiActClass, DemoProfile

SYNTHETIC_NOTE = (
    "Cette exécution porte sur des données d'exemple synthétiques : aucune personne réelle. "
    "L'analyse ci-dessus vaut pour l'usage réel, sur les données de la collectivité."
)


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

    def lines(self, special_category_note: str) -> list[str]:
        """The GDPR paragraph as French sentences (the first one is the headline)."""
        lines = [
            f"Données personnelles : {self.personal_text}. {self.what}",
            f"Catégories particulières (art. 9) : {'oui' if self.special_category else 'non'}. {special_category_note}",
            f"Analyse d'impact (AIPD) nécessaire : {self.dpia_label}. {self.reason}",
            f"Base légale envisagée : {self.legal_basis}",
        ]
        if self.synthetic_note:
            lines.append(self.synthetic_note)
        return lines


def assess_gdpr(summary: RunSummary, profile: DemoProfile) -> GdprAssessment:
    """What the GDPR asks of this run, following the profile and what the run processed."""
    g = profile.gdpr
    synthetic_run = summary.data.source == "exemple"
    personal = summary.personal_data or (synthetic_run and g.personal_in_real_use)
    if summary.special_category:
        dpia = "oui"
        reason = g.dpia_reason if g.dpia == "oui" else "Catégories particulières de données (RGPD, art. 9 et 35). " + g.dpia_reason
    elif personal:
        dpia, reason = g.dpia, g.dpia_reason
    else:
        dpia, reason = "non", g.no_personal_data or "Aucune donnée personnelle n'est traitée."
    return GdprAssessment(
        personal_data=personal,
        run_personal_data=summary.personal_data,
        special_category=summary.special_category,
        dpia=dpia,
        reason=reason,
        what=g.personal_data,
        legal_basis=g.legal_basis,
        synthetic_note=SYNTHETIC_NOTE if synthetic_run else "",
    )


def ai_act_text(a: AiActClass) -> tuple[str, str, str]:
    """(headline, reason, references and obligations) of the AI Act pre-classification."""
    scope = f" ({a.scope})" if a.scope else ""
    return (
        f"Pré-classification AI Act : {a.label}{scope}.",
        a.reason,
        f"Références : {a.reference}. Obligations : {a.obligations[:1].lower() + a.obligations[1:]}",
    )
