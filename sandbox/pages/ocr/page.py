"""Archives: make scanned municipal documents readable, searchable and checkable (Tesseract OCR)."""

from __future__ import annotations

import hashlib

import streamlit as st

from sandbox.data import DataError, sample_path
from sandbox.data.generators.ocr import DOCUMENTS
from sandbox.models import ocr
from sandbox.models.ocr.cleanup import CleanupOptions, as_array, auto_options, clean, measure
from sandbox.models.ocr.documents import UPLOAD_TYPES
from sandbox.text import num, q
from sandbox.ui import explain, page_header, show_error
from sandbox.pages.ocr import views
from sandbox.ui.runs import publish_run

KEY = "ocr"
SAMPLE, UPLOAD = "Documents d'exemple", "Mes fichiers"
MODES = ("Automatique (selon les mesures de l'image)", "Manuel", "Aucun (image brute)")
BATCH_LIMIT = 900.0  # seconds for a whole batch
MAX_PAGES = 30  # per PDF or TIFF in the app (the command line takes more)
VIEWS = ("Texte et mots douteux", "Nettoyage avant / après", "Recherche et index", "Exports")

page_header(
    "Archives : lire les documents numérisés",
    "Registres d'état civil, délibérations et arrêtés numérisés ne sont que des images : on ne peut pas y chercher "
    "un nom ni une date. Cette page nettoie les scans, les lit avec **Tesseract** (OCR), signale les mots dont la "
    "machine n'est pas sûre, repère dates, personnes et communes, et exporte ce qu'attendent les logiciels d'archives.",
    demo=KEY,
)
st.caption(":material/draw: Tesseract lit les textes **imprimés ou dactylographiés**, pas l'écriture manuscrite.")

status = ocr.tesseract_status()
if not status.available:
    views.missing_tesseract(status)
    st.stop()


def load(data: bytes, filename: str) -> ocr.Document:
    """Decoded pages, kept for this session only (no copy per rerun, nothing shared between users)."""
    store = st.session_state.setdefault(f"{KEY}.documents", {})
    digest = hashlib.sha1(data).hexdigest() + filename
    if digest not in store:
        with st.spinner(f"Ouverture de {q(filename)}…"):
            store[digest] = ocr.load_document(data, filename, max_pages=MAX_PAGES)
    return store[digest]


@st.cache_data(max_entries=8, show_spinner="Lecture de l'image brute pour comparaison…")
def raw_reading(_image, image_key: str, lang: str, psm: int, timeout: float) -> ocr.OcrPage:
    return ocr.read_page(_image, source=image_key.rsplit("|", 1)[0], page=int(image_key.rsplit("|", 1)[1]), cleanup=None, lang=lang, psm=psm, timeout=timeout)


@st.cache_data(max_entries=8, show_spinner="Nettoyage de la page…")
def cleanup_preview(_image, image_key: str, options: CleanupOptions | None):
    array = as_array(_image)
    measures = measure(array)
    chosen = auto_options(measures) if options is None else options
    return clean(array, chosen, measures=measures, keep_steps=True), chosen


# ---------------------------------------------------------------- data
source = st.segmented_control("Documents", [SAMPLE, UPLOAD], default=SAMPLE, key=f"{KEY}.source") or SAMPLE
files: list[tuple[str, bytes]] = []
truths: dict[tuple[str, int], str] = {}
if source == SAMPLE:
    chosen = st.multiselect(
        "Pages d'exemple (synthétiques, vieillies : papier jauni, taches, transparence du verso, inclinaison)",
        list(DOCUMENTS),
        default=["deliberation_1926"],
        format_func=lambda name: DOCUMENTS[name].title,
        key=f"{KEY}.samples",
    )
    for name in chosen:
        path = sample_path(f"ocr/{name}.jpg")
        files.append((path.name, path.read_bytes()))
        truths[(path.name, 1)] = sample_path(f"ocr/{name}.txt").read_text(encoding="utf-8")
else:
    uploads = st.file_uploader(
        "Déposez des scans (PNG, JPEG, TIFF multipage) ou des PDF",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        max_upload_size=50,
        key=f"{KEY}.files",
        help="Les fichiers sont lus sur ce poste et ne sont envoyés nulle part. Les PDF sont rendus à 300 ppp.",
    )
    files = [(u.name, u.getvalue()) for u in uploads or []]

documents, failures = [], []
st.session_state[f"{KEY}.documents"] = {k: v for k, v in st.session_state.get(f"{KEY}.documents", {}).items()
                                        if any(k == hashlib.sha1(d).hexdigest() + n for n, d in files)}
for name, data in files:
    try:
        documents.append(load(data, name))
    except DataError as exc:
        show_error(exc)
        failures.append(ocr.PageFailure(name, None, str(exc)))

