"""The score parts, their French labels, and the result of a ranking with its explanations and figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.sheet.report import Figure
from sandbox.text import num, typography

#: The five parts of the score (column names of :attr:`MatchResult.frame`).
TEXT, SKILLS, JOB, DISTANCE, CONTRACT = "text", "skills", "job", "distance", "contract"
PARTS = (TEXT, SKILLS, JOB, DISTANCE, CONTRACT)
#: The one map from part to French label.
PART_LABELS = {
    TEXT: "Texte (TF-IDF)",
    SKILLS: "Compétences",
    JOB: "Métier (ROME)",
    DISTANCE: "Distance",
    CONTRACT: "Contrat et disponibilité",
}
PART_HELP = {
    TEXT: "Ressemblance des textes (intitulé, compétences, description / expérience), mots et morceaux de mots.",
    SKILLS: "Part des compétences requises (3/4) et souhaitées (1/4) de l'offre que le profil possède.",
    JOB: "Le métier recherché a-t-il le code ROME de l'offre (1) ou non (0) ? Compté selon la confiance des deux codages (à partir de 70\u202f%) ; la part « texte » tient lieu du reste.",
    DISTANCE: "1 sur place, 0,5 au bord du rayon de mobilité ; au-delà, l'offre est écartée.",
    CONTRACT: "Type de contrat accepté, temps de travail et date de disponibilité compatibles.",
}
PART_HELP = {part: typography(text) for part, text in PART_HELP.items()}
#: French names accepted for the parts (command line), folded.
PART_ALIASES = {
    "texte": TEXT, "text": TEXT, "competences": SKILLS, "skills": SKILLS, "metier": JOB, "job": JOB,
    "distance": DISTANCE, "contrat": CONTRACT, "contract": CONTRACT,
}
DEFAULT_WEIGHTS = {TEXT: 0.25, SKILLS: 0.35, JOB: 0.20, DISTANCE: 0.10, CONTRACT: 0.10}
#: Directions of a ranking.
BEST_OFFERS, BEST_CANDIDATES = "offers", "candidates"


def normalise_weights(weights: dict | None) -> dict[str, float]:
    """Weights for the five parts, missing ones at their default, summing to 1.

    >>> normalise_weights({"text": 1, "skills": 1, "job": 0, "distance": 0, "contract": 0})["text"]
    0.5
    """
    merged = {**DEFAULT_WEIGHTS, **{PART_ALIASES.get(k, k): v for k, v in (weights or {}).items()}}
    unknown = set(merged) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown score parts {sorted(unknown)}; use {PARTS}")
    values = {p: max(float(merged[p]), 0.0) for p in PARTS}
    total = sum(values.values())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return {p: v / total for p, v in values.items()}


@dataclass(frozen=True)
class MatchResult:
    """Ranked matches, with each part of the score and the skills behind it.

    Attributes
    ----------
    frame : DataFrame
        One row per match: ``candidate_id``, ``offer_id``, ``rank`` (1 =
        best, within the query), ``score`` (0-100), one column per part
        (0-1, see :data:`PARTS`), ``distance_km``, ``radius_km``,
        ``matched_skills``, ``missing_required``, ``missing_desired``,
        ``trainings``, ``offer_title``, ``offer_rome``, ``candidate_job``,
        ``candidate_rome``.
    direction : {"offers", "candidates"}
        « offers »: the best offers for each candidate; « candidates »: the
        best candidates for each offer.
    k : int
    weights : dict
        The normalised weights used.
    warnings : tuple of str
        French sentences naming the rows with a data problem.
    ignored_columns : tuple of str
        Columns present in the input and never read by the score.
    n_candidates, n_offers : int
    related : DataFrame
        « Métiers proches »: for each candidate, the best offers whose job is
        one of the close jobs (ROME mobility links) of the desired job, kept
        apart from the main list (empty with the bundled extract, or for the
        « candidates » direction).
    """

    frame: pd.DataFrame
    direction: str
    k: int
    weights: dict
    warnings: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    n_candidates: int = 0
    n_offers: int = 0
    related: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def query(self) -> str:
        return "candidate_id" if self.direction == BEST_OFFERS else "offer_id"

    def to_frame(self) -> pd.DataFrame:
        """The ranked matches (a copy)."""
        return self.frame.copy()

    def for_candidate(self, candidate_id) -> pd.DataFrame:
        return self.frame[self.frame["candidate_id"] == candidate_id].sort_values("score", ascending=False)

    def for_offer(self, offer_id) -> pd.DataFrame:
        return self.frame[self.frame["offer_id"] == offer_id].sort_values("score", ascending=False)

    def related_for(self, candidate_id) -> pd.DataFrame:
        """The « métiers proches » offers of one candidate."""
        if self.related.empty:
            return self.related
        return self.related[self.related["candidate_id"] == candidate_id].sort_values("rank")

    def pseudonymised(self, key) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The matches for export, candidates pseudonymised, and the correspondence table (to keep apart).

        Uses the one keyed pseudonym of :mod:`sandbox.privacy` (*key*: bytes,
        a secret phrase or a ``Pseudonymiser``); name columns are dropped.

        Examples
        --------
        >>> r = MatchResult(pd.DataFrame({"candidate_id": ["C7", "C7"], "name": ["A", "A"], "score": [1, 2]}), "offers", 1, {})
        >>> out, table = r.pseudonymised(b"k" * 32)
        >>> list(out.columns), out["candidate_id"].nunique(), out.loc[0, "candidate_id"].startswith("ps_"), len(table)
        (['candidate_id', 'score'], 1, True, 1)
        """
        from sandbox.privacy import correspondence_table, pseudonymise

        out = self.frame.drop(columns=[c for c in ("name", "candidate_name") if c in self.frame.columns])
        ids = out["candidate_id"].astype(str)
        out["candidate_id"] = pseudonymise(ids, key)
        return out, correspondence_table(ids, key)

    def explain(self, row: pd.Series | dict) -> list[str]:
        """French sentences explaining one match (a row of :attr:`frame`)."""
        return explain_match(row, self.weights)

    def figures(self, metrics=None, baseline=None, discrimination=None) -> list[Figure]:
        """The figures of the run for the page, the command and the project sheet.

        Parameters
        ----------
        metrics, baseline : RankingMetrics, optional
            Quality against known placements, and the keyword baseline's.
        discrimination : DiscriminationReport, optional
        """
        figures = [
            Figure("Rapprochements calculés", float(len(self.frame)), "", lower_is_better=False, decimals=0, key="matches"),
        ]
        if discrimination is not None:
            figures.append(Figure("Test de discrimination : listes identiques", 100 * discrimination.identical_offer_lists, "%", lower_is_better=False, key="discrimination_identical"))
        if metrics is not None and baseline is not None:
            figures += [
                Figure(f"Rappel@{metrics.k}", 100 * metrics.recall, "%", baseline=100 * baseline.recall, lower_is_better=False, decimals=1, key="recall_at_k"),
                Figure("MRR", metrics.mrr, "", baseline=baseline.mrr, lower_is_better=False, decimals=2, key="mrr"),
                Figure(f"Précision@{metrics.k}", 100 * metrics.precision, "%", baseline=100 * baseline.precision, lower_is_better=False, decimals=1, key="precision_at_k"),
            ]
        return figures


