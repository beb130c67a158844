"""Archives: make scanned municipal documents readable, searchable and checkable (Tesseract OCR)."""

from __future__ import annotations

import hashlib
from enum import Enum

import streamlit as st

from sandbox.data import DataError, sample_path
from sandbox.data.generators.ocr import DOCUMENTS
from sandbox.models import ocr
from sandbox.models.ocr.cleanup import CleanupOptions
from sandbox.models.ocr.documents import UPLOAD_TYPES
from sandbox.text import num, q
from sandbox.ui import explain, page_header, show_error
from sandbox.pages.ocr import views
from sandbox.ui.inputs import file_uploader
from sandbox.ui.runs import publish_run

KEY = "ocr"


class Source(str, Enum):
    SAMPLE = "sample"
    UPLOAD = "upload"


class Mode(str, Enum):
    AUTO = "auto"
    MANUAL = "manual"
    NONE = "none"


class View(str, Enum):
    TEXT = "text"
    CLEANUP = "cleanup"
    SEARCH = "search"
    EXPORTS = "exports"


SOURCE_LABELS = {Source.SAMPLE: "Documents d'exemple", Source.UPLOAD: "Mes fichiers"}
MODE_LABELS = {
    Mode.AUTO: "Automatique (lecture brute, et nettoyages essayés si elle n'est pas sûre)",
    Mode.MANUAL: "Manuel",
    Mode.NONE: "Aucun (image brute)",
}
VIEW_LABELS = {View.TEXT: "Texte et mots douteux", View.CLEANUP: "Nettoyage avant / après",
               View.SEARCH: "Recherche et index", View.EXPORTS: "Exports"}
BINARISE_LABELS = {None: "aucune", "otsu": "Otsu (seuil global)", "sauvola": "Sauvola (seuil local)"}
BATCH_LIMIT = 900.0  # seconds for a whole batch
MAX_PAGES = 30  # per PDF or TIFF in the app (the command line takes more)
MAX_UPLOAD_PIXELS = 150_000_000  # per file: about 17 A4 pages at 300 dpi
MAX_SESSION_PIXELS = 250_000_000  # all the files of a session together

page_header(
    "Archives : lire les documents numérisés",
    "Registres d'état civil, délibérations et arrêtés numérisés ne sont que des images : on ne peut pas y chercher "
    "un nom ni une date. Cette page lit les scans avec **Tesseract** (OCR), n'en nettoie l'image que si la mesure "
    "montre que cela aide, signale les mots dont la machine n'est pas sûre, repère dates, personnes et communes, et "
    "exporte ce qu'attendent les logiciels d'archives.",
    demo=KEY,
)
st.caption(":material/draw: Tesseract lit les textes **imprimés ou dactylographiés**, pas l'écriture manuscrite.")

status = ocr.tesseract_status()
if not status.available:
    views.missing_tesseract(status)
    st.stop()


def open_file(data: bytes, filename: str) -> ocr.Document:
    """The file checked and its pages counted; pages are decoded only when shown or read (nothing big kept)."""
    store = st.session_state.setdefault(f"{KEY}.documents", {})
    digest = hashlib.sha256(data).hexdigest()
    if (digest, filename) not in store:
        store[(digest, filename)] = ocr.open_document(data, filename, max_pages=MAX_PAGES, max_total_pixels=MAX_UPLOAD_PIXELS)
    return store[(digest, filename)]


def shown_page(document: ocr.Document, number: int):
    """The page on screen, decoded once and kept alone (the previous one is dropped)."""
    key = (document.digest, number)
    kept = st.session_state.get(f"{KEY}.shown")
    if kept is None or kept[0] != key:
        kept = st.session_state[f"{KEY}.shown"] = (key, document.page(number))
    return kept[1]


# ---------------------------------------------------------------- data
source = st.segmented_control("Documents", list(Source), default=Source.SAMPLE, format_func=lambda v: SOURCE_LABELS[Source(v)],
                              key=f"{KEY}.source") or Source.SAMPLE
source = Source(source)
files: list[tuple[str, bytes]] = []
truths: dict[tuple[str, int], str] = {}
if source == Source.SAMPLE:
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
    uploads = file_uploader(
        "Déposez des scans (PNG, JPEG, TIFF multipage) ou des PDF",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        max_mb=50,
        key=f"{KEY}.files",
        help="Les fichiers sont lus sur ce poste et ne sont envoyés nulle part. Les PDF sont rendus à 300 ppp.",
    )
    files = [(u.name, u.getvalue()) for u in uploads or []]

