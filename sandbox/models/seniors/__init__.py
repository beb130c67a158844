"""Elderly-care needs targeting: where the needs are, and whom to visit first within a capacity.

Two ways a commune can do it:

**Territory mode** (aggregated statistics, no personal data), on any French
territory (communes, arrondissements, IRIS, départements, EPCI…) and on
INSEE files as published (:mod:`sandbox.data.insee`):
:func:`prepare_territories` → :func:`needs_index` (weighted z-scores, ranks,
min-max or first principal component) → :func:`index_robustness` (how
stable the top 10 is when the weights move) → with an observed need,
:func:`fit_weights` (non-negative weights, cross-validated by territory);
:func:`analyse_territories` runs them all into a :class:`TerritoryAnalysis`.

**Person mode** (the CCAS's own register): :func:`prepare_persons` →
:func:`compare_models` (a calibrated :class:`RiskModel`, logistic
regression vs gradient boosting, measured on held-out people) →
:func:`plan_visits` (exactly N people + a reserve list with
:func:`select_within_capacity`, each person's main factors with
:func:`explain_people`, people in need reached against random choice and a
simple rule with :func:`evaluate_capacity`, and :func:`fairness_report`) →
pseudonymised export with :func:`pseudonymised_export`.

The official AGGIR grid (GIR levels) is not reimplemented: a known GIR is
only an input. Every list is decision support (:data:`DECISION_SUPPORT_LABEL`).

Examples
--------
>>> from sandbox.data import load_sample, validate
>>> from sandbox.data.schemas.seniors import TERRITORIES
>>> table = prepare_territories(validate(load_sample("seniors/territories"), TERRITORIES).frame)
>>> index = needs_index(table, {"poverty_60plus": 2}, method="zscore")
>>> len(index.table), index.top(1)["rank"].item()
(130, 1)
"""

from sandbox.models.seniors._evaluation import CapacityEvaluation, evaluate_capacity
from sandbox.models.seniors._explain import Factor, PersonExplanation, describe, explain_people, person_notice_fr
from sandbox.models.seniors._export import (
    DECISION_SUPPORT_LABEL,
    EXPORT_LABEL,
    csv_bytes,
    new_key,
    pseudonymise,
    pseudonymised_export,
)
from sandbox.models.seniors._fairness import FairnessReport, fairness_report
from sandbox.models.seniors._index import (
    METHODS,
    IndexRobustness,
    NeedsIndex,
    check_weights,
    index_robustness,
    needs_index,
    parse_weights,
)
from sandbox.models.seniors._metrics import calibration_table, expected_calibration_error
from sandbox.models.seniors._persons import (
    AGE_BANDS,
    FEATURES,
    MIN_AGE,
    PersonEncoder,
    PersonTable,
    age_band,
    prepare_persons,
    simple_rule_scores,
)
from sandbox.models.seniors._plan import VisitPlan, plan_visits
from sandbox.models.seniors._risk import (
    MIN_PER_CLASS,
    MIN_ROWS,
    MODEL_LABELS,
    ModelComparison,
    ModelMetrics,
    RiskModel,
    check_training_data,
    compare_models,
)
from sandbox.models.seniors._selection import Selection, select_within_capacity
from sandbox.models.seniors._territories import (
    DIRECTIONS,
    INDICATORS,
    OUTCOME,
    TerritoryTable,
    indicator_label,
    prepare_territories,
)
from sandbox.models.seniors._fit import WeightFit, fit_weights, spearman
from sandbox.models.seniors._analysis import TerritoryAnalysis, analyse_territories

#: The method in plain French, quoted by the project sheet.
METHOD_SUMMARY_FR = (
    "Deux outils complémentaires. Par territoire, un indice composite additionne des indicateurs publics sur les "
    "personnes âgées (part des 75 ans et plus, isolement, pauvreté, absence de voiture ou d'ascenseur, distance au "
    "médecin, bénéficiaires de l'APA), ramenés à une même échelle puis pondérés ; on vérifie que le classement tient "
    "quand les poids changent. Par personne, un modèle statistique appris sur le fichier du CCAS (régression logistique "
    "comparée à un gradient boosting, probabilités recalibrées) estime le risque d'hospitalisation ou d'entrée en "
    "établissement dans l'année, et propose les N personnes à visiter d'abord avec une liste de réserve. Les résultats "
    "sont mesurés sur des personnes mises de côté, face au hasard et à une règle simple (85 ans et plus vivant seul), "
    "avec un bilan d'équité par sexe, âge et commune ; chaque liste reste une aide à la décision validée par un agent."
)

__all__ = [
    "AGE_BANDS",
    "DECISION_SUPPORT_LABEL",
    "DIRECTIONS",
    "OUTCOME",
    "TerritoryAnalysis",
    "WeightFit",
    "analyse_territories",
    "fit_weights",
    "spearman",
    "EXPORT_LABEL",
    "FEATURES",
    "INDICATORS",
    "METHODS",
    "METHOD_SUMMARY_FR",
    "MIN_AGE",
    "MIN_PER_CLASS",
    "MIN_ROWS",
    "MODEL_LABELS",
    "CapacityEvaluation",
    "Factor",
    "FairnessReport",
    "IndexRobustness",
    "ModelComparison",
    "ModelMetrics",
    "NeedsIndex",
    "PersonEncoder",
    "PersonExplanation",
    "PersonTable",
    "RiskModel",
    "Selection",
    "TerritoryTable",
    "VisitPlan",
    "age_band",
    "calibration_table",
    "check_training_data",
    "check_weights",
    "compare_models",
    "csv_bytes",
    "describe",
    "evaluate_capacity",
    "expected_calibration_error",
    "explain_people",
    "fairness_report",
    "index_robustness",
    "indicator_label",
    "needs_index",
    "new_key",
    "parse_weights",
    "person_notice_fr",
    "plan_visits",
    "prepare_persons",
    "prepare_territories",
    "pseudonymise",
    "pseudonymised_export",
    "select_within_capacity",
    "simple_rule_scores",
]
