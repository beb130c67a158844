"""Each person's main factors, in plain French: how much the risk would drop without each one.

The method is the same for both models: for every feature, the person's
value is replaced by a reference value (not living alone, no fall, no
hospital stay, no months without contact, the usual income bracket, the
median age, GIR unknown) and the model is asked again. The difference of
the two risks is the factor's contribution for *this* person, in points
of probability. It answers the question a person may ask: « qu'est-ce qui,
dans ma situation, a fait monter mon score ? »
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.models.seniors._risk import RiskModel
from sandbox.text import num, pct


@dataclass(frozen=True)
class Factor:
    """One feature's contribution to a person's risk.

    Attributes
    ----------
    feature : str
        Register column (``"lives_alone"``…).
    text : str
        French description of the person's situation (« vit seule »).
    delta : float
        Risk of the person − risk with the reference value (0,06 = 6 points).
    """

    feature: str
    text: str
    delta: float

    def phrase(self) -> str:
        return f"{self.text} (+{num(self.delta * 100, 0)}\u00a0pt{'s' if self.delta * 100 >= 1.5 else ''})"


@dataclass(frozen=True)
class PersonExplanation:
    """A person's estimated risk and the factors that raise it the most."""

    label: object
    probability: float
    factors: tuple[Factor, ...]

    def sentence(self) -> str:
        """« hospitalisation récente (+9 pts), vit seule (+6 pts), 91 ans (+5 pts) »."""
        if not self.factors:
            return "aucun facteur ne ressort (risque proche de celui d'une personne sans facteur de risque)"
        return ", ".join(f.phrase() for f in self.factors)


def _feminine(sex: object) -> str | None:
    if sex == "F":
        return "e"
    if sex == "H":
        return ""
    return None


def describe(feature: str, row: pd.Series) -> str:
    """French description of a person's value of *feature* (used in the list and in explanations).

    >>> describe("lives_alone", pd.Series({"lives_alone": True, "sex": "F"}))
    'vit seule'
    >>> describe("months_no_contact", pd.Series({"months_no_contact": 8.0}))
    'sans contact depuis 8 mois'
    """
    value = row.get(feature)
    e = _feminine(row.get("sex"))
    agree = "·e" if e is None else e
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return {"gir": "GIR inconnu"}.get(feature, f"{feature} inconnu")
    if feature == "age":
        return f"{num(float(value))} ans"
    if feature == "lives_alone":
        return f"vit seul{agree}" if bool(value) else f"ne vit pas seul{agree}"
    if feature == "gir":
        g = int(value)
        level = "dépendance lourde" if g <= 2 else "dépendance moyenne" if g <= 4 else "peu ou pas dépendant" + agree
        return f"GIR {g} ({level})"
    if feature == "recent_hospital":
        return "hospitalisation récente" if bool(value) else "pas d'hospitalisation récente"
    if feature == "recent_fall":
        return "chute récente" if bool(value) else "pas de chute récente"
    if feature == "income_bracket":
        return f"revenus {value}"
    if feature == "months_no_contact":
        return f"sans contact depuis {num(float(value))} mois"
    if feature == "no_lift":
        return "en étage sans ascenseur" if bool(value) else "accès sans étage ou avec ascenseur"
    if feature == "sex":
        return "femme" if value == "F" else "homme"
    return f"{feature} : {value}"


def reference_values(model: RiskModel) -> dict[str, object]:
    """The value each feature is compared with: the situation « without this factor »."""
    encoder = model.pipeline_.named_steps["encode"]
    ref: dict[str, object] = {}
    for f in encoder.features_:
        if f in ("lives_alone", "recent_hospital", "recent_fall", "no_lift"):
            ref[f] = False
        elif f == "months_no_contact":
            ref[f] = 0.0
        elif f == "gir":
            ref[f] = pd.NA
        else:  # age: median of the training data; income, sex: most frequent
            ref[f] = encoder.fill_values_[f]
    return ref


def explain_people(model: RiskModel, frame: pd.DataFrame, *, top: int = 3, min_delta: float = 0.005) -> list[PersonExplanation]:
    """The main factors of each person's risk (largest increases first).

    Parameters
    ----------
    model : RiskModel
        Fitted.
    frame : DataFrame
        The people to explain (register columns).
    top : int
        Factors kept per person.
    min_delta : float
        Contributions smaller than this (0,005 = half a point) are not shown.

    Examples
    --------
    >>> from sandbox.data.generators.seniors import make_register
    >>> from sandbox.data.schemas.seniors import PERSONS
    >>> from sandbox.data import validate
    >>> frame = validate(make_register(800, seed=2), PERSONS, errors="drop").frame
    >>> model = RiskModel(random_state=0).fit(frame, frame["outcome"].astype(bool))
    >>> person = frame.iloc[[0]].assign(recent_fall=True, recent_hospital=True)
    >>> [f.feature for f in explain_people(model, person)[0].factors][:2]
    ['recent_hospital', 'recent_fall']
    """
    if frame.empty:
        return []
    reference = reference_values(model)
    features = list(reference)
    base = model.predict_proba(frame)[:, 1]
    n = len(frame)
    copies = []
    for f in features:
        altered = frame.copy()
        if f == "gir":
            altered[f] = pd.array([pd.NA] * n, dtype="Int64")
        else:
            altered[f] = reference[f]
        copies.append(altered)
    altered_p = model.predict_proba(pd.concat(copies, ignore_index=True))[:, 1].reshape(len(features), n)
    deltas = base[None, :] - altered_p
    explanations = []
    for j in range(n):
        row = frame.iloc[j]
        order = np.argsort(-deltas[:, j], kind="stable")
        factors = tuple(
            Factor(features[i], describe(features[i], row), float(deltas[i, j]))
            for i in order[:top]
            if deltas[i, j] >= min_delta
        )
        explanations.append(PersonExplanation(frame.index[j], float(base[j]), factors))
    return explanations


def person_notice_fr(explanation: PersonExplanation, *, rank: int | None, total: int, model_label: str, features: list[str]) -> str:
    """What the CCAS can tell the person, in the spirit of art. L311-3-1 and R311-3-1-2 of the CRPA.

    The four items: the degree and way the algorithm contributed, the data
    and their source, the parameters applied to the person's situation, and
    the operations performed.
    """
    where = f"au rang {num(rank)} sur {num(total)}" if rank else f"hors de la liste ({num(total)} personnes classées)"
    return (
        f"**Contribution du traitement.** Un modèle statistique ({model_label}) a estimé un risque de {pct(explanation.probability, 0)} "
        f"et placé la personne {where}. Ce classement n'est qu'une proposition : un agent décide des visites.\n\n"
        f"**Données utilisées et source.** Le fichier du CCAS : {', '.join(features)}. Le sexe et la commune ne sont pas utilisés pour estimer le risque.\n\n"
        f"**Ce qui a compté dans sa situation.** {explanation.sentence()[:1].upper() + explanation.sentence()[1:]} : "
        "chaque écart est la baisse du risque estimé si ce facteur était absent, les autres restant identiques.\n\n"
        "**Opérations effectuées.** Les valeurs manquantes sont remplacées, le modèle appris sur les personnes des années passées "
        "calcule une probabilité, recalibrée pour correspondre aux fréquences observées ; les personnes sont classées par risque décroissant "
        "et les ex æquo départagés par tirage au sort."
    )