documents, failures = [], []
wanted = {(hashlib.sha256(d).hexdigest(), n) for n, d in files}
st.session_state[f"{KEY}.documents"] = {k: v for k, v in st.session_state.get(f"{KEY}.documents", {}).items() if k in wanted}
pixels = 0
for name, data in files:
    try:
        document = open_file(data, name)
        if pixels + document.pixels > MAX_SESSION_PIXELS:
            raise DataError(
                f"ce fichier dépasserait la limite de {num(MAX_SESSION_PIXELS / 1e6)} millions de pixels pour l'ensemble "
                f"des fichiers de cette session (déjà {num(pixels / 1e6)} millions)",
                filename=name,
                hint="Lisez les documents en plusieurs fois, ou utilisez la commande « python -m sandbox ocr ».",
            )
        pixels += document.pixels
        documents.append(document)
    except DataError as exc:
        show_error(exc)
        failures.append(ocr.PageFailure(name, None, str(exc)))

# ---------------------------------------------------------------- parameters
with st.expander("Réglages", icon=":material/tune:", expanded=False):
    left, right = st.columns(2)
    languages = list(status.languages)
    lang = left.selectbox("Langue du document", languages, index=languages.index("fra"), format_func=ocr.language_label, key=f"{KEY}.lang",
                          help="Pour les imprimés d'avant 1850, le modèle « Latin » (écriture latine) est une option ; "
                               "mesuré sur de vrais imprimés de 1800 à 1921, il ne fait pas mieux que le français.")
    psm = left.selectbox("Découpage de la page", list(ocr.PSM_LABELS), format_func=ocr.PSM_LABELS.get, key=f"{KEY}.psm")
    timeout = left.number_input("Délai maximal par page (s)", 10, 600, 120, step=10, key=f"{KEY}.timeout")
    threshold = right.slider("Seuil de confiance des mots", 30, 95, int(ocr.LOW_CONFIDENCE), key=f"{KEY}.threshold",
                             help="Un mot lu avec une confiance plus basse est signalé comme douteux.")
    mode = Mode(right.radio("Nettoyage des images", list(Mode), format_func=lambda v: MODE_LABELS[Mode(v)], key=f"{KEY}.mode"))
    manual = None
    if mode == Mode.MANUAL:
        toggles = {step: right.toggle(label, value=step in ("grayscale", "illumination", "deskew"), key=f"{KEY}.step.{step}")
                   for step, label in ocr.STEP_LABELS.items() if step != "binarise"}
        binarise = right.selectbox("Binarisation", list(BINARISE_LABELS), format_func=BINARISE_LABELS.get, key=f"{KEY}.binarise")
        manual = CleanupOptions(**toggles, binarise=binarise)
cleanup = {Mode.AUTO: "auto", Mode.MANUAL: manual, Mode.NONE: None}[mode]

signature = hashlib.sha1(repr((sorted((n, hashlib.sha256(d).hexdigest()) for n, d in files), lang, psm, timeout, cleanup)).encode()).hexdigest()
run = st.button("Lire les documents", type="primary", icon=":material/document_scanner:", key=f"{KEY}.run", disabled=not documents)
state = st.session_state.get(f"{KEY}.batch")
if run and documents:
    bar = st.progress(0.0, text="Lecture en cours…")

    def progress(result, done, total):
        detail = f"{result.label} en {num(result.seconds, 1)} s" if isinstance(result, ocr.OcrPage) else f"{result.label} : échec"
        bar.progress(done / total, text=f"{done} / {total} pages lues — dernière : {detail}")

    try:
        batch = ocr.read_documents(documents, cleanup=cleanup, lang=lang, psm=psm, timeout=float(timeout), deadline=BATCH_LIMIT,
                                   on_page=progress, failures=failures, baseline=True)
    except DataError as exc:  # a page that cannot be decoded
        show_error(exc)
        batch = None
    bar.empty()
    if batch is not None:
        state = st.session_state[f"{KEY}.batch"] = {"signature": signature, "batch": batch, "truths": truths}
        st.session_state.pop(f"{KEY}.corrections", None)
if state is None:
    st.info("Choisissez des pages puis cliquez sur « Lire les documents ».", icon=":material/arrow_upward:")
elif state["signature"] != signature:
    st.warning("Les documents ou les réglages ont changé : relancez la lecture pour mettre à jour les résultats.", icon=":material/refresh:")

