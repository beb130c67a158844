"""Water: data quality, leaks, peer comparison and personalised messages from smart-meter readings."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from sandbox import registry
from sandbox.data import DataError, Validated, sample_path
from sandbox.data.schemas.water import HOUSEHOLDS, READINGS
from sandbox.sheet.report import DataSummary, RunSummary, Stopwatch
from sandbox.models.water import (
    DEFAULT_PRICE_EUR_M3,
    PRICE_SOURCE_FR,
    Prepared,
    Readings,
    WaterAnalysis,
    WaterParams,
    analyse,
    prepare,
)
from sandbox.text import num, plural, typography
from sandbox.ui import explain, page_header, show_error, table_input
from sandbox.ui.inputs import input_source, shared_sample_token
from sandbox.ui.runs import publish_run
from sandbox.pages.water.views import (
    campaign_tab,
    downloads_tab,
    household_tab,
    leaks_tab,
    profiles_tab,
    quality_tab,
)

KEY = "water"


def frame_key_cheap(frame: pd.DataFrame) -> tuple:
    """Identifies a validated table without hashing millions of rows (shape, ends, a few sums)."""
    numeric = frame.select_dtypes("number")
    return (frame.shape, str(frame.iloc[0].tolist()), str(frame.iloc[-1].tolist()),
            float(numeric.sum().sum()) if not numeric.empty else 0.0, int(frame.index[-1]))

page_header(
    registry.demo(KEY).title,
    typography("Les compteurs communicants relèvent la consommation de chaque foyer heure par heure. Cette démonstration "
    "contrôle d'abord la qualité des relevés, repère les **fuites** (un débit qui ne s'arrête jamais, même la nuit) "
    "et les journées inhabituelles, compare chaque foyer à des **foyers semblables**, puis rédige le courrier et le "
    "SMS qu'un service de l'eau pourrait envoyer, et estime ce qu'une campagne ferait économiser."),
    demo=KEY,
)


def _prepare(validated: Validated, data_params: tuple) -> tuple[Prepared, float]:
    kind, unit, freq, stuck_days = data_params
    with Stopwatch() as watch:
        prepared = prepare(Readings.from_validated(validated), WaterParams(kind=kind, unit=unit, freq=freq, stuck_days=stuck_days))
    return prepared, watch.seconds


def _analyse(prepared: Prepared, homes: pd.DataFrame | None, params: WaterParams) -> tuple[WaterAnalysis, float]:
    with Stopwatch() as watch:
        result = analyse(prepared, homes, params)
    return result, watch.seconds


@st.cache_data(max_entries=2, show_spinner=False)
def prepare_readings(frame: pd.DataFrame, warnings: tuple, mapping: tuple, filename: str | None, input_rows: int,
                     data_params: tuple) -> tuple[Prepared, float]:
    """Conversion and quality report: depends on the data and on how to read it only."""
    return _prepare(Validated(frame, warnings, dict(mapping), filename, input_rows), data_params)


@st.cache_resource(max_entries=2, show_spinner=False)  # as many as the per-session cache held (a prepared sample is large)
def shared_readings(token: tuple, data_params: tuple, _readings: Validated) -> tuple[Prepared, float]:
    """:func:`prepare_readings` of the sample, shared by every session (the same for all: nothing personal)."""
    return _prepare(_readings, data_params)


@st.cache_resource(max_entries=4, show_spinner=False)
def shared_analysis(token: tuple, data_params: tuple, homes_token: tuple | None, params: WaterParams,
                    _prepared: Prepared, _homes: pd.DataFrame | None) -> tuple[WaterAnalysis, float]:
    """:func:`run_analysis` on the sample readings (and sample households), shared by every session.

    In a workshop of 30 most participants look at the sample with the
    default settings: the analysis is computed once and read by all,
    instead of being unpickled (hundreds of MB) by each. The views only read it.
    """
    return _analyse(_prepared, _homes, params)


@st.cache_data(max_entries=4, show_spinner=False)
def run_analysis(_prepared: Prepared, prepared_key: tuple, homes: pd.DataFrame | None, params: WaterParams) -> tuple[WaterAnalysis, float]:
    """The analysis of uploaded data: this session's own copy (``st.cache_data``)."""
    return _analyse(_prepared, homes, params)


st.subheader("Les relevés", anchor=False)
readings = table_input(READINGS, sample="water/readings", key=f"{KEY}.readings", errors="drop")
with st.expander(typography("Description des logements (facultatif : pour comparer des foyers semblables)"), icon=":material/home:"):
    use_homes = st.toggle("Comparer chaque foyer à des foyers semblables", value=True, key=f"{KEY}.use_homes")
    homes = table_input(HOUSEHOLDS, sample="water/households", key=f"{KEY}.homes", errors="drop") if use_homes else None
    st.download_button(
        "Télécharger un export de releveur pour essayer (user key;datetime;meter reading;diff)",
        sample_path("water/export_releveur.csv").read_bytes, file_name="export_releveur.csv", mime="text/csv",
        key=f"{KEY}.example", icon=":material/download:",
        help=typography("Six compteurs sur six semaines, dates françaises, index en m³ à virgule : déposez-le dans « Mon fichier » "
                "pour voir la correspondance des colonnes."),
    )

