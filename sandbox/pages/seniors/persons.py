"""Person mode of the seniors page: risk model, visit list within a capacity, fairness, explanations, exports."""

from __future__ import annotations

import math

import streamlit as st

from sandbox.data import DataError
from sandbox.data.communes import load_outlines
from sandbox.data.schemas.seniors import PERSONS
from sandbox.sheet.report import DataSummary, RunSummary, Stopwatch
from sandbox.models.seniors import (
    DECISION_SUPPORT_LABEL,
    MODEL_LABELS,
    ModelComparison,
    PersonTable,
    VisitPlan,
    compare_models,
    csv_bytes,
    new_key,
    person_notice_fr,
    plan_visits,
    prepare_persons,
)
from sandbox.text import num, plural
from sandbox.ui import kpi, show_error, show_warnings, table_input
from sandbox.ui.inputs import frame_key, input_source
from sandbox.ui.maps import show_map
from sandbox.ui.runs import publish_run
from sandbox.pages.seniors.charts import calibration_chart, choropleth, localized

MAX_TRAIN = 60_000
AUTO = "auto"
SYNTHETIC_NOTE = (
    "Le registre d'exemple est **synthétique** : 5 000 personnes inventées, dont le résultat a été tiré d'un risque "
    "latent documenté (`sample_data/seniors/README.md`). Aucune personne réelle."
)


@st.cache_data(max_entries=4, show_spinner="Apprentissage et comparaison des deux modèles…")
def _compare(_table: PersonTable, table_key: str, calibration: str, seed: int) -> tuple[ModelComparison, float]:
    with Stopwatch() as watch:
        comparison = compare_models(_table, calibration=calibration, max_train=MAX_TRAIN, seed=seed)
    return comparison, watch.seconds


@st.cache_data(max_entries=16, show_spinner="Classement et explications…")
def _plan(_table: PersonTable, _comparison: ModelComparison, key: str, calibration: str, capacity: int, method: str,
          reserve: int, min_share: float | None, seed: int) -> tuple[VisitPlan, float]:
    with Stopwatch() as watch:
        plan = plan_visits(_table, _comparison, capacity, method=method, reserve=reserve, min_share=min_share, seed=seed)
    return plan, watch.seconds


