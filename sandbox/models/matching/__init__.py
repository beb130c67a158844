"""Job–candidate matching: explained scores, skill gaps and a discrimination check.

The entry point is :func:`match` (or :class:`Matcher` to rank several times
with other weights): it takes the offers and candidates tables as
validated with the schemas of :mod:`sandbox.data.schemas.matching` and
returns a :class:`MatchResult` whose frame lists, for each candidate (or
each offer), the best matches with the five parts of their score, the
distance, the skills in common, the missing ones and the training to
propose.

Also here: the title → ROME normaliser (:class:`RomeNormaliser`,
:func:`suggest_rome`), the skill normaliser (:class:`SkillNormaliser`),
the evaluation (:func:`evaluate`, :func:`keyword_baseline`), the
discrimination test (:func:`discrimination_test`); exports are pseudonymised
with :meth:`MatchResult.pseudonymised` (the one keyed pseudonym of
:mod:`sandbox.privacy`).

Examples
--------
>>> import pandas as pd
>>> offers = pd.DataFrame({"offer_id": ["O1", "O2"], "title": ["Animateur périscolaire", "Jardinier"],
...                        "skills_required": ["BAFA; jeux collectifs", "tonte"], "commune": ["Bondy", "Bondy"]})
>>> candidates = pd.DataFrame({"candidate_id": ["C1"], "desired_job": ["animatrice"],
...                            "skills": ["BAFFA"], "commune": ["Bobigny"], "mobility_km": ["8 km"]})
>>> result = match(candidates, offers, k=1)
>>> result.frame.loc[0, ["offer_id", "matched_skills", "missing_required"]].tolist()
['O1', 'BAFA', "animation d'activités ludiques"]
"""

from sandbox.models.matching._evaluate import RankingMetrics, evaluate, keyword_baseline, truth_from_column
from sandbox.models.matching._fairness import (
    Counterfactual,
    DiscriminationReport,
    counterfactual,
    discrimination_test,
    flip_gender,
)
from sandbox.models.matching._model import Matcher, default_rome, match, prepare_reference
from sandbox.models.matching._prepare import CANDIDATE_FEATURES, OFFER_FEATURES, protected_columns
from sandbox.models.matching._reference import Reference, bundled_reference, load_reference, official_reference
from sandbox.models.matching._result import (
    BEST_CANDIDATES,
    BEST_OFFERS,
    CONTRACT,
    DEFAULT_WEIGHTS,
    DISTANCE,
    JOB,
    PART_ALIASES,
    PART_HELP,
    PART_LABELS,
    PARTS,
    SKILLS,
    TEXT,
    MatchResult,
    explain_match,
    normalise_weights,
)
from sandbox.models.matching._rome import UNKNOWN_JOB, RomeNormaliser, RomeSuggestion, default_normaliser, gender_forms, suggest_rome
from sandbox.models.matching._skills import SkillNormaliser, split_cell

METHOD_SUMMARY_FR = (
    "Les intitulés de postes et les compétences sont d'abord normalisés : minuscules, accents, pluriels, "
    "formes féminines et masculines, sigles (ATSEM, ASH…), mentions comme « H/F » ou « CDI », puis codés dans le "
    "référentiel des métiers ROME 4.0 (tous ses intitulés officiels quand il est importé) avec un indice de confiance ; "
    "les fautes de frappe sont tolérées par comparaison de morceaux de mots. "
    "Chaque rapprochement reçoit une note sur 100, moyenne pondérée de cinq parts expliquées : ressemblance des textes "
    "(TF-IDF sur les mots et les morceaux de mots), part des compétences requises et souhaitées que le profil possède, "
    "correspondance du métier ROME (pondérée par la confiance du codage), distance comparée au rayon de mobilité du candidat, compatibilité du contrat et "
    "de la disponibilité ; les poids sont réglables. "
    "Le nom, l'âge, le sexe, la nationalité et l'adresse ne sont jamais lus : les colonnes correspondantes sont écartées "
    "et les prénoms et marques de genre retirés des textes, ce que vérifie un test de discrimination qui les change "
    "et constate que les classements ne bougent pas. "
    "Le classement est une aide : une personne lit les explications et décide toujours."
)

__all__ = [
    "BEST_CANDIDATES",
    "BEST_OFFERS",
    "CONTRACT",
    "DISTANCE",
    "JOB",
    "PART_ALIASES",
    "SKILLS",
    "TEXT",
    "UNKNOWN_JOB",
    "bundled_reference",
    "default_normaliser",
    "default_rome",
    "official_reference",
    "CANDIDATE_FEATURES",
    "Counterfactual",
    "DEFAULT_WEIGHTS",
    "DiscriminationReport",
    "METHOD_SUMMARY_FR",
    "MatchResult",
    "Matcher",
    "OFFER_FEATURES",
    "PARTS",
    "PART_HELP",
    "PART_LABELS",
    "RankingMetrics",
    "Reference",
    "RomeNormaliser",
    "RomeSuggestion",
    "SkillNormaliser",
    "counterfactual",
    "discrimination_test",
    "evaluate",
    "explain_match",
    "flip_gender",
    "gender_forms",
    "keyword_baseline",
    "load_reference",
    "match",
    "normalise_weights",
    "prepare_reference",
    "protected_columns",
    "split_cell",
    "suggest_rome",
    "truth_from_column",
]