st.subheader("Réglages", anchor=False)
c1, c2, c3 = st.columns(3)
price = c1.number_input("Prix de l'eau (€/m³, TTC)", 0.5, 15.0, DEFAULT_PRICE_EUR_M3, 0.05, key=f"{KEY}.price", help=PRICE_SOURCE_FR)
nights = c2.slider("Nuits de suite avec débit continu pour une alerte", 2, 7, 3, key=f"{KEY}.nights",
                   help=typography("Moins de nuits : alerte plus rapide, mais un remplissage de piscine sur deux nuits passerait pour une fuite."))
min_flow = c3.number_input("Plus petit débit de fuite (L/h)", 0.5, 20.0, 1.0, 0.5, key=f"{KEY}.min_flow",
                           help=typography("Un compteur communicant compte au litre près : 1 L/h est le plus petit débit visible en relevés horaires."))
with st.expander("Réglages avancés", icon=":material/tune:"):
    a1, a2, a3 = st.columns(3)
    kind = a1.selectbox("Les valeurs sont…", ["auto", "index", "volume"], key=f"{KEY}.kind",
                        format_func={"auto": "détectées", "index": "un index cumulé", "volume": "des volumes par intervalle"}.get)
    unit = a2.selectbox("Unité", ["auto", "L", "m3"], key=f"{KEY}.unit", format_func={"auto": "détectée", "L": "litres", "m3": "m³"}.get)
    freq = a3.selectbox("Analyse", ["auto", "hourly", "daily"], key=f"{KEY}.freq",
                        format_func={"auto": "selon les relevés", "hourly": "horaire", "daily": "journalière"}.get)
    night = a1.slider("Fenêtre de nuit (heures)", 0, 8, (1, 5), key=f"{KEY}.night")
    stuck_days = a2.slider("Jours sans consommation pour un compteur bloqué", 7, 90, 30, key=f"{KEY}.stuck")
    min_peers = a3.slider("Foyers semblables nécessaires pour comparer", 5, 100, 20, key=f"{KEY}.min_peers")
    period = a1.slider("Période de comparaison (jours)", 7, 365, 90, key=f"{KEY}.period")
    segments = a2.slider("Nombre de profils", 2, 6, 5, key=f"{KEY}.segments")
    seed = a3.number_input("Graine aléatoire (profils)", 0, 10_000, 42, key=f"{KEY}.seed")

HOW = typography(
    "1. **Qualité d'abord.** Les relevés (volumes ou index cumulé, convertis par différence ; passage par zéro du "
    "compteur reconnu) sont placés heure par heure. Les heures sans relevé restent inconnues : une lacune n'est "
    "jamais prise pour une fuite. Un compteur qui ne bouge plus pendant des semaines, ou qui répète la même "
    "valeur, est signalé et sa période écartée.\n"
    "2. **Fuites.** Entre 1 h et 5 h, un foyer endormi n'utilise presque pas d'eau. Quand chaque heure de la nuit "
    "montre un débit, plusieurs nuits de suite, sans jamais revenir à zéro entre deux nuits, une fuite est probable. "
    "Le débit de ces heures donne les litres perdus ; avec des relevés journaliers seulement, la règle devient "
    "« jamais sous X litres par jour » au-dessus des jours les plus sobres du foyer.\n"
    "3. **Journées inhabituelles** : volume du jour, de la nuit ou débit de pointe très au-dessus de la médiane du "
    "foyer (statistiques robustes), avec la raison.\n"
    "4. **Profils** : les journées types (part de l'eau à chaque heure, arrosage l'été) sont regroupées par k-moyennes "
    "et chaque groupe est nommé d'après sa courbe.\n"
    "5. **Comparaison** : chaque foyer face à des foyers semblables (même nombre d'occupants, même type de logement) : "
    "la moyenne et les 20 % les plus économes, comme dans les « home water reports ».\n"
    "6. **Messages** à partir de modèles : l'alerte de fuite d'abord, la comparaison toujours accompagnée d'un "
    "encouragement pour les foyers déjà sous la moyenne (sinon ils ont tendance à remonter : « effet boomerang », "
    "Schultz et al., 2007), un conseil adapté au profil, l'économie possible ; jamais de reproche."
)
LIMITS = typography(
    "- **Fuites** : un usage continu légitime (adoucisseur, aquarium, remplissage de piscine de plus de deux jours) "
    "ressemble à une fuite ; une fuite de moins de 1 L/h ne se voit pas au litre près. Avec des relevés journaliers, "
    "seules les fuites de plusieurs litres par heure sont repérées. L'alerte invite à vérifier, elle ne prouve rien.\n"
    "- **Comparaisons** : sans description des logements (ou avec trop peu de foyers semblables), il n'y a pas de "
    "comparaison. Les effets des campagnes publiés (quelques %) viennent surtout des États-Unis et s'atténuent avec le temps : "
    "gardez un groupe témoin pour mesurer le vôtre.\n"
    "- **Données personnelles (RGPD)** : la courbe de consommation d'un foyer révèle ses habitudes (présence, "
    "absences, horaires). La CNIL encadre l'usage des données des compteurs communicants : finalité annoncée, "
    "pas de relevé horaire sans base légale ou accord, durée de conservation limitée, messages sans données de tiers. "
    "Ici, tout reste sur ce poste.\n"
    "- **AI Act** : des règles et des statistiques, sans décision automatique produisant des effets juridiques : risque "
    "minimal, mais un agent relit les messages avant envoi, et le foyer peut contester une alerte."
)

