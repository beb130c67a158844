"""A visit plan: score everyone, select within the capacity, explain, and measure on held-out people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.models.seniors._evaluation import CapacityEvaluation, evaluate_capacity
from sandbox.models.seniors._explain import PersonExplanation, explain_people
from sandbox.models.seniors._export import pseudonymised_export
from sandbox.models.seniors._fairness import FairnessReport, fairness_report
from sandbox.models.seniors._persons import PersonTable, simple_rule_scores
from sandbox.models.seniors._risk import ModelComparison, ModelMetrics
from sandbox.models.seniors._selection import Selection, select_within_capacity
from sandbox.sheet.report import Figure
from sandbox.text import num


@dataclass(frozen=True)
class VisitPlan:
    """The visit list and what it is worth.

    Attributes
    ----------
    method, model_label : str
        The model used.
    probabilities : ndarray
        Calibrated risk of every person of the register (order of ``PersonTable.frame``).
    selection : Selection
        Positions in ``PersonTable.frame``.
    explanations : tuple of PersonExplanation
        For the people listed (visits then reserve), in that order.
    evaluation : CapacityEvaluation
        The same share of people selected among the held-out people: model vs
        simple rule vs random choice.
    fairness : FairnessReport
        Selection rate and recall by sex, age band and commune on the held-out people.
    table : DataFrame
        The list (visits then reserve) with French column names; see :meth:`to_frame`.
    communes : DataFrame
        See :meth:`by_commune`.
    notes : tuple of str
        French sentences: ties drawn by lot, quotas applied, evaluation caveats.
    """

    method: str
    model_label: str
    probabilities: np.ndarray
    selection: Selection
    explanations: tuple[PersonExplanation, ...]
    evaluation: CapacityEvaluation
    fairness: FairnessReport
    table: pd.DataFrame
    communes: pd.DataFrame
    notes: tuple[str, ...] = ()
    metric: ModelMetrics | None = None

    def figures(self) -> list[Figure]:
        """People in need reached (against the simple rule), lift over chance, AUC and calibration error on held-out people."""
        ev = self.evaluation
        figures = [
            Figure("Personnes ayant besoin atteintes (test)", ev.model_reached, "personnes", baseline=ev.rule_reached,
                   lower_is_better=False, key="people_reached"),
            Figure("Gain par rapport au hasard", ev.lift, "×", lower_is_better=False, decimals=1, key="lift_vs_random"),
        ]
        if self.metric is not None:
            figures += [
                Figure("AUC sur les personnes mises de côté", self.metric.auc, "", lower_is_better=False, decimals=3, key="auc"),
                Figure("Erreur de calibration (ECE)", self.metric.ece * 100, "points", decimals=1, key="ece_points"),
            ]
        return figures

    def to_frame(self) -> pd.DataFrame:
        """``rang``, ``statut``, ``identifiant``, ``nom``, ``prénom``, ``âge``, ``sexe``, ``commune``,
        ``risque estimé (%)``, ``facteurs principaux``, ``quota commune``."""
        return self.table

    def by_commune(self) -> pd.DataFrame:
        """Per commune (INSEE code): ``people``, ``visits``, ``reserve``, ``visit_rate``, ``mean_risk``, ``name``."""
        return self.communes

    def to_geojson(self, outlines: dict) -> dict:
        """The commune outlines with ``people``, ``visits``, ``reserve`` and ``visit_rate`` (None where nobody is registered)."""
        communes = self.communes
        features = []
        for feature in outlines.get("features", []):
            props = dict(feature["properties"])
            code = props.get("code_insee")
            if code in communes.index:
                row = communes.loc[code]
                props.update(
                    people=int(row["people"]),
                    visits=int(row["visits"]),
                    reserve=int(row["reserve"]),
                    visit_rate=round(float(row["visit_rate"]), 4),
                    visit_pct=round(float(row["visit_rate"]) * 100, 1),
                )
            else:
                props.update(people=0, visits=None, reserve=None, visit_rate=None, visit_pct=None)
            features.append({"type": "Feature", "geometry": feature["geometry"], "properties": props})
        return {"type": "FeatureCollection", "features": features}

    def export(self, key: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Pseudonymised list and its correspondence table (see :func:`pseudonymised_export`)."""
        return pseudonymised_export(self.table, key)