def explain_match(row, weights: dict) -> list[str]:
    """French sentences explaining one match (a row of ``MatchResult.frame``)."""
    row = dict(row)
    lines = [
        f"Score {num(row['score'], 0)}/100 = "
        + " + ".join(f"{PART_LABELS[p].split(' (')[0].lower()} {num(100 * weights[p] * row[p], 0)}" for p in PARTS if weights[p] > 0)
        + "."
    ]
    if row.get("matched_skills"):
        lines.append(f"Compétences en commun : {row['matched_skills']}.")
    if row.get("missing_required"):
        lines.append(f"Compétences requises manquantes : {row['missing_required']}.")
        if row.get("trainings"):
            lines.append(f"Formation à proposer : {row['trainings']}.")
    if row.get("missing_desired"):
        lines.append(f"Compétences souhaitées manquantes : {row['missing_desired']}.")
    if np.isfinite(row.get("distance_km", np.nan)):
        lines.append(f"Distance : {num(row['distance_km'], 1)}\u00a0km pour un rayon de mobilité de {num(row['radius_km'], 0)}\u00a0km.")
    else:
        lines.append("Distance inconnue (commune non reconnue) : la part « distance » vaut 0,5.")
    if row.get("offer_rome"):
        same = row.get("candidate_rome") == row.get("offer_rome")
        lines.append(
            f"Métier de l'offre : {row['offer_rome']} ; métier recherché : {row.get('candidate_rome') or 'non reconnu'}"
            + (" (identiques)." if same else ".")
        )
    return [typography(line) for line in lines]