# ---------------------------------------------------------------- results
if state is not None:
    batch: ocr.BatchResult = state["batch"]
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
        document = by_name[page.source]
        view = st.segmented_control("Vue", list(View), default=View.TEXT, format_func=lambda v: VIEW_LABELS[View(v)], key=f"{KEY}.view") or View.TEXT
        view = View(view)
        edited = st.session_state.get(f"{KEY}.text.{chosen_key}", corrections.get(chosen_key, page.raw_text))
        # every transcription known for the batch: the samples' and those pasted for a page (the correction loop)
        known = dict(state["truths"])
        for p in pages:
            pasted = st.session_state.get(f"{KEY}.truth.{p.source}|{p.page}")
            if pasted and pasted.strip():
                known[(p.source, p.page)] = pasted
        if view == View.TEXT:
            image = shown_page(document, page.page)
            picture, text_col = st.columns(2)
            picture.image(ocr.draw_word_boxes(image, page, threshold=threshold), caption=f"{page.label} : cadres colorés selon la confiance", width="stretch")
            with picture:
                views.legend(threshold)
            with text_col:
                views.highlighted_text(page, threshold)
                edited = st.text_area("Texte corrigé (c'est ce texte qui est exporté)", corrections.get(chosen_key, page.raw_text),
                                      height=320, key=f"{KEY}.text.{chosen_key}")
        corrections[chosen_key] = edited
        if view == View.TEXT and (page.source, page.page) not in state["truths"]:
            pasted = st.text_area("Transcription de référence (facultatif) : collez le texte exact de cette page pour mesurer les erreurs",
                                  key=f"{KEY}.truth.{chosen_key}")
            if pasted and pasted.strip():
                known[(page.source, page.page)] = pasted
        corrected = batch.with_corrections(corrections)
        corrected_pages = [p for p in corrected.pages if p.source in by_name]
        entities = [e for p in corrected_pages for e in ocr.extract_entities(p.text, source=p.source, page=p.page)]
        if view == View.TEXT:
            truth = known.get((page.source, page.page))
            raw_page = batch.baseline_page(page.source, page.page)
            if truth and raw_page is None:
                try:
                    raw_page = views.raw_reading(shown_page(document, page.page), document.digest, page.source, page.page, lang, psm, float(timeout))
                except RuntimeError as exc:
                    st.warning(f"Comparaison impossible avec l'image brute : {exc}", icon=":material/warning:")
            views.page_figures(corrected.page(page.source, page.page), raw_page, truth, threshold)
        elif view == View.CLEANUP:
            views.reading_choice(page)
            if cleanup is None:
                st.info("Nettoyage désactivé : Tesseract lit l'image brute.", icon=":material/info:")
            else:
                result, options = views.cleanup_preview(shown_page(document, page.page), f"{document.digest}|{page.page}",
                                                  None if cleanup == "auto" else cleanup)
                views.measures_table(result.measures, options.reasons if cleanup == "auto" else {})
                views.step_gallery(result, zoom=st.toggle("Détail à pleine résolution", key=f"{KEY}.zoom"))
        elif view == View.SEARCH:
            query = st.text_input("Rechercher dans tout le lot (majuscules et accents indifférents)", key=f"{KEY}.query")
            views.search_results(ocr.search(corrected_pages, query), query)
            views.entity_index(entities)
        else:
            views.batch_table(batch)
            views.downloads(corrected_pages, documents, document, entities, batch.failures, key=KEY)
        if len(known) > 1 and view == View.TEXT:
            st.markdown("**Sur tout le lot** (pages dont le texte exact est connu) :")
            views.show_figures([f for f in corrected.figures(known, threshold=threshold) if f.key.startswith("cer")])
        publish_run(views.run_summary(KEY, corrected, known, entities, threshold, sample=source == Source.SAMPLE,
                                      parameters={"Langue": ocr.language_label(lang), "Découpage": ocr.PSM_LABELS[psm],
                                                  "Nettoyage": MODE_LABELS[mode], "Seuil de confiance": threshold}))

explain(
    "1. **Lire, puis nettoyer seulement si cela aide.** Tesseract lit d'abord la page telle quelle. Si cette lecture est "
    "sûre (mots lus avec confiance, en français, sur toutes les lignes de l'image), on s'arrête là : une page propre ne "
    "coûte qu'une lecture. Sinon, la page est mesurée (bruit, écart d'éclairage, inclinaison, taille des lettres, bords "
    "sombres, demi-teintes) et relue après les nettoyages utiles ; on garde la lecture qui obtient le meilleur score "
    "(confiance pondérée par la longueur des mots, part de mots français, quantité de texte), jamais une qui lit "
    "nettement moins de texte que l'image brute. Une ligne seule ou un petit bloc sont lus comme tels, une page "
    "couchée est redressée (détection d'orientation). Sur une page d'une seule colonne, les paragraphes sont remis "
    "dans l'ordre de haut en bas (Tesseract en déplace parfois un à la fin de la page). Les scores et chaque étape se "
    "montrent avant / après.\n"
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
    "- **Pages à plusieurs colonnes** : l'ordre des colonnes et des blocs est celui que Tesseract trouve ; il se "
    "trompe parfois (une colonne coupée en deux, un bloc lu trop tôt). Le score de lecture ne voit pas ces erreurs "
    "d'ordre : relisez l'enchaînement du texte.\n"
    "- **Données personnelles** : les registres d'état civil de moins de 75 ans (naissances, mariages) ou de 25 ans "
    "(décès) ne sont pas librement communicables (Code du patrimoine, art. L213-2) ; l'index des personnes est un "
    "traitement au sens du RGPD. Tout est calculé sur ce poste, rien n'est envoyé.\n"
    "- **AI Act** : la reconnaissance de caractères n'est pas un usage à haut risque ; restez transparent sur la part "
    "de texte produite par la machine (signalez-la dans les métadonnées des exports).\n"
    "- Les pages d'exemple sont **synthétiques** : les chiffres obtenus sur de vrais scans seront moins bons.",
)
