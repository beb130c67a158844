"""Streamlit pieces of the archive OCR page: the text with doubtful words, the clean-up gallery, tables."""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd
import streamlit as st

from sandbox.models import ocr
from sandbox.models.ocr import STEP_LABELS, VARIANT_LABELS, CleanupResult, ImageMeasures, OcrPage, TesseractStatus
from sandbox.models.ocr.cleanup import CleanupOptions, as_array, auto_options, clean, measure
from sandbox.models.ocr.entities import KIND_LABELS, EntityKind
from sandbox.models.ocr.visual import BAD, DOUBT, SURE
from sandbox.sheet.report import DataSummary, Figure, RunSummary
from sandbox.text import num, pct, plural, q
from sandbox.ui.layout import kpi


@st.cache_data(max_entries=8, show_spinner="Lecture de l'image brute pour comparaison…")
def raw_reading(_image, content: str, source: str, number: int, lang: str, psm: int, timeout: float) -> ocr.OcrPage:
    """Raw Tesseract on one page, cached by the page's content (never by its file name)."""
    return ocr.read_page(_image, source=source, page=number, cleanup=None, lang=lang, psm=psm, timeout=timeout)


@st.cache_data(max_entries=8, show_spinner="Nettoyage de la page…")
def cleanup_preview(_image, content: str, options: CleanupOptions | None):
    """The clean-up steps of one page with their small previews, cached by content; the full-size result is not kept."""
    array = as_array(_image)
    measures = measure(array)
    chosen = auto_options(measures) if options is None else options
    result = clean(array, chosen, measures=measures, keep_steps=True)
    return replace(result, image=result.steps[-1].after if result.steps else array[:1, :1]), chosen



def missing_tesseract(status: TesseractStatus) -> None:
    """Say that OCR cannot run here, and how to install it (the rest of the app is unaffected)."""
    st.error(
        f"{status.message} Cette démonstration a besoin du programme libre Tesseract et de son modèle français ; "
        "les autres démonstrations fonctionnent normalement.",
        icon=":material/error:",
    )
    st.markdown("Pour l'installer sur un poste Debian ou Ubuntu, puis relancer l'application :")
    st.code(status.install_command, language="bash")


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*colour)


def legend(threshold: float) -> None:
    """The colour key of the word boxes."""
    st.html(
        "<div style='font-size:0.9rem'>"
        f"<span style='border:2px solid {_rgb(SURE)};padding:0 .3em'>confiance ≥ {num(threshold)}</span> "
        f"<span style='border:2px solid {_rgb(DOUBT)};padding:0 .3em'>douteux</span> "
        f"<span style='border:2px solid {_rgb(BAD)};padding:0 .3em'>très douteux (&lt; {num(threshold / 2)})</span>"
        "</div>"
    )


def highlighted_text(page: OcrPage, threshold: float) -> None:
    """The text as read, line by line, the words under *threshold* highlighted with their confidence."""
    lines = []
    for line in page.lines():
        parts = []
        for word in line:
            text = html.escape(word.text)
            if word.conf < threshold:
                colour = DOUBT if word.conf >= threshold / 2 else BAD
                parts.append(
                    f"<mark title='confiance {word.conf:.0f}' style='background:rgba({colour[0]},{colour[1]},{colour[2]},0.35)'>{text}</mark>"
                )
            else:
                parts.append(text)
        lines.append(" ".join(parts))
    body = "<br>".join(lines) or "<em>Aucun mot reconnu sur cette page.</em>"
    st.html(f"<div style='font-family:serif;line-height:1.5;max-height:32rem;overflow:auto'>{body}</div>")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        sides = {"top": "haut", "bottom": "bas", "left": "gauche", "right": "droite"}
        return ", ".join(f"{sides.get(k, k)} {num(v)}" for k, v in value.items() if v) or "aucun"
    if isinstance(value, float):
        return num(value, 2 if abs(value) < 1 else 1)
    if isinstance(value, int):
        return num(value)
    return str(value)


def measures_table(measures: ImageMeasures | None, reasons: dict[str, str]) -> None:
    """What was measured on the page, and which steps the automatic preset chose and why."""
    if measures is not None:
        rows = measures.to_dict()
        st.dataframe(pd.DataFrame({"mesure": list(rows), "valeur": [_shown(v) for v in rows.values()]}), hide_index=True)
    if reasons:
        st.markdown("**Étapes choisies par le réglage automatique :**\n" + "\n".join(
            f"- {STEP_LABELS.get(step, step)} : {reason}" for step, reason in reasons.items()
        ))
    elif measures is not None:
        st.markdown("Le réglage automatique n'a rien trouvé à corriger : la page est lue telle quelle.")


