"""Territory mode of the seniors page: a composite needs index per territory, its map, ranking, robustness and learnt weights."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from sandbox.data import UPLOAD_TYPES, DataError, read_table, validate
from sandbox.data.communes import load_outlines
from sandbox.data.insee import InseeIndicators, insee_indicators, recognise
from sandbox.data.schemas.seniors import TERRITORIES
from sandbox.models.seniors import (
    METHODS,
    OUTCOME,
    TerritoryAnalysis,
    TerritoryTable,
    analyse_territories,
    check_weights,
    csv_bytes,
    indicator_label,
    prepare_territories,
)
from sandbox.pages.seniors.charts import choropleth, localized, robustness_chart
from sandbox.sheet.report import DataSummary, RunSummary, Stopwatch
from sandbox.text import num, pct, plural, q
from sandbox.ui import kpi, show_error, show_warnings, table_input
from sandbox.ui.charts import show_chart
from sandbox.ui.inputs import file_uploader, frame_key, input_source, shared_sample_token
from sandbox.ui.maps import show_map
from sandbox.ui.runs import publish_run

SYNTHETIC_NOTE = (
    "Les indicateurs d'exemple sont **synthétiques** : les 130 communes et leurs populations sont réelles, "
    "mais les valeurs des indicateurs sont inventées (plausibles, pas des statistiques publiques). "
    "Pour un vrai diagnostic, déposez les fichiers de l'INSEE tels que publiés, ou les indicateurs de la CNAV ou du département."
)
TABLE = "Un tableau d'indicateurs"
INSEE = "Fichiers INSEE tels que publiés"
SCOPES = {
    "mgp": "Métropole du Grand Paris",
    "departement": "Un département",
    "list": "Une liste de codes",
    "france": "Toute la France",
}
NO_OUTCOME = ""
NO_MAP_NOTE = (
    "{n} classé{s} sans carte : l'application n'embarque hors ligne que les contours des 130 communes de la "
    "Métropole du Grand Paris. Les autres territoires (communes d'ailleurs, départements, EPCI, territoires nommés) "
    "sont classés dans le tableau ci-dessous."
)


@st.cache_data(max_entries=8, show_spinner="Lecture des fichiers…")
def _read(data: bytes, filename: str) -> pd.DataFrame:
    return read_table(data, filename)


@st.cache_data(max_entries=8, show_spinner="Calcul des indicateurs INSEE…")
def _insee(digests: tuple[str, ...], _frames: tuple[pd.DataFrame, ...], filenames: tuple[str, ...], scope: str | None) -> InseeIndicators:
    return insee_indicators(list(_frames), scope=scope, filenames=list(filenames))


def _official_files(key: str) -> tuple[pd.DataFrame, str, dict[str, str]] | None:
    """Multi-file upload of INSEE files (and an optional table of observed needs), the scope, the joined table."""
    uploads = file_uploader(
        "Déposez un ou plusieurs fichiers (Filosofi, recensement base-cc ou base-ic, et si vous l'avez un tableau du besoin observé)",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"{key}.insee_files",
        help="Les fichiers sont reconnus à leurs noms de variables (MED21, TP60AGE621, P21_POP80P_PSEUL…), quelle que soit "
        "l'année ; « s » (secret statistique) et les cases vides sont des valeurs manquantes, jamais des zéros. "
        "Ils sont lus sur ce poste et ne sont envoyés nulle part.",
    )
    if not uploads:
        st.caption("Téléchargez sur insee.fr la base communale Filosofi (« cc_filosofi_AAAA_COM.csv ») ou les bases "
                   "du recensement (« base-cc-… », « base-ic-… »), puis déposez-les ici, sans les modifier.")
        return None
    left, right = st.columns(2)
    choice = left.selectbox("Territoires à garder", list(SCOPES), format_func=SCOPES.get, key=f"{key}.scope")
    scope: str | None = {"mgp": "mgp", "france": None}.get(choice)
    if choice in ("departement", "list"):
        label = "Code du département (89, 2A, 974…)" if choice == "departement" else "Codes séparés par des virgules"
        typed = right.text_input(label, "89" if choice == "departement" else "", key=f"{key}.scope_value")
        if not typed.strip():
            st.info("Indiquez les territoires à garder.", icon=":material/edit:")
            return None
        scope = typed
    frames, names, digests = [], [], []
    for upload in uploads:
        data = upload.getvalue()
        frames.append(_read(data, upload.name))
        names.append(upload.name)
        digests.append(f"{upload.file_id}:{len(data)}")
    for frame, name in zip(frames, names):
        info = recognise(frame, name)
        st.caption(f"{q(name)} : " + (f"fichier INSEE reconnu ({info.label})." if info else "tableau joint sur le code du territoire."))
    built = _insee(tuple(digests), tuple(frames), tuple(names), scope)
    show_warnings(list(built.warnings))
    return built.frame.reset_index(drop=True), ", ".join(names), {k: v.sentence() for k, v in built.sources.items()}


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared_table(token: tuple, _frame: pd.DataFrame, filename: str | None) -> TerritoryTable:
    """The sample's prepared table (*token*: the sample's), prepared once for every session: nothing personal (issue 14)."""
    return prepare_territories(_frame, filename=filename)


@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_analysis(token: tuple, _table: TerritoryTable, weights: tuple, method: str, top: int, spread: float, seed: int,
                     outcome: str | None, use_fitted: bool, outcome_label: str | None) -> TerritoryAnalysis:
    """The analysis of the sample for these settings, computed once for every session (a frozen result, read only)."""
    return analyse_territories(_table, dict(weights), method=method, top=top, spread=spread, seed=seed, outcome=outcome,
                               use_fitted=use_fitted, outcome_label=outcome_label)


def _sample_token(key: str) -> tuple | None:
    return shared_sample_token(f"{key}.territories", "seniors/territories", TERRITORIES)


def _table(key: str) -> tuple[TerritoryTable, list[str], str, str, bool] | None:
    """The prepared table, the candidate outcome columns, the file names, the source and whether it is the sample."""
    source = st.radio("Source des indicateurs", [TABLE, INSEE], horizontal=True, key=f"{key}.source_kind")
    if source == TABLE:
        validated = table_input(TERRITORIES, sample="seniors/territories", key=f"{key}.territories")
        if validated is None:
            return None
        is_sample = input_source(f"{key}.territories") == "exemple"
        if is_sample:
            st.caption(SYNTHETIC_NOTE)
        token = _sample_token(key)
        table = (_shared_table(token, validated.frame, validated.filename) if token is not None
                 else prepare_territories(validated.frame, filename=validated.filename))
        return table, [], validated.filename or "seniors/territories.csv", "exemple" if is_sample else "fichier", is_sample
    built = _official_files(key)
    if built is None:
        return None
    frame, filenames, sources = built
    extra = [str(c) for c in frame.columns if str(c) not in TERRITORIES.names and pd.api.types.is_numeric_dtype(frame[c])]
    outcome_column = st.selectbox(
        "Colonne du besoin observé dans vos tableaux (facultatif)", [NO_OUTCOME, *extra], key=f"{key}.outcome_column",
        format_func=lambda c: "aucune" if c == NO_OUTCOME else c,
    ) if extra else NO_OUTCOME
    mapping = {OUTCOME: outcome_column or None}
    validated = validate(frame, TERRITORIES, mapping, filename=filenames)
    show_warnings(list(validated.warnings))
    table = prepare_territories(validated.frame, filename=filenames, sources=sources)
    return table, [OUTCOME] if outcome_column else [], filenames, "fichier", False


def territory_mode(key: str) -> None:
    """Render the territory mode (widget keys under ``{key}.``)."""
    try:
        prepared = _table(key)
    except DataError as exc:
        show_error(exc)
        return
    if prepared is None:
        return
    table, outcomes, filenames, source, is_sample = prepared
    show_warnings(list(table.warnings))
    if table.sources:
        with st.expander("Ce que mesure chaque indicateur (source et année)", icon=":material/info:"):
            st.markdown("\n".join(f"- **{indicator_label(i)}** : {sentence}" for i, sentence in table.sources.items()))

    st.subheader("Paramètres", anchor=False)
    left, middle, right = st.columns(3)
    method = left.selectbox(
        "Méthode",
        list(METHODS),
        format_func=METHODS.get,
        key=f"{key}.method",
        help="Scores z : écarts à la moyenne en écarts-types. Rangs : robustes aux valeurs extrêmes. "
        "Min-max : 0 pour le minimum, 100 pour le maximum. ACP : les poids viennent des corrélations entre indicateurs.",
    )
    top = middle.number_input("Taille du haut de classement", 3, 30, 10, key=f"{key}.top")
    spread = right.slider("Variation des poids testée (±\u00a0%)", 10, 90, 50, 10, key=f"{key}.spread")
    choices = [NO_OUTCOME, *outcomes, *table.indicators]
    outcome = st.selectbox(
        "Besoin observé, pour apprendre les poids",
        choices,
        format_func=lambda c: "aucun (poids choisis à la main)" if c == NO_OUTCOME else (
            "colonne du besoin observé" if c == OUTCOME else indicator_label(c)),
        key=f"{key}.outcome",
        help="Si vous connaissez un besoin mesuré par territoire (bénéficiaires de l'APA, de l'ASPA, demandes au CCAS…), "
        "les poids des indicateurs sont appris pour le suivre, et mesurés sur des territoires laissés de côté. "
        "Un indicateur choisi ici sort de l'indice.",
    )
    use_fitted = False
    if outcome:
        use_fitted = st.toggle("Classer avec les poids appris", value=True, key=f"{key}.use_fitted")
    indicators = tuple(i for i in table.indicators if i != outcome)
    with st.expander("Pondérations des indicateurs", icon=":material/tune:"):
        if method == "pca" or use_fitted:
            st.caption("Avec l'ACP ou les poids appris, les curseurs ne s'appliquent pas.")
        columns = st.columns(2)
        weights = {
            name: columns[i % 2].slider(
                indicator_label(name), 0.0, 5.0, 1.0, 0.5, key=f"{key}.w.{name}", disabled=method == "pca" or use_fitted
            )
            for i, name in enumerate(indicators)
        }
    seed = st.number_input("Graine aléatoire (tirages de robustesse, plis)", 0, 10_000, 42, key=f"{key}.seed")
    try:
        if method != "pca" and not use_fitted:
            check_weights(weights)
        token = _sample_token(key) if is_sample else None
        with Stopwatch() as watch:
            if token is not None:  # the sample: shared between sessions
                run = _shared_analysis(token, table, tuple(weights.items()), method, int(top), spread / 100, int(seed),
                                       outcome or None, use_fitted, q(indicator_label(outcome)) if outcome else None)
            else:
                run = analyse_territories(table, weights, method=method, top=int(top), spread=spread / 100, seed=int(seed),
                                          outcome=outcome or None, use_fitted=use_fitted,
                                          outcome_label=q(indicator_label(outcome)) if outcome else None)
    except DataError as exc:
        show_error(exc)
        return
    _show(key, run, method, int(top), spread, weights, filenames, source, watch.seconds)


def _map_key(frame: pd.DataFrame, title: str) -> str | None:
    """A digest of what the map shows (the index table and the title), or None (then the map is drawn afresh)."""
    try:
        digest = frame_key(frame)
    except TypeError:  # a cell pandas cannot hash
        return None
    return hashlib.sha1(f"{digest}:{title}".encode()).hexdigest()


def _show(key: str, run: TerritoryAnalysis, method: str, top: int, spread: int, weights: dict, filenames: str,
          source: str, seconds: float) -> None:
    index, robustness, table = run.index, run.robustness, run.table
    show_warnings(list(index.warnings))

    st.subheader("Où sont les besoins ?", anchor=False)
    outlines = load_outlines()
    mapped = outlines is not None and bool(table.frame["mapped"].any())
    if mapped:
        title = f"Indice des besoins ({METHODS[method]})"
        # Built only when this map is not in the cache yet (same index and method: same map, for every session).
        show_map(lambda: choropleth(index.to_geojson(outlines), "index", title=title,
                                    tooltip=[("nom", "Commune"), ("rank", "Rang"), ("index", "Indice")]),
                 key=f"{key}.territory_map", cache_key=_map_key(index.table, title))
    if table.unmapped:
        n = table.unmapped
        st.info(NO_MAP_NOTE.format(n=plural(n, "territoire"), s="s" if n > 1 else ""), icon=":material/map:")

    ranked = index.top(top)
    new_vs_reference = run.new_vs_reference
    cols = st.columns(3)
    with cols[0]:
        kpi(f"Stabilité du top {robustness.top}", robustness.mean_overlap * 100, unit="%", lower_is_better=False,
            help="Part du top qui reste dans le top quand les poids varient (moyenne des tirages).")
    with cols[1]:
        if run.fit is not None:
            kpi("ρ de l'indice appris (hors échantillon)", run.fit.rho_fitted, run.fit.rho_equal, decimals=2, lower_is_better=False,
                help="Corrélation de rang entre le besoin observé et l'indice calculé sans le territoire ; référence : poids égaux.")
        elif new_vs_reference is not None:
            kpi("Nouveaux par rapport aux « 75 ans et plus »", new_vs_reference,
                help=f"Territoires du top {top} de l'indice absents du top {top} classé par la seule part des 75 ans et plus : "
                "ce que l'indice composite ajoute au critère démographique.")
    with cols[2]:
        if index.explained_variance is not None:
            kpi("Variance résumée par la 1re composante", index.explained_variance * 100, unit="%", lower_is_better=False)
        else:
            kpi("Territoires classés", len(index.table))
    st.markdown(robustness.summary_fr())

    shown = ranked[["label", "index", "imputed"]].join(robustness.table[["top_frequency", "rank_p05", "rank_p95"]])
    shown = shown.assign(index=shown["index"].round(2), top_frequency=shown["top_frequency"] * 100,
                         imputed=shown["imputed"].map(lambda s: ", ".join(indicator_label(i) for i in s.split(", ")) if s else ""))
    st.dataframe(
        shown.rename(columns={"label": "Territoire", "index": "Indice", "imputed": "Valeurs imputées (médiane)",
                              "top_frequency": f"Dans le top {robustness.top} (% des tirages)",
                              "rank_p05": "Rang (5e centile)", "rank_p95": "Rang (95e centile)"}),
        column_config={"Indice": st.column_config.NumberColumn(format="localized"),
                       f"Dans le top {robustness.top} (% des tirages)": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")},
        hide_index=True,
        key=f"{key}.ranking",
    )
    if run.fit is not None:
        _show_fit(key, run)
    with st.expander("Robustesse : les territoires qui entrent ou sortent du top", icon=":material/bar_chart:"):
        # Converted once per content (a fifth of this page's server time when converted on every run, issue 14).
        show_chart(lambda: robustness_chart(robustness.table, robustness.top),
                   cache_key=_map_key(robustness.table, f"robustesse:{robustness.top}"))
    with st.expander("Poids effectifs et contributions des indicateurs", icon=":material/calculate:"):
        st.markdown(", ".join(f"{indicator_label(i)} : **{pct(w, 0)}**" for i, w in index.weights.items()))
        if table.directions:
            st.caption("Inversés (une valeur plus élevée signale moins de besoins) : "
                       + ", ".join(q(indicator_label(i)) for i in table.directions) + ".")
        if index.loadings:
            st.caption("Coefficients de la première composante : " + ", ".join(f"{indicator_label(i)} {num(v, 2)}" for i, v in index.loadings.items()))
        contributions = index.contributions().loc[ranked.index].rename(columns=indicator_label)
        contributions.index = ranked["label"]
        st.dataframe(contributions.round(2), column_config=localized(contributions))

    d1, d2, d3 = st.columns(3)
    # Written when clicked (callables), not on every run of the page.
    d1.download_button("Classement (CSV)", lambda: csv_bytes(run.to_frame()), "indice_besoins.csv", "text/csv", key=f"{key}.dl.index")
    d2.download_button("Robustesse (CSV)", lambda: csv_bytes(robustness.to_frame()), "robustesse_classement.csv", "text/csv", key=f"{key}.dl.robust")
    if mapped:
        d3.download_button("Carte (GeoJSON)", lambda: json.dumps(index.to_geojson(outlines), ensure_ascii=False).encode("utf-8"),
                           "indice_besoins.geojson", "application/geo+json", key=f"{key}.dl.geojson")

    parameters = {"Mode": "territoire", "Méthode": METHODS[method], "Top": top, "Variation des poids": f"±{spread} %"}
    if run.fit is not None:
        parameters["Besoin observé"] = run.fit.outcome
        parameters["Validation croisée"] = run.fit.scheme
    parameters.update({indicator_label(i): round(w, 3) for i, w in index.weights.items()})
    publish_run(
        RunSummary(
            demo=key,
            data=DataSummary(
                source=source,
                files=tuple(filenames.split(", ")),
                rows=len(table.frame),
                description=f"{plural(len(table.frame), 'territoire')}, {plural(len(table.indicators), 'indicateur')} agrégés",
            ),
            parameters=parameters,
            figures=tuple(run.figures()),
            compute_seconds=seconds,
            personal_data=False,
            special_category=False,
        )
    )


def _show_fit(key: str, run: TerritoryAnalysis) -> None:
    fit = run.fit
    st.subheader("Des poids appris sur le besoin observé", anchor=False)
    show_warnings(list(fit.warnings))
    st.markdown(fit.summary_fr())
    comparison = fit.comparison().rename(columns={"classement": "Classement", "rho_spearman": "ρ de Spearman"})
    st.dataframe(comparison, hide_index=True, column_config=localized(comparison), key=f"{key}.fit_comparison")
    stability = fit.stability().rename(columns={
        "indicateur": "Indicateur", "poids": "Poids appris", "poids_moyen_plis": "Moyenne entre plis",
        "ecart_type_plis": "Écart-type entre plis", "poids_min": "Minimum", "poids_max": "Maximum",
        "part_plis_non_nul": "Part des plis où il compte"})
    st.dataframe(stability, hide_index=True, column_config=localized(stability), key=f"{key}.fit_weights")
