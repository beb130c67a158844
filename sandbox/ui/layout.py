"""Page skeleton pieces: header, explanations, figures against a baseline, messages."""

from __future__ import annotations

import streamlit as st

from sandbox.text import md_escape, num, pct


def page_header(title: str, intro: str, demo: str | None = None) -> None:
    """Title and the two sentences every demo page opens with.

    *demo* is the page's key in ``sandbox.registry``; when the sidebar's
    « Mode atelier » is on, the workshop panel (facilitator notes and the
    « Réinitialiser » button, :mod:`sandbox.ui.workshop`) is shown here.
    """
    st.title(title)
    st.markdown(intro)
    st.session_state["current_demo"] = demo
    st.session_state["current_title"] = title  # the feedback of this page's runs names it (sandbox.ui.runs)
    if demo:
        from sandbox.ui.workshop import workshop_enabled, workshop_panel

        if workshop_enabled():
            workshop_panel(demo)


def explain(how: str, limits: str) -> None:
    """The « Comment ça marche ? » and « Limites et risques » expanders."""
    with st.expander("Comment ça marche ?", icon=":material/lightbulb:"):
        st.markdown(how)
    with st.expander("Limites et risques", icon=":material/warning:"):
        st.markdown(limits)


def kpi(
    label: str,
    value: float | None,
    baseline: float | None = None,
    *,
    unit: str = "",
    decimals: int = 0,
    lower_is_better: bool = True,
    versus: str = "vs actuel",
    help: str | None = None,
) -> None:
    """A figure with its change against the baseline, in French format.

    The colour and the arrow are set explicitly: Streamlit reads a leading
    ASCII hyphen as "negative", and French figures use the minus sign (−).
    """
    shown = num(value, decimals) + (f"\u00a0{unit}" if unit else "")
    change = None
    if baseline not in (None, 0) and value is not None:
        change = (value - baseline) / abs(baseline)
    if change is None:
        st.metric(label, shown, help=help)
        return
    still = abs(change) < 1e-9
    better = (change < 0) == lower_is_better
    st.metric(
        label,
        shown,
        f"{pct(change, signed=True)} {versus}",
        delta_color="gray" if still else "green" if better else "red",
        delta_arrow="off" if still else "down" if change < 0 else "up",
        help=help,
    )


def show_error(exc: BaseException) -> None:
    """Show a DataError (or any message-bearing error) without a traceback."""
    st.error(md_escape(str(exc)), icon=":material/error:")  # messages quote user text: keep it inert


def show_warnings(warnings: list[str] | tuple[str, ...], *, limit: int = 3) -> None:
    """Show data warnings: the first few, the rest folded."""
    for text in warnings[:limit]:
        st.warning(md_escape(text), icon=":material/info:")
    if len(warnings) > limit:
        with st.expander(f"{len(warnings) - limit} autres avertissements"):
            for text in warnings[limit:]:
                st.markdown(f"- {md_escape(text)}")