def step_gallery(result: CleanupResult, *, zoom: bool = False) -> None:
    """Each clean-up step side by side: before, after (whole page or a full-resolution detail), and what it did."""
    if not result.steps:
        st.info("Aucune étape de nettoyage n'est active.", icon=":material/info:")
        return
    for step in result.steps:
        st.markdown(f"**{step.label}** — {step.detail}")
        before, after = st.columns(2)
        pair = (step.before_zoom, step.after_zoom) if zoom else (step.before, step.after)
        if pair[0] is not None:
            before.image(pair[0], caption="avant", width="stretch")
        if pair[1] is not None:
            after.image(pair[1], caption="après", width="stretch")


HELP = {
    "confidence": "Moyenne, sur les mots, de la confiance donnée par Tesseract (0 à 100).",
    "doubtful_pct": "Part des mots dont la confiance est sous le seuil.",
    "seconds_per_page": "Temps de lecture (nettoyages essayés compris) par page.",
    "cer_pct": "Taux d'erreur par caractère de la lecture retenue ; l'écart est mesuré par rapport à Tesseract sur l'image brute.",
    "cer_corrected_pct": "Taux d'erreur par caractère du texte corrigé par l'agent, par rapport à Tesseract sur l'image brute.",
}


def show_figures(figures: list[Figure]) -> None:
    """The figures a result measured, side by side, each against its baseline."""
    shown = [f for f in figures if f.key != "seconds_per_page"]
    for col, figure in zip(st.columns(len(shown)), shown):
        with col:
            kpi(figure.label, figure.value, figure.baseline, unit=figure.unit, decimals=figure.decimals,
                lower_is_better=figure.lower_is_better, versus="vs image brute", help=HELP.get(figure.key))


def page_figures(page: OcrPage, raw: OcrPage | None, truth: str | None, threshold: float) -> None:
    """The figures of one page (read from its result) and, with a ground truth, CER against raw Tesseract."""
    one = ocr.BatchResult((page,), seconds=page.seconds, baseline=(raw,) if raw is not None else ())
    truths = {(page.source, page.page): truth} if truth else {}
    show_figures(one.figures(truths, threshold=threshold))
    evaluation = one.evaluations(truths)[0] if truths and raw is not None else None
    if evaluation is not None:
        st.caption(f"Tesseract seul, sur l'image brute : CER {num(evaluation.raw.cer * 100, 2)} %, "
                   f"WER {num(evaluation.raw.wer * 100, 1)} %."
                   + (f" Après votre correction : CER {num(evaluation.corrected.cer * 100, 2)} %." if evaluation.corrected else ""))
    steps = ", ".join(STEP_LABELS.get(s, s).lower() for s in page.steps) or "aucun"
    st.caption(f"Lue en {num(page.seconds, 1)} s ; nettoyage : {steps}" + (f" ; redressée de {num(page.angle, 2)}°" if page.angle else "")
               + (f" ; tournée de {page.rotation}° (orientation détectée)" if page.rotation else "") + ".")
    if page.empty is not None:
        st.warning(f"Aucun texte sur cette page : {page.reason}.", icon=":material/warning:")
    elif page.reason:
        st.caption(f"Lecture retenue : {VARIANT_LABELS[page.variant]} — {page.reason} (détail des scores dans la vue "
                   f"{q('Nettoyage avant / après')}).")


def reading_choice(page: OcrPage) -> None:
    """Which reading won and why: the scores of every reading tried (raw first)."""
    if not page.readings:
        return
    st.markdown(f"**Lecture retenue : {VARIANT_LABELS[page.variant]}** — {page.reason}.")
    most = max(r.characters for r in page.readings)
    st.dataframe(pd.DataFrame([{
        "lecture": r.label,
        "retenue": "oui" if r.variant == page.variant else "non",
        "confiance (pondérée)": "–" if r.confidence is None else num(r.confidence, 1),
        "mots français": "–" if r.lexicon is None else pct(r.lexicon, 0),
        "caractères lus": num(r.characters),
        "lignes touchées": "–" if r.coverage is None else pct(r.coverage, 0),
        "score": num(r.against(most), 3),
        "secondes": num(r.seconds, 1),
    } for r in page.readings]), hide_index=True)