def person_mode(key: str) -> None:
    """Render the person mode (widget keys under ``{key}.``)."""
    validated = table_input(PERSONS, sample="seniors/register", key=f"{key}.persons", errors="drop")
    if validated is None:
        return
    is_sample = input_source(f"{key}.persons") == "exemple"
    if is_sample:
        st.caption(SYNTHETIC_NOTE)
    try:
        table = prepare_persons(validated.frame, filename=validated.filename)
    except DataError as exc:
        show_error(exc)
        return
    show_warnings(list(table.warnings))
    n = len(table.frame)

    st.subheader("Paramètres", anchor=False)
    c1, c2, c3 = st.columns(3)
    capacity = int(c1.number_input(  # keyed on the register's size: a new file starts again at 5 %
        "Visites possibles ce mois-ci", 1, max(n, 1), min(n, max(1, round(0.05 * n))), key=f"{key}.capacity.{n}"
    ))
    reserve_pct = c2.slider("Liste de réserve (% de la capacité)", 0, 100, 20, 5, key=f"{key}.reserve")
    model_choice = c3.selectbox(
        "Modèle",
        [AUTO, *MODEL_LABELS],
        format_func=lambda m: "automatique (meilleur en validation croisée)" if m == AUTO else MODEL_LABELS[m],
        key=f"{key}.model",
    )
    c4, c5, c6 = st.columns(3)
    min_share_pct = c4.slider(
        "Part minimale des visites garantie à chaque commune (%)", 0.0, 5.0, 0.0, 0.1, key=f"{key}.min_share",
        help="0 : aucune garantie. Sinon chaque commune du registre reçoit au moins cette part des visites (arrondie à l'unité supérieure).",
    )
    calibration = c5.selectbox("Recalibrage des probabilités", ["sigmoid", "isotonic", "none"],
                               format_func={"sigmoid": "sigmoïde (Platt)", "isotonic": "isotonique", "none": "aucun"}.get,
                               key=f"{key}.calibration")
    seed = int(c6.number_input("Graine aléatoire", 0, 10_000, 42, key=f"{key}.seed"))
    reserve = math.ceil(capacity * reserve_pct / 100)
    min_share = min_share_pct / 100 if min_share_pct > 0 else None

    table_key = frame_key(table.frame)
    try:
        comparison, fit_seconds = _compare(table, table_key, calibration, seed)
        method = comparison.best if model_choice == AUTO else model_choice
        plan, plan_seconds = _plan(table, comparison, table_key, calibration, capacity, method, reserve, min_share, seed)
    except DataError as exc:
        show_error(exc)
        return
    if int(table.labelled.sum()) * 0.75 > MAX_TRAIN:
        st.caption(f"Registre très grand : apprentissage sur un échantillon de {num(MAX_TRAIN)} personnes ; tout le monde est classé.")
    for note in plan.notes:
        st.info(note, icon=":material/casino:")

    st.subheader("Qui visiter en premier ?", anchor=False)
    outlines = load_outlines()
    if outlines is not None:
        fmap = choropleth(
            plan.to_geojson(outlines),
            "visits",
            title=f"Visites proposées (N = {num(plan.selection.capacity)})",
            tooltip=[("nom", "Commune"), ("people", "Personnes inscrites"), ("visits", "Visites proposées"), ("reserve", "En réserve")],
            decimals=0,
            zero_is_empty=True,
        )
        show_map(fmap, key=f"{key}.persons_map")
    ev = plan.evaluation
    metric = comparison.metric(plan.method)
    k1, k2, k3, k4 = st.columns(4)
    with k1:
        kpi("Personnes ayant besoin atteintes (test)", ev.model_reached, ev.rule_reached, lower_is_better=False,
            help=f"Sur {num(ev.n)} personnes mises de côté, liste de {num(ev.capacity)}. Référence : règle « 85 ans et plus vivant seul ».")
    with k2:
        kpi("Par rapport au hasard", ev.lift, unit="×", decimals=1, lower_is_better=False,
            help=f"Un tirage au hasard en atteindrait {num(ev.random_expected, 1)} en moyenne.")
    with k3:
        kpi("AUC (test)", metric.auc, decimals=3, lower_is_better=False, help="0,5 : hasard ; 1 : classement parfait.")
    with k4:
        kpi("Erreur de calibration (ECE)", metric.ece * 100, unit="pts", decimals=1,
            help="Écart moyen entre risque annoncé et fréquence observée, en points de pourcentage.")
    st.markdown(ev.summary_fr())

    listing = plan.to_frame()
    risk_column = {"risque estimé (%)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="localized")}
    st.warning(DECISION_SUPPORT_LABEL, icon=":material/gavel:")
    st.markdown(
        f"**{plural(len(plan.selection.selected), 'personne proposée', 'personnes proposées')} pour une visite**, "
        f"{num(len(plan.selection.reserve))} en réserve ({plan.model_label})."
    )
    st.dataframe(listing[listing["statut"] == "visite"].drop(columns="statut"), hide_index=True, column_config=risk_column,
                 key=f"{key}.visits_table")
    with st.expander(f"Liste de réserve ({plural(len(plan.selection.reserve), 'personne')})", icon=":material/playlist_add:"):
        st.caption(DECISION_SUPPORT_LABEL)
        st.dataframe(listing[listing["statut"] == "réserve"].drop(columns="statut"), hide_index=True, column_config=risk_column)

    st.subheader("Expliquer la situation d'une personne", anchor=False)
    options = list(range(len(listing)))
    chosen = st.selectbox(
        "Personne de la liste", options, key=f"{key}.person",
        format_func=lambda i: f"{listing['rang'].iat[i]} – {listing['identifiant'].iat[i]}"
        + (f" – {listing['nom'].iat[i]} {listing['prénom'].iat[i]}" if "nom" in listing and "prénom" in listing else ""),
    )
    if chosen is not None and plan.explanations:
        explanation = plan.explanations[chosen]
        features = [PERSONS[f].label for f in comparison.models[plan.method].pipeline_.named_steps["encode"].features_]
        st.markdown(person_notice_fr(explanation, rank=int(listing["rang"].iat[chosen]), total=n, model_label=plan.model_label, features=features))

    st.subheader("Les deux modèles, mesurés sur des personnes mises de côté", anchor=False)
    models = comparison.to_frame()
    st.dataframe(models, hide_index=True, column_config=localized(models))
    st.caption("Courbe de calibration : un modèle bien calibré suit la diagonale (un risque annoncé de 30\u00a0% se réalise 3 fois sur 10).")
    st.altair_chart(calibration_chart(comparison.calibration_frame()), width="content")

    st.subheader("Équité : qui la liste atteint-elle ?", anchor=False)
    st.markdown(
        plan.fairness.summary_fr()
        + " Un taux de sélection plus élevé chez les plus âgés est attendu si leur risque l'est ; le **rappel** (part des "
        "personnes ayant eu besoin d'aide que la liste atteint) dit si un groupe est moins bien servi."
    )
    fairness = plan.fairness.to_frame()
    st.dataframe(fairness[fairness["dimension"] != "commune"], hide_index=True, column_config=localized(fairness))
    with st.expander("Par commune", icon=":material/location_city:"):
        st.dataframe(fairness[fairness["dimension"] == "commune"], hide_index=True, column_config=localized(fairness))

    if f"{key}.pseudonym_key" not in st.session_state:
        st.session_state[f"{key}.pseudonym_key"] = new_key()
    export, correspondence = plan.export(st.session_state[f"{key}.pseudonym_key"])
    d1, d2, d3 = st.columns(3)
    d1.download_button("Liste pseudonymisée (CSV)", csv_bytes(export), "visites_pseudonymisees.csv", "text/csv", key=f"{key}.dl.list")
    d2.download_button("Table de correspondance (à garder au CCAS)", csv_bytes(correspondence), "correspondance_pseudonymes.csv",
                       "text/csv", key=f"{key}.dl.keys", help="Seul moyen de relier un pseudonyme à une personne : ne la transmettez jamais avec la liste.")
    d3.download_button("Bilan d'équité (CSV)", csv_bytes(fairness), "bilan_equite.csv", "text/csv", key=f"{key}.dl.fairness")

    publish_run(
        RunSummary(
            demo=key,
            data=DataSummary(
                source="exemple" if is_sample else "fichier",
                files=(validated.filename or "seniors/register.csv",),
                rows=n,
                description=f"{plural(n, 'personne')} de 60 ans et plus, dont {num(int(table.labelled.sum()))} avec un résultat connu",
            ),
            parameters={"Mode": "personnes", "Visites possibles": capacity, "Réserve": reserve, "Modèle": plan.model_label,
                        "Recalibrage": calibration, "Part minimale par commune": f"{num(min_share_pct, 1)} %", "Graine": seed},
            figures=tuple(plan.figures()),
            compute_seconds=fit_seconds + plan_seconds,
            personal_data=True,
            special_category=True,
        )
    )