if readings is None:
    explain(HOW, LIMITS)
    st.stop()

params = WaterParams(kind=kind, unit=unit, freq=freq, price_eur_m3=float(price), night_start=night[0], night_end=night[1],
                     nights=nights, min_flow_l_h=float(min_flow), stuck_days=float(stuck_days), n_segments=segments,
                     seed=int(seed), min_peers=min_peers, period_days=period)
try:
    with st.spinner("Analyse des relevés (qualité, fuites, profils, messages)…", show_time=True):
        data_key = (tuple(readings.warnings), tuple(sorted(readings.mapping.items(), key=lambda kv: kv[0])),
                    readings.filename, readings.input_rows)
        data_params = (kind, unit, freq, float(stuck_days))
        token = shared_sample_token(f"{KEY}.readings", "water/readings", READINGS, "drop")
        homes_token = ("sans",) if homes is None else shared_sample_token(f"{KEY}.homes", "water/households", HOUSEHOLDS, "drop")
        chart_key = None  # charts of an upload are converted on each run; the sample's once for all sessions
        if token is not None and homes_token is not None:  # sample data only: one result for every session
            chart_key = hashlib.sha1(repr((token, data_params, homes_token, params)).encode()).hexdigest()
            prepared, prep_seconds = shared_readings(token, data_params, readings)
            result, seconds = shared_analysis(token, data_params, homes_token, params, prepared,
                                              homes.frame if homes is not None else None)
        else:
            prepared, prep_seconds = prepare_readings(readings.frame, *data_key, data_params)
            result, seconds = run_analysis(prepared, (frame_key_cheap(readings.frame), data_key, data_params),
                                           homes.frame if homes is not None else None, params)
        seconds += prep_seconds
except DataError as exc:
    show_error(exc)
    explain(HOW, LIMITS)
    st.stop()

st.subheader("Résultats", anchor=False)
st.caption(" ".join(result.summary()[:1]) + (f" {result.households_note}" if result.households_note else ""))
tabs = st.tabs(["Qualité des données", "Fuites", "Un foyer", "Profils et journées inhabituelles", "Campagne", "Téléchargements"])
with tabs[0]:
    quality_tab(result, chart_key)
with tabs[1]:
    leaks_tab(result, chart_key)
with tabs[2]:
    household_tab(result, KEY, chart_key)
with tabs[3]:
    profiles_tab(result, chart_key)
with tabs[4]:
    campaign = campaign_tab(result, homes.frame if homes is not None else None, KEY)
with tabs[5]:
    downloads_tab(result, KEY)

sample = input_source(f"{KEY}.readings") == "exemple"
start, end = result.period
publish_run(
    RunSummary(
        demo=KEY,
        data=DataSummary(
            source="exemple" if sample else "fichier",
            files=() if sample else (readings.filename,),
            rows=result.n_readings,
            description=f"{plural(len(result.meters), 'compteur')}, relevés {'horaires' if result.hourly else 'journaliers'}"
            + (", description des logements" if homes is not None else ""),
            period=f"du {start:%d/%m/%Y} au {end - pd.Timedelta(days=1):%d/%m/%Y}",
        ),
        parameters={"Prix de l'eau (€/m³)": num(price, 2), "Nuits de suite": nights, "Débit minimal (L/h)": num(min_flow, 1),
                    "Fenêtre de nuit": f"{night[0]} h – {night[1]} h", "Effet attendu": f"{num(campaign.effect * 100, 1)} %",
                    "Part de témoins": f"{num(campaign.control_share * 100)} %"},
        figures=tuple(result.figures(campaign)),
        compute_seconds=seconds,
        personal_data=not sample,
    )
)
explain(HOW, LIMITS)