# ---------------------------------------------------------------- parameters
with st.expander("Réglages", icon=":material/tune:", expanded=False):
    left, right = st.columns(2)
    languages = list(status.languages)
    lang = left.selectbox("Langue du document", languages, index=languages.index("fra"), format_func=ocr.language_label, key=f"{KEY}.lang")
    psm = left.selectbox("Découpage de la page", list(ocr.PSM_LABELS), format_func=ocr.PSM_LABELS.get, key=f"{KEY}.psm")
    timeout = left.number_input("Délai maximal par page (s)", 10, 600, 120, step=10, key=f"{KEY}.timeout")
    threshold = right.slider("Seuil de confiance des mots", 30, 95, int(ocr.LOW_CONFIDENCE), key=f"{KEY}.threshold",
                             help="Un mot lu avec une confiance plus basse est signalé comme douteux.")
    mode = right.radio("Nettoyage des images", MODES, key=f"{KEY}.mode")
    manual = None
    if mode == MODES[1]:
        toggles = {step: right.toggle(label, value=step in ("grayscale", "illumination", "deskew"), key=f"{KEY}.step.{step}")
                   for step, label in ocr.STEP_LABELS.items() if step != "binarise"}
        binarise = right.selectbox("Binarisation", ["aucune", "Otsu (seuil global)", "Sauvola (seuil local)"], key=f"{KEY}.binarise")
        manual = CleanupOptions(**toggles, binarise={"aucune": None, "Otsu (seuil global)": "otsu"}.get(binarise, "sauvola"))
cleanup = {MODES[0]: "auto", MODES[1]: manual, MODES[2]: None}[mode]

signature = hashlib.sha1(repr((sorted((n, hashlib.sha1(d).hexdigest()) for n, d in files), lang, psm, timeout, cleanup)).encode()).hexdigest()
run = st.button("Lire les documents", type="primary", icon=":material/document_scanner:", key=f"{KEY}.run", disabled=not documents)
state = st.session_state.get(f"{KEY}.batch")
if run and documents:
    bar = st.progress(0.0, text="Lecture en cours…")

    def progress(result, done, total):
        detail = f"{result.label} en {num(result.seconds, 1)} s" if isinstance(result, ocr.OcrPage) else f"{result.label} : échec"
        bar.progress(done / total, text=f"{done} / {total} pages lues — dernière : {detail}")

    batch = ocr.read_documents(documents, cleanup=cleanup, lang=lang, psm=psm, timeout=float(timeout), deadline=BATCH_LIMIT,
                               on_page=progress, failures=failures, baseline=bool(truths) or cleanup is None)
    bar.empty()
    state = st.session_state[f"{KEY}.batch"] = {"signature": signature, "batch": batch, "truths": truths}
if state is None:
    st.info("Choisissez des pages puis cliquez sur « Lire les documents ».", icon=":material/arrow_upward:")
    explain_only = True
else:
    explain_only = False
    if state["signature"] != signature:
        st.warning("Les documents ou les réglages ont changé : relancez la lecture pour mettre à jour les résultats.", icon=":material/refresh:")