def plan_visits(
    table: PersonTable,
    comparison: ModelComparison,
    capacity: int,
    *,
    method: str | None = None,
    reserve: int | None = None,
    min_share: float | Mapping[str, float] | None = None,
    seed: int = 0,
    explain: bool = True,
) -> VisitPlan:
    """Score the whole register with the chosen model and pick the people to visit first.

    Parameters
    ----------
    table : PersonTable
    comparison : ModelComparison
        From :func:`compare_models` on the same table.
    capacity : int
        Visits possible.
    method : {"logistic", "boosting"}, optional
        Default: the model chosen by the comparison.
    reserve : int, optional
        Size of the reserve list (default 20 % of the capacity).
    min_share : float or mapping, optional
        Minimum share of the visits per commune (see :func:`select_within_capacity`).
    seed : int
        Lottery between equal scores.
    explain : bool
        Compute each listed person's main factors.

    Examples
    --------
    >>> from sandbox.data.generators.seniors import make_register
    >>> from sandbox.data.schemas.seniors import PERSONS
    >>> from sandbox.data import validate
    >>> from sandbox.models.seniors import prepare_persons, compare_models
    >>> table = prepare_persons(validate(make_register(1200, seed=4), PERSONS, errors="drop").frame)
    >>> plan = plan_visits(table, compare_models(table, methods=("logistic",)), 60)
    >>> len(plan.selection.selected), (plan.to_frame()["statut"] == "visite").sum()
    (60, np.int64(60))
    """
    method = method or comparison.best
    model = comparison.models[method]
    frame = table.frame
    probabilities = model.predict_proba(frame)[:, 1]
    communes = frame["commune_code"].to_numpy(dtype=object)
    selection = select_within_capacity(probabilities, capacity, reserve=reserve, groups=communes, min_share=min_share, seed=seed)

    test = frame.loc[comparison.test_index]
    share = selection.capacity / len(frame)
    k_test = max(1, int(round(share * len(test))))
    test_scores = comparison.test_scores[method]
    test_groups = test["commune_code"].to_numpy(dtype=object)
    notes = list(selection.notes)
    test_share = min_share
    if min_share is not None:
        try:
            select_within_capacity(test_scores, k_test, reserve=0, groups=test_groups, min_share=min_share, seed=seed)
        except DataError:
            test_share = None
            notes.append(
                f"Sur les {num(len(test))} personnes mises de côté, la liste équivalente ne compte que {num(k_test)} visites : "
                "trop peu pour garantir la part minimale à chaque commune ; la mesure ci-dessous est faite sans cette garantie."
            )
    evaluation = evaluate_capacity(
        comparison.y_test, test_scores, simple_rule_scores(test), k_test, groups=test_groups, min_share=test_share, seed=seed
    )
    test_selection = select_within_capacity(test_scores, k_test, reserve=0, groups=test_groups, min_share=test_share, seed=seed)
    fairness = fairness_report(
        test_selection.mask(len(test)),
        {
            "sex": test["sex"].to_numpy(dtype=object) if "sex" in test.columns else np.full(len(test), "inconnu", dtype=object),
            "age_band": test["age_band"].to_numpy(dtype=object),
            "commune": test["commune_name"].to_numpy(dtype=object),
        },
        comparison.y_test,
    )

    listed = np.concatenate([selection.selected, selection.reserve])
    people = frame.iloc[listed]
    explanations = tuple(explain_people(model, people)) if explain else ()
    forced = set(selection.forced.tolist())
    out = pd.DataFrame(
        {
            "rang": np.arange(1, len(listed) + 1),
            "statut": ["visite"] * len(selection.selected) + ["réserve"] * len(selection.reserve),
            "identifiant": people["person_id"].to_numpy(dtype=object),
        }
    )
    for column, label in (("last_name", "nom"), ("first_name", "prénom")):
        if column in people.columns and people[column].notna().any():
            out[label] = people[column].to_numpy(dtype=object)
    out["âge"] = people["age"].to_numpy()
    out["commune"] = people["commune_name"].to_numpy(dtype=object)
    out["risque estimé (%)"] = np.round(probabilities[listed] * 100, 1)
    if explain:
        out["facteurs principaux"] = [e.sentence() for e in explanations]
    out["tranche d'âge"] = people["age_band"].to_numpy(dtype=object)
    if "sex" in people.columns:
        out["sexe"] = people["sex"].to_numpy(dtype=object)
    out["quota commune"] = ["oui" if p in forced else "" for p in listed]

    mask = selection.mask(len(frame))
    in_reserve = np.zeros(len(frame), dtype=bool)
    in_reserve[selection.reserve] = True
    by_commune = (
        pd.DataFrame(
            {
                "code_insee": frame["commune_code"].fillna("inconnue").to_numpy(dtype=object),
                "name": frame["commune_name"].to_numpy(dtype=object),
                "people": 1,
                "visits": mask.astype(int),
                "reserve": in_reserve.astype(int),
                "risk": probabilities,
            }
        )
        .groupby("code_insee")
        .agg(name=("name", "first"), people=("people", "sum"), visits=("visits", "sum"), reserve=("reserve", "sum"), mean_risk=("risk", "mean"))
    )
    by_commune["visit_rate"] = by_commune["visits"] / by_commune["people"]
    return VisitPlan(method, model.label, probabilities, selection, explanations, evaluation, fairness, out, by_commune, tuple(notes),
                     comparison.metric(method))
