"""Emploi : rapprocher offres et candidats — explained matches, skill gaps, a discrimination test."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sandbox.data.export import to_csv_bytes
from sandbox.data.schemas.matching import CANDIDATES, OFFERS
from sandbox.models.matching import (
    DEFAULT_WEIGHTS,
    METHOD_SUMMARY_FR,
    PART_HELP,
    PART_LABELS,
    PARTS,
    Matcher,
    default_rome,
    load_reference,
    discrimination_test,
    evaluate,
    keyword_baseline,
    truth_from_column,
)
from sandbox.privacy import new_key
from sandbox.sheet.report import DataSummary, RunSummary, Stopwatch
from sandbox.text import num, pct, typography
from sandbox.ui import explain, kpi, page_header, show_warnings
from sandbox.ui.charts import show_chart
from sandbox.ui.inputs import frame_key, input_source, shared_sample_token
from sandbox.pages.matching.views import (
    coding_tab,
    match_cards,
    matching_input,
    never_read_note,
    reference_panel,
    related_jobs,
    score_bars,
)
from sandbox.ui.runs import publish_run

KEY = "matching"

page_header(
    "Emploi : rapprocher offres et candidats",
    "Les conseillers lisent des centaines d'offres et de profils écrits en texte libre. L'outil reconnaît les métiers "
    "(codes ROME) et les compétences malgré les synonymes et les fautes, classe les offres pour un candidat et les "
    "candidats pour une offre, et explique chaque score et chaque compétence manquante.",
    demo=KEY,
)
st.warning(typography(
    "**Usage à haut risque** au sens du règlement européen sur l'IA (annexe III, point 4 : recrutement et sélection "
    "de personnes). Ce classement est une aide à la lecture : **une personne décide toujours**, et chaque candidat "
    "peut demander pourquoi une offre lui a été proposée ou non."),
    icon=":material/gavel:",
)

# -- Data ------------------------------------------------------------------------------------------
reference = reference_panel(KEY)


@st.cache_resource(max_entries=2, show_spinner="Index des métiers ROME…")
def title_coder(source: str, version: str):
    """The title → ROME coder of the reference in use: read-only, shared by every session."""
    return default_rome(load_reference())


rome = title_coder(reference.source, reference.version)
left, right = st.columns(2)
with left:
    offers, never_o = matching_input(OFFERS, sample="matching/offres", key=f"{KEY}.offres", expected="offres", label="Offres d'emploi")
with right:
    candidates, never_c = matching_input(CANDIDATES, sample="matching/candidats", key=f"{KEY}.candidats", expected="candidats", label="Candidats")
never_read_note(never_o + never_c)
if offers is None or candidates is None:
    st.info(typography("Chargez les deux tableaux (ou gardez les données d'exemple) pour voir les rapprochements."))
    st.stop()

# -- Parameters ------------------------------------------------------------------------------------
with st.expander("Réglages : poids des parts du score, mobilité", icon=":material/tune:", expanded=False):
    cols = st.columns(len(PARTS))
    weights = {p: cols[i].slider(PART_LABELS[p], 0.0, 1.0, DEFAULT_WEIGHTS[p], 0.05, key=f"{KEY}.w_{p}", help=PART_HELP[p]) for i, p in enumerate(PARTS)}
    a, b, c = st.columns(3)
    radius = a.number_input("Rayon de mobilité par défaut (km)", 1.0, 100.0, 10.0, 1.0, key=f"{KEY}.radius", help="Pour les candidats qui n'en donnent pas.")
    distance_filter = b.toggle("Écarter les offres hors du rayon", value=True, key=f"{KEY}.filter")
    k = c.slider("Rapprochements affichés", 3, 20, 10, key=f"{KEY}.k")
if sum(weights.values()) <= 0:
    st.error(typography("Donnez un poids positif à au moins une part du score."))
    st.stop()
total = sum(weights.values())
st.caption(typography("Poids utilisés : " + ", ".join(f"{PART_LABELS[p].lower()} {pct(weights[p] / total, 0)}" for p in PARTS) + "."))


@st.cache_data(max_entries=4, show_spinner="Normalisation des métiers, des compétences et des textes…")
def fitted(_cand: pd.DataFrame, _off: pd.DataFrame, key: str, radius_km: float, filt: bool, reference_version: str) -> Matcher:
    return Matcher(default_radius_km=radius_km, distance_filter=filt, rome=rome).fit(_cand, _off)


@st.cache_resource(max_entries=2, show_spinner="Normalisation des métiers, des compétences et des textes…")
def shared_fitted(_cand: pd.DataFrame, _off: pd.DataFrame, key: str, radius_km: float, filt: bool, reference_version: str) -> Matcher:
    """The matcher fitted on the sample tables (*key*: their tokens): the same for every session, fitted and held once.

    Nothing personal: only the samples take this path (an upload goes through ``fitted``, per session). A workshop
    of 30 then does not unpickle its own copy of the matcher on every run (issue 14).
    """
    return Matcher(default_radius_km=radius_km, distance_filter=filt, rome=rome).fit(_cand, _off)


@st.cache_data(max_entries=8, show_spinner=False)
def rome_table(_matcher: Matcher, key: str) -> pd.DataFrame:
    """The ROME suggestions of the first 200 offers (the same for every rerun of these settings)."""
    return _matcher.rome_table("offers").head(200)


@st.cache_data(max_entries=8, show_spinner="Classement…")
def ranked(_matcher: Matcher, key: str, k: int, direction: str, weights: tuple):
    return _matcher.rank(k, direction, dict(weights))


@st.cache_data(max_entries=2, show_spinner="Test de discrimination : tout le calcul est refait avec d'autres prénoms et l'autre genre…")
def fairness(_cand: pd.DataFrame, _off: pd.DataFrame, key: str, k: int, radius_km: float, filt: bool, weights: tuple, seed: int):
    return discrimination_test(_cand, _off, k=k, seed=seed, weights=dict(weights), default_radius_km=radius_km, distance_filter=filt, rome=rome)


@st.cache_data(max_entries=8, show_spinner=False)
def quality(_ranking, _cand: pd.DataFrame, _off: pd.DataFrame, key: str, weights: tuple, k: int):
    """Recall, MRR and precision of the ranking and of the keyword baseline (the same for every rerun of these settings)."""
    truth = truth_from_column(_cand)
    return evaluate(_ranking.frame, truth, k), evaluate(keyword_baseline(_cand, _off, k), truth, k)


@st.cache_data(max_entries=4, show_spinner=False)
def has_truth(_cand: pd.DataFrame, key: str) -> bool:
    """Whether the candidates carry past placements (read once per table, not on every run)."""
    return bool(truth_from_column(_cand))


samples = (shared_sample_token(f"{KEY}.candidats", "matching/candidats", CANDIDATES, "drop"),
           shared_sample_token(f"{KEY}.offres", "matching/offres", OFFERS, "drop"))
data_key = repr(samples) if None not in samples else frame_key(candidates.frame) + frame_key(offers.frame)
wkey = tuple(sorted(weights.items()))
with Stopwatch() as watch:
    fit = shared_fitted if None not in samples else fitted
    matcher = fit(candidates.frame, offers.frame, data_key, radius, distance_filter, f"{reference.source}-{reference.version}")
    run_key = data_key + f"{radius}{distance_filter}{reference.source}{reference.version}"
    by_candidate = ranked(matcher, run_key, k, "offers", wkey)
    by_offer = ranked(matcher, run_key, k, "candidates", wkey)
show_warnings(list(matcher.warnings_))

# -- Results ---------------------------------------------------------------------------------------
tab_c, tab_o, tab_eval, tab_fair, tab_rome, tab_code = st.tabs(
    ["Offres pour un candidat", "Candidats pour une offre", "Qualité du classement", "Test de discrimination", "Métiers (ROME)", "Coder des intitulés"]
)
cand_frame = matcher.candidates_.frame
with tab_c:
    labels = {cid: f"{cid} — {job}" for cid, job in zip(cand_frame["candidate_id"], cand_frame["desired_job"])}
    chosen = st.selectbox("Candidat", list(labels), format_func=labels.get, key=f"{KEY}.candidate")
    rows = by_candidate.for_candidate(chosen).sort_values("rank")
    if rows.empty:
        st.info(typography("Aucune offre dans le rayon de mobilité de ce candidat : élargissez le rayon ou désactivez le filtre."))
    else:
        show_chart(lambda: score_bars(rows, by_candidate.weights, "offer_title"), cache_key=f"matching:{run_key}:{wkey}:{k}:offers:{chosen}")
        match_cards(rows, by_candidate.weights, "offer_title", key=f"{KEY}.cards_c")
    related_jobs(by_candidate.related_for(chosen), by_candidate.weights)
with tab_o:
    off_frame = matcher.offers_.frame
    olabels = {oid: f"{oid} — {t} ({c})" for oid, t, c in zip(off_frame["offer_id"], off_frame["title"], off_frame["commune"])}
    chosen_o = st.selectbox("Offre", list(olabels), format_func=olabels.get, key=f"{KEY}.offer")
    rows_o = by_offer.for_offer(chosen_o).sort_values("rank")
    if rows_o.empty:
        st.info(typography("Aucun candidat dont le rayon de mobilité atteint cette offre."))
    else:
        show_chart(lambda: score_bars(rows_o, by_offer.weights, "candidate_id"), cache_key=f"matching:{run_key}:{wkey}:{k}:candidates:{chosen_o}")
        match_cards(rows_o, by_offer.weights, "candidate_id", key=f"{KEY}.cards_o")

metrics = baseline = None
with tab_eval:
    if not has_truth(candidates.frame, data_key):
        st.info(typography("Ajoutez une colonne des placements passés (« offres obtenues ») pour mesurer la qualité du classement."))
    else:
        metrics, baseline = quality(by_candidate, candidates.frame, offers.frame, run_key, wkey, k)
        st.markdown(typography(f"Mesuré sur {num(metrics.n_queries)} candidats dont les bonnes offres sont connues, contre un classement par **mots-clés communs** (la pratique sans outil)."))
        m1, m2, m3 = st.columns(3)
        with m1:
            kpi(f"Rappel dans les {k} premiers", 100 * metrics.recall, 100 * baseline.recall, unit="%", lower_is_better=False, help="Part des bonnes offres présentes dans la liste.")
        with m2:
            kpi("Rang réciproque moyen (MRR)", metrics.mrr, baseline.mrr, decimals=2, lower_is_better=False, help="1 si la bonne offre est toujours en tête, 0,5 si elle est en 2e position…")
        with m3:
            kpi(f"Précision dans les {k} premiers", 100 * metrics.precision, 100 * baseline.precision, unit="%", decimals=1, lower_is_better=False)
        st.caption(typography("Sur les données d'exemple, les bonnes offres sont celles que le générateur a plantées : un résultat sur des données synthétiques, à refaire sur vos placements réels."))

with tab_fair:
    seed = st.number_input("Graine du tirage des prénoms", 0, 10_000, 42, key=f"{KEY}.seed")
    cand_test, off_test = candidates.frame, offers.frame
    if len(cand_test) > 1000 or len(off_test) > 500:  # the test fits the whole pipeline twice: bounded on large files
        cand_test, off_test = cand_test.sample(min(len(cand_test), 1000), random_state=int(seed)), off_test.sample(min(len(off_test), 500), random_state=int(seed))
        st.caption(typography(f"Test mené sur un échantillon tiré au hasard de {num(len(cand_test))} candidats et {num(len(off_test))} offres."))
    report = fairness(cand_test, off_test, data_key, min(k, 10), radius, distance_filter, wkey, int(seed))
    if report.passed:
        st.success(typography(f"Classements identiques pour {pct(report.identical_offer_lists, 0)} des candidats et {pct(report.identical_candidate_lists, 0)} des offres après changement des prénoms et du genre de {num(report.n_changed)} profils (écart de score maximal : {num(report.max_score_change, 3)})."), icon=":material/balance:")
    else:
        st.error(typography(f"Des classements ont bougé : {pct(1 - report.identical_offer_lists, 1)} des listes d'offres, écart de score maximal {num(report.max_score_change, 2)}."), icon=":material/balance:")
    st.markdown(typography(f"Témoin : un rapprochement naïf sur le texte brut (sans retirer prénoms et marques de genre) aurait changé **{pct(1 - report.control_offer_lists, 0)}** des listes d'offres et **{pct(1 - report.control_candidate_lists, 0)}** des listes de candidats."))
    st.dataframe(report.examples.rename(columns={"candidate_id": "candidat", "before": "texte d'origine", "after": "texte modifié"})[["candidat", "texte d'origine", "texte modifié"]], hide_index=True)

with tab_rome:
    title = st.text_input("Essayez un intitulé de poste", "Animatrice périscolaire (H/F)", key=f"{KEY}.title")
    st.dataframe(pd.DataFrame([{"code ROME": s.code, "métier": s.label, "intitulé le plus proche": s.title, "confiance": s.score / 100} for s in rome.suggest(title)]), hide_index=True)
    st.dataframe(rome_table(matcher, run_key), hide_index=True)
with tab_code:
    coding_tab(KEY, rome)

# -- Downloads -------------------------------------------------------------------------------------
secret = st.session_state.setdefault(f"{KEY}.secret", new_key())


def pseudonymised_csv(ranking, secret: str, part: int):
    """The export (0) or the correspondence table (1) as a callable: written when its button is clicked, not on every run."""
    return lambda: to_csv_bytes(ranking.pseudonymised(secret)[part])


d1, d2 = st.columns(2)
d1.download_button("Rapprochements (CSV, candidats pseudonymisés)", pseudonymised_csv(by_candidate, secret, 0), "rapprochements.csv", "text/csv", key=f"{KEY}.dl")
d2.download_button("Table de correspondance des pseudonymes (à conserver à part)", pseudonymised_csv(by_candidate, secret, 1), "correspondance.csv", "text/csv", key=f"{KEY}.dl_table")

figures = by_candidate.figures(metrics, baseline, report)
publish_run(RunSummary(
    demo=KEY,
    data=DataSummary(
        source="fichier" if "fichier" in (input_source(f"{KEY}.offres"), input_source(f"{KEY}.candidats")) else "exemple",
        files=tuple(f for f in (offers.filename, candidates.filename) if f) or ("offres.csv", "candidats.csv"),
        rows=len(candidates.frame) + len(offers.frame),
        description=f"{num(len(offers.frame))} offres d'emploi et {num(len(candidates.frame))} profils de candidats",
    ),
    parameters={**{f"Poids {PART_LABELS[p].lower()}": round(weights[p] / total, 2) for p in PARTS}, "Rayon par défaut (km)": radius, "Filtre de distance": distance_filter, "Rapprochements par candidat": k},
    figures=tuple(figures),
    compute_seconds=watch.seconds,
    personal_data=True,
    special_category=False,
))

how_text = (
    METHOD_SUMMARY_FR
    + "\n\n**Les cinq parts du score**\n\n"
    + "\n".join(f"- **{PART_LABELS[p]}** : {PART_HELP[p]}" for p in PARTS)
    + "\n\n" + matcher.reference_.describe()
)
limits_text = (
    "- **Règlement européen sur l'IA** : le recrutement et la sélection de personnes sont un usage à haut risque (annexe III, point 4). "
    "Un déploiement réel exige gestion des risques, données de qualité, documentation, journalisation, information des personnes et contrôle humain effectif.\n"
    "- **RGPD** : aucune décision ne doit être fondée exclusivement sur ce traitement automatisé (article 22) ; les profils sont des données personnelles : minimisez les colonnes, "
    "les exports sont pseudonymisés et la table de correspondance se conserve à part.\n"
    "- **Discrimination** : le nom, l'âge, le sexe, la nationalité et l'adresse ne sont jamais lus, et les prénoms et marques de genre sont retirés des textes. "
    "La liste de prénoms n'est pas exhaustive : un mot que les offres n'emploient jamais est de toute façon ignoré, mais un nom de famille présent dans plusieurs offres serait lu. "
    "D'autres indices indirects (un trou dans le parcours, un quartier) peuvent subsister : le test ne couvre que ce qu'il change.\n"
    + ("- **Référentiel** : seuls " + num(len(matcher.reference_.jobs)) + " métiers sont chargés ; un métier absent obtient une part « métier » nulle. "
       "Importez le référentiel officiel pour couvrir les 1 584 fiches.\n" if not matcher.reference_.is_official else
       "- **Référentiel** : le codage d'un intitulé est une proposition (confiance affichée) ; sous le seuil, « métier non reconnu ». "
       "Les formations proposées hors de l'extrait de démonstration sont génériques.\n")
    + "- **Qualité** : mesurée ici sur des données synthétiques dont les bonnes réponses sont plantées ; elle doit être remesurée sur vos placements réels."
)
explain(typography(how_text), typography(limits_text))