def entity_index(entities: list) -> None:
    counts = {kind: sum(e.kind == kind for e in entities) for kind in EntityKind}
    st.markdown("**Index des entités** : " + ", ".join(plural(counts[k], KIND_LABELS[k]) for k in EntityKind) + ".")
    st.dataframe(ocr.entities_frame(entities), hide_index=True)


def batch_table(batch: ocr.BatchResult) -> None:
    """One row per page (read or failed): words, confidence, doubtful share, seconds, clean-up."""
    compared = " (lecture de comparaison sans nettoyage comprise)" if batch.baseline and batch.baseline != batch.pages else ""
    st.markdown(f"**Lot** : {plural(len(batch.pages), 'page lue', 'pages lues')} en {num(batch.seconds, 1)} s{compared}"
                + (f", {plural(len(batch.failures), 'échec')}" if batch.failures else "") + ".")
    frame = batch.to_frame()
    for column, decimals in (("confiance moyenne", 1), ("secondes", 1)):
        if column in frame:
            frame[column] = [num(v, decimals) if v == v and v is not None else "–" for v in frame[column]]
    if "part de mots douteux" in frame:
        frame["part de mots douteux"] = [pct(v) if v == v and v is not None else "–" for v in frame["part de mots douteux"]]
    if "corrigé" in frame:
        frame["corrigé"] = ["oui" if v is True else "non" for v in frame["corrigé"]]
    st.dataframe(frame, hide_index=True)


def downloads(pages: list[OcrPage], documents: list, document, entities: list, failures, *, key: str) -> None:
    """Download buttons: the shown document in four formats, the entity index, the whole batch as a ZIP.

    The files are built when a button is clicked, from the corrected pages.
    """
    doc_pages = [p for p in pages if p.source == document.filename]
    images = [document.page(p.page) for p in doc_pages]
    st.markdown(f"**{q(document.filename)}** (texte corrigé compris) :")
    formats = [("txt", "Texte", "text/plain"), ("pdf", "PDF interrogeable", "application/pdf"),
               ("alto", "ALTO XML", "application/xml"), ("hocr", "hOCR", "text/html")]
    for col, (fmt, label, mime) in zip(st.columns(4), formats):
        col.download_button(label, lambda fmt=fmt: ocr.export_document(doc_pages, images, [fmt])[fmt],
                            file_name=document.stem + ocr.exports.EXTENSIONS[fmt], mime=mime, on_click="ignore",
                            key=f"{key}.dl.{fmt}", icon=":material/download:")
    def batch_docs():  # decoded only when the ZIP is asked for
        return [(d.stem, [p for p in pages if p.source == d.filename], [d.page(p.page) for p in pages if p.source == d.filename])
                for d in documents]
    left, right = st.columns(2)
    left.download_button("Index des entités (CSV)", ocr.to_entity_csv(entities), file_name="entites.csv", mime="text/csv",
                         on_click="ignore", key=f"{key}.dl.csv", icon=":material/table:")
    right.download_button("Tout le lot (ZIP)", lambda: ocr.to_zip([b for b in batch_docs() if b[1]], entities=entities, failures=failures),
                          file_name="ocr_lot.zip", mime="application/zip", on_click="ignore", key=f"{key}.dl.zip", icon=":material/folder_zip:")


def run_summary(demo: str, batch: ocr.BatchResult, truths: dict, entities: list, threshold: float,
                *, sample: bool, parameters: dict) -> RunSummary:
    """What this run measured, for the project sheet: the batch's own figures (CER against raw Tesseract where known)."""
    files = tuple(dict.fromkeys(p.source for p in batch.pages))
    return RunSummary(
        demo=demo,
        data=DataSummary("exemple" if sample else "fichier", files, len(batch.pages),
                         f"{plural(len(batch.pages), 'page')} de documents d'archives numérisés"),
        parameters=parameters,
        figures=tuple(batch.figures(truths, threshold=threshold)),
        compute_seconds=batch.seconds,
        personal_data=not sample or any(e.kind == EntityKind.PERSON for e in entities),
    )


def search_results(hits, query: str) -> None:
    if not query:
        return
    if not hits:
        st.caption(f"Aucune occurrence de {q(query)}.")
        return
    st.caption(f"{num(len(hits))} ligne(s) contiennent {q(query)}.")
    st.dataframe(
        pd.DataFrame([{"fichier": h.source, "page": h.page, "ligne": h.line, "extrait": h.snippet} for h in hits]),
        hide_index=True,
    )
