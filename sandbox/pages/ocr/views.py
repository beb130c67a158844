"""Streamlit pieces of the archive OCR page: the text with doubtful words, the clean-up gallery, tables."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from sandbox.models import ocr
from sandbox.models.ocr import STEP_LABELS, CleanupResult, ImageMeasures, OcrPage, TesseractStatus
from sandbox.models.ocr.visual import BAD, DOUBT, SURE
from sandbox.sheet.report import DataSummary, Figure, RunSummary
from sandbox.text import num, pct, plural, q
from sandbox.ui.layout import kpi


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


def page_figures(page: OcrPage, raw: OcrPage | None, truth: str | None, edited: str, threshold: float) -> None:
    """Confidence figures of the page and, with a ground truth, CER/WER against raw Tesseract."""
    cols = st.columns(4)
    with cols[0]:
        kpi("Confiance moyenne", page.mean_confidence, unit="/ 100", lower_is_better=False,
            help="Moyenne, sur les mots de la page, de la confiance donnée par Tesseract (0 à 100).")
    doubtful = page.low_confidence_share(threshold)
    with cols[1]:
        kpi("Mots douteux", None if doubtful is None else doubtful * 100, unit="%", decimals=1,
            help=f"Part des mots dont la confiance est sous le seuil ({num(threshold)}).")
    if truth:
        evaluation = ocr.evaluate(truth, ocr.apply_correction(page, edited), raw)
        with cols[2]:
            kpi("CER", evaluation.cleaned.cer * 100, evaluation.raw.cer * 100 if evaluation.raw else None, unit="%", decimals=2,
                help="Taux d'erreur par caractère de la lecture nettoyée ; l'écart est mesuré par rapport à Tesseract sur l'image brute.")
        with cols[3]:
            kpi("WER", evaluation.cleaned.wer * 100, evaluation.raw.wer * 100 if evaluation.raw else None, unit="%", decimals=1,
                help="Taux d'erreur par mot, par rapport à Tesseract sur l'image brute.")
        if evaluation.raw is not None:
            st.caption(f"Tesseract seul, sur l'image brute : CER {num(evaluation.raw.cer * 100, 2)} %, "
                       f"WER {num(evaluation.raw.wer * 100, 1)} %."
                       + (f" Après votre correction : CER {num(evaluation.corrected.cer * 100, 2)} %." if evaluation.corrected else ""))
    steps = ", ".join(STEP_LABELS.get(s, s).lower() for s in page.steps) or "aucun"
    st.caption(f"Lue en {num(page.seconds, 1)} s ; nettoyage : {steps}" + (f" ; redressée de {num(page.angle, 2)}°" if page.angle else "") + ".")


def entity_index(entities: list) -> None:
    counts = {kind: sum(e.kind == kind for e in entities) for kind in ("date", "personne", "commune")}
    st.markdown(f"**Index des entités** : {plural(counts['date'], 'date')}, {plural(counts['personne'], 'personne')}, "
                f"{plural(counts['commune'], 'commune')}.")
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
    images = [document.pages[p.page - 1] for p in doc_pages]
    st.markdown(f"**{q(document.filename)}** (texte corrigé compris) :")
    formats = [("txt", "Texte", "text/plain"), ("pdf", "PDF interrogeable", "application/pdf"),
               ("alto", "ALTO XML", "application/xml"), ("hocr", "hOCR", "text/html")]
    for col, (fmt, label, mime) in zip(st.columns(4), formats):
        col.download_button(label, lambda fmt=fmt: ocr.export_document(doc_pages, images, [fmt])[fmt],
                            file_name=document.stem + ocr.exports.EXTENSIONS[fmt], mime=mime, on_click="ignore",
                            key=f"{key}.dl.{fmt}", icon=":material/download:")
    batch_docs = [(d.stem, [p for p in pages if p.source == d.filename], [d.pages[p.page - 1] for p in pages if p.source == d.filename])
                  for d in documents]
    left, right = st.columns(2)
    left.download_button("Index des entités (CSV)", ocr.to_entity_csv(entities), file_name="entites.csv", mime="text/csv",
                         on_click="ignore", key=f"{key}.dl.csv", icon=":material/table:")
    right.download_button("Tout le lot (ZIP)", lambda: ocr.to_zip([b for b in batch_docs if b[1]], entities=entities, failures=failures),
                          file_name="ocr_lot.zip", mime="application/zip", on_click="ignore", key=f"{key}.dl.zip", icon=":material/folder_zip:")


def run_summary(demo: str, batch: ocr.BatchResult, pages: list[OcrPage], truths: dict, entities: list, threshold: float,
                *, sample: bool, parameters: dict) -> RunSummary:
    """What this run measured, for the project sheet (CER against raw Tesseract where a ground truth exists)."""
    figures = [
        Figure("Confiance moyenne des mots", batch.mean_confidence or 0.0, "/ 100", lower_is_better=False, decimals=1, key="confidence"),
        Figure("Mots douteux", (batch.low_confidence_share(threshold) or 0.0) * 100, "%", decimals=1, key="doubtful_pct"),
        Figure("Temps par page", batch.seconds / max(1, len(pages)), "s", decimals=1, key="seconds_per_page"),
    ]
    evaluations = [ocr.evaluate(truths[(p.source, p.page)], p, batch.baseline_page(p.source, p.page))
                   for p in pages if (p.source, p.page) in truths]
    if evaluations and all(e.raw for e in evaluations):
        chars = sum(e.cleaned.characters for e in evaluations)
        figures.append(Figure("Erreurs par caractère (CER)", 100 * sum(e.cleaned.cer * e.cleaned.characters for e in evaluations) / chars, "%",
                              baseline=100 * sum(e.raw.cer * e.raw.characters for e in evaluations) / chars, decimals=2, key="cer_pct"))
    files = tuple(dict.fromkeys(p.source for p in pages))
    return RunSummary(
        demo=demo,
        data=DataSummary("exemple" if sample else "fichier", files, len(pages),
                         f"{plural(len(pages), 'page')} de documents d'archives numérisés"),
        parameters=parameters,
        figures=tuple(figures),
        compute_seconds=batch.seconds,
        personal_data=not sample or any(e.kind == "personne" for e in entities),
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
