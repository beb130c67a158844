"""Collecte des déchets : secteurs équilibrés, tournées optimisées et prévision du remplissage, face aux tournées actuelles."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from sandbox.data import DataError, read_table
from sandbox.data.schemas.collection import HISTORY, POINTS, SITES
from sandbox.models.collection.plan import (
    ALL_STREAMS, CO2_SOURCE_FR, DEFAULT_CONSUMPTION_L_100KM, METHOD_SUMMARY_FR, Fleet, Site,
    matrix_from_table, plan_collection, sector_summary, streams_in,
)
from sandbox.models.collection.exports import route_sheets_zip
from sandbox.models.collection.fill import describe_evaluation, forecast_fill
from sandbox.models.collection.labels import FillSource
from sandbox.sheet.report import DataSummary, RunSummary, Stopwatch
from sandbox.text import num, pct, plural
from sandbox.ui import explain, kpi, page_header, show_error, show_warnings, table_input
from sandbox.ui.inputs import file_uploader, frame_key, input_source
from sandbox.ui.maps import show_map
from sandbox.pages.collection.map import VIEWS, build_routes_map
from sandbox.ui.runs import publish_run

KEY = "collection"
CAPACITY = {"ordures ménagères": 40_000, "emballages": 40_000, "verre": 60_000}


@st.cache_data(max_entries=4, show_spinner="Prévision du remplissage…")
def _forecast(_history: pd.DataFrame, history_key: str, _points: pd.DataFrame, points_key: str, seed: int):
    return forecast_fill(_history, points=_points, random_state=seed)


@st.cache_data(max_entries=4, show_spinner="Lecture de la matrice des distances…")
def _matrix(data: bytes, name: str, ids: tuple, disposal: bool, unit: str):
    return matrix_from_table(read_table(data, name), ids, disposal_label="exutoire" if disposal else None, unit=unit, filename=name)


@st.cache_data(max_entries=12, show_spinner=False)
def _plan(_points, points_key, depot, disposal, fleet, stream, detour, _matrix_km, matrix_key, _forecast_obj, forecast_key,
          skip_below, consumption, time_limit, seed, filename):
    bar = st.progress(0.0, text="Calcul des tournées…")
    plan = plan_collection(
        _points, depot, disposal=disposal, fleet=fleet, stream=stream, detour=detour, matrix_km=_matrix_km,
        forecast=_forecast_obj, skip_below=skip_below, consumption_l_100km=consumption, time_limit=time_limit,
        seed=seed, filename=filename, progress=lambda fraction, message: bar.progress(fraction, text=message),
    )
    bar.empty()
    return plan


@st.cache_data(max_entries=12, show_spinner=False)
def _route_sheets(_plan, plan_key: str) -> dict:
    """The route sheet of each truck, as shown (text cells), once per plan."""
    return {truck: sheet.astype("string").fillna("") for truck, sheet in _plan.route_sheets().items()}


page_header(
    "Collecte des déchets : tournées optimisées",
    "Les tournées de collecte suivent souvent des secteurs dessinés il y a longtemps, parcourus dans l'ordre habituel. "
    "Cette démonstration découpe le territoire en secteurs équilibrés, **optimise les tournées des camions** "
    "(capacité, durée de service, créneaux, vidages à l'exutoire) et **prévoit le remplissage des bacs** à partir "
    "des capteurs — puis compare kilomètres, heures et CO₂ aux tournées actuelles.",
    demo=KEY,
)

st.subheader("Données")
points_in = table_input(POINTS, sample="collection/points", key=f"{KEY}.points")
sites_in = table_input(SITES, sample="collection/sites", key=f"{KEY}.sites", label="Dépôt et exutoire")
use_history = st.toggle("Prévoir le remplissage à partir de l'historique des capteurs", value=True, key=f"{KEY}.use_history")
history_in = table_input(HISTORY, sample="collection/history", key=f"{KEY}.history") if use_history else None
with st.expander("Distances routières (option)", icon=":material/route:"):
    st.caption(
        "Par défaut, la distance entre deux lieux est la distance à vol d'oiseau × un facteur de détour. Si vous avez "
        "une matrice de distances routières (calculée par un calculateur d'itinéraires), déposez-la : la première colonne "
        "et l'en-tête nomment les lieux (« dépôt », « exutoire », puis les identifiants des points)."
    )
    matrix_file = file_uploader("Matrice des distances", type=["csv", "xlsx", "ods"], key=f"{KEY}.matrix")
    matrix_unit = st.segmented_control("Unité de la matrice", ["m", "km"], default="m", key=f"{KEY}.matrix_unit") or "m"

if points_in is None or sites_in is None:
    st.stop()
sites = sites_in.frame
depots = sites[sites["role"] == "dépôt"]
if depots.empty:
    show_error(DataError("le tableau des sites n'indique pas de dépôt (une ligne de rôle « dépôt »)", filename=sites_in.filename))
    st.stop()
depot_row = depots.iloc[0]
depot = Site(depot_row["name"] if isinstance(depot_row["name"], str) else "Dépôt", float(depot_row["latitude"]), float(depot_row["longitude"]))
dumps = sites[sites["role"] == "exutoire"]
disposal = None if dumps.empty else Site(
    dumps.iloc[0]["name"] if isinstance(dumps.iloc[0]["name"], str) else "Exutoire",
    float(dumps.iloc[0]["latitude"]), float(dumps.iloc[0]["longitude"]),
)

st.subheader("Paramètres")
streams = streams_in(points_in.frame) or [ALL_STREAMS]
c1, c2, c3, c4 = st.columns(4)
stream = c1.selectbox("Flux à collecter", streams, key=f"{KEY}.stream", help="Un camion ne collecte qu'un flux à la fois.")
vehicles = c2.number_input("Nombre de camions", 1, 30, 3, key=f"{KEY}.vehicles")
capacity = c3.number_input("Capacité d'un camion (L de bacs)", 1_000, 200_000, CAPACITY.get(stream, 40_000), 1_000,
                           key=f"{KEY}.capacity.{stream}", help="Volume de bacs collecté avant de devoir vider le camion.")
shift = c4.number_input("Durée de service (h)", 1.0, 12.0, 7.0, 0.5, key=f"{KEY}.shift")
c1, c2, c3, c4 = st.columns(4)
speed = c1.number_input("Vitesse moyenne (km/h)", 5.0, 50.0, 15.0, 1.0, key=f"{KEY}.speed")
detour = c2.slider("Facteur de détour", 1.0, 2.0, 1.3, 0.05, key=f"{KEY}.detour", help="Distance par la route ÷ distance à vol d'oiseau.")
time_limit = c3.slider("Temps de calcul (s)", 1, 30, 3, key=f"{KEY}.time_limit", help="Plus long : tournées un peu meilleures.")
seed = c4.number_input("Graine aléatoire", 0, 10_000, 42, key=f"{KEY}.seed")
c1, c2, c3 = st.columns(3)
skip = c1.toggle("Sauter les bacs prévus presque vides", value=False, key=f"{KEY}.skip", disabled=history_in is None)
threshold = c2.slider("Seuil de remplissage (%)", 5, 80, 30, 5, key=f"{KEY}.threshold", disabled=not skip)
consumption = c3.number_input("Consommation d'une benne (L/100 km)", 10.0, 150.0, DEFAULT_CONSUMPTION_L_100KM, 5.0, key=f"{KEY}.consumption")

fleet = Fleet(vehicles=int(vehicles), capacity_l=float(capacity), shift_hours=float(shift), speed_kmh=float(speed))
st.subheader("Résultat")
with Stopwatch() as watch:  # forecast and plan (near zero when both come from the cache)
    forecast, forecast_key = None, ""
    if history_in is not None:
        try:
            forecast = _forecast(history_in.frame, frame_key(history_in.frame), points_in.frame, frame_key(points_in.frame), int(seed))
            forecast_key = f"{frame_key(history_in.frame)}:{seed}"
        except DataError as exc:  # the rounds are still planned, with the volumes of the points file
            show_error(exc)
    matrix_km, matrix_key = None, ""
    if matrix_file is not None:
        try:
            ids = tuple(points_in.frame["id"].astype(str))
            matrix_km = _matrix(matrix_file.getvalue(), matrix_file.name, ids, disposal is not None, matrix_unit)
            matrix_key = f"{hashlib.sha1(matrix_file.getvalue()).hexdigest()}:{matrix_unit}"
        except DataError as exc:
            show_error(exc)
            st.caption("Distances estimées à vol d'oiseau × facteur de détour, faute de matrice utilisable.")
    points_key = frame_key(points_in.frame)
    plan_args = (depot, disposal, fleet, stream, float(detour), matrix_key, forecast_key, float(threshold) if skip else None,
                 float(consumption), float(time_limit), int(seed), points_in.filename)
    # What identifies the plan (its inputs' digests and parameters): keys the map and the route sheets below.
    plan_key = hashlib.sha1(repr((points_key, plan_args)).encode()).hexdigest()
    try:
        plan = _plan(points_in.frame, points_key, depot, disposal, fleet, stream, float(detour), matrix_km,
                     matrix_key, forecast, forecast_key, float(threshold) if skip else None, float(consumption),
                     float(time_limit), int(seed), points_in.filename)
    except DataError as exc:
        show_error(exc)
        plan = None

if plan is not None:
    show_warnings(list(plan.warnings))
    view_label = st.segmented_control("Carte", list(VIEWS.values()), default=VIEWS["optimised"], key=f"{KEY}.view") or VIEWS["optimised"]
    view = next(k for k, v in VIEWS.items() if v == view_label)
    ids = plan.points["id"].astype(str).tolist()
    chosen = st.session_state.get(f"{KEY}.why")
    selected = chosen if chosen in ids else None
    show_map(lambda: build_routes_map(plan, view=view, selected=selected), key=f"{KEY}.map", height=560,
             cache_key=f"{plan_key}:{view}:{selected}")

    figures = plan.figures()
    for start in range(0, len(figures), 4):
        for column, f in zip(st.columns(4), figures[start : start + 4]):
            with column:
                kpi(f.label, f.value, f.baseline, unit=f.unit, decimals=f.decimals, lower_is_better=f.lower_is_better)
    balance = sector_summary(plan)
    st.caption(
        f"Référence : {plural(plan.baseline.n_routes, 'tournée actuelle', 'tournées actuelles')}, secteurs fixes parcourus du plus proche au plus proche. "
        f"Secteur le plus chargé : {num(balance['current'], 2)} × la moyenne aujourd'hui, {num(balance['balanced'], 2)} × "
        f"avec les secteurs équilibrés (k-moyennes rééquilibrées). Calcul : {num(plan.optimised.runtime, 1)} s, "
        f"{num(plan.optimised.iterations)} itérations du solveur."
    )
    if forecast is not None and (plan.points["fill_source"] == FillSource.FORECAST).any():
        ev = forecast.evaluation
        c1, c2 = st.columns([1, 3])
        with c1:
            kpi("Erreur de la prévision à un jour", ev.mae_model, ev.mae_naive, unit="points", decimals=1, versus="vs naïf",
                help="Erreur absolue moyenne sur le dernier jour de l'historique, mis de côté ; la prévision naïve reprend le dernier relevé.")
        c2.markdown(describe_evaluation(ev) + (f" Jour de collecte prévu : {forecast.date.strftime('%d/%m/%Y')}."))

    st.markdown("#### Pourquoi ce point ?")
    st.selectbox("Point", ids, index=None, key=f"{KEY}.why", placeholder="Choisissez un point de collecte")
    if chosen in ids:
        st.markdown(plan.explain(chosen).text)

    st.markdown("#### Feuilles de route")
    sheets = _route_sheets(plan, plan_key)
    c1, c2, c3 = st.columns(3)
    # Downloads are written when clicked (callables), not on every run of the page.
    c1.download_button("Feuilles de route (ZIP, un CSV par camion)", lambda: route_sheets_zip(plan), "feuilles_de_route.zip",
                       "application/zip", key=f"{KEY}.dl_zip")
    c2.download_button("Tournées (GeoJSON)", lambda: json.dumps(plan.to_geojson(), ensure_ascii=False).encode("utf-8"),
                       "tournees.geojson", "application/geo+json", key=f"{KEY}.dl_geojson")
    truck = c3.selectbox("Camion", list(sheets), format_func=lambda r: f"Camion {r}", key=f"{KEY}.truck") if sheets else None
    if truck is not None:
        st.dataframe(sheets[truck], hide_index=True, height=260)

    publish_run(
        RunSummary(
            demo=KEY,
            data=DataSummary(
                source=input_source(f"{KEY}.points"),
                files=tuple(n for n in (points_in.filename, history_in.filename if history_in else None) if n),
                rows=len(plan.points),
                description=f"{plural(len(plan.points), 'point')} de collecte ({plan.stream})"
                + (", historique de remplissage des capteurs" if forecast is not None else ""),
            ),
            parameters={
                "Flux": plan.stream, "Camions": fleet.vehicles, "Capacité (L)": fleet.capacity_l, "Durée de service (h)": fleet.shift_hours,
                "Vitesse (km/h)": fleet.speed_kmh, "Facteur de détour": plan.detour if plan.detour else "matrice fournie",
                "Temps de calcul (s)": time_limit, "Seuil de remplissage (%)": threshold if skip else "—", "Graine": seed,
            },
            figures=plan.figures(),
            compute_seconds=watch.seconds,
            personal_data=False,
        )
    )

explain(
    "1. **Distances.** Entre deux lieux : la distance à vol d'oiseau × un **facteur de détour** "
    f"({num(detour, 2)} ici ; 1,3 est une valeur courante en ville dense), ou la matrice routière que vous fournissez. "
    f"Le temps de trajet suppose une vitesse moyenne constante ({num(speed)} km/h).\n"
    "2. **Tournées actuelles (référence).** Chaque secteur actuel (colonne « secteur », ou à défaut des secteurs équilibrés) "
    "est confié à un camion qui va toujours au point le plus proche, et vide à l'exutoire quand il est plein.\n"
    "3. **Secteurs équilibrés.** Les k-moyennes de scikit-learn, puis une réaffectation qui égalise le volume par secteur.\n"
    "4. **Optimisation.** PyVRP (recherche locale itérée, état de l'art des tournées de véhicules) répartit et ordonne "
    "les points sous le temps de calcul choisi, en respectant la capacité, la durée de service, les créneaux et les "
    "vidages à l'exutoire.\n"
    "5. **Prévision.** Un gradient boosting (scikit-learn) apprend sur l'historique le niveau « h jours après un relevé » ; "
    "son erreur est mesurée sur le dernier jour, mis de côté, contre le dernier relevé. Les bacs prévus sous le seuil "
    "deviennent facultatifs : collectés seulement si le détour vaut moins que leur contenu "
    "(1 km pour un bac plein, au prorata).\n\n"
    f"*Résumé pour la fiche projet :* {METHOD_SUMMARY_FR}",
    f"- **Distances estimées** : le facteur de détour ({num(detour, 2)}) est une moyenne ; sens uniques, rues interdites "
    "aux poids lourds et circulation ne sont pas connus. Une matrice routière réelle corrige cela.\n"
    f"- **CO₂** : {CO2_SOURCE_FR.format(consumption=num(consumption))}. Seuls les kilomètres changent dans ce calcul ; "
    "les arrêts, le ralenti et le compactage ne sont pas modélisés.\n"
    "- **Tournées actuelles** reconstituées (ordre du plus proche voisin) : les équipes connaissent souvent mieux leur "
    "secteur ; le gain réel se mesure sur le terrain, avec les équipes.\n"
    "- **Prévision** : bonne à un jour, moins au-delà ; un capteur en panne ou un dépôt sauvage la trompe. Sauter un bac "
    "engage la salubrité : le risque de débordement affiché est une estimation, pas une garantie.\n"
    "- **Données** : l'exemple est synthétique (Montreuil, aucun habitant réel). Les points de collecte collectifs ne sont "
    "pas des données personnelles ; le remplissage d'un **bac individuel** renseigne sur un foyer (RGPD : minimisation, "
    "information des usagers). Système d'aide à la décision, pas à haut risque au sens de l'AI Act ; "
    "les équipes gardent la main sur les tournées.",
)
