"""Where demo pages leave what a run measured, for the project sheet — and the actions under a result.

``publish_run(summary)`` records the run for the « Fiche projet » page and,
right where the page calls it, shows a link to that page and the
« Signaler » button with which a workshop participant reports what looks
wrong or surprising (stored locally by :mod:`sandbox.workshop.feedback`).
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.errors import StreamlitAPIException

from sandbox import PACKAGE_DIR
from sandbox.workshop.feedback import CATEGORIES, MAX_COMMENT, FeedbackError, FeedbackStore
from sandbox.sheet.report import RunSummary

logger = logging.getLogger("sandbox")

RUNS_KEY = "runs"
CURRENT_DEMO = "current_demo"  # set by sandbox.ui.layout.page_header
CURRENT_TITLE = "current_title"
SHEET_PAGE = "pages/sheet/page.py"


def publish_run(summary: RunSummary, *, actions: bool = True) -> None:
    """Record the latest run of a demo (kept across page changes, for this session only).

    With *actions* (the default), also show under the result a link to the
    « Fiche projet » page and the « Signaler » feedback button.
    """
    st.session_state.setdefault(RUNS_KEY, {})[summary.demo] = summary
    if actions:
        run_actions(summary)


def last_run(demo: str) -> RunSummary | None:
    """The latest run of *demo* in this session, if any."""
    return st.session_state.get(RUNS_KEY, {}).get(demo)


def all_runs() -> dict[str, RunSummary]:
    """The latest run of each demo in this session."""
    return dict(st.session_state.get(RUNS_KEY, {}))


def feedback_context(summary: RunSummary) -> dict[str, object]:
    """What a report says about the run's data: source, rows and description only.

    Never the data, nor the uploaded file names (« dossier_Dupont_Marie.xlsx »
    names a person): a file is counted, not named.
    """
    d = summary.data
    context: dict[str, object] = {"source": d.source, "lignes": d.rows, "description": d.description}
    if d.files:
        context["fichiers"] = len(d.files)
    return context


def page_title(demo: str) -> str:
    """The French title of *demo*'s page, as its ``page_header`` showed it in this run (else the key)."""
    if st.session_state.get(CURRENT_DEMO) == demo:
        return st.session_state.get(CURRENT_TITLE) or demo
    return demo


def _send_feedback(summary: RunSummary, page_title: str) -> None:
    demo = summary.demo
    comment = st.session_state.get(f"{demo}.feedback.comment", "")
    category = st.session_state.get(f"{demo}.feedback.category", CATEGORIES[-1])
    try:
        entry = FeedbackStore().add(
            demo,
            comment,
            page=page_title,
            category=category,
            parameters=dict(summary.parameters),
            context=feedback_context(summary),
        )
    except FeedbackError as exc:
        st.session_state[f"{demo}.feedback.flash"] = ("error", str(exc))
        return
    st.session_state[f"{demo}.feedback.flash"] = ("success", f"Merci ! Votre retour n° {entry.id} est enregistré sur ce poste.")
    st.session_state[f"{demo}.feedback.comment"] = ""


def _sheet_link() -> None:
    if not (PACKAGE_DIR / SHEET_PAGE).is_file():
        return
    try:
        st.page_link(SHEET_PAGE, label="Fiche projet", icon=":material/description:", help="Produire la fiche projet de ce résultat (Markdown, PDF, JSON).")
    except StreamlitAPIException:  # the page runs outside the app's navigation (a test of the page alone)
        st.caption(":material/description: La fiche projet de ce résultat est dans le menu « Atelier » → « Fiche projet ».")


def run_actions(summary: RunSummary) -> None:
    """The « Fiche projet » link and the « Signaler » button, once per page run."""
    demo = summary.demo
    title = page_title(demo)
    try:
        box = st.container(key=f"{demo}.run_actions", horizontal=True, vertical_alignment="center")
    except StreamlitAPIException:  # already shown in this run (a page that publishes twice)
        return
    try:
        with box:
            _actions(summary, title)
    except StreamlitAPIException:  # e.g. a page that publishes inside a form, where buttons are not allowed
        logger.warning("run actions of %s could not be shown here", demo)
        return
    flash = st.session_state.pop(f"{demo}.feedback.flash", None)
    if flash:
        kind, text = flash
        if kind == "error":
            st.error(text, icon=":material/error:")
        else:
            st.success(text, icon=":material/check:")


def _actions(summary: RunSummary, title: str) -> None:
    demo = summary.demo
    _sheet_link()
    with st.popover("Signaler", icon=":material/flag:", help="Signaler un résultat faux ou surprenant, une question, une idée."):
        st.markdown("**Signaler ce résultat**")
        st.caption(
            "Le retour est enregistré sur ce poste avec la page et les paramètres ; "
            "le formateur le retrouve dans « Retours de l'atelier »."
        )
        st.selectbox("Type de retour", CATEGORIES, key=f"{demo}.feedback.category")
        st.text_area(
            "Commentaire", key=f"{demo}.feedback.comment", max_chars=MAX_COMMENT,
            placeholder="Qu'avez-vous trouvé faux, surprenant ou à améliorer ?",
        )
        st.button("Envoyer", key=f"{demo}.feedback.send", type="primary", on_click=_send_feedback, args=(summary, title))
