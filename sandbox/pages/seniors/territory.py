"""Territory mode of the seniors page: a composite needs index per commune, its map, ranking and robustness."""

from __future__ import annotations

import json

import streamlit as st

from sandbox.data import DataError
from sandbox.data.communes import load_outlines
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.sheet.report import DataSummary, Figure, RunSummary, Stopwatch
from sandbox.models.seniors import (
    METHODS,
    check_weights,
    csv_bytes,
    index_robustness,
    indicator_label,
    needs_index,
    prepare_territories,
)
from sandbox.text import num, pct, plural
from sandbox.ui import kpi, show_error, show_warnings, table_input
from sandbox.ui.inputs import input_source
from sandbox.ui.maps import show_map
from sandbox.ui.runs import publish_run
from sandbox.pages.seniors.charts import choropleth, localized, robustness_chart

SYNTHETIC_NOTE = (
    "Les indicateurs d'exemple sont **synthétiques** : les 130 communes et leurs populations sont réelles, "
    "mais les valeurs des indicateurs sont inventées (plausibles, pas des statistiques publiques). "
    "Pour un vrai diagnostic, déposez les indicateurs de l'INSEE, de la CNAV ou du département."
)


def territory_mode(key: str) -> None:
    """Render the territory mode (widget keys under ``{key}.``)."""
    validated = table_input(TERRITORIES, sample="seniors/territories", key=f"{key}.territories")
    if validated is None:
        return
    is_sample = input_source(f"{key}.territories") == "exemple"
    if is_sample:
        st.caption(SYNTHETIC_NOTE)
    try:
        table = prepare_territories(validated.frame, filename=validated.filename)
    except DataError as exc:
        show_error(exc)
        return
    show_warnings(list(table.warnings))

    st.subheader("Paramètres", anchor=False)
    left, middle, right = st.columns(3)
    method = left.selectbox(
        "Méthode",
        list(METHODS),
        format_func=METHODS.get,
        key=f"{key}.method",
        help="Scores z : écarts à la moyenne en écarts-types. Rangs : robustes aux valeurs extrêmes. "
        "Min-max : 0 pour le minimum, 100 pour le maximum. ACP : les poids viennent des corrélations entre indicateurs.",
    )
    top = middle.number_input("Taille du haut de classement", 3, 30, 10, key=f"{key}.top")
    spread = right.slider("Variation des poids testée (±\u00a0%)", 10, 90, 50, 10, key=f"{key}.spread")
    with st.expander("Pondérations des indicateurs", icon=":material/tune:"):
        if method == "pca":
            st.caption("Avec l'ACP, les poids sont tirés des données (première composante) : les curseurs ne s'appliquent pas.")
        columns = st.columns(2)
        weights = {
            name: columns[i % 2].slider(
                indicator_label(name), 0.0, 5.0, 1.0, 0.5, key=f"{key}.w.{name}", disabled=method == "pca"
            )
            for i, name in enumerate(table.indicators)
        }
    seed = st.number_input("Graine aléatoire (tirages de robustesse)", 0, 10_000, 42, key=f"{key}.seed")
    try:
        if method != "pca":
            check_weights(weights)
        with Stopwatch() as watch:
            index = needs_index(table, weights, method=method)
            robustness = index_robustness(table, weights, method=method, top=int(top), spread=spread / 100, seed=int(seed))
    except DataError as exc:
        show_error(exc)
        return
    show_warnings(list(index.warnings))

    st.subheader("Où sont les besoins ?", anchor=False)
    outlines = load_outlines()
    if outlines is not None:
        geojson = index.to_geojson(outlines)
        fmap = choropleth(
            geojson,
            "index",
            title=f"Indice des besoins ({METHODS[method]})",
            tooltip=[("nom", "Commune"), ("rank", "Rang"), ("index", "Indice")],
        )
        show_map(fmap, key=f"{key}.territory_map")

    reference = table.frame["share_75plus"] if "share_75plus" in table.frame else None
    ranked = index.top(int(top))
    new_vs_reference = None
    if reference is not None:
        reference_top = set(reference.sort_values(ascending=False, kind="stable").index[: int(top)])
        new_vs_reference = sum(1 for k in ranked.index if k not in reference_top)
    cols = st.columns(3)
    with cols[0]:
        kpi(f"Stabilité du top {robustness.top}", robustness.mean_overlap * 100, unit="%", lower_is_better=False,
            help="Part du top qui reste dans le top quand les poids varient (moyenne des tirages).")
    with cols[1]:
        if new_vs_reference is not None:
            kpi("Nouveaux par rapport aux « 75 ans et plus »", new_vs_reference,
                help=f"Territoires du top {int(top)} de l'indice absents du top {int(top)} classé par la seule part des 75 ans et plus : "
                "ce que l'indice composite ajoute au critère démographique.")
    with cols[2]:
        if index.explained_variance is not None:
            kpi("Variance résumée par la 1re composante", index.explained_variance * 100, unit="%", lower_is_better=False)
        else:
            kpi("Territoires classés", len(index.table))
    st.markdown(robustness.summary_fr())

    shown = ranked[["label", "index"]].round(2).join(robustness.table[["top_frequency", "rank_p05", "rank_p95"]])
    shown = shown.assign(top_frequency=shown["top_frequency"] * 100)
    st.dataframe(
        shown.rename(columns={"label": "Territoire", "index": "Indice", "top_frequency": f"Dans le top {robustness.top} (% des tirages)",
                              "rank_p05": "Rang (5e centile)", "rank_p95": "Rang (95e centile)"}),
        column_config={"Indice": st.column_config.NumberColumn(format="localized"),
                       f"Dans le top {robustness.top} (% des tirages)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")},
        hide_index=True,
    )
    with st.expander("Robustesse : les territoires qui entrent ou sortent du top", icon=":material/bar_chart:"):
        st.altair_chart(robustness_chart(robustness.table, robustness.top), width="stretch")
    with st.expander("Poids effectifs et contributions des indicateurs", icon=":material/calculate:"):
        st.markdown(", ".join(f"{indicator_label(i)} : **{pct(w, 0)}**" for i, w in index.weights.items()))
        if index.loadings:
            st.caption("Coefficients de la première composante : " + ", ".join(f"{indicator_label(i)} {num(v, 2)}" for i, v in index.loadings.items()))
        contributions = index.contributions().loc[ranked.index].rename(columns=indicator_label)
        contributions.index = ranked["label"]
        st.dataframe(contributions.round(2), column_config=localized(contributions))

    d1, d2, d3 = st.columns(3)
    d1.download_button("Classement (CSV)", csv_bytes(index.to_frame()), "indice_besoins.csv", "text/csv", key=f"{key}.dl.index")
    d2.download_button("Robustesse (CSV)", csv_bytes(robustness.to_frame()), "robustesse_classement.csv", "text/csv", key=f"{key}.dl.robust")
    if outlines is not None:
        d3.download_button("Carte (GeoJSON)", json.dumps(geojson, ensure_ascii=False).encode("utf-8"), "indice_besoins.geojson",
                           "application/geo+json", key=f"{key}.dl.geojson")

    figures = [Figure(f"Stabilité du top {robustness.top}", robustness.mean_overlap * 100, "%", lower_is_better=False, key="top_stability")]
    if new_vs_reference is not None:
        figures.append(Figure("Territoires repérés en plus du critère « 75 ans et plus »", new_vs_reference, "territoires",
                              lower_is_better=False, key="new_territories"))
    publish_run(
        RunSummary(
            demo=key,
            data=DataSummary(
                source="exemple" if is_sample else "fichier",
                files=(validated.filename or "seniors/territories.csv",),
                rows=len(table.frame),
                description=f"{plural(len(table.frame), 'territoire')}, {plural(len(table.indicators), 'indicateur')} agrégés",
            ),
            parameters={"Mode": "territoire", "Méthode": METHODS[method], "Top": int(top), "Variation des poids": f"±{spread} %",
                        **{indicator_label(i): w for i, w in weights.items()}},
            figures=tuple(figures),
            compute_seconds=watch.seconds,
            personal_data=False,
            special_category=False,
        )
    )