# ---------------------------------------------------------------- results
if not explain_only:
    batch: ocr.BatchResult = state["batch"]
    truths = state["truths"]
    by_name = {d.filename: d for d in documents}
    for failure in batch.failures:
        st.error(f"{failure.label} : {failure.message}" if failure.page else failure.message, icon=":material/error:")
    corrections: dict = st.session_state.setdefault(f"{KEY}.corrections", {})
    pages = [p for p in batch.pages if p.source in by_name]
    if not pages:
        st.warning("Aucune page n'a pu être lue.", icon=":material/warning:")
    else:
        labels = {f"{p.source}|{p.page}": p for p in pages}
        chosen_key = st.selectbox("Page affichée", list(labels), format_func=lambda k: labels[k].label, key=f"{KEY}.page")
        page = labels[chosen_key]
        image = by_name[page.source].pages[page.page - 1]
        view = st.segmented_control("Vue", VIEWS, default=VIEWS[0], key=f"{KEY}.view") or VIEWS[0]
        edited = st.session_state.get(f"{KEY}.text.{chosen_key}", corrections.get(chosen_key, page.raw_text))
        if view == VIEWS[0]:
            picture, text_col = st.columns(2)
            picture.image(ocr.draw_word_boxes(image, page, threshold=threshold), caption=f"{page.label} : cadres colorés selon la confiance", width="stretch")
            with picture:
                views.legend(threshold)
            with text_col:
                views.highlighted_text(page, threshold)
                edited = st.text_area("Texte corrigé (c'est ce texte qui est exporté)", corrections.get(chosen_key, page.raw_text),
                                      height=320, key=f"{KEY}.text.{chosen_key}")
        corrections[chosen_key] = edited
        truth = truths.get((page.source, page.page))
        if view == VIEWS[0] and not truth:
            truth = st.text_area("Transcription de référence (facultatif) : collez le texte exact de cette page pour mesurer les erreurs",
                                 key=f"{KEY}.truth.{chosen_key}")
        corrected_pages = [ocr.apply_correction(p, corrections[f"{p.source}|{p.page}"]) if f"{p.source}|{p.page}" in corrections else p for p in pages]
        entities = [e for p in corrected_pages for e in ocr.extract_entities(p.text, source=p.source, page=p.page)]
        if view == VIEWS[0]:
            raw_page = batch.baseline_page(page.source, page.page)
            if truth and raw_page is None and cleanup is not None:
                try:
                    raw_page = raw_reading(image, chosen_key, lang, psm, float(timeout))
                except RuntimeError as exc:
                    st.warning(f"Comparaison impossible avec l'image brute : {exc}", icon=":material/warning:")
            views.page_figures(page, raw_page, truth, edited, threshold)
        elif view == VIEWS[1]:
            if cleanup is None:
                st.info("Nettoyage désactivé : Tesseract lit l'image brute.", icon=":material/info:")
            else:
                result, options = cleanup_preview(image, chosen_key + signature, None if cleanup == "auto" else cleanup)
                views.measures_table(result.measures, options.reasons if cleanup == "auto" else {})
                views.step_gallery(result, zoom=st.toggle("Détail à pleine résolution", key=f"{KEY}.zoom"))
        elif view == VIEWS[2]:
            query = st.text_input("Rechercher dans tout le lot (majuscules et accents indifférents)", key=f"{KEY}.query")
            views.search_results(ocr.search(corrected_pages, query), query)
            views.entity_index(entities)
        else:
            views.batch_table(batch)
            views.downloads(corrected_pages, documents, by_name[page.source], entities, batch.failures, key=KEY)
        publish_run(views.run_summary(KEY, batch, pages, truths, entities, threshold, sample=source == SAMPLE,
                                      parameters={"Langue": ocr.language_label(lang), "Découpage": ocr.PSM_LABELS[psm],
                                                  "Nettoyage": mode, "Seuil de confiance": threshold}))

explain(
    "1. **Mesurer puis nettoyer.** Chaque page est mesurée (bruit, écart d'éclairage, inclinaison, taille des lettres, "
    "bords sombres, demi-teintes dues à la transparence du verso) ; le réglage automatique n'applique que les étapes "
    "utiles, si bien qu'un scan propre passe tel quel. Chaque étape se montre avant / après.\n"
    "2. **Lire.** Tesseract, un logiciel libre d'OCR fondé sur un réseau de neurones entraîné sur des textes imprimés, "
    "donne chaque mot, son cadre et une **confiance** de 0 à 100. La confiance dit à quel point le modèle hésitait : "
    "un mot sous le seuil est souvent faux, mais un mot sûr peut l'être aussi.\n"
    "3. **Vérifier.** Sur les pages dont on connaît le texte exact, le **taux d'erreur par caractère (CER)** et par mot "
    "(WER) mesurent la lecture, sans puis avec nettoyage. Le texte corrigé par l'agent est celui qui est exporté.\n"
    "4. **Indexer et exporter.** Des règles repèrent les dates (y compris écrites en toutes lettres : "
    f"{q('le douze mars mil huit cent quatre-vingt-dix')}), les personnes après une civilité et les communes de la métropole ; "
    "exports texte, PDF interrogeable, ALTO, hOCR et CSV.",
    "- **Pas d'écriture manuscrite** : Tesseract est fait pour l'imprimé et la dactylographie. Sur un registre écrit à la "
    "main, le texte obtenu est inutilisable ; il faut un modèle de reconnaissance d'écriture (HTR) entraîné sur des "
    "écritures de l'époque.\n"
    "- **Relecture humaine avant toute publication** : une seule lettre fausse change un nom ou une date ; les mots "
    "sûrs peuvent être faux, les polices anciennes (s long, ligatures) et les tableaux sont mal lus.\n"
    "- **Données personnelles** : les registres d'état civil de moins de 75 ans (naissances, mariages) ou de 25 ans "
    "(décès) ne sont pas librement communicables (Code du patrimoine, art. L213-2) ; l'index des personnes est un "
    "traitement au sens du RGPD. Tout est calculé sur ce poste, rien n'est envoyé.\n"
    "- **AI Act** : la reconnaissance de caractères n'est pas un usage à haut risque ; restez transparent sur la part "
    "de texte produite par la machine (signalez-la dans les métadonnées des exports).\n"
    "- Les pages d'exemple sont **synthétiques** : les chiffres obtenus sur de vrais scans seront moins bons.",
)
